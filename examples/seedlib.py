"""What the example builders share: amounts, synthetic credit codes, the writer of postings, and the
entries every fund-year's lifecycle is made of. ``build.py`` runs the builders of ``seeds_2020.py``
and ``seeds_2023.py``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from stdnum.cn import uscc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from contracts.money import parse_money  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE  # where the postings are written: examples/ itself, or the directory build.py is given
W = 1_000_000  # fen per 万元
FUND = "chaoyang-hightech"


def wan(text: str) -> int:
    """An exact 万元 figure as fen (the seeds' decimal strings)."""
    return parse_money(text, "wan")


def credit_code(n: int) -> str:
    """A synthetic, valid unified social credit code (GB 32100): not any real enterprise's."""
    base = f"91110105MA{n:07d}"
    return base + uscc.calc_check_digit(base)


_CODES: dict[str, str] = {}


def code_of(name: str, n: int) -> str:
    """One code per enterprise name across funds (中关村科技租赁 is in the SME and the IPO reports)."""
    return _CODES.setdefault(name, credit_code(n))


def split(total: int, n: int, step: int = W) -> list[int]:
    """``n`` amounts in multiples of ``step`` where possible, summing exactly to ``total``."""
    units, rest = divmod(total, step)
    base, extra = divmod(units, n)
    amounts = [(base + (1 if i < extra else 0)) * step for i in range(n)]
    amounts[-1] += rest
    return amounts


class Writer:
    """Writes one fund-year's postings under ``OUT/<folder>/``, numbered in the order they are posted."""

    def __init__(self, folder: str) -> None:
        self.dir = sys.modules[__name__].OUT / folder
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.n = 0

    def posting(self, name: str, entries: list[tuple[str, str, dict]]) -> None:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{name}.jsonl"
        lines = [json.dumps({"kind": k, "idem": i, "body": b}, ensure_ascii=False, sort_keys=True) for k, i, b in entries]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the entries of a fund-year's lifecycle ---------------------------------------------------------
SAID_2020 = "seed 002 (2020年朝阳区重点产业发展引导资金预算执行情况)"


def apply_entries(fy: dict, projects: list[dict], date: str) -> list[tuple[str, str, dict]]:
    out = []
    for p in projects:
        body = {**fy, "project": p["project"], "enterprise": p["enterprise"], "enterprise_name": p["name"],
                "clause": p["clause"], "requested_fen": p["amount"], "date": date}
        for key in ("policy", "bases", "tags"):
            if key in p:
                body[key] = p[key]
        out.append(("project.apply", f"apply-{p['project']}", body))
    return out


def decide_entries(projects: list[dict], stage: str, date: str, panel: bool = False) -> list[tuple[str, str, dict]]:
    """A stage's decisions on the projects still in the funnel. A project lists its ``stages`` in
    order; ``removed`` = (stage, reason) rejects it there; ``changes`` = {stage: (outcome, reason,
    amount after)} lowers its amount there."""
    out = []
    for p in projects:
        if stage not in p["stages"]:
            continue
        fate = p.get("removed")
        if fate and p["stages"].index(fate[0]) < p["stages"].index(stage):
            continue  # out of the funnel already
        body = {"project": p["project"], "stage": stage, "outcome": "pass", "date": date}
        if panel:
            body["panel_size"] = 5
        if fate and fate[0] == stage:
            body.update(outcome="reject", reason=fate[1])
        elif stage in p.get("changes", {}):
            outcome, reason, after = p["changes"][stage]
            body.update(outcome=outcome, reason=reason, amount_after_fen=after)
        out.append(("review.decide", f"{stage}-{p['project']}", body))
    return out


def award_entries(fy: dict, projects: list[dict], approvals: list[tuple[str, ...]], notice: tuple[str, str],
                  paid: str, voucher: str) -> list[tuple[str, list[tuple[str, str, dict]]]]:
    """The postings that take awarded projects from approval to payment. An approval is (body,
    meeting, date) or (body, meeting, resolution, date); a project's award is its amount after
    the reviews (``award``), else its request."""
    won = [p for p in projects if not p.get("removed")]
    awards = [{"project": p["project"], "amount_fen": p.get("award", p["amount"])} for p in won]
    code = f"{fy['fund']}-{fy['year']}"
    resolutions = [(a[0], a[1], a[1], a[2]) if len(a) == 3 else a for a in approvals]
    return [
        ("approvals", [("approval.resolve", f"{code}-{body}", {"body": body, "meeting": meeting, "resolution": resolution,
                                                                 "date": date, "awards": awards})
                       for body, meeting, resolution, date in resolutions]),
        ("notice", [("notice.open", f"{code}-notice", {**fy, "notice": f"{code}-公示", "projects": [a["project"] for a in awards],
                                                         "start": notice[0], "working_days": 5})]),
        ("notice-close", [("notice.close", f"{code}-notice-close", {"notice": f"{code}-公示", "date": notice[1], "objections": []})]),
        ("disbursements", [("disbursement.pay", f"pay-{a['project']}", {"project": a["project"], "amount_fen": a["amount_fen"],
                                                                        "date": paid, "voucher": f"{voucher}{i + 1:03d}"})
                           for i, a in enumerate(awards)]),
    ]


def reported(fund: str, year: int, prefix: str, facts: list[tuple], seed: str = "") -> list[tuple[str, str, dict]]:
    """report.state entries: (figure, unit, value, wording[, tolerance]) as a seed states them."""
    out = []
    for i, fact in enumerate(facts, 1):
        figure, unit, value, wording = fact[:4]
        body = {"seed": seed or SAID_2020, "wording": wording, "figure": f"{fund}/{year}/{figure}", unit: value}
        if len(fact) > 4:  # "约": the tolerance examples/README.md documents
            body["tolerance_wan" if unit == "value_wan" else "tolerance"] = fact[4]
        out.append(("report.state", f"{prefix}-{i:02d}", body))
    return out

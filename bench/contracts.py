"""Benchmark of the write-time contracts (issue 4). Run by hand; report the figures.

    .venv/bin/python bench/contracts.py [--years 10] [--pg URL]

A synthetic district-year: 2,000 applications under the Chaoyang high-tech measures, each through
initial review, expert review (panel of 5), audit acceptance, joint review and the leading group,
both approving bodies, a public notice (20 notices of 100 projects) and a disbursement: about
20,000 entries, in postings of 500. It is posted (1) with the contracts on, and (2) as the same
bodies in audit.note entries, which no contract reads (the contracts-off baseline); then ten
such years go into each ledger (the contracts-off one as notes) and the rates of each year are
printed: the contracts' own cost is the ratio of the two, since storage slows both as they grow.
Beside each year, the time the contracts spent writing the projection rows back (``State.flush``:
the statements and their driver), and the floor it sets: (off + writes) / off, the ratio posting
would have if the rules and effects themselves cost nothing. Last, the first year is posted again
into a fresh pair of ledgers: the last year against it is what the history costs, since this
machine's speed drifts over a run (the first year against the last mixes the two).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

from stdnum.cn import uscc

# This script's own folder must not stand first on the path: its name would shadow the contracts package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import Databases, new_ledger  # noqa: E402
from contracts.catalogue import CATALOGUE_DIR, load_file  # noqa: E402
from contracts.state import State  # noqa: E402
from ledger.store import Item  # noqa: E402

N, POSTING, W = 2000, 500, 1_000_000
FUND = "chaoyang-hightech"


def enterprise(i: int) -> str:
    base = f"91110105MA{i:07d}"
    return base + uscc.calc_check_digit(base)


def district_year(year: int, fund: str = FUND, district: int = 0) -> list[tuple[str, str, dict]]:
    """(kind, idem, body) of one fund-year's whole lifecycle, in posting order. Another district
    (``fund``, ``district`` > 0) has its own projects and enterprises."""
    fy = {"fund": fund, "year": year}
    tag = "" if district == 0 else f"d{district}-"
    out = [("fund.open", f"open-{tag}{year}", {**fy, "name": f"{year} 高新", "office": "朝阳园管委会", "budget_fen": 300000 * W,
                                               "policies": ["chaoyang-hightech-measures"]})]
    pids = [f"{tag}{year}-{i:05d}" for i in range(N)]
    clauses = ["5", "6", "8", "9", "10", "13", "17", "22", "24"]
    for i, p in enumerate(pids):
        out.append(("project.apply", f"apply-{p}", {"project": p, "enterprise": enterprise(district * N + i),
                                                     "enterprise_name": f"企业{district * N + i}",
                                                     **fy, "clause": clauses[i % 9], "requested_fen": 60 * W,
                                                     "tags": ["digital-economy-3x"]}))
    for stage in ("initial_review", "expert_review", "audit_acceptance", "joint_review", "leading_group"):
        for p in pids:
            body = {"project": p, "stage": stage, "outcome": "pass", "date": f"{year}-08-01"}
            if stage == "expert_review":
                body["panel_size"] = 5
            if stage == "leading_group":
                body.update(outcome="reduce", amount_after_fen=50 * W, reason="standard")
            out.append(("review.decide", f"{stage}-{p}", body))
    for body_name, day in (("区政府常务会", "09-20"), ("区委常委会", "09-22")):
        for p in pids:
            out.append(("approval.resolve", f"{body_name}-{p}", {"body": body_name, "meeting": f"{year} {body_name}",
                                                                "resolution": f"{year}-{p}", "date": f"{year}-{day}",
                                                                "awards": [{"project": p, "amount_fen": 50 * W}]}))
    for k in range(N // 100):
        out.append(("notice.open", f"notice-{tag}{year}-{k}", {**fy, "notice": f"{tag}{year}-n{k}",
                                                               "projects": pids[k * 100:(k + 1) * 100],
                                                          "start": f"{year}-09-25", "working_days": 5}))
    for k in range(N // 100):
        out.append(("notice.close", f"close-{tag}{year}-{k}", {"notice": f"{tag}{year}-n{k}", "date": f"{year}-10-20",
                                                               "objections": []}))
    for p in pids:
        out.append(("disbursement.pay", f"pay-{p}", {"project": p, "amount_fen": 50 * W, "date": f"{year}-10-25",
                                                     "voucher": f"v-{p}"}))
    return out


def calendars(first: int, last: int) -> list[Item]:
    """The working-day calendars of the years [first, last), which the public notices count with."""
    from contracts.workdays import package_calendar

    return [Item("calendar.publish", f"calendar:{y}", package_calendar(y)) for y in range(first, last)]


WRITES = [0.0]  # seconds in State.flush, the projection rows written back (timed by main() only)


def _timed_flush(flush):
    def timed(self) -> None:
        t = time.perf_counter()
        flush(self)
        WRITES[0] += time.perf_counter() - t
    return timed


def _posted_on(ledger, poster, entries) -> tuple[float, float]:
    """(seconds posting ``entries`` with the contracts on, seconds of it writing projection rows)."""
    WRITES[0] = 0.0
    return post_all(ledger, poster, entries, as_notes=False), WRITES[0]


def post_all(ledger, poster, entries, as_notes: bool) -> float:
    t = time.perf_counter()
    for i in range(0, len(entries), POSTING):
        chunk = entries[i:i + POSTING]
        if as_notes:
            items = [Item("audit.note", idem, {"text": json.dumps(body, ensure_ascii=False)}) for _, idem, body in chunk]
        else:
            items = [Item(kind, idem, body) for kind, idem, body in chunk]
        ledger.post(poster, items)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--pg")
    args = ap.parse_args()
    State.flush = _timed_flush(State.flush)  # here, not on import: bench/checks.py posts with this module's helpers
    work = Path(tempfile.mkdtemp(prefix="fundledger-contracts-"))
    dbs = Databases(work, args.pg)
    fresh = dbs.fresh

    t = time.perf_counter()
    importlib.import_module("pandera.pandas")  # a one-time cost per process, reported apart from the rates

    print(f"importing pandas and pandera once per process: {time.perf_counter() - t:.2f} s")
    policy = load_file(CATALOGUE_DIR / "chaoyang-hightech.json")
    policy["document"]["effective_from"] = "2010-01-01"
    try:
        first = 2015
        year1 = district_year(first)

        def ledgers(tag: str) -> tuple:
            """A fresh pair: contracts on (the policy and calendars posted), and off."""
            on, _, poster = new_ledger(fresh(f"on{tag}"), work / f"on{tag}", f"bench.local/contracts-on{tag}")
            on.post(poster, [Item("policy.publish", "policy", policy), *calendars(first, first + args.years)])
            off, _, poster_off = new_ledger(fresh(f"off{tag}"), work / f"off{tag}", f"bench.local/contracts-off{tag}")
            return on, poster, off, poster_off

        on, poster, off, poster_off = ledgers("")
        on_s, writes = _posted_on(on, poster, year1)
        off_s = post_all(off, poster_off, year1, as_notes=True)
        n = len(year1)
        print(f"database: {on.engine.dialect.name}; one district-year = {n:,} entries in postings of {POSTING}")
        print(f"contracts on : {n / on_s:>8,.0f} entries/s ({on_s:.1f} s; writing projection rows {writes:.2f} s)")
        print(f"contracts off: {n / off_s:>8,.0f} entries/s ({off_s:.1f} s)   on/off cost = {on_s / off_s:.2f}x, "
              f"floor (off + writes) / off = {(off_s + writes) / off_s:.2f}x")
        years = [(n / on_s, n / off_s, writes, off_s)]
        for year in range(first + 1, first + args.years):  # both ledgers grow alike: storage grows under both
            entries = district_year(year)
            on_s, writes = _posted_on(on, poster, entries)
            off_s = post_all(off, poster_off, entries, as_notes=True)
            years.append((len(entries) / on_s, len(entries) / off_s, writes, off_s))
        for k, (rate, off_rate, writes, off_s) in enumerate(years):
            print(f"year {k + 1:>2} ({first + k}): on {rate:>8,.0f} entries/s, off {off_rate:>8,.0f} entries/s, "
                  f"on/off {off_rate / rate:.2f}x; writes {writes:.2f} s, floor {(off_s + writes) / off_s:.2f}x")
        print(f"last year / first year: on {years[-1][0] / years[0][0]:.2f}, off {years[-1][1] / years[0][1]:.2f}; "
              f"ledger size {on.head().size:,} entries")
        again_on, again_poster, again_off, again_poster_off = ledgers("again")
        on_s, _ = _posted_on(again_on, again_poster, year1)
        off_s = post_all(again_off, again_poster_off, year1, as_notes=True)
        print(f"the first year again, into fresh ledgers after the run: on {n / on_s:,.0f}, off {n / off_s:,.0f} "
              f"entries/s; last year / this: on {years[-1][0] * on_s / n:.2f}, off {years[-1][1] * off_s / n:.2f} "
              "(what the history costs, the machine's drift over the run taken out)")
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()

"""Ledgers and helpers the tests share (no test module imports another).

* ``Flow``: posts lifecycle entries on a test ledger, one posting a call; ``POLICY`` is a test policy
  that uses every cap shape; ``W`` is fen per 万元; ``code(n)`` a valid unified social credit code.
* ``build_fixture_ledger``: the small ledger of the nightly tests, built through the write-time
  path (every stage, a halving, a rejection, a notice, payments, a fee, a correction, a reported
  figure of every metric, a performance table); every projection table holds rows.
* ``disable_guard``: what an attacker with the database owner's rights does first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from stdnum.cn import uscc

from contracts.api import CONTRACTS
from contracts.figures import COUNTS, RATES
from ledger.store import Item, Ledger, enroll_item, init_ledger
from tests.support import Env, make_keys

W = 1_000_000  # fen per 万元


def code(n: int) -> str:
    base = f"91110105MA{n:07d}"
    return base + uscc.calc_check_digit(base)


E1, E2 = code(1), code(2)

POLICY = {
    "title": "test measures", "source": "tests", "effective_from": "2020-01-01", "funds": ["test-fund", "other-fund"],
    "project_cap_fen": 500 * W, "halve_outside_key_industries": True, "key_industry_tags": ["key"],
    "max_types_per_entity_year": 2,
    "workflow": {"stages": [{"id": "initial", "name": "初审", "required": True},
                            {"id": "expert", "name": "专家评审", "required": True, "panel": {"min": 5, "odd": True}},
                            {"id": "extra", "name": "专题会", "required": False}],
                 "approvals": ["body-a", "body-b"], "notice_working_days": 5},
    "exclusive_groups": [{"clauses": ["ex1", "ex2"], "years": 1}],
    "upgrade_groups": [{"clauses": ["up1", "up2"]}],
    "clauses": [
        {"id": "abs", "caps": [{"shape": "absolute", "max_fen": 100 * W}]},
        {"id": "big", "caps": []},
        {"id": "ratio", "caps": [{"shape": "ratio", "base": "rd", "rate": "0.20", "max_fen": 100 * W}]},
        {"id": "tier", "caps": [{"shape": "tiers", "base": "inc", "tiers": [{"min_fen": 100 * W, "award_fen": 20 * W},
                                                                         {"min_fen": 500 * W, "award_fen": 30 * W}]}]},
        {"id": "unit", "caps": [{"shape": "per_unit", "base": "growth", "unit_fen": 300 * W, "award_fen": 6 * W, "max_fen": 60 * W}]},
        {"id": "share", "caps": [{"shape": "revenue_share", "base": "rev", "rate": "0.70"}]},
        {"id": "yearcap", "per_entity_year_fen": 150 * W, "caps": [{"shape": "absolute", "max_fen": 100 * W}]},
        {"id": "once", "once_in_years": 3, "caps": [{"shape": "absolute", "max_fen": 100 * W}]},
        {"id": "ex1", "caps": [{"shape": "absolute", "max_fen": 100 * W}]},
        {"id": "ex2", "caps": [{"shape": "absolute", "max_fen": 100 * W}]},
        {"id": "up1", "caps": [{"shape": "absolute", "max_fen": 200 * W}]},
        {"id": "up2", "caps": [{"shape": "absolute", "max_fen": 500 * W}]},
    ],
}


class Flow:
    """Posts lifecycle entries on a test ledger; each call is one posting."""

    def __init__(self, env) -> None:
        self.env, self.n = env, 0

    def post(self, *entries: tuple[str, dict[str, Any]]):
        items = []
        for kind, body in entries:
            self.n += 1
            items.append(Item(kind, f"e{self.n}", body, line=len(items) + 1))
        return self.env.ledger.post(self.env.poster, items)

    def open_fund(self, fund="test-fund", year=2023, budget=1000 * W, policies=("test-policy",)):
        return self.post(("fund.open", {"fund": fund, "year": year, "name": f"{fund} {year}", "office": "产业办",
                                        "budget_fen": budget, "policies": list(policies)}))

    def apply(self, pid, clause="abs", amount=50 * W, enterprise=E1, name="企业一", fund="test-fund", year=2023,
              bases=None, tags=("key",), content=None):
        body = {"project": pid, "enterprise": enterprise, "enterprise_name": name, "fund": fund, "year": year,
                "clause": clause, "requested_fen": amount, "bases": bases or {}, "tags": list(tags)}
        if content:
            body["content"] = content
        return self.post(("project.apply", body))

    def decide(self, pid, stage, outcome="pass", after=None, panel=None, reason=None, date="2023-08-01"):
        body = {"project": pid, "stage": stage, "outcome": outcome, "date": date}
        if after is not None:
            body["amount_after_fen"] = after
        if stage == "expert" or panel is not None:
            body["panel_size"] = panel or 5
        if reason or outcome != "pass":
            body["reason"] = reason or "review"
        return self.post(("review.decide", body))

    def reviewed(self, pid, **apply):
        self.apply(pid, **apply)
        self.decide(pid, "initial")
        return self.decide(pid, "expert")

    def approve(self, pid, amount, body="body-a", date="2023-09-01"):
        return self.post(("approval.resolve", {"body": body, "meeting": "m", "resolution": f"r-{self.n}", "date": date,
                                               "awards": [{"project": pid, "amount_fen": amount}]}))

    def awarded(self, pid, amount=50 * W, **apply):
        self.reviewed(pid, amount=max(amount, apply.pop("amount", amount)), **apply)
        self.approve(pid, amount, "body-a")
        return self.approve(pid, amount, "body-b")

    def notice(self, nid, pids, start="2023-09-25", days=5):
        return self.post(("notice.open", {"notice": nid, "fund": "test-fund", "year": 2023, "projects": list(pids),
                                          "start": start, "working_days": days}))

    def close(self, nid, date="2023-10-07", objections=()):
        return self.post(("notice.close", {"notice": nid, "date": date, "objections": list(objections)}))

    def calendar(self, year=2023):
        """The year's working-day calendar, as chinese-calendar knows it."""
        from contracts.workdays import package_calendar

        return self.post(("calendar.publish", package_calendar(year)))

    def pay(self, pid, amount, date="2023-10-09", kind="disbursement.pay"):
        return self.post((kind, {"project": pid, "amount_fen": amount, "date": date, "voucher": f"v{self.n}"}))


E3 = code(3)


# A reported figure of every metric of contracts/figures/, of one fund and summed over two, each
# worked out by hand from the fixture below (other-fund: budget 1000万, +100万, 10万 transferred
# out to a purpose, one expense of 1万; no projects).
FIGURES = {
    "test-fund/2023/awards": 280 * W, "test-fund/2023/budget": 1000 * W, "test-fund/2023/applications": 7,
    "test-fund/2023/projects": 5, "test-fund/2023/max_award": 80 * W, "test-fund/2023/fees": 2 * W,
    "test-fund/2023/arranged": 282 * W, "test-fund/2023/spent": 282 * W, "test-fund/2023/balance": 718 * W,
    "test-fund/2023/execution_rate": 2820, "test-fund/2023/adjustment_rate": 0,
    "test-fund/2023/clause_projects/abs": 1, "test-fund/2023/clause_awards/yearcap": 80 * W,
    "test-fund/2023/stage_passed/initial": 5, "test-fund/2023/stage_amount/initial": 330 * W,
    "test-fund/2023/stage_amount/expert": 280 * W,
    "test-fund/2023/outcome_count/initial/reject": 1, "test-fund/2023/outcome_amount/initial/reject": 30 * W,
    "test-fund/2023/outcome_count/expert/halve/non_key_industry": 1,
    "test-fund/2023/outcome_amount/expert/halve/non_key_industry": 50 * W,
    "test-fund/2023/fee/评审机构": 2 * W, "test-fund/2023/expense/录错的费用": 0,  # reversed: not counted
    "other-fund/2023/adjustments": 100 * W, "other-fund/2023/transfers_out": 10 * W, "other-fund/2023/other": 11 * W,
    "other-fund/2023/available": 1090 * W, "other-fund/2023/adjustment_rate": 1000,
    "other-fund/2023/expense/专家评审费": 1 * W,
    "test-fund+other-fund/2023/budget": 2000 * W, "test-fund+other-fund/2023/transfers_in": 0,
    "test-fund+other-fund/2023/applications": 7, "test-fund+other-fund/2023/awards": 280 * W,
    "test-fund+other-fund/2023/spent": 283 * W, "test-fund+other-fund/2023/balance": 1807 * W,
    "test-fund+other-fund/2023/execution_rate": 1395,  # (280 + 2 + 1 + 10) / 2100 = 13.952 %
    "test-fund+other-fund/2023/adjustment_rate": 500, "test-fund+other-fund/2023/max_award": 80 * W,
    "test-fund+other-fund/2023/stage_passed/expert": 5, "test-fund+other-fund/2023/expense/专家评审费": 1 * W,
}


def stated(figure: str, value: int) -> dict:
    metric = figure.split("/")[2]
    unit = "count" if metric in COUNTS else "permyriad" if metric in RATES else "value_fen"
    return {"seed": "a report", "wording": f"{figure}: {value}", "figure": figure, unit: value}


def build_fixture_ledger(url: str, work: Path) -> None:
    """The fixture ledger: every finding the nightly rules could make is absent from it, and every
    projection table holds rows."""

    keys = make_keys(work, "admin", "log", "poster", "auditor", "checks")
    init_ledger(url, keys["admin"].public, keys["log"], origin="test.example/nightly", log_key_path=None)
    ledger = Ledger.open(url, CONTRACTS)
    ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "fund office", "poster"),
                                  enroll_item(keys["checks"].public, "nightly checks", "checks")])
    f = Flow(Env(url=url, dir=work, ledger=ledger, admin=keys["admin"], log=keys["log"], poster=keys["poster"],
                 auditor=keys["auditor"]))
    f.post(("policy.publish", {"policy": "test-policy", "version": 1, "document": POLICY}))
    f.calendar(2023)
    f.open_fund()
    f.open_fund("other-fund")
    f.awarded("A", 50 * W, clause="abs", enterprise=E1)
    f.awarded("B", 80 * W, clause="yearcap", enterprise=E2, name="企业二")
    f.awarded("C", 50 * W, clause="once", enterprise=E1)
    f.awarded("D", 50 * W, clause="ex1", enterprise=E2, name="企业二")
    f.apply("H", clause="big", amount=100 * W, enterprise=E3, name="企业三")
    f.decide("H", "initial")
    f.decide("H", "expert", outcome="halve", after=50 * W, reason="non_key_industry")
    f.approve("H", 50 * W, "body-a")
    f.approve("H", 50 * W, "body-b")
    f.apply("R", clause="abs", amount=30 * W, enterprise=E3, name="企业三")
    f.decide("R", "initial", outcome="reject", reason="tax_arrears")
    f.apply("Q", clause="ratio", amount=20 * W, enterprise=E3, name="企业三", bases={"rd": 100 * W})  # applied only
    f.notice("N1", ["A", "B", "C", "D", "H"])
    f.close("N1")
    f.pay("A", 50 * W)
    f.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "评审机构", "service": "评审", "amount_fen": 2 * W}))
    wrong = f.post(("expense.other", {"fund": "test-fund", "year": 2023, "item": "录错的费用", "amount_fen": 3 * W}))
    f.post(("correction.reverse", {"seq": wrong.receipts[0].seq, "reason": "录入错误"}))
    f.post(("budget.adjust", {"fund": "other-fund", "year": 2023, "delta_fen": 100 * W, "reason": "追加", "document": "d1"}),
           ("budget.transfer", {"fund": "other-fund", "year": 2023, "to": "人才发展专项资金", "amount_fen": 10 * W,
                                "reason": "调出"}),
           ("expense.other", {"fund": "other-fund", "year": 2023, "item": "专家评审费", "amount_fen": 1 * W}))
    reported = f.post(*(("report.state", stated(figure, value)) for figure, value in FIGURES.items()))
    assert not reported.warnings, reported.warnings  # the write-time figures agree with the values worked out by hand
    f.post(("performance.indicators", {"fund": "test-fund", "year": 2023, "seed": "an evaluation", "total_stated": "17.5",
                                       "indicators": [
        {"name": "支持10家企业", "weight": 10, "measure": "projects", "target_value": 10, "score_rule": "ratio",
         "stated_score": "5"},
        {"name": "单个项目不超过500万元", "weight": 10, "measure": "max_award", "target_value": 500 * W,
         "score_rule": "at_most", "stated_score": "10"},
        {"name": "满意度", "weight": 5, "measure": "stated", "actual": "良", "score_rule": "stated", "stated_score": "2.5"}]}))
    ledger.engine.dispose()


def disable_guard(conn: sa.Connection) -> None:
    """What an attacker with the database owner's rights does first."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE entries DISABLE TRIGGER USER")
    else:
        conn.exec_driver_sql("DROP TRIGGER entries_no_update")
        conn.exec_driver_sql("DROP TRIGGER entries_no_delete")

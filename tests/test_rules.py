"""Every write-time rule, both ways: a posting it accepts and a posting it rejects.

The fixture ledger has a test policy that uses every cap shape, a fund-year with a budget of
1000万元, and a second fund. ``test_every_rule_is_proven_both_ways`` reads this file and requires an
``accepts("ID", …)`` and a ``rejects("ID", …)`` for every rule of the registry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

from contracts.api import CONTRACTS
from contracts.rules import NIGHTLY_ONLY, RULES
from ledger.errors import InputError, Rejected
from tests.golden import matches, rows
from tests.ledgers import E1, E2, POLICY, Flow, W


@pytest.fixture
def flow(tmp_path):
    from ledger.store import Ledger, enroll_item, init_ledger
    from tests.support import Env, make_keys

    url = f"sqlite:///{tmp_path / 'rules.db'}"
    keys = make_keys(tmp_path, "admin", "log", "poster", "auditor")
    init_ledger(url, keys["admin"].public, keys["log"], origin="test.example/rules", log_key_path=None)
    ledger = Ledger.open(url, CONTRACTS)
    ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "fund office", "poster")])
    f = Flow(Env(url=url, dir=tmp_path, ledger=ledger, **keys))
    f.post(("policy.publish", {"policy": "test-policy", "version": 1, "document": POLICY}))
    f.calendar(2023)
    f.open_fund()
    f.open_fund("other-fund")
    return f


# every finding the actions of one test gave, in order: compared at its end with tests/golden/write-time/
_SEEN: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def pinned_findings(request):
    _SEEN.clear()
    yield
    if _SEEN:
        matches("write-time", request.node.name, list(_SEEN))


def _seen(rule: str, how: str, findings: Any) -> None:
    _SEEN.append({"asserting": f"{how} {rule}", "findings": rows(findings)})


def accepts(rule: str, action: Callable[[], Any]) -> None:
    """The action is appended and reports no finding of ``rule``."""
    posted = action()
    _seen(rule, "accepts", posted.warnings)
    assert rule not in {w.rule for w in posted.warnings}


def rejects(rule: str, action: Callable[[], Any]) -> None:
    """The action is refused with a finding of ``rule`` (or, for a warning, appended reporting it)."""
    if RULES[rule].severity == "warning":
        warnings = action().warnings
        _seen(rule, "rejects", warnings)
        assert rule in {w.rule for w in warnings}
        return
    with pytest.raises(Rejected) as info:
        action()
    _seen(rule, "rejects", info.value.findings)
    assert rule in {f.rule for f in info.value.findings}, [f.rule for f in info.value.findings]


# -- references and identity ------------------------------------------------------------------
def test_references(flow):
    rejects("REF-FUND", lambda: flow.apply("p1", year=2019))
    accepts("REF-FUND", lambda: flow.apply("p1"))
    rejects("REF-CLAUSE", lambda: flow.apply("p2", clause="99"))
    accepts("REF-CLAUSE", lambda: flow.apply("p2", clause="ratio", bases={"rd": 100 * W}))
    rejects("REF-PROJECT", lambda: flow.decide("nope", "initial"))
    accepts("REF-PROJECT", lambda: flow.decide("p1", "initial"))
    rejects("REF-STAGE", lambda: flow.decide("p1", "lunch"))
    accepts("REF-STAGE", lambda: flow.decide("p1", "expert"))
    rejects("REF-BODY", lambda: flow.approve("p1", 50 * W, body="body-z"))
    accepts("REF-BODY", lambda: flow.approve("p1", 50 * W, body="body-a"))
    rejects("REF-POLICY", lambda: flow.open_fund("third", policies=("no-such-policy",)))
    accepts("REF-POLICY", lambda: flow.open_fund("third"))
    rejects("REF-NOTICE", lambda: flow.close("no-such-notice"))
    flow.approve("p1", 50 * W, body="body-b")
    accepts("REF-NOTICE", lambda: flow.notice("n1", ["p1"]))
    rejects("FUND-DUP", lambda: flow.open_fund())
    accepts("FUND-DUP", lambda: flow.open_fund(year=2024))
    rejects("PROJECT-DUP", lambda: flow.apply("p1"))
    accepts("PROJECT-DUP", lambda: flow.apply("p3"))
    rejects("POLICY-VERSION", lambda: flow.post(("policy.publish", {"policy": "test-policy", "version": 3, "document": POLICY})))
    accepts("POLICY-VERSION", lambda: flow.post(("policy.publish", {"policy": "test-policy", "version": 2, "document": POLICY})))


def test_identity(flow):
    rejects("ID-USCC", lambda: flow.apply("p1", enterprise="91110105MA00000019"))
    accepts("ID-USCC", lambda: flow.apply("p1", enterprise=E2, name="企业二"))
    rejects("ID-NAME", lambda: flow.apply("p2", enterprise=E2, name="另一个名字"))
    accepts("ID-NAME", lambda: flow.apply("p2", enterprise=E2, name="企业二"))


# -- caps per project ---------------------------------------------------------------------------
@pytest.mark.parametrize("rule, clause, bases, tags, ok, too_much", [
    ("CAP-ABSOLUTE", "abs", {}, ("key",), 100 * W, 100 * W + 1),
    ("CAP-RATIO", "ratio", {"rd": 300 * W}, ("key",), 60 * W, 60 * W + 1),
    ("CAP-TIER", "tier", {"inc": 200 * W}, ("key",), 20 * W, 20 * W + 1),
    ("CAP-PER-UNIT", "unit", {"growth": 700 * W}, ("key",), 12 * W, 12 * W + 1),
    ("CAP-REVENUE-SHARE", "share", {"rev": 100 * W}, ("key",), 70 * W, 70 * W + 1),
    ("CAP-PROJECT", "big", {}, ("key",), 500 * W, 500 * W + 1),
    ("CAP-HALVE", "abs", {}, (), 50 * W, 50 * W + 1),
])
def test_caps_on_the_amount_after_each_decision(flow, rule, clause, bases, tags, ok, too_much):
    flow.reviewed("p1", clause=clause, amount=too_much + 10 * W, bases=bases, tags=tags)
    rejects(rule, lambda: flow.approve("p1", too_much))  # at approval
    rejects(rule, lambda: flow.decide("p1", "extra", "reduce", after=too_much))  # at a decision
    accepts(rule, lambda: flow.decide("p1", "extra", "reduce", after=ok))
    accepts(rule, lambda: flow.approve("p1", ok))


def test_a_cap_needs_its_base(flow):
    flow.reviewed("p1", clause="ratio", amount=50 * W, bases={})
    rejects("CAP-BASE", lambda: flow.approve("p1", 10 * W))
    flow.reviewed("p2", clause="ratio", amount=50 * W, bases={"rd": 100 * W})
    accepts("CAP-BASE", lambda: flow.approve("p2", 10 * W))


def test_requested_above_the_cap_is_a_warning(flow):
    rejects("APPLY-OVER-CAP", lambda: flow.apply("p1", clause="abs", amount=120 * W))
    accepts("APPLY-OVER-CAP", lambda: flow.apply("p2", clause="abs", amount=80 * W))


# -- caps across awards -------------------------------------------------------------------------
def test_per_entity_per_year(flow):
    flow.awarded("p1", 100 * W, clause="yearcap")
    flow.reviewed("p2", clause="yearcap", amount=100 * W)
    rejects("CAP-ENTITY-YEAR", lambda: (flow.approve("p2", 60 * W), flow.approve("p2", 60 * W, "body-b"))[1])
    accepts("CAP-ENTITY-YEAR", lambda: flow.approve("p2", 50 * W, "body-b"))


def test_once_in_n_years(flow):
    flow.open_fund(year=2025)
    flow.open_fund(year=2026)
    flow.awarded("p1", 50 * W, clause="once", year=2023)
    flow.reviewed("p2", clause="once", year=2025)
    flow.approve("p2", 50 * W)
    rejects("CAP-ONCE-IN-YEARS", lambda: flow.approve("p2", 50 * W, "body-b"))
    flow.reviewed("p3", clause="once", year=2026)
    flow.approve("p3", 50 * W)
    accepts("CAP-ONCE-IN-YEARS", lambda: flow.approve("p3", 50 * W, "body-b"))


def test_exclusive_clauses(flow):
    flow.awarded("p1", 50 * W, clause="ex1")
    flow.reviewed("p2", clause="ex2")
    flow.approve("p2", 50 * W)
    rejects("CAP-EXCLUSIVE", lambda: flow.approve("p2", 50 * W, "body-b"))
    flow.reviewed("p3", clause="ex2", enterprise=E2, name="企业二")
    flow.approve("p3", 50 * W)
    accepts("CAP-EXCLUSIVE", lambda: flow.approve("p3", 50 * W, "body-b"))


def test_support_types_per_year(flow):
    flow.awarded("p1", 10 * W, clause="abs")
    flow.awarded("p2", 10 * W, clause="ratio", bases={"rd": 100 * W})
    flow.reviewed("p3", clause="tier", bases={"inc": 200 * W})
    flow.approve("p3", 10 * W)
    rejects("CAP-MAX-TYPES", lambda: flow.approve("p3", 10 * W, "body-b"))
    flow.reviewed("p4", clause="abs")
    flow.approve("p4", 10 * W)
    accepts("CAP-MAX-TYPES", lambda: flow.approve("p4", 10 * W, "body-b"))


def test_upgrades_pay_the_difference(flow):
    flow.open_fund(year=2024)
    flow.awarded("p1", 200 * W, clause="up1", year=2023)
    flow.reviewed("p2", clause="up2", year=2024, amount=500 * W)
    flow.approve("p2", 400 * W, date="2024-09-01")
    rejects("CAP-UPGRADE", lambda: flow.approve("p2", 400 * W, "body-b", date="2024-09-01"))
    accepts("CAP-UPGRADE", lambda: flow.approve("p2", 300 * W, "body-b", date="2024-09-01"))


def test_no_duplicate_support_across_funds(flow):
    flow.awarded("p1", 50 * W, clause="abs", content="rd-2023")
    flow.reviewed("p2", clause="abs", fund="other-fund", content="rd-2023")
    flow.approve("p2", 50 * W)
    rejects("DUP-SUPPORT", lambda: flow.approve("p2", 50 * W, "body-b"))
    flow.reviewed("p3", clause="abs", fund="other-fund", content="market-2023")
    flow.approve("p3", 50 * W)
    accepts("DUP-SUPPORT", lambda: flow.approve("p3", 50 * W, "body-b"))


def test_one_award_per_year_where_the_policy_says_so(flow):
    strict = {**POLICY, "one_award_per_entity_year": True, "max_types_per_entity_year": 5}
    flow.post(("policy.publish", {"policy": "strict", "version": 1, "document": strict}))
    flow.open_fund("strict-fund", policies=("strict",))
    flow.awarded("p1", 10 * W, clause="abs", fund="strict-fund")
    flow.reviewed("p2", clause="ratio", fund="strict-fund", bases={"rd": 100 * W})
    flow.approve("p2", 10 * W)
    rejects("DUP-SUPPORT-YEAR", lambda: flow.approve("p2", 10 * W, "body-b"))
    flow.reviewed("p3", clause="ratio", fund="strict-fund", enterprise=E2, name="企业二", bases={"rd": 100 * W})
    flow.approve("p3", 10 * W)
    accepts("DUP-SUPPORT-YEAR", lambda: flow.approve("p3", 10 * W, "body-b"))


# -- decisions ----------------------------------------------------------------------------------
def test_amounts_only_go_down(flow):
    flow.reviewed("p1", amount=80 * W)
    rejects("AMOUNT-LOWER", lambda: flow.decide("p1", "extra", "reduce", after=90 * W))
    rejects("AMOUNT-LOWER", lambda: flow.decide("p1", "extra", "pass", after=70 * W))
    accepts("AMOUNT-LOWER", lambda: flow.decide("p1", "extra", "reduce", after=70 * W))
    flow.reviewed("p2", amount=80 * W)
    rejects("AMOUNT-HALF", lambda: flow.decide("p2", "extra", "halve", after=30 * W))
    accepts("AMOUNT-HALF", lambda: flow.decide("p2", "extra", "halve", after=40 * W))
    flow.apply("x")
    rejects("REVIEW-REASON", lambda: flow.post(("review.decide", {"project": "x", "stage": "initial", "outcome": "reject",
                                                                  "date": "2023-08-01"})))
    accepts("REVIEW-REASON", lambda: flow.decide("x", "initial", "reject", reason="tax_arrears"))


def test_stage_order(flow):
    flow.apply("p1")
    rejects("STAGE-ORDER", lambda: flow.decide("p1", "expert"))  # initial comes first
    accepts("STAGE-ORDER", lambda: flow.decide("p1", "initial"))
    rejects("STAGE-ORDER", lambda: flow.decide("p1", "initial"))  # decided once
    flow.decide("p1", "expert")
    flow.decide("p1", "extra", "reject", reason="duplicate_support")
    rejects("STAGE-ORDER", lambda: flow.decide("p1", "extra"))  # nothing after a rejection


def test_expert_panels(flow):
    flow.apply("p1")
    flow.decide("p1", "initial")
    rejects("STAGE-PANEL", lambda: flow.decide("p1", "expert", panel=4))
    rejects("STAGE-PANEL", lambda: flow.decide("p1", "expert", panel=3))
    accepts("STAGE-PANEL", lambda: flow.decide("p1", "expert", panel=7))


def test_approval_after_the_reviews_in_order(flow):
    flow.apply("p1")
    flow.decide("p1", "initial")
    rejects("STAGE-APPROVAL", lambda: flow.approve("p1", 50 * W))  # expert review missing
    flow.decide("p1", "expert")
    rejects("STAGE-APPROVAL", lambda: flow.approve("p1", 50 * W, "body-b"))  # body-a first
    accepts("STAGE-APPROVAL", lambda: flow.approve("p1", 50 * W, "body-a"))
    rejects("APPROVE-AMOUNT", lambda: flow.approve("p1", 50 * W + 1, "body-b"))
    accepts("APPROVE-AMOUNT", lambda: flow.approve("p1", 50 * W, "body-b"))


# -- the budget ---------------------------------------------------------------------------------
def test_totals_never_exceed_the_budget(flow):
    flow.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "评审机构", "service": "review", "amount_fen": 900 * W}))
    rejects("SUM-BUDGET", lambda: flow.post(("expense.other", {"fund": "test-fund", "year": 2023, "item": "论坛",
                                                               "amount_fen": 100 * W + 1})))
    accepts("SUM-BUDGET", lambda: flow.post(("expense.other", {"fund": "test-fund", "year": 2023, "item": "论坛",
                                                               "amount_fen": 100 * W})))
    rejects("SUM-BUDGET", lambda: flow.post(("budget.transfer", {"fund": "test-fund", "year": 2023, "to": "人才发展专项资金",
                                                                 "amount_fen": 1, "reason": "组织部"})))
    flow.post(("budget.adjust", {"fund": "test-fund", "year": 2023, "delta_fen": 10 * W, "reason": "追加", "document": "d1"}))
    accepts("SUM-BUDGET", lambda: flow.post(("budget.transfer", {"fund": "test-fund", "year": 2023, "to": "人才发展专项资金",
                                                                 "amount_fen": 10 * W, "reason": "组织部"})))
    rejects("SUM-BUDGET", lambda: flow.post(("budget.adjust", {"fund": "test-fund", "year": 2023, "delta_fen": -1,
                                                               "reason": "核减", "document": "d2"})))


def test_the_awards_of_one_resolution_count_together(flow):
    flow.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "审计机构", "service": "audit", "amount_fen": 900 * W}))
    for pid in ("p1", "p2"):
        flow.reviewed(pid, amount=60 * W, enterprise=E1 if pid == "p1" else E2, name="企业一" if pid == "p1" else "企业二")
    both = lambda amount: [{"project": "p1", "amount_fen": amount}, {"project": "p2", "amount_fen": amount}]  # noqa: E731
    resolve = lambda body, amount: flow.post(("approval.resolve", {"body": body, "meeting": "m", "resolution": body,  # noqa: E731
                                                                   "date": "2023-09-01", "awards": both(amount)}))
    resolve("body-a", 60 * W)
    rejects("SUM-BUDGET", lambda: resolve("body-b", 60 * W))  # each fits alone, together 120万 > 100万 left
    accepts("SUM-BUDGET", lambda: resolve("body-b", 50 * W))


def test_awards_count_against_the_budget(flow):
    flow.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "审计机构", "service": "audit", "amount_fen": 960 * W}))
    flow.reviewed("p1", amount=50 * W)
    flow.approve("p1", 50 * W)
    rejects("SUM-BUDGET", lambda: flow.approve("p1", 50 * W, "body-b"))
    accepts("SUM-BUDGET", lambda: flow.approve("p1", 40 * W, "body-b"))


# -- notice and payments ------------------------------------------------------------------------
@pytest.fixture
def approved(flow):
    flow.awarded("p1", 50 * W)
    flow.awarded("p2", 30 * W, enterprise=E2, name="企业二")
    return flow


def test_public_notice_lasts_five_working_days(approved):
    flow = approved
    rejects("NOTICE-DAYS", lambda: flow.notice("n0", ["p1"], days=4))
    flow.reviewed("p3")
    rejects("STAGE-NOTICE", lambda: flow.notice("n0", ["p3"]))
    accepts("STAGE-NOTICE", lambda: flow.notice("n1", ["p1", "p2"]))  # 2023-09-25, over the National Day holiday
    rejects("NOTICE-DAYS", lambda: flow.close("n1", "2023-10-06"))  # holiday: not the fifth working day
    accepts("NOTICE-DAYS", lambda: flow.close("n1", "2023-10-07"))  # an adjusted Saturday workday is the fifth


def test_working_days_are_counted_with_the_calendar_in_the_ledger(flow):
    """A year no calendar was posted for cannot be counted (today the State Council has published
    2027's, but chinese-calendar 1.11 does not know it); once the office posts it, the notice can."""
    from contracts.workdays import package_calendar

    flow.open_fund(year=2027)
    flow.awarded("p27", 50 * W, year=2027)
    notice = ("notice.open", {"notice": "n27", "fund": "test-fund", "year": 2027, "projects": ["p27"],
                              "start": "2027-09-27", "working_days": 5})
    rejects("NOTICE-DAYS", lambda: flow.post(notice))
    with pytest.raises(LookupError, match="does not know 2027"):
        package_calendar(2027)
    # 国庆节、中秋节 2027: the office posts the days as the State Council's notice gives them
    rejects("CALENDAR-DAYS", lambda: flow.post(("calendar.publish", {
        "year": 2027, "version": 1, "holidays": ["2027-10-01"], "workdays": ["2027-09-29"],  # a Wednesday: not adjusted
        "document": "国办发明电〔2026〕x号"})))
    rejects("CALENDAR-VERSION", lambda: flow.post(("calendar.publish", {
        "year": 2027, "version": 2, "holidays": ["2027-10-01"], "workdays": [], "document": "国办发明电〔2026〕x号"})))
    holidays = [f"2027-10-0{d}" for d in range(1, 9)]  # an eight-day break, as in 2023
    accepts("CALENDAR-DAYS", lambda: flow.post(("calendar.publish", {
        "year": 2027, "version": 1, "holidays": holidays, "workdays": ["2027-09-26", "2027-10-09"],
        "document": "国办发明电〔2026〕x号"})))
    accepts("NOTICE-DAYS", lambda: flow.post(notice))  # 27, 28, 29, 30 September and the adjusted Saturday 9 October
    with flow.env.ledger.engine.connect() as conn:
        import sqlalchemy as sa

        assert conn.execute(sa.text("SELECT end_date FROM notices WHERE notice = 'n27'")).scalar() == "2027-10-09"
    accepts("CALENDAR-VERSION", lambda: flow.post(("calendar.publish", {
        "year": 2027, "version": 2, "holidays": holidays[:4], "workdays": ["2027-09-26"], "document": "更正"})))


def test_disbursement_after_the_notice(approved):
    flow = approved
    flow.notice("n1", ["p1", "p2"])
    rejects("STAGE-NOTICE", lambda: flow.pay("p1", 10 * W, "2023-10-09"))  # notice still open
    flow.close("n1", objections=[{"project": "p2", "outcome": "pending"}])
    rejects("STAGE-NOTICE", lambda: flow.pay("p2", 10 * W))  # unresolved objection
    rejects("PAY-APPROVED", lambda: flow.pay("p1", 50 * W + 1))
    accepts("PAY-APPROVED", lambda: flow.pay("p1", 50 * W))
    rejects("PAY-RETURN", lambda: flow.pay("p1", 50 * W + 1, kind="disbursement.return"))
    accepts("PAY-RETURN", lambda: flow.pay("p1", 5 * W, kind="disbursement.return"))


def test_nothing_is_paid_on_a_rejected_project(approved):
    flow = approved
    flow.notice("n1", ["p1", "p2"])
    flow.close("n1", objections=[{"project": "p2", "outcome": "upheld"}])
    rejects("PAY-REJECTED", lambda: flow.pay("p2", 1 * W))
    accepts("PAY-REJECTED", lambda: flow.pay("p1", 1 * W))


# -- corrections --------------------------------------------------------------------------------
def _seq(posted) -> int:
    return posted.receipts[0].seq


def test_corrections_reverse_and_restore(approved):
    flow = approved
    fee = _seq(flow.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "x", "service": "review", "amount_fen": W})))
    rejects("CORR-TARGET", lambda: flow.post(("correction.reverse", {"seq": 0, "reason": "no"})))  # the genesis
    accepts("CORR-TARGET", lambda: flow.post(("correction.reverse", {"seq": fee, "reason": "booked twice"})))
    rejects("CORR-TARGET", lambda: flow.post(("correction.reverse", {"seq": fee, "reason": "again"})))
    flow.reviewed("p3", amount=80 * W)
    first = _seq(flow.decide("p3", "extra", "reduce", after=60 * W))
    flow.approve("p3", 60 * W)
    rejects("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": first, "reason": "wrong amount"})))


def test_only_the_latest_approval_is_reversed(flow):
    flow.reviewed("p1")
    first = _seq(flow.approve("p1", 50 * W, "body-a"))
    second = _seq(flow.approve("p1", 50 * W, "body-b"))
    rejects("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": first, "reason": "wrong body"})))
    accepts("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": second, "reason": "vote annulled"})))
    with flow.env.ledger.engine.connect() as conn:
        import sqlalchemy as sa

        assert conn.execute(sa.text("SELECT status, approvals, approved_fen FROM projects")).one() == ("approving", 1, 0)
        assert conn.execute(sa.text("SELECT approved_fen FROM funds WHERE fund = 'test-fund'")).scalar() == 0


def test_reversing_a_decision_restores_the_amount(flow):
    flow.reviewed("p1", amount=80 * W)
    cut = _seq(flow.decide("p1", "extra", "reduce", after=60 * W))
    accepts("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": cut, "reason": "wrong amount"})))
    accepts("APPROVE-AMOUNT", lambda: flow.approve("p1", 80 * W))  # the amount is 80万 again


def test_a_projects_decisions_are_reversed_latest_first_in_one_posting(flow):
    """Reversing the latest decision makes the one before it the latest, within the posting too: the
    posting's own reversal is seen (it read the stored latest, found it reversed, and saw no other)."""
    flow.reviewed("p1")
    expert = _seq(flow.decide("p1", "extra", "reduce", after=40 * W))
    rejects("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": expert - 1, "reason": "out of order"}),
                                            ("correction.reverse", {"seq": expert, "reason": "wrong amount"})))
    accepts("CORR-ORDER", lambda: flow.post(("correction.reverse", {"seq": expert, "reason": "wrong amount"}),
                                            ("correction.reverse", {"seq": expert - 1, "reason": "panel void"})))
    with flow.env.ledger.engine.connect() as conn:
        import sqlalchemy as sa

        assert conn.execute(sa.text("SELECT stages, amount_fen FROM projects")).one() == ('["initial"]', 50 * W)


# -- reported figures and performance scores ---------------------------------------------------
def _report(flow, figure, seed="seed 000", **value):
    return flow.post(("report.state", {"seed": seed, "wording": "…", "figure": figure, **value}))


def test_reported_figures_reconcile_with_the_ledger(approved):
    flow = approved  # p1 50万 and p2 30万 awarded under clause abs
    rejects("REPORT-FIGURE", lambda: _report(flow, "test-fund/2023/no_such_metric", count=1))
    rejects("REPORT-FIGURE", lambda: _report(flow, "test-fund/2023/awards", count=1, value_fen=1))
    accepts("REPORT-FIGURE", lambda: _report(flow, "test-fund/2023/projects", count=2))
    accepts("REPORT-RECONCILE", lambda: _report(flow, "test-fund/2023/awards", value_fen=80 * W))
    accepts("REPORT-RECONCILE", lambda: _report(flow, "test-fund/2023/clause_awards/abs", value_fen=80 * W))
    posted = _report(flow, "test-fund/2023/awards", value_fen=81 * W)  # appended: the report says what it says
    (warning,) = [w for w in posted.warnings if w.rule == "REPORT-RECONCILE"]
    assert (warning.expected, warning.actual, warning.difference) == ("80万元", "81万元", "1万元")
    rejects("REPORT-RECONCILE", lambda: _report(flow, "test-fund/2023/projects", count=3))
    accepts("REPORT-RECONCILE", lambda: _report(flow, "test-fund/2023/awards", value_fen=81 * W, tolerance_fen=W))  # 约


def test_two_reports_that_disagree(approved):
    flow = approved
    _report(flow, "test-fund/2023/budget", value_fen=1000 * W)
    accepts("REPORT-CONFLICT", lambda: _report(flow, "test-fund/2023/budget", value_fen=1000 * W, seed="seed 002"))
    rejects("REPORT-CONFLICT", lambda: _report(flow, "test-fund/2023/budget", value_fen=999 * W, seed="seed 003"))


TABLE = [
    {"name": "数量指标", "weight": 15, "measure": "projects", "target_value": 4, "score_rule": "ratio", "stated_score": "7.5"},
    {"name": "经济成本指标", "weight": 10, "measure": "max_award", "target_value": 1000 * W, "score_rule": "at_most",
     "stated_score": "10"},
    {"name": "满意度", "weight": 10, "measure": "stated", "actual": ">90%", "score_rule": "stated", "stated_score": "10"},
]


def test_performance_scores_are_computed_from_the_ledger(approved):
    flow = approved  # two projects awarded: 2/4 × 15 = 7.5
    body = {"fund": "test-fund", "year": 2023, "seed": "seed 001", "indicators": TABLE, "total_stated": "27.5"}
    accepts("PERF-SCORE", lambda: flow.post(("performance.indicators", body)))
    wrong = [{**TABLE[0], "stated_score": "15"}, *TABLE[1:]]
    rejects("PERF-SCORE", lambda: flow.post(("performance.indicators", {**body, "indicators": wrong, "total_stated": "35"})))


def test_input_errors_name_entry_and_field(flow):
    fee = ("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "x", "service": "s", "amount_wan": "1.0000001"})
    apply = {"project": "p", "enterprise": E1, "fund": "test-fund", "year": 2023, "clause": "abs", "requested_fen": 1}
    with pytest.raises(InputError) as info:
        flow.post(fee, ("project.apply", {**apply, "requested_fen": "1"}))
    found = {(dict(f.subject)["line"], f.rule, f.field) for f in info.value.findings}
    assert (1, "INPUT-MONEY", "body.amount_wan") in found
    assert (2, "INPUT-BODY", "body.enterprise_name") in found
    assert (2, "INPUT-BODY", "body.requested_fen") in found
    # a float is outside the canonical domain: the edge names it, as the command line does, before the
    # contracts read any body
    with pytest.raises(InputError) as info:
        flow.post(fee, ("project.apply", {**apply, "requested_fen": 1.0}))
    assert [(dict(f.subject)["line"], f.rule, f.field) for f in info.value.findings] == [
        (2, "INPUT-DOMAIN", "body.requested_fen")]


def test_money_in_wan_or_yuan_is_stored_in_fen(flow):
    flow.post(("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "x", "service": "s", "amount_wan": "196.352176"}),
              ("fee.pay", {"fund": "test-fund", "year": 2023, "payee": "x", "service": "s", "amount_yuan": "26250.05"}))
    bodies = [env["body"] for _, _, env in flow.env.ledger.entries(kind="fee.pay")]
    assert [b["amount_fen"] for b in bodies] == [196352176, 2625005]


def test_every_rule_is_proven_both_ways():
    source = Path(__file__).read_text(encoding="utf-8")
    parametrized = set(re.findall(r'\("(CAP-[A-Z-]+)", "', source))
    for rule in RULES.keys() - NIGHTLY_ONLY:  # the nightly-only rules: tests/test_nightly.py
        for how in ("accepts", "rejects"):
            assert f'{how}("{rule}"' in source or rule in parametrized, f"{rule} has no {how} test"


def test_every_rule_folder_is_complete_and_an_incomplete_one_is_named():
    """The registry's completeness check, both ways: every folder passes it; a folder that lost its
    write-time check, its queries and its frames is named for each part it lacks."""
    import types

    from contracts.rules import FOLDERS, RULES_DIR, problems

    assert {rule: problems(folder) for rule, folder in FOLDERS.items()} == {rule: [] for rule in FOLDERS}
    broken = types.ModuleType("contracts.rules.cap_ratio")
    broken.__file__ = str(RULES_DIR / "nowhere" / "__init__.py")
    broken.RULE = RULES["CAP-RATIO"]
    assert problems(broken) == ["CAP-RATIO: no write-time check (WRITE_TIME) or no kinds it guards",
                                "CAP-RATIO: no nightly.sql", "CAP-RATIO: no plant.sql",
                                "CAP-RATIO: no pandera check (FRAMES)"]
    misplaced = types.ModuleType("contracts.rules.cap_tier")
    misplaced.__file__, misplaced.RULE = FOLDERS["CAP-RATIO"].__file__, RULES["CAP-RATIO"]
    misplaced.WRITE_TIME, misplaced.FRAMES = FOLDERS["CAP-RATIO"].WRITE_TIME, FOLDERS["CAP-RATIO"].FRAMES
    assert problems(misplaced) == ["cap_tier: holds CAP-RATIO, whose folder is cap_ratio"]
    borrowed = types.ModuleType("contracts.rules.cap_ratio")
    borrowed.__file__, borrowed.RULE = FOLDERS["CAP-RATIO"].__file__, RULES["CAP-RATIO"]
    borrowed.WRITE_TIME, borrowed.FRAMES = FOLDERS["CAP-RATIO"].WRITE_TIME, FOLDERS["CAP-TIER"].FRAMES
    assert problems(borrowed) == ["CAP-RATIO: its FRAMES check CAP-TIER, another rule's"]


def test_each_rules_kinds_are_the_kinds_whose_checks_run_it():
    """A rule's ``kinds`` (its metadata, the README's table) is what the code does: the kinds whose
    check in ``by_kind.py`` calls one of the rule's WRITE_TIME functions, no more and no fewer."""
    import ast
    import inspect

    from contracts.kinds import KINDS
    from contracts.rules import FOLDERS, by_kind

    called: dict[str, set] = {}  # each kind check of by_kind.py: the functions of other modules it calls
    for node in ast.parse(inspect.getsource(by_kind)).body:
        if isinstance(node, ast.FunctionDef):
            called[node.name] = {getattr(getattr(by_kind, a.value.id), a.attr) for a in ast.walk(node)
                                 if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name)
                                 and inspect.ismodule(getattr(by_kind, a.value.id, None))}
    derived = {rule: {kind for kind, spec in KINDS.items() if set(folder.WRITE_TIME) & called[spec.check]}
               for rule, folder in FOLDERS.items() if hasattr(folder, "WRITE_TIME")}
    assert derived == {rule: set(FOLDERS[rule].RULE.kinds) for rule in derived}
    assert {rule for rule, folder in FOLDERS.items() if not hasattr(folder, "WRITE_TIME")} == NIGHTLY_ONLY

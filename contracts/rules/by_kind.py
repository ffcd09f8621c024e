"""Each kind's write-time checks: which rules an entry of the kind is held to, in which order.

A check is ``(state, seq, item) -> [Finding]``, run on the state as of the entries before it
(those of the same posting included). The rules' own code is in their folders; a kind's check
here only resolves what they read (the fund-year, the project, the policy in force) and says in
which order they run. A rule that guards what the later ones read (the project exists, the policy
is in force, the stage is the workflow's) stops the kind's checks when it finds something: the
later rules would have nothing to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.kinds import KINDS
from contracts.rules import (
    amount_half,
    amount_lower,
    apply_over_cap,
    approve_amount,
    award_caps,
    calendar_days,
    calendar_version,
    cap_entity_year,
    cap_exclusive,
    cap_max_types,
    cap_once_in_years,
    cap_upgrade,
    corr_order,
    corr_target,
    dup_support,
    dup_support_year,
    fund_dup,
    id_name,
    id_uscc,
    notice_days,
    pay_approved,
    pay_rejected,
    pay_return,
    perf_score,
    policy_version,
    project_dup,
    ref_body,
    ref_clause,
    ref_fund,
    ref_notice,
    ref_policy,
    ref_project,
    ref_stage,
    report_conflict,
    report_figure,
    report_reconcile,
    review_reason,
    stage_approval,
    stage_notice,
    stage_order,
    stage_panel,
    sum_budget,
)
from contracts.rules.award_history import award
from contracts.rules.base import policy_in_force
from contracts.state import State
from ledger.findings import Finding

__all__ = ["CHECKS"]


def _project_where(p: dict[str, Any], clause: bool = True) -> dict[str, Any]:
    where = dict(project=p["project"], enterprise=p["enterprise"], fund=p["fund"], year=p["year"])
    return {**where, "clause": p["clause"]} if clause else where


def fund_open(state: State, seq: int, item: Any) -> list[Finding]:
    return fund_dup.check(state, item) + ref_policy.published(state, item)


def budget_adjust(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    return (ref_fund.check(state, item, (b["fund"], b["year"]), fund=b["fund"], year=b["year"])
            or sum_budget.check(state, item, b["fund"], b["year"], less_avail=max(0, -b["delta_fen"])))


def spend(state: State, seq: int, item: Any) -> list[Finding]:
    """Money leaving a fund-year: a fee, another expense, a transfer out."""
    b = item.body
    return (ref_fund.check(state, item, (b["fund"], b["year"]), fund=b["fund"], year=b["year"])
            or sum_budget.check(state, item, b["fund"], b["year"], extra_use=b["amount_fen"]))


def policy_publish(state: State, seq: int, item: Any) -> list[Finding]:
    return policy_version.check(state, item)


def project_apply(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    where = dict(project=b["project"], enterprise=b["enterprise"], fund=b["fund"], year=b["year"], clause=b["clause"])
    out = project_dup.check(state, item, where) + id_uscc.check(item, where) + id_name.check(state, item, where)
    missing = ref_fund.check(state, item, (b["fund"], b["year"]), **where)
    if missing:
        return out + missing
    found, missing = ref_policy.governing(state, item, state.fund(b["fund"], b["year"]), where)
    if missing:
        return out + missing
    policy, version, doc = found
    clause, missing = ref_clause.in_policy(item, doc, policy, version, where)
    if missing:
        return out + missing
    return out + apply_over_cap.check(item, doc, clause, where)


def review_decide(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    p, missing = ref_project.applied(state, item, b["project"])
    if p is None:
        return missing
    where = _project_where(p)
    doc, missing = ref_policy.in_force(state, item, p, where)
    if doc is None:
        return missing
    stages, missing = ref_stage.in_workflow(item, doc, where)
    if stages is None:
        return missing
    out = (stage_order.check(item, p, doc, stages, where) + stage_panel.check(item, doc, stages, where)
           + review_reason.check(item, where))
    lower = amount_lower.check(item, p["amount_fen"], where)
    if lower:
        return out + lower
    if b["outcome"] in amount_lower.LOWERING:  # the amount went down: to half if halved, and within every cap
        out += (amount_half.check(item, p["amount_fen"], where)
                or award_caps.check(item, b["amount_after_fen"], doc, p, "amount_after_fen"))
    return out


def approval_resolve(state: State, seq: int, item: Any) -> list[Finding]:
    b, out = item.body, []
    seen: set[str] = set()
    awarding: dict[tuple[str, int], int] = {}  # what this resolution's earlier awards add per fund-year
    for i, listed in enumerate(b["awards"]):
        field = f"awards[{i}]"
        twice = stage_approval.listed_once(item, listed["project"], seen, field)
        if twice:
            out += twice
            continue
        seen.add(listed["project"])
        p, missing = ref_project.applied(state, item, listed["project"], field=f"{field}.project")
        if p is None:
            out += missing
            continue
        where = _project_where(p)
        doc, missing = ref_policy.in_force(state, item, p, where)
        if doc is None:
            out += missing
            continue
        bodies, missing = ref_body.approving(item, doc, p, where)
        if bodies is None:
            out += missing
            continue
        amount = listed["amount_fen"]
        stopped = stage_approval.ready(item, p, doc, bodies, field, where) or approve_amount.check(
            item, p, amount, f"{field}.amount_fen", where)
        if stopped:
            out += stopped
            continue
        out += award_caps.check(item, amount, doc, p, f"{field}.amount_fen")
        if bodies.index(b["body"]) == len(bodies) - 1:  # the final approval makes the award
            made = award(state, p, amount, doc, f"{field}.amount_fen", where)
            out += (cap_entity_year.check(item, made) + cap_once_in_years.check(item, made)
                    + cap_exclusive.check(item, made) + cap_max_types.check(item, made)
                    + cap_upgrade.check(state, item, made))
            out += dup_support.check(item, made) or dup_support_year.check(item, made)
            key = (p["fund"], p["year"])
            awarding[key] = awarding.get(key, 0) + amount - p["approved_fen"]
            out += sum_budget.check(state, item, p["fund"], p["year"], extra_use=awarding[key])
    return out


def notice_open(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    stop = ref_notice.new(state, item) or ref_fund.check(state, item, (b["fund"], b["year"]))
    if stop:
        return stop
    out: list[Finding] = []
    days = None  # the most working days any listed project's workflow requires
    for i, pid in enumerate(b["projects"]):
        p, missing = ref_project.of_fund_year(state, item, i, pid)
        if p is None:
            out += missing
            continue
        doc = policy_in_force(state, p, b["start"])
        out += stage_notice.approved(item, i, p)
        days = max(days or 0, doc["workflow"]["notice_working_days"])
    return out + notice_days.long_enough(state, item, days)


def notice_close(state: State, seq: int, item: Any) -> list[Finding]:
    n, missing = ref_notice.still_open(state, item)
    if n is None:
        return missing
    return notice_days.ended(item, n) + ref_project.on_notice(state, item)


def calendar_publish(state: State, seq: int, item: Any) -> list[Finding]:
    return calendar_version.check(state, item) or calendar_days.check(item)


def disbursement_pay(state: State, seq: int, item: Any) -> list[Finding]:
    p, missing = ref_project.applied(state, item, item.body["project"])
    if p is None:
        return missing
    where = _project_where(p, clause=False)
    return (pay_rejected.check(item, p, where) or stage_notice.payable(state, item, p, where)
            or pay_approved.check(item, p, where))


def disbursement_return(state: State, seq: int, item: Any) -> list[Finding]:
    p, missing = ref_project.applied(state, item, item.body["project"])
    if p is None:
        return missing
    return pay_return.check(item, p)


def correction_reverse(state: State, seq: int, item: Any) -> list[Finding]:
    env, missing = corr_target.check(state, seq, item)
    if env is None:
        return missing
    b = env["body"]
    if env["kind"] == "budget.adjust" and b["delta_fen"] > 0:  # taking back an addition must leave the budget whole
        return sum_budget.check(state, item, b["fund"], b["year"], less_avail=b["delta_fen"])
    return corr_order.check(state, item, env)


def report_state(state: State, seq: int, item: Any) -> list[Finding]:
    from contracts.figures import FundYear

    b = item.body
    parts, missing = report_figure.named(item)
    if parts is None:
        return missing
    fund, year, metric, qualifier = parts
    state.flush()  # the figure counts every entry before this one, those of this posting too
    ours = FundYear(state.conn, fund, year).value(metric, qualifier)
    where = dict(fund=fund, year=year, figure=b["figure"], seed=b["seed"])
    return (report_figure.computed(item, ours, where)
            or report_reconcile.check(item, ours, where) + report_conflict.check(state, item, where))


def performance_indicators(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    return ref_fund.check(state, item, (b["fund"], b["year"])) or perf_score.check(state, item)


# each kind's check, as its declaration names it (contracts/kinds.py)
CHECKS: dict[str, list[Callable[[State, int, Any], list[Finding]]]] = {
    name: [globals()[kind.check]] for name, kind in KINDS.items()}

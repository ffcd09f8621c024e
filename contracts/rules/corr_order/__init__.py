"""CORR-ORDER (fatal): a decision or approval is reversed only if nothing later depends on it.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, policy_in_force, subject_columns
from ledger.findings import Finding

RULE = Rule("CORR-ORDER",
            FATAL,
            "a decision or approval is reversed only if nothing later depends on it",
            zh="评审决定或审批须在其后无依赖事项时方可冲正",
            offending="a correction that undid a step something later already depended on: a review decision followed by another decision or a resolution, an approval followed by a later resolution, a notice or a payment, an application with a resolution or a payment",
            kinds=("correction.reverse",),
            table="reversals")


def check(state: Any, item: Any, env: dict[str, Any]) -> list[Finding]:
    """Nothing still standing depends on the entry reversed (``env``): a payment is reversed after the
    returns that exceed what would remain, a decision only as its project's latest step, an approval
    only as the latest before notice or payment, an application only before any approval or payment."""
    target, kind, b = item.body["seq"], env["kind"], env["body"]
    if kind == "disbursement.pay":
        p = state.project(b["project"])
        if p["disbursed_fen"] - b["amount_fen"] < p["returned_fen"]:
            return [finding("CORR-ORDER", item, "reverse the return first: returned would exceed disbursed", field="seq",
                            target=target)]
        return []
    if kind == "review.decide":
        last = state.last_decision(b["project"])
        p = state.project(b["project"])
        if last is None or last["seq"] != target or p["approvals"]:
            return [finding("CORR-ORDER", item, f"seq {target} is not project {b['project']}'s latest step; reverse "
                            "later ones first", field="seq", target=target)]
        return []
    if kind == "approval.resolve":
        for award in b["awards"]:
            p = state.project(award["project"])
            bodies = policy_in_force(state, p, b["date"])["workflow"]["approvals"]
            if p["disbursed_fen"] or p["notice"] or p["approvals"] != bodies.index(b["body"]) + 1:
                return [finding("CORR-ORDER", item, f"seq {target} is not project {p['project']}'s latest approval, or "
                                "the project is on notice or paid; reverse those first", field="seq", target=target)]
        return []
    if kind == "project.apply":
        p = state.project(b["project"])
        if p["approvals"] or p["disbursed_fen"]:
            return [finding("CORR-ORDER", item, f"project {p['project']} is approved; reverse the approvals first",
                            field="seq", target=target)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("CORR-ORDER", "undone", lambda d: d["ok"].astype(bool),
                    subject_columns("seq", "project", actual=column("target_seq"))),)

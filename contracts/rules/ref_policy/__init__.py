"""REF-POLICY (fatal): the policy must be published, in force, and govern the fund.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, policy_in_force, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-POLICY",
            FATAL,
            "the policy must be published, in force, and govern the fund",
            zh="所依据的政策须已发布、在当日有效，并适用于该项资金",
            offending="a project whose policy has no version in force in its year",
            kinds=("fund.open", "project.apply", "review.decide", "approval.resolve"),
            table="projects")


def published(state: Any, item: Any) -> list[Finding]:
    """fund.open: every policy the fund names is published."""
    b = item.body
    return [finding("REF-POLICY", item, f"policy {p} is not published", field="policies", fund=b["fund"])
            for p in b.get("policies") or [] if not state.latest_policy_version(p)]


def governing(state: Any, item: Any, fund: dict[str, Any], where: dict[str, Any]) -> tuple[Any, list[Finding]]:
    """project.apply: the policy it names (else the fund's first) governs the fund and is in force on
    the application's date; ``(policy, version, document)``."""
    b = item.body
    policies = fund["policies"]
    policy = b.get("policy") or (policies[0] if policies else None)
    found = state.policy(policy, b.get("date")) if policy else None
    if found is None or policy not in policies:
        return None, [finding("REF-POLICY", item, f"no policy in force governs {b['fund']} for this application",
                              field="policy", **where)]
    return (policy, *found), []


def in_force(state: Any, item: Any, project: dict[str, Any], where: dict[str, Any]) -> tuple[Any, list[Finding]]:
    """review.decide, approval.resolve: the project's policy has a version in force on the entry's date."""
    on = item.body["date"]
    doc = policy_in_force(state, project, on)
    if doc is None:
        return None, [finding("REF-POLICY", item, f"policy {project['policy']} is not in force on {on}", field="date",
                              **where)]
    return doc, []


WRITE_TIME = (published, governing, in_force)


FRAMES = (FrameRule("REF-POLICY", "awards", lambda d: d["policy_known"],
                    subject_columns("project", "fund", "year", expected=column("policy"))),)

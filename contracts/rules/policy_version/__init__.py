"""POLICY-VERSION (fatal): policy versions count 1, 2, 3 … without gaps.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("POLICY-VERSION",
            FATAL,
            "policy versions count 1, 2, 3 … without gaps",
            zh="政策版本须按1、2、3……连续编号",
            offending="a policy version whose predecessor is missing",
            kinds=("policy.publish",),
            table="policies")


def check(state: Any, item: Any) -> list[Finding]:
    b = item.body
    want = state.latest_policy_version(b["policy"]) + 1
    if b["version"] != want:
        return [finding("POLICY-VERSION", item, f"policy {b['policy']} is at version {want - 1}", field="version",
                        expected=want, actual=b["version"])]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("POLICY-VERSION", "policies", lambda d: d["predecessor"] | (d["version"] <= 1),
                    subject_columns("policy", "version", expected=lambda d: d["version"] - 1)),)

"""REVIEW-REASON (fatal): a decision other than pass gives its reason code.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REVIEW-REASON",
            FATAL,
            "a decision other than pass gives its reason code",
            zh="通过以外的评审结论须注明原因代码",
            offending="a decision other than pass without its reason code",
            kinds=("review.decide",),
            table="decisions")


def check(item: Any, where: dict[str, Any]) -> list[Finding]:
    outcome = item.body["outcome"]
    if outcome != "pass" and not item.body.get("reason"):
        return [finding("REVIEW-REASON", item, f"a {outcome} decision needs its reason code", field="reason", **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("REVIEW-REASON", "stages", lambda d: (d["outcome"] == "pass") | (d["reason"].fillna("") != ""),
                    subject_columns("seq", "project", actual=column("outcome"))),)

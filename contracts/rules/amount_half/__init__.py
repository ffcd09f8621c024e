"""AMOUNT-HALF (fatal): halve sets the amount to half of what it was.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("AMOUNT-HALF",
            FATAL,
            "halve sets the amount to half of what it was",
            zh="减半支持即金额调整为原金额的一半",
            offending="halve setting an amount other than half of what it was (to the fen, rounded down)",
            kinds=("review.decide",),
            table="decisions",
            unit="fen")


def check(item: Any, before: int, where: dict[str, Any]) -> list[Finding]:
    """Checked once AMOUNT-LOWER holds (the amount went down)."""
    outcome, after = item.body["outcome"], item.body.get("amount_after_fen")
    if outcome == "halve" and after != before // 2:
        return [finding("AMOUNT-HALF", item, "halve sets the amount to half", field="amount_after_fen",
                        expected=wan(before // 2), actual=wan(after), difference=wan(after - before // 2), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("AMOUNT-HALF", "stages",
                    lambda d: ~((d["outcome"] == "halve") & (d["amount_after_fen"] < d["amount_before_fen"])
                                & (d["amount_after_fen"] != d["amount_before_fen"] // 2)),
                    subject_columns("seq", "project", expected=lambda d: d["amount_before_fen"] // 2,
                                    actual=column("amount_after_fen"))),)

"""AMOUNT-LOWER (fatal): reduce, halve and downgrade lower an amount; pass keeps it; reject makes it zero.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("AMOUNT-LOWER",
            FATAL,
            "reduce, halve and downgrade lower an amount; pass keeps it; reject makes it zero",
            zh="核减、减半、降档须调低金额；通过不改变金额；不予支持金额为零",
            offending="pass changing the amount, reject leaving one, or reduce, halve, downgrade not lowering it",
            kinds=("review.decide",),
            table="decisions",
            unit="fen")


LOWERING = ("reduce", "halve", "downgrade")


def check(item: Any, before: int, where: dict[str, Any]) -> list[Finding]:
    """pass keeps the amount, reject makes it zero, reduce, halve and downgrade lower it."""
    outcome, after = item.body["outcome"], item.body.get("amount_after_fen")
    if outcome == "pass" and after is not None and after != before:
        return [finding("AMOUNT-LOWER", item, "pass keeps the amount", field="amount_after_fen",
                        expected=wan(before), actual=wan(after), **where)]
    if outcome == "reject" and after not in (None, 0):
        return [finding("AMOUNT-LOWER", item, "reject makes the amount zero", field="amount_after_fen",
                        expected=wan(0), actual=wan(after), **where)]
    if outcome in LOWERING and (after is None or after >= before):
        return [finding("AMOUNT-LOWER", item, f"{outcome} must lower the amount", field="amount_after_fen",
                        expected=f"< {wan(before)}", actual="missing" if after is None else wan(after), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("AMOUNT-LOWER", "stages",
                    lambda d: ~(((d["outcome"] == "pass") & (d["amount_after_fen"] != d["amount_before_fen"]))
                                | ((d["outcome"] == "reject") & (d["amount_after_fen"] != 0))
                                | (d["outcome"].isin(LOWERING) & (d["amount_after_fen"] >= d["amount_before_fen"]))),
                    subject_columns("seq", "project", expected=column("amount_before_fen"),
                                    actual=column("amount_after_fen"))),)

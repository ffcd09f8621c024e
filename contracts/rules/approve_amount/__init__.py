"""APPROVE-AMOUNT (fatal): an approved amount may not exceed the amount after review.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns, won
from ledger.findings import Finding

RULE = Rule("APPROVE-AMOUNT",
            FATAL,
            "an approved amount may not exceed the amount after review",
            zh="批准金额不得超过评审后的金额",
            offending="an approved amount above the amount after review",
            kinds=("approval.resolve",),
            table="projects",
            unit="fen")


def check(item: Any, project: dict[str, Any], amount: int, field: str, where: dict[str, Any]) -> list[Finding]:
    if amount > project["amount_fen"]:
        return [finding("APPROVE-AMOUNT", item, "approved above the amount after review", field=field,
                        expected=f"<= {wan(project['amount_fen'])}", actual=wan(amount),
                        difference=wan(amount - project["amount_fen"]), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("APPROVE-AMOUNT", "awards", lambda d: ~(won(d) & (d["approved_fen"] > d["amount_fen"])),
                    subject_columns("project", "fund", "year", expected=column("amount_fen"), actual=column("approved_fen"))),)

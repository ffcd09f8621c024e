"""PAY-APPROVED (fatal): disbursed may not exceed approved, per project.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("PAY-APPROVED",
            FATAL,
            "disbursed may not exceed approved, per project",
            zh="各项目拨付金额不得超过批准金额",
            offending="a project paid (less returned) more than it was approved",
            kinds=("disbursement.pay",),
            table="projects",
            unit="fen")


def check(item: Any, project: dict[str, Any], where: dict[str, Any]) -> list[Finding]:
    p = project
    total = p["disbursed_fen"] + item.body["amount_fen"]
    if total > p["approved_fen"]:
        return [finding("PAY-APPROVED", item, "disbursed would exceed approved", field="amount_fen",
                        expected=f"<= {wan(p['approved_fen'])}", actual=wan(total), difference=wan(total - p["approved_fen"]),
                        **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("PAY-APPROVED", "awards", lambda d: ~na_false(d["has_payments"] & (d["net"] > d["approved_fen"])),
                    subject_columns("project", "fund", "year", expected=column("approved_fen"), actual=column("net"))),)

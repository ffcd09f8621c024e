"""PAY-RETURN (fatal): returned may not exceed disbursed, per project.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("PAY-RETURN",
            FATAL,
            "returned may not exceed disbursed, per project",
            zh="各项目退回金额不得超过已拨付金额",
            offending="a project with more returned than disbursed",
            kinds=("disbursement.return",),
            table="projects",
            unit="fen")


def check(item: Any, project: dict[str, Any]) -> list[Finding]:
    p = project
    total = p["returned_fen"] + item.body["amount_fen"]
    if total > p["disbursed_fen"]:
        return [finding("PAY-RETURN", item, "returned would exceed disbursed", field="amount_fen", project=p["project"],
                        expected=f"<= {wan(p['disbursed_fen'])}", actual=wan(total),
                        difference=wan(total - p["disbursed_fen"]))]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("PAY-RETURN", "awards", lambda d: ~na_false(d["has_payments"] & (d["back"] > d["paid"])),
                    subject_columns("project", "fund", "year", expected=column("paid"), actual=column("back"))),)

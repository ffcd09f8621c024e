"""PAY-REJECTED (fatal): nothing is paid on a rejected, withdrawn or reversed project.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("PAY-REJECTED",
            FATAL,
            "nothing is paid on a rejected, withdrawn or reversed project",
            zh="不予支持、撤回或已冲正的项目不得拨付",
            offending="a payment on a rejected or withdrawn project",
            kinds=("disbursement.pay",),
            table="payments",
            unit="fen")


def check(item: Any, project: dict[str, Any], where: dict[str, Any]) -> list[Finding]:
    p = project
    if p["status"] in ("rejected", "withdrawn"):
        return [finding("PAY-REJECTED", item, f"project {p['project']} is {p['status']}", field="project", **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("PAY-REJECTED", "payments",
                    lambda d: ~((d["kind"] == "pay") & d["status"].isin(["rejected", "withdrawn"])),
                    subject_columns("seq", "project", actual=column("amount_fen"))),)

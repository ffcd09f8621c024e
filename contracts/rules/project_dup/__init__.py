"""PROJECT-DUP (fatal): a project id is applied for once.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("PROJECT-DUP",
            FATAL,
            "a project id is applied for once",
            zh="同一项目编号只申报一次",
            offending="a project id applied for by more than one project.apply entry",
            kinds=("project.apply",),
            table="entry_refs")


def check(state: Any, item: Any, where: dict[str, Any]) -> list[Finding]:
    b = item.body
    if state.project(b["project"]):
        return [finding("PROJECT-DUP", item, f"project {b['project']} was applied for already", field="project", **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("PROJECT-DUP", "applies", lambda d: d["actual"] <= 1,
                    subject_columns("project", expected=lambda d: d["actual"] * 0 + 1, actual=column("actual"))),)

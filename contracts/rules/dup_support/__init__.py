"""DUP-SUPPORT (fatal): an enterprise may not hold awards for the same content from two funds in a year.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("DUP-SUPPORT",
            FATAL,
            "an enterprise may not hold awards for the same content from two funds in a year",
            zh="同一企业同一年度不得就同一内容获得两项资金支持（重复支持）",
            offending="an enterprise holding awards for the same content from two funds in one year (each award is named)",
            kinds=("approval.resolve",),
            table="projects")


def check(item: Any, award: Award) -> list[Finding]:
    p = award.project
    dup = [a for a in award.same_year if a["content"] == p["content"] and a["fund"] != p["fund"]]
    if dup:
        return [finding("DUP-SUPPORT", item, f"{p['enterprise']} already holds {dup[0]['project']} in {dup[0]['fund']} "
                        f"for the same content ({p['content']}) in {p['year']}", field=award.field, **award.where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("DUP-SUPPORT", "awards", lambda d: ~d["dup_content"],
                    subject_columns("project", "enterprise", "fund", "year", actual=column("content"))),)

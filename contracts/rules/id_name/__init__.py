"""ID-NAME (fatal): one name per credit code.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("ID-NAME",
            FATAL,
            "one name per credit code",
            zh="同一信用代码只对应一个企业名称",
            offending="an application naming its enterprise otherwise than the name its credit code was first given",
            kinds=("project.apply",),
            table="projects")


def check(state: Any, item: Any, where: dict[str, Any]) -> list[Finding]:
    b = item.body
    known = state.enterprise(b["enterprise"])
    if known and known["name"] != b["enterprise_name"]:
        return [finding("ID-NAME", item, f"credit code {b['enterprise']} is {known['name']!r} since seq {known['first_seq']}",
                        field="enterprise_name", expected=known["name"], actual=b["enterprise_name"], **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("ID-NAME", "awards",
                    lambda d: ~na_false(d["enterprise_name"].notna() & d["registered_name"].notna()
                                        & (d["enterprise_name"] != d["registered_name"])),
                    subject_columns("project", "enterprise", expected=column("registered_name"),
                                    actual=column("enterprise_name"))),)

"""CALENDAR-VERSION (fatal): a year's working-day calendar versions count 1, 2, 3 … without gaps.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CALENDAR-VERSION",
            FATAL,
            "a year's working-day calendar versions count 1, 2, 3 … without gaps",
            zh="同一年度的工作日历版本须按1、2、3……连续编号",
            offending="a calendar version whose predecessor is missing",
            kinds=("calendar.publish",),
            table="calendars")


def check(state: Any, item: Any) -> list[Finding]:
    b = item.body
    want = state.latest_calendar_version(b["year"]) + 1
    if b["version"] != want:
        return [finding("CALENDAR-VERSION", item, f"the calendar of {b['year']} is at version {want - 1}", field="version",
                        expected=want, actual=b["version"], year=b["year"], version=b["version"])]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("CALENDAR-VERSION", "calendars", lambda d: d["predecessor"] | (d["version"] <= 1),
                    subject_columns("year", "version", expected=lambda d: d["version"] - 1)),)

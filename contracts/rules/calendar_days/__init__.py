"""CALENDAR-DAYS (fatal): a calendar names days of its own year, each a holiday or an adjusted weekend workday, never both.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CALENDAR-DAYS",
            FATAL,
            "a calendar names days of its own year, each a holiday or an adjusted weekend workday, never both",
            zh="工作日历所列日期须属于该年度；调休上班日须为周六或周日；同一天不能既是假日又是上班日",
            offending="a day a calendar names outside its own year, or an adjusted workday that is not a Saturday or a Sunday",
            kinds=("calendar.publish",),
            table="calendar_days")


def check(item: Any) -> list[Finding]:
    b, out = item.body, []
    where = dict(year=b["year"], version=b["version"])
    for field in ("holidays", "workdays"):
        for i, day in enumerate(b[field]):
            d = date.fromisoformat(day)
            if d.year != b["year"]:
                out.append(finding("CALENDAR-DAYS", item, f"{day} is not a day of {b['year']}", field=f"{field}[{i}]",
                                   day=day, **where))
            elif field == "workdays" and d.weekday() < 5:
                out.append(finding("CALENDAR-DAYS", item, f"{day} is a weekday: an adjusted workday is a Saturday or a "
                                   "Sunday", field=f"{field}[{i}]", day=day, **where))
    for day in sorted(set(b["holidays"]) & set(b["workdays"])):
        out.append(finding("CALENDAR-DAYS", item, f"{day} is named both a holiday and a workday", field="workdays",
                           day=day, **where))
    return out


WRITE_TIME = (check,)


FRAMES = (FrameRule("CALENDAR-DAYS", "calendar_days",
                    lambda d: (d["day"].str.slice(0, 4) == d["year"].astype(str))
                    & ~((d["working"] == 1) & (d["weekday"] < 5)),
                    subject_columns("year", "version", "day")),)

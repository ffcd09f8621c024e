"""NOTICE-DAYS (fatal): a public notice lasts at least the workflow's working days (the calendars published in the ledger) and closes after them.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from contracts.workdays import add_working_days
from ledger.findings import Finding

RULE = Rule("NOTICE-DAYS",
            FATAL,
            "a public notice lasts at least the workflow's working days (the calendars published in the ledger) and closes after them",
            zh="公示期不少于流程规定的工作日（以账本中发布的工作日历计），期满后方可结束",
            offending="a public notice shorter than the workflow's working days for a project on it",
            kinds=("notice.open", "notice.close"),
            table="notices")


def long_enough(state: Any, item: Any, days: int | None) -> list[Finding]:
    """notice.open: at least the working days the listed projects' workflows require (``days``, the
    largest), counted on calendars the ledger holds."""
    b, out = item.body, []
    if days and b["working_days"] < days:
        out.append(finding("NOTICE-DAYS", item, f"a public notice lasts at least {days} working days",
                           field="working_days", expected=f">= {days}", actual=b["working_days"]))
    try:
        add_working_days(date.fromisoformat(b["start"]), b["working_days"], state.calendar)
    except LookupError as e:
        out.append(finding("NOTICE-DAYS", item, str(e), field="start"))
    return out


def ended(item: Any, notice: dict[str, Any]) -> list[Finding]:
    """notice.close: not before the notice's last working day."""
    b, n = item.body, notice
    if b["date"] < n["end_date"]:
        return [finding("NOTICE-DAYS", item, f"the notice runs until {n['end_date']} ({n['working_days']} working days "
                        f"from {n['start']})", field="date", expected=f">= {n['end_date']}", actual=b["date"])]
    return []


WRITE_TIME = (long_enough, ended)


FRAMES = (FrameRule("NOTICE-DAYS", "notices", lambda d: ~na_false(d["expected"] > d["working_days"]),
                    subject_columns("notice", "fund", "year", expected=column("expected"), actual=column("working_days"))),)

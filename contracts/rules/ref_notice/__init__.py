"""REF-NOTICE (fatal): the notice must have been opened, for this fund-year's projects.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-NOTICE",
            FATAL,
            "the notice must have been opened, for this fund-year's projects",
            zh="公示须已发布，且针对该资金年度的项目",
            offending="a project on a public notice that was never opened",
            kinds=("notice.open", "notice.close"),
            table="projects")


def new(state: Any, item: Any) -> list[Finding]:
    """notice.open: a notice is opened once."""
    if state.notice(item.body["notice"]):
        return [finding("REF-NOTICE", item, f"notice {item.body['notice']} was opened already", field="notice")]
    return []


def still_open(state: Any, item: Any) -> tuple[dict[str, Any] | None, list[Finding]]:
    """notice.close: the notice is open; its row."""
    n = state.notice(item.body["notice"])
    if n is None or n["state"] != "open":
        return None, [finding("REF-NOTICE", item, f"notice {item.body['notice']} is not open", field="notice")]
    return n, []


WRITE_TIME = (new, still_open)


FRAMES = (FrameRule("REF-NOTICE", "awards", lambda d: d["notice_known"],
                    subject_columns("project", "fund", "year", actual=column("notice"))),)

"""FUND-DUP (fatal): a fund-year is opened once.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("FUND-DUP",
            FATAL,
            "a fund-year is opened once",
            zh="同一资金年度只设立一次",
            offending="a fund-year opened by more than one fund.open entry",
            kinds=("fund.open",),
            table="entry_refs")


def check(state: Any, item: Any) -> list[Finding]:
    b = item.body
    if state.fund(b["fund"], b["year"]):
        return [finding("FUND-DUP", item, f"{b['fund']} {b['year']} is already open", field="fund", fund=b["fund"],
                        year=b["year"])]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("FUND-DUP", "fund_opens", lambda d: d["actual"] <= 1,
                    subject_columns("fund", "year", expected=lambda d: d["actual"] * 0 + 1, actual=column("actual"))),)

"""REF-FUND (fatal): the fund-year must be opened (fund.open) before anything is booked to it.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-FUND",
            FATAL,
            "the fund-year must be opened (fund.open) before anything is booked to it",
            zh="资金年度须先设立（fund.open），方可记入该年度的任何事项",
            offending="a project booked to a fund-year that was never opened",
            kinds=("budget.adjust", "budget.transfer", "fee.pay", "expense.other", "project.apply", "notice.open", "performance.indicators"),
            table="projects")


def check(state: Any, item: Any, fund_year: tuple[str, int], **where: Any) -> list[Finding]:
    """Nothing is booked to a fund-year that is not open."""
    fund, year = fund_year
    if state.fund(fund, year):
        return []
    return [finding("REF-FUND", item, f"{fund} {year} is not open", field="fund", **where)]


WRITE_TIME = (check,)


FRAMES = (FrameRule("REF-FUND", "awards", lambda d: d["funded"], subject_columns("project", "fund", "year")),)

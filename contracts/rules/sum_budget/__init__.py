"""SUM-BUDGET (fatal): approved + fees + other expenses + transfers out may not exceed budget + additions + transfers in.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("SUM-BUDGET",
            FATAL,
            "approved + fees + other expenses + transfers out may not exceed budget + additions + transfers in",
            zh="批准额、服务费、其他支出与调出之和不得超过预算、追加与调入之和",
            offending="a fund-year's approved awards (summed from its projects), fees, other expenses and transfers out above its budget, additions and transfers in",
            kinds=("budget.adjust", "budget.transfer", "fee.pay", "expense.other", "approval.resolve", "correction.reverse"),
            table="funds",
            unit="fen")


def check(state: Any, item: Any, fund: str, year: int, extra_use: int = 0, less_avail: int = 0) -> list[Finding]:
    """The fund-year's uses, with ``extra_use`` more, within what it has, with ``less_avail`` less."""
    f = state.fund(fund, year)
    if f is None:
        return []
    available = f["budget_fen"] + f["adjust_fen"] + f["transfer_in_fen"] - less_avail
    used = f["approved_fen"] + f["fees_fen"] + f["other_fen"] + f["transfer_out_fen"] + extra_use
    if used > available:
        return [finding("SUM-BUDGET", item, f"{fund} {year} would use {wan(used)} of {wan(available)} available",
                        expected=f"<= {wan(available)}", actual=wan(used), difference=wan(used - available),
                        fund=fund, year=year)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("SUM-BUDGET", "budgets", lambda d: ~(d["actual"] > d["expected"]),
                    subject_columns("fund", "year", expected=column("expected"), actual=column("actual"))),)

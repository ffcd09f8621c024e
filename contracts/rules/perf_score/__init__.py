"""PERF-SCORE (warning): a stated performance score differs from the score computed from the ledger.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import WARNING, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("PERF-SCORE",
            WARNING,
            "a stated performance score differs from the score computed from the ledger",
            zh="绩效评价所列得分与按账本计算的得分不一致",
            offending="a performance table whose stated score (an indicator's, or the total) differs from the score the ledger's figures give",
            kinds=("performance.indicators",),
            table="indicators",
            unit="points")


def check(state: Any, item: Any) -> list[Finding]:
    """Each stated score, and the stated total, equals the one computed from the ledger's entries."""
    from contracts.performance import score_table

    b = item.body
    state.flush()  # the scores count every entry before this one, those of this posting too
    table = score_table(state.conn, b)
    out = []
    for i, row in enumerate(table.rows):
        if row.stated_score is not None and row.score != row.stated_score:
            out.append(finding("PERF-SCORE", item, f"{row.name}: stated {row.stated_score}, the ledger gives {row.score}",
                               field=f"indicators[{i}]", expected=str(row.score), actual=str(row.stated_score),
                               difference=str(row.stated_score - row.score), fund=b["fund"], year=b["year"]))
    if table.total_stated is not None and table.total != table.total_stated:
        out.append(finding("PERF-SCORE", item, f"total: stated {table.total_stated}, the ledger gives {table.total}",
                           field="total_stated", expected=str(table.total), actual=str(table.total_stated),
                           difference=str(table.total_stated - table.total), fund=b["fund"], year=b["year"]))
    return out


WRITE_TIME = (check,)


FRAMES = (FrameRule("PERF-SCORE", "scores", lambda d: ~na_false(d["actual"].notna() & (d["expected"] != d["actual"])),
                    subject_columns("seq", "fund", "year", "indicator", expected=column("expected"),
                                    actual=column("actual"))),)

"""REPORT-CONFLICT (warning): two reports state different values for the same figure.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import WARNING, FrameRule, Rule, column, finding, subject_columns
from contracts.rules.report_figure import shown, stated
from contracts.state import stored_ints
from ledger.findings import Finding

RULE = Rule("REPORT-CONFLICT",
            WARNING,
            "two reports state different values for the same figure",
            zh="两份报告对同一数据项给出不同数值",
            offending="a figure a report states differently from an earlier report, beyond both tolerances (the later statement is named)",
            kinds=("report.state",),
            table="reported")


def check(state: Any, item: Any, where: dict[str, Any]) -> list[Finding]:
    """Every earlier statement of the same figure agrees with this one within the larger tolerance."""
    b, out = item.body, []
    value, tolerance = stated(b)
    for other in state.query("SELECT seq, value, tolerance, seed FROM reported WHERE figure = :f ORDER BY seq",
                             f=b["figure"]):
        stored_ints("reported", other, ("seq",))
        if abs(other["value"] - value) > max(tolerance, other["tolerance"]):
            out.append(finding("REPORT-CONFLICT", item, f"{other['seed']} (seq {other['seq']}) states "
                               f"{shown(b['figure'], other['value'])}; {b['seed']} states {shown(b['figure'], value)}",
                               field="figure", expected=shown(b["figure"], other["value"]), actual=shown(b["figure"], value),
                               difference=shown(b["figure"], value - other["value"]), **where))
    return out


WRITE_TIME = (check,)


FRAMES = (FrameRule("REPORT-CONFLICT", "reported", lambda d: d["conflict_with"].isna(),
                    subject_columns("seq", "figure", "metric", expected=column("conflict_with"), actual=column("value"))),)

"""REPORT-RECONCILE (warning): a figure a report states differs from the ledger's own (beyond the stated tolerance).

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import WARNING, FrameRule, Rule, column, finding, na_false, subject_columns
from contracts.rules.report_figure import shown, stated
from ledger.findings import Finding

RULE = Rule("REPORT-RECONCILE",
            WARNING,
            "a figure a report states differs from the ledger's own (beyond the stated tolerance)",
            zh="报告所列数据与账本计算结果不一致（超出允许误差）",
            offending="a figure a report states that differs from the ledger's own beyond its tolerance (every metric of contracts/figures/, of one fund or summed over the funds of a+b+…)",
            kinds=("report.state",),
            table="reported")


def check(item: Any, ours: int, where: dict[str, Any]) -> list[Finding]:
    b = item.body
    value, tolerance = stated(b)
    if abs(ours - value) > tolerance:
        return [finding("REPORT-RECONCILE", item, f"{b['seed']} states {shown(b['figure'], value)} ({b['wording']}); "
                        f"the ledger's entries make {shown(b['figure'], ours)}", field="figure",
                        expected=shown(b["figure"], ours), actual=shown(b["figure"], value),
                        difference=shown(b["figure"], value - ours), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("REPORT-RECONCILE", "reported",
                    lambda d: ~na_false((d["expected"] - d["actual"]).abs() > d["tolerance"]),
                    subject_columns("seq", "figure", "metric", expected=column("expected"), actual=column("actual"))),)

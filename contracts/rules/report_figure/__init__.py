"""REPORT-FIGURE (fatal): a reported figure names a figure the ledger computes, with exactly one value.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REPORT-FIGURE",
            FATAL,
            "a reported figure names a figure the ledger computes, with exactly one value",
            zh="报告数据项须为账本可计算的数据项，且只给出一个数值",
            offending="a reported figure the ledger does not compute: a fund-year never opened (any fund of a sum a+b+…), a fund named twice in a sum, an unknown metric, the wrong number of qualifiers, or a rate over nothing (no budget)",
            kinds=("report.state",),
            table="reported")


def stated(body: dict[str, Any]) -> tuple[int, int] | None:
    """The one value a report.state gives (value_fen, count or permyriad) and its tolerance, or None.
    A field given as null is a field left out (as the kind's schema reads it)."""
    given = [body[k] for k in ("value_fen", "count", "permyriad") if body.get(k) is not None]
    if len(given) != 1:
        return None
    return given[0], next((body[k] for k in ("tolerance_fen", "tolerance") if body.get(k) is not None), 0)


def shown(figure: str, value: int) -> str:
    """A value of the figure as the findings show it: a count, a rate, or 万元 with the unit."""
    from contracts.figures import show

    return show(figure.split("/")[2] if figure.count("/") >= 2 else "", value, unit=True)


def named(item: Any) -> tuple[Any, list[Finding]]:
    """The figure's name parses and one value is given: ``(fund, year, metric, qualifier)``."""
    from contracts.figures import parse_figure

    b = item.body
    try:
        parts = parse_figure(b["figure"])
    except ValueError as e:
        return None, [finding("REPORT-FIGURE", item, str(e), field="figure")]
    if stated(b) is None:
        return None, [finding("REPORT-FIGURE", item, "give exactly one of value_fen (value_wan), count, permyriad",
                              field="value_fen")]
    return parts, []


def computed(item: Any, ours: int | None, where: dict[str, Any]) -> list[Finding]:
    """The ledger computes the figure (``ours``: its value, None if it has no such figure)."""
    if ours is None:
        return [finding("REPORT-FIGURE", item, f"the ledger has no figure {item.body['figure']}", field="figure", **where)]
    return []


WRITE_TIME = (named, computed)


FRAMES = (FrameRule("REPORT-FIGURE", "reported", lambda d: d["figure_ok"].astype(bool),
                    subject_columns("seq", "figure")),)

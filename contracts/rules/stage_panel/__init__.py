"""STAGE-PANEL (fatal): an expert panel is odd and at least the workflow's minimum (5).

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("STAGE-PANEL",
            FATAL,
            "an expert panel is odd and at least the workflow's minimum (5)",
            zh="专家评审组人数须为奇数且不少于流程规定（5人）",
            offending="an expert stage decided by a panel smaller than the workflow's minimum, or even where it must be odd",
            kinds=("review.decide",),
            table="decisions")


def check(item: Any, doc: dict[str, Any], stages: list[str], where: dict[str, Any]) -> list[Finding]:
    b = item.body
    panel = doc["workflow"]["stages"][stages.index(b["stage"])].get("panel")
    if not panel:
        return []
    size = b.get("panel_size")
    if size is None or size < panel["min"] or (panel.get("odd", True) and size % 2 == 0):
        return [finding("STAGE-PANEL", item, f"an expert panel needs an odd number of at least {panel['min']} experts",
                        field="panel_size", expected=f"odd, >= {panel['min']}", actual=size, **where)]
    if b.get("scores") is not None and len(b["scores"]) != size:
        return [finding("STAGE-PANEL", item, f"{len(b['scores'])} scores for a panel of {size}", field="scores", **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("STAGE-PANEL", "stages",
                    lambda d: ~(d["panel_min"].notna() & d["panel_odd"].notna()
                                & (d["panel_size"].isna() | na_false(d["panel_size"] < d["panel_min"])
                                   | na_false((d["panel_odd"] == 1) & (d["panel_size"] % 2 == 0)))),
                    subject_columns("seq", "project", expected=column("panel_min"), actual=column("panel_size"))),)

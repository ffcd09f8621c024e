"""STAGE-ORDER (fatal): stages are decided in the workflow's order, each once, none after rejection or approval.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("STAGE-ORDER",
            FATAL,
            "stages are decided in the workflow's order, each once, none after rejection or approval",
            zh="评审环节须按流程顺序逐一决定，每环节一次；不予支持或开始审批后不再评审",
            offending="a stage decided twice, after a rejection, before a stage it follows, or with an earlier required stage undecided",
            kinds=("review.decide",),
            table="decisions")


def check(item: Any, project: dict[str, Any], doc: dict[str, Any], stages: list[str],
          where: dict[str, Any]) -> list[Finding]:
    """A project under review (no rejection, no approval begun) has each stage decided once, after every
    required stage before it and before any stage after it."""
    p, stage = project, item.body["stage"]
    if p["status"] != "applied" or p["approvals"]:
        return [finding("STAGE-ORDER", item, f"project {p['project']} is {p['status']}"
                        + (" and approval has begun" if p["approvals"] else "") + "; no further review", field="stage",
                        **where)]
    if stage in p["stages"]:
        return [finding("STAGE-ORDER", item, f"stage {stage} was decided already", field="stage", **where)]
    k = stages.index(stage)
    later = [s for s in p["stages"] if stages.index(s) > k]
    missing = [s["id"] for s in doc["workflow"]["stages"][:k] if s.get("required", True) and s["id"] not in p["stages"]]
    if later or missing:
        return [finding("STAGE-ORDER", item, f"stage {stage} comes "
                        + (f"after {', '.join(missing)}, not decided yet" if missing
                           else f"before {', '.join(later)}, decided already"),
                        field="stage", expected=", ".join(stages), actual=", ".join([*p["stages"], stage]), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("STAGE-ORDER", "stages", lambda d: ~d["project_known"] | d["order_ok"],
                    subject_columns("seq", "project", actual=column("stage"))),)

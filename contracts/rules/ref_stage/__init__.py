"""REF-STAGE (fatal): the stage must be one of the policy's workflow stages.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-STAGE",
            FATAL,
            "the stage must be one of the policy's workflow stages",
            zh="评审环节须为政策规定的评审流程环节之一",
            offending="a decision on a stage the project's policy version in force does not have",
            kinds=("review.decide",),
            table="decisions")


def in_workflow(item: Any, doc: dict[str, Any], where: dict[str, Any]) -> tuple[list[str] | None, list[Finding]]:
    """review.decide: the stage is one of the workflow's; the workflow's stage ids, in order."""
    stages = [s["id"] for s in doc["workflow"]["stages"]]
    if item.body["stage"] not in stages:
        return None, [finding("REF-STAGE", item, f"stage {item.body['stage']!r} is not in the workflow ({', '.join(stages)})",
                              field="stage", **where)]
    return stages, []


WRITE_TIME = (in_workflow,)


FRAMES = (FrameRule("REF-STAGE", "stages", lambda d: ~d["project_known"] | d["position"].notna(),
                    subject_columns("seq", "project", actual=column("stage"))),)

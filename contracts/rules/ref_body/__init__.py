"""REF-BODY (fatal): the approving body must be one of the policy's approving bodies.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-BODY",
            FATAL,
            "the approving body must be one of the policy's approving bodies",
            zh="审批机构须为政策规定的审批机构之一",
            offending="a resolution by a body that is not an approving body of the project's policy version in force",
            kinds=("approval.resolve",),
            table="resolutions")


def approving(item: Any, doc: dict[str, Any], project: dict[str, Any],
              where: dict[str, Any]) -> tuple[list[str] | None, list[Finding]]:
    """approval.resolve: the body is one of the policy's approving bodies; the bodies, in order."""
    bodies = doc["workflow"]["approvals"]
    if item.body["body"] not in bodies:
        return None, [finding("REF-BODY", item, f"{item.body['body']} is not an approving body of {project['policy']} "
                              f"({', '.join(bodies)})", field="body", **where)]
    return bodies, []


WRITE_TIME = (approving,)


FRAMES = (FrameRule("REF-BODY", "resolutions", lambda d: ~d["project_known"] | d["body_known"],
                    subject_columns("seq", "project", actual=column("body"))),)

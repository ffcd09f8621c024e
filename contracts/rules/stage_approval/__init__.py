"""STAGE-APPROVAL (fatal): approval only after every required review stage, by the approving bodies in order.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("STAGE-APPROVAL",
            FATAL,
            "approval only after every required review stage, by the approving bodies in order",
            zh="各必经评审环节完成后方可审批，审批机构须按顺序审议",
            offending="a project in approval without a decision on every required review stage of its policy",
            kinds=("approval.resolve",),
            table="projects")


def listed_once(item: Any, project: str, seen: set[str], field: str) -> list[Finding]:
    """A resolution lists a project once (``seen``: the projects listed before it)."""
    if project in seen:
        return [finding("STAGE-APPROVAL", item, f"project {project} is listed twice", field=field)]
    return []


def ready(item: Any, project: dict[str, Any], doc: dict[str, Any], bodies: list[str], field: str,
          where: dict[str, Any]) -> list[Finding]:
    """The project is under review or approval, every required stage is decided, and this body is the
    next approving body for it (``approvals`` counts the bodies that resolved on it)."""
    p = project
    missing = [s["id"] for s in doc["workflow"]["stages"] if s.get("required", True) and s["id"] not in p["stages"]]
    if p["status"] not in ("applied", "approving"):
        return [finding("STAGE-APPROVAL", item, f"project {p['project']} is {p['status']}", field=f"{field}.project",
                        **where)]
    if missing:
        return [finding("STAGE-APPROVAL", item, f"review stages not decided yet: {', '.join(missing)}",
                        field=f"{field}.project", **where)]
    if bodies.index(item.body["body"]) != p["approvals"]:
        upcoming = bodies[p["approvals"]] if p["approvals"] < len(bodies) else "none"
        return [finding("STAGE-APPROVAL", item, f"the approving bodies decide in order: {', '.join(bodies)}; "
                        f"next for this project is {upcoming}", field="body", **where)]
    return []


WRITE_TIME = (listed_once, ready)


FRAMES = (FrameRule("STAGE-APPROVAL", "awards", lambda d: ~((d["approvals"] > 0) & d["missing_stage"].notna()),
                    subject_columns("project", "fund", "year", expected=column("missing_stage"))),)

"""REF-PROJECT (fatal): the project must have been applied for.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-PROJECT",
            FATAL,
            "the project must have been applied for",
            zh="所涉项目须已申报",
            offending="a decision or a payment on a project that was never applied for",
            kinds=("review.decide", "approval.resolve", "notice.open", "notice.close", "disbursement.pay", "disbursement.return"),
            table="decisions")


def applied(state: Any, item: Any, project: str, field: str = "project") -> tuple[dict[str, Any] | None, list[Finding]]:
    """The project an entry names was applied for; its row."""
    p = state.project(project)
    if p is None:
        return None, [finding("REF-PROJECT", item, f"project {project} was never applied for", field=field)]
    return p, []


def of_fund_year(state: Any, item: Any, i: int, project: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    """notice.open: each project listed is one of the notice's fund-year."""
    b = item.body
    p = state.project(project)
    if p is None or p["fund"] != b["fund"] or p["year"] != b["year"]:
        return None, [finding("REF-PROJECT", item, f"project {project} is not a project of {b['fund']} {b['year']}",
                              field=f"projects[{i}]")]
    return p, []


def on_notice(state: Any, item: Any) -> list[Finding]:
    """notice.close: each objection is to a project on the notice."""
    b, out = item.body, []
    for i, o in enumerate(b.get("objections") or []):
        p = state.project(o["project"])
        if p is None or p["notice"] != b["notice"]:
            out.append(finding("REF-PROJECT", item, f"project {o['project']} is not on notice {b['notice']}",
                               field=f"objections[{i}]"))
    return out


WRITE_TIME = (applied, of_fund_year, on_notice)


FRAMES = (FrameRule("REF-PROJECT", "stages", lambda d: d["project_known"], subject_columns("seq", "project")),
          FrameRule("REF-PROJECT", "payments", lambda d: d["project_known"], subject_columns("seq", "project")))

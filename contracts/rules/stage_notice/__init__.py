"""STAGE-NOTICE (fatal): a public notice lists finally approved projects; disbursement only after it closed without an open objection.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("STAGE-NOTICE",
            FATAL,
            "a public notice lists finally approved projects; disbursement only after it closed without an open objection",
            zh="公示名单只列终审通过的项目；公示结束且无未决异议后方可拨付",
            offending="a payment before the project was finally approved, or before its public notice ended (or while an objection is open)",
            kinds=("notice.open", "disbursement.pay"),
            table="payments")


def approved(item: Any, i: int, project: dict[str, Any]) -> list[Finding]:
    """notice.open: each project listed is finally approved."""
    if project["status"] != "approved":
        pid = project["project"]
        return [finding("STAGE-NOTICE", item, f"project {pid} is not finally approved", field=f"projects[{i}]",
                        project=pid)]
    return []


def payable(state: Any, item: Any, project: dict[str, Any], where: dict[str, Any]) -> list[Finding]:
    """disbursement.pay: the project is finally approved, without an unresolved objection, and its
    notice closed on or before the payment's date."""
    p = project
    n = state.notice(p["notice"]) if p["notice"] else None
    if p["status"] == "objection":
        return [finding("STAGE-NOTICE", item, f"an objection to project {p['project']} is unresolved", field="project",
                        **where)]
    if p["status"] != "approved":
        return [finding("STAGE-NOTICE", item, f"project {p['project']} is not finally approved", field="project", **where)]
    if n is None or n["state"] == "open":
        return [finding("STAGE-NOTICE", item, "disbursement only after the public notice has closed", field="date",
                        actual="no notice" if n is None else f"notice {n['notice']} open until {n['end_date']}", **where)]
    if item.body["date"] < n["end_date"]:
        return [finding("STAGE-NOTICE", item, f"paid on {item.body['date']}, before the notice ended on {n['end_date']}",
                        field="date", expected=f">= {n['end_date']}", actual=item.body["date"], **where)]
    return []


WRITE_TIME = (approved, payable)


FRAMES = (FrameRule("STAGE-NOTICE", "payments",
                    lambda d: ~((d["kind"] == "pay") & d["project_known"] & ~d["status"].isin(["rejected", "withdrawn"])
                                & ((d["status"] != "approved") | d["end_date"].isna() | (d["state"] == "open")
                                   | na_false(d["date"] < d["end_date"]))),
                    subject_columns("seq", "project", expected=column("end_date"), actual=column("date"))),)

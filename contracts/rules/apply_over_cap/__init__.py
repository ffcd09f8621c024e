"""APPLY-OVER-CAP (warning): the requested amount is above what the clause allows; the award will have to fit.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.caps import clause_caps
from contracts.money import wan
from contracts.rules.base import WARNING, FrameRule, Rule, binding_cap, column, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("APPLY-OVER-CAP",
            WARNING,
            "the requested amount is above what the clause allows; the award will have to fit",
            zh="申报金额高于条款允许的上限；支持金额须控制在上限之内",
            offending="a request above its clause's absolute maximum or the policy's per-project maximum",
            kinds=("project.apply",),
            table="projects",
            unit="fen")


def check(item: Any, doc: dict[str, Any], clause: dict[str, Any], where: dict[str, Any]) -> list[Finding]:
    b = item.body
    cap = binding_cap(clause_caps(doc, clause, b.get("bases", {}), b.get("tags", [])))
    if cap is not None and b["requested_fen"] > cap:
        return [finding("APPLY-OVER-CAP", item, f"requested {wan(b['requested_fen'])}, the clause allows {wan(cap)}",
                        field="requested_fen", expected=f"<= {wan(cap)}", actual=wan(b["requested_fen"]),
                        difference=wan(b["requested_fen"] - cap), **where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("APPLY-OVER-CAP", "awards",
                    lambda d: ~na_false(d["requested_fen"] > d[["cap_absolute", "project_cap"]].min(axis=1, skipna=True)),
                    subject_columns("project", "fund", "year", "clause",
                                    expected=lambda d: d[["cap_absolute", "project_cap"]].min(axis=1),
                                    actual=column("requested_fen"))),)

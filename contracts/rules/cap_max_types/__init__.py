"""CAP-MAX-TYPES (fatal): an enterprise may hold at most N support types a year under the policy.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CAP-MAX-TYPES",
            FATAL,
            "an enterprise may hold at most N support types a year under the policy",
            zh="同一企业同一年度在该政策下获得的支持类型不得超过规定项数",
            offending="an enterprise holding more of a policy's support types in one year than the policy allows",
            kinds=("approval.resolve",),
            table="projects")


def check(item: Any, award: Award) -> list[Finding]:
    p, most = award.project, award.doc.get("max_types_per_entity_year")
    if not most:
        return []
    types = {a["clause"] for a in award.same_year if a["policy"] == p["policy"]} | {p["clause"]}
    if len(types) > most:
        return [finding("CAP-MAX-TYPES", item, f"{len(types)} support types in {p['year']}", field=award.field,
                        expected=f"<= {most}", actual=len(types), **award.where)]
    return []


WRITE_TIME = (check,)


# entity_years: the clauses an enterprise holds awards under in a year, counted
FRAMES = (FrameRule("CAP-MAX-TYPES", "entity_years", lambda d: ~(d["actual"] > d["expected"]),
                    subject_columns("enterprise", "year", "policy", expected=column("expected"), actual=column("actual"))),)

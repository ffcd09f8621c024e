"""CAP-ENTITY-YEAR (fatal): an enterprise's awards under a clause in a year may not exceed its yearly maximum.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.money import wan
from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CAP-ENTITY-YEAR",
            FATAL,
            "an enterprise's awards under a clause in a year may not exceed its yearly maximum",
            zh="同一企业同一条款同一年度获得的支持不得超过年度上限",
            offending="an enterprise's approved awards under one clause in one year above the clause's yearly maximum",
            kinds=("approval.resolve",),
            table="projects",
            unit="fen")


def check(item: Any, award: Award) -> list[Finding]:
    p, clause = award.project, award.clause
    if clause.get("per_entity_year_fen") is None:
        return []
    held = sum(a["approved_fen"] for a in award.same_year if a["policy"] == p["policy"] and a["clause"] == p["clause"])
    if held + award.amount > clause["per_entity_year_fen"]:
        return [finding("CAP-ENTITY-YEAR", item, f"the enterprise already holds {wan(held)} under clause {p['clause']} "
                        f"in {p['year']}", field=award.field, expected=f"<= {wan(clause['per_entity_year_fen'])}",
                        actual=wan(held + award.amount),
                        difference=wan(held + award.amount - clause["per_entity_year_fen"]), **award.where)]
    return []


WRITE_TIME = (check,)


# entity_clause_years: the awards of an enterprise under a clause in a year, summed
FRAMES = (FrameRule("CAP-ENTITY-YEAR", "entity_clause_years", lambda d: ~(d["actual"] > d["expected"]),
                    subject_columns("enterprise", "year", "policy", "clause", expected=column("expected"),
                                    actual=column("actual"))),)

"""DUP-SUPPORT-YEAR (fatal): where the policy says so, one award per enterprise per year across the district's funds.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, constant, finding, na_false, subject_columns
from ledger.findings import Finding

RULE = Rule("DUP-SUPPORT-YEAR",
            FATAL,
            "where the policy says so, one award per enterprise per year across the district's funds",
            zh="政策有规定的，同一企业每年在全区各项资金中只获一次支持",
            offending="an award under a policy of one award per enterprise per year, while the enterprise holds another that year",
            kinds=("approval.resolve",),
            table="projects")


def check(item: Any, award: Award) -> list[Finding]:
    """Checked only when DUP-SUPPORT found nothing (the same pair is not named twice)."""
    p = award.project
    if award.doc.get("one_award_per_entity_year") and award.same_year:
        first = award.same_year[0]
        return [finding("DUP-SUPPORT-YEAR", item, f"{p['enterprise']} already holds {first['project']} "
                        f"({first['fund']}) in {p['year']}; one award a year", field=award.field, **award.where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("DUP-SUPPORT-YEAR", "awards",
                    lambda d: ~(na_false(d["one_award"] == 1) & d["other_award"] & ~d["dup_content"]),
                    subject_columns("project", "enterprise", "fund", "year", expected=constant(1))),)

"""CAP-ONCE-IN-YEARS (fatal): an enterprise may receive a clause's support once in N years.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CAP-ONCE-IN-YEARS",
            FATAL,
            "an enterprise may receive a clause's support once in N years",
            zh="同一企业在规定年限内只能获得一次该条款支持",
            offending="an award under a clause the enterprise already held within its once-in-N-years span (the later award is named)",
            kinds=("approval.resolve",),
            table="projects")


def check(item: Any, award: Award) -> list[Finding]:
    p, n = award.project, award.clause.get("once_in_years")
    if not n:
        return []
    # an award of the same clause in the n years up to this one (year > this year - n)
    prior = [a for a in award.same_policy if a["clause"] == p["clause"] and a["year"] > p["year"] - n]
    if prior:
        return [finding("CAP-ONCE-IN-YEARS", item, f"clause {p['clause']} supported {prior[0]['project']} "
                        f"({prior[0]['year']}); once in {n} years", field=award.field, **award.where)]
    return []


WRITE_TIME = (check,)


FRAMES = (FrameRule("CAP-ONCE-IN-YEARS", "awards", lambda d: ~d["once_hit"],
                    subject_columns("project", "enterprise", "year", "clause", expected=column("once_in"))),)

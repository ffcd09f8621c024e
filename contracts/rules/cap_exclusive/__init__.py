"""CAP-EXCLUSIVE (fatal): an enterprise may hold only one clause of an exclusive group.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CAP-EXCLUSIVE",
            FATAL,
            "an enterprise may hold only one clause of an exclusive group",
            zh="互斥条款中，同一企业只能享受其中一项（从优不重复）",
            offending="an award under a clause of an exclusive group the enterprise already held another clause of (the later award is named)",
            kinds=("approval.resolve",),
            table="projects")


def check(item: Any, award: Award) -> list[Finding]:
    p, out = award.project, []
    for g in award.doc.get("exclusive_groups", []):
        if p["clause"] in g["clauses"]:
            years = g.get("years", 1)
            other = [a for a in award.same_policy if a["clause"] in g["clauses"] and a["clause"] != p["clause"]
                     and a["year"] > p["year"] - years]
            if other:
                out.append(finding("CAP-EXCLUSIVE", item, f"clauses {', '.join(g['clauses'])} are exclusive "
                                   f"({g.get('wording', 'only one')}); the enterprise holds clause {other[0]['clause']} "
                                   f"({other[0]['project']})", field=award.field, **award.where))
    return out


WRITE_TIME = (check,)


FRAMES = (FrameRule("CAP-EXCLUSIVE", "awards", lambda d: ~d["exclusive_hit"],
                    subject_columns("project", "enterprise", "year", "clause")),)

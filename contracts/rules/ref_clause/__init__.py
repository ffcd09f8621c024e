"""REF-CLAUSE (fatal): the clause must exist in the policy in force.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.catalogue import find_clause
from contracts.rules import award_caps
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("REF-CLAUSE",
            FATAL,
            "the clause must exist in the policy in force",
            zh="申报条款须见于当时有效的政策",
            offending="a project under a clause the policy version in force in its year does not have",
            kinds=("project.apply", "review.decide", "approval.resolve"),
            table="projects")


def in_policy(item: Any, doc: dict[str, Any], policy: str, version: int,
              where: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Finding]]:
    """project.apply: the clause is in the policy version in force."""
    clause = find_clause(doc, item.body["clause"])
    if clause is None:
        return None, [finding("REF-CLAUSE", item, f"clause {item.body['clause']} is not in {policy} v{version}",
                              field="clause", **where)]
    return clause, []


# review.decide and approval.resolve: contracts/rules/award_caps.py (a clause gone from the version in force)
WRITE_TIME = (in_policy, award_caps.check)


FRAMES = (FrameRule("REF-CLAUSE", "awards", lambda d: ~d["policy_known"] | d["clause_known"],
                    subject_columns("project", "fund", "year", "clause", actual=column("clause"))),)

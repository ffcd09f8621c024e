"""CAP-UPGRADE (fatal): an upgrade is paid as the difference over what lower tiers already paid.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.caps import clause_caps
from contracts.money import wan
from contracts.rules.award_history import Award
from contracts.rules.base import FATAL, FrameRule, Rule, binding_cap, column, finding, na_false, subject_columns, won
from ledger.findings import Finding

RULE = Rule("CAP-UPGRADE",
            FATAL,
            "an upgrade is paid as the difference over what lower tiers already paid",
            zh="晋级只支持差额：扣除较低档次已获支持",
            offending="an approved upgrade above its binding cap less what the enterprise's lower clauses of the upgrade group already received",
            kinds=("approval.resolve",),
            table="projects",
            unit="fen")


def check(state: Any, item: Any, award: Award) -> list[Finding]:
    """In an upgrade group (clauses from the lowest tier up), an award under a clause pays its cap less
    what the enterprise's lower clauses of the group were awarded, in any year up to this one."""
    p, out = award.project, []
    for g in award.doc.get("upgrade_groups", []):
        if p["clause"] in g["clauses"]:
            lower = g["clauses"][: g["clauses"].index(p["clause"])]
            paid = sum(a["approved_fen"] for a in state.awards(p["enterprise"], 2000, p["year"])
                       if a["policy"] == p["policy"] and a["clause"] in lower and a["project"] != p["project"])
            cap = binding_cap(clause_caps(award.doc, award.clause, p["bases"], p["tags"]))
            if paid and cap is not None and award.amount > cap - paid:
                out.append(finding("CAP-UPGRADE", item, f"an upgrade pays the difference: {wan(cap)} less {wan(paid)} "
                                   "already paid", field=award.field, expected=f"<= {wan(cap - paid)}",
                                   actual=wan(award.amount), difference=wan(award.amount - (cap - paid)), **award.where))
    return out


WRITE_TIME = (check,)


FRAMES = (FrameRule("CAP-UPGRADE", "awards",
                    lambda d: ~na_false(won(d) & (d["upgrade_paid"] > 0)
                                        & (d["approved_fen"] > d["binding"] - d["upgrade_paid"])),
                    subject_columns("project", expected=lambda d: d["binding"] - d["upgrade_paid"],
                                    actual=column("approved_fen"))),)

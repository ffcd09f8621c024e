"""An amount against every per-project cap of its clause: the write-time check of the cap rules.

The amount after a reducing decision, and each award of an approval, is held to every cap
``contracts.caps.clause_caps`` computes for the project's clause in the policy version in force:
an amount above a cap is a finding of the cap's rule (``CAP-ABSOLUTE``, ``CAP-RATIO``, ``CAP-TIER``,
``CAP-PER-UNIT``, ``CAP-REVENUE-SHARE``, ``CAP-PROJECT``, ``CAP-HALVE``); a cap whose base the
application did not give is ``CAP-BASE``; a clause no longer in the version in force, ``REF-CLAUSE``.
Each of those rule folders names this check as its write-time part, and takes its pandera check
from :func:`frames`: no approved award above the rule's cap column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.caps import clause_caps
from contracts.catalogue import find_clause
from contracts.money import wan
from contracts.rules.base import FrameRule, column, finding, na_false, subject_columns, won
from ledger.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check", "frames"]


def check(item: Any, amount: int, doc: dict[str, Any], project: dict[str, Any], field: str) -> list[Finding]:
    clause = find_clause(doc, project["clause"])
    if clause is None:
        return [finding("REF-CLAUSE", item, f"clause {project['clause']} is not in the policy in force",
                        field=field, project=project["project"])]
    out = []
    for cap in clause_caps(doc, clause, project["bases"], project["tags"]):
        where = dict(project=project["project"], clause=project["clause"], enterprise=project["enterprise"])
        if cap.fen is None:
            out.append(finding("CAP-BASE", item, f"clause {project['clause']} {cap.how}; the application gives none",
                               field="bases", **where))
        elif amount > cap.fen:
            out.append(finding(cap.rule, item, f"{wan(amount)} is above {cap.how}, {wan(cap.fen)}", field=field,
                               expected=f"<= {wan(cap.fen)}", actual=wan(amount), difference=wan(amount - cap.fen),
                               **where))
    return out


def frames(rule: str, cap: str, frame: str = "awards") -> tuple[FrameRule, ...]:
    """The pandera check of a cap rule: no approved award above the column ``cap`` of ``frame``
    (``awards``: a row per project; ``shaped_caps``: a row per project and cap shape, of which the
    rows of this rule's shape)."""
    def ok(d: pd.DataFrame) -> pd.Series:
        above = won(d) & (d["approved_fen"] > d[cap])
        if frame == "shaped_caps":
            above &= d["rule"] == rule
        return ~na_false(above)
    return (FrameRule(rule, frame, ok, subject_columns("project", "fund", "year", "clause", expected=column(cap),
                                                       actual=column("approved_fen"))),)

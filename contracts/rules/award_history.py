"""What the rules across awards read about one final award: the enterprise's other awards.

A final approval makes an award; the rules that look across an enterprise's awards
(``CAP-ENTITY-YEAR``, ``CAP-ONCE-IN-YEARS``, ``CAP-EXCLUSIVE``, ``CAP-MAX-TYPES``, ``DUP-SUPPORT``,
``DUP-SUPPORT-YEAR``; ``CAP-UPGRADE`` reads further back) each take the :class:`Award` built once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.catalogue import find_clause

__all__ = ["Award", "award"]


@dataclass(frozen=True, slots=True)
class Award:
    """One award being made, and the enterprise's other awards it is held against.

    Attributes:
      project, amount, doc, clause: the project's row, the amount awarded, the policy document in force
        and the project's clause in it (``{}`` if gone).
      field, where: the entry field and the finding subject the findings name.
      same_year: the enterprise's other awards of the project's year, under any policy and fund.
      same_policy: its other awards under the project's policy, within the look-back span.
    """

    project: dict[str, Any]
    amount: int
    doc: dict[str, Any]
    clause: dict[str, Any]
    field: str
    where: dict[str, Any]
    same_year: list[dict[str, Any]]
    same_policy: list[dict[str, Any]]


def award(state: Any, project: dict[str, Any], amount: int, doc: dict[str, Any], field: str,
          where: dict[str, Any]) -> Award:
    p = project
    clause = find_clause(doc, p["clause"]) or {}
    # how many years back (this one included) any of the rules looks: the clause's once-in-N-years,
    # and each exclusive group's years; one year at least
    span = max([clause.get("once_in_years", 1)] + [g.get("years", 1) for g in doc.get("exclusive_groups", [])] + [1])
    history = [a for a in state.awards(p["enterprise"], p["year"] - span + 1, p["year"]) if a["project"] != p["project"]]
    return Award(project=p, amount=amount, doc=doc, clause=clause, field=field, where=where,
                 same_year=[a for a in history if a["year"] == p["year"]],
                 same_policy=[a for a in history if a["policy"] == p["policy"]])

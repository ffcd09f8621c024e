"""The caps a clause puts on a project's award, computed from the project's bases: one definition
per engine, side by side, so that changing a formula is one edit in each file of this folder and
never a migration.

- ``__init__.py`` (this file): :func:`clause_caps`, what posting and replay check an award against,
  from the policy document in force on the decision's date.
- ``caps.sql``: the same caps as rows ``(project, rule, fen)``, over the projection tables, for the
  Great Expectations engine. It is not a view: ``checks/sqlrules.py`` puts it in front of every
  nightly rule that reads ``project_caps`` (as a common table expression), so the GX project's
  queries hold it and the nightly suite version covers it.
- ``frames.py``: the same rows computed in pandas with Python integers, for the pandera engine.

``tests/test_nightly.py`` plants an award above each shape's cap and requires both nightly engines
to name it; ``tests/test_rules.py`` proves each shape both ways at write time. The shapes are
documented with the catalogue format (``contracts/catalogue.py``, ``docs/catalogue.md``).

Rounding: a cap computed from a rate rounds down to the fen (``money.apply_rate``; integer division
in SQL and pandas on non-negative integers gives the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.money import apply_rate, parse_rate

__all__ = ["SHAPES", "Cap", "clause_caps"]

# each cap shape of the catalogue, and the rule an award above it breaks
SHAPES = {"absolute": "CAP-ABSOLUTE", "ratio": "CAP-RATIO", "tiers": "CAP-TIER", "per_unit": "CAP-PER-UNIT",
          "revenue_share": "CAP-REVENUE-SHARE"}


@dataclass(frozen=True, slots=True)
class Cap:
    """One ceiling on one project's award: the rule that sets it, the figure, how it was computed."""

    rule: str
    fen: int | None  # None: the cap cannot be computed (a base is missing)
    how: str


def clause_caps(doc: dict[str, Any], clause: dict[str, Any], bases: dict[str, int] | None,
                tags: list[str] | None) -> list[Cap]:
    """Every per-project ceiling the policy and the clause put on a project's award. ``bases`` and
    ``tags`` None: the application gave none (its field null, which the kind's schema reads as absent)."""
    bases, tags = bases or {}, tags or []
    caps: list[Cap] = []
    for cap in clause.get("caps", []):
        shape, rule = cap["shape"], SHAPES[cap["shape"]]
        if shape == "absolute":
            caps.append(Cap(rule, cap["max_fen"], "the clause's maximum"))
            continue
        base = bases.get(cap["base"])
        if base is None:
            caps.append(Cap(rule, None, f"needs bases.{cap['base']}"))
            continue
        if shape in ("ratio", "revenue_share"):
            fen = apply_rate(base, parse_rate(cap["rate"]))
            how = f"{cap['rate']} × {cap['base']} {base}"
            if base < cap.get("min_base_fen", 0):
                fen, how = 0, f"nothing: {cap['base']} {base} is below the minimum {cap['min_base_fen']}"
            elif cap.get("max_fen") is not None and cap["max_fen"] < fen:
                fen, how = cap["max_fen"], f"the maximum (below {how})"
            caps.append(Cap(rule, fen, how))
        elif shape == "tiers":
            reached = [t for t in cap["tiers"] if base >= t.get("min_fen", t.get("min", 0))]
            top = max(reached, key=lambda t: t.get("min_fen", t.get("min", 0)), default=None)
            if top is None:
                fen = 0
            else:
                fen = apply_rate(base, parse_rate(top["rate"])) if "rate" in top else top["award_fen"]
            if cap.get("max_fen") is not None:
                fen = min(fen, cap["max_fen"])
            caps.append(Cap(rule, fen, f"the tier for {cap['base']} {base}"))
        elif shape == "per_unit":
            fen = (base // cap["unit_fen"]) * cap["award_fen"]
            if cap.get("max_fen") is not None:
                fen = min(fen, cap["max_fen"])
            caps.append(Cap(rule, fen, f"{cap['award_fen']} fen per {cap['unit_fen']} of {cap['base']}"))
    if doc.get("project_cap_fen") is not None:
        caps.append(Cap("CAP-PROJECT", doc["project_cap_fen"], "the policy's per-project maximum"))
    if doc.get("halve_outside_key_industries") and not set(tags) & set(doc.get("key_industry_tags", [])):
        known = [c.fen for c in caps if c.fen is not None and c.rule in ("CAP-ABSOLUTE", "CAP-TIER", "CAP-RATIO", "CAP-PER-UNIT")]
        if known:
            caps.append(Cap("CAP-HALVE", min(known) // 2, "half the clause's standard: outside the key industries"))
    return caps

"""A policy document's terms as rows, for the nightly rules that run inside the database.

The write-time rules read a policy version's document (JSON); SQL cannot read JSON the same way
on SQLite and PostgreSQL, so each ``policy.publish`` also writes the terms the nightly rules need
into ``policy_terms`` (policy, version, term, subject, value): one row per fact.

================  ==================  =====================================================
term              subject             value
================  ==================  =====================================================
``clause``        clause id           none
``cap_absolute``  clause id           the clause's absolute maximum (fen)
``entity_year``   clause id           its per-enterprise yearly maximum (fen)
``once_in``       clause id           once in N years
``exclusive``     clause id           the index of its exclusive group (0, 1 …)
``excl_years``    group index         the years an exclusive group spans
``project_cap``   ``""``              the policy's per-project maximum (fen)
``max_types``     ``""``              clauses an enterprise may hold a year
``one_award``     ``""``              1: one award per enterprise per year across funds
``stage``         stage id            its position in the workflow (1 …)
``required``      stage id            1 if the stage is required
``panel_min``     stage id            the smallest expert panel
``panel_odd``     stage id            1 if the panel must be odd
``approval``      body                its position among the approving bodies (1 …)
``notice_days``   ``""``              the public notice's working days
``halve``         ``""``              1: half the standard outside the key industries
``key_tag``       tag                 none: a key industry's tag
``upgrade``       clause id           the index of its upgrade group
``upgrade_pos``   clause id           its position in that group (0 lowest)
================  ==================  =====================================================

The cap shapes computed from a project's bases go to ``policy_caps`` (one row per cap of a
clause: shape, base, rate as numerator and denominator, maximum, minimum base, unit, award) and
the tiers of a tiered cap to ``policy_tiers``: :func:`policy_caps`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["policy_caps", "policy_terms"]


def policy_terms(policy: str, version: int, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of ``policy_terms`` for one policy version (amounts already in fen)."""
    rows: list[tuple[str, str, int | None]] = []
    for clause in doc.get("clauses", []):
        cid = clause["id"]
        rows.append(("clause", cid, None))
        absolute = [c["max_fen"] for c in clause.get("caps", []) if c.get("shape") == "absolute"]
        if absolute:
            rows.append(("cap_absolute", cid, min(absolute)))
        if "per_entity_year_fen" in clause:
            rows.append(("entity_year", cid, clause["per_entity_year_fen"]))
        if "once_in_years" in clause:
            rows.append(("once_in", cid, clause["once_in_years"]))
    for i, group in enumerate(doc.get("exclusive_groups", [])):
        rows += [("exclusive", cid, i) for cid in group["clauses"]]
        rows.append(("excl_years", str(i), group.get("years", 1)))
    if "project_cap_fen" in doc:
        rows.append(("project_cap", "", doc["project_cap_fen"]))
    if "max_types_per_entity_year" in doc:
        rows.append(("max_types", "", doc["max_types_per_entity_year"]))
    if doc.get("one_award_per_entity_year"):
        rows.append(("one_award", "", 1))
    workflow = doc.get("workflow", {})
    for position, stage in enumerate(workflow.get("stages", []), 1):
        rows.append(("stage", stage["id"], position))
        rows.append(("required", stage["id"], 1 if stage.get("required", True) else 0))
        if stage.get("panel"):
            rows.append(("panel_min", stage["id"], stage["panel"]["min"]))
            rows.append(("panel_odd", stage["id"], 1 if stage["panel"].get("odd", True) else 0))
    for position, body in enumerate(workflow.get("approvals", []), 1):
        rows.append(("approval", body, position))
    if "notice_working_days" in workflow:
        rows.append(("notice_days", "", workflow["notice_working_days"]))
    if doc.get("halve_outside_key_industries"):
        rows.append(("halve", "", 1))
        rows += [("key_tag", tag, None) for tag in doc.get("key_industry_tags", [])]
    for i, group in enumerate(doc.get("upgrade_groups", [])):
        for position, cid in enumerate(group["clauses"]):
            rows += [("upgrade", cid, i), ("upgrade_pos", cid, position)]
    return [{"policy": policy, "version": version, "term": t, "subject": s, "value": v} for t, s, v in rows]


def _rate(text: str) -> tuple[int, int]:
    from contracts.money import parse_rate

    rate = parse_rate(text)
    return rate.numerator, rate.denominator


def policy_caps(policy: str, version: int, doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``policy_caps`` and ``policy_tiers`` for one policy version (amounts in fen)."""
    caps: list[dict[str, Any]] = []
    tiers: list[dict[str, Any]] = []
    for clause in doc.get("clauses", []):
        for idx, cap in enumerate(clause.get("caps", [])):
            if cap.get("shape") not in ("ratio", "revenue_share", "tiers", "per_unit"):
                continue
            num, den = _rate(cap["rate"]) if "rate" in cap else (None, None)
            caps.append({"policy": policy, "version": version, "clause": clause["id"], "idx": idx, "shape": cap["shape"],
                         "base": cap["base"], "rate_num": num, "rate_den": den, "max_fen": cap.get("max_fen"),
                         "min_base_fen": cap.get("min_base_fen"), "unit_fen": cap.get("unit_fen"),
                         "award_fen": cap.get("award_fen")})
            for k, tier in enumerate(cap.get("tiers", [])):
                tnum, tden = _rate(tier["rate"]) if "rate" in tier else (None, None)
                tiers.append({"policy": policy, "version": version, "clause": clause["id"], "idx": idx, "tier": k,
                              "min_value": tier.get("min_fen", tier.get("min", 0)), "award_fen": tier.get("award_fen"),
                              "rate_num": tnum, "rate_den": tden})
    return caps, tiers

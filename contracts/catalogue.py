"""The policy catalogue: a documented, validated data format for clauses, caps and workflows.

Catalogue files (``contracts/catalogue/*.json``) write amounts as ``*_wan`` decimal strings;
:func:`load_file` converts them to ``*_fen`` integers, and the document is posted as the body of a
``policy.publish`` entry (``policy``, ``version``, ``document``). Every decision is checked against
the version in force on its business date. ``docs/catalogue.md`` specifies the format.

Cap shapes (``clauses[].caps[]``), each evaluated on a project's bases (``project.apply.bases``):

==================  ==========================================================  ==================
shape               fields                                                      rule
==================  ==========================================================  ==================
``absolute``        ``max_fen``                                                 ``CAP-ABSOLUTE``
``ratio``           ``base``, ``rate`` (decimal string), ``max_fen``,           ``CAP-RATIO``
                    ``min_base_fen`` (both optional; below the minimum: 0)
``tiers``           ``base``, ``tiers``: ``[{min_fen|min, award_fen|rate}]``,   ``CAP-TIER``
                    ``max_fen`` (optional); the highest tier reached applies
``per_unit``        ``base``, ``unit_fen``, ``award_fen``, ``max_fen`` (opt.)   ``CAP-PER-UNIT``
``revenue_share``   ``base``, ``rate``                                          ``CAP-REVENUE-SHARE``
==================  ==========================================================  ==================

Clause-level: ``per_entity_year_fen`` (``CAP-ENTITY-YEAR``), ``once_in_years`` (``CAP-ONCE-IN-YEARS``).
Policy-level: ``project_cap_fen`` (``CAP-PROJECT``), ``halve_outside_key_industries`` with
``key_industry_tags`` (``CAP-HALVE``), ``max_types_per_entity_year`` (``CAP-MAX-TYPES``),
``exclusive_groups`` (``CAP-EXCLUSIVE``), ``upgrade_groups`` (``CAP-UPGRADE``: difference only),
``one_award_per_entity_year`` (``DUP-SUPPORT-YEAR``), and the ``workflow``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.caps import SHAPES
from contracts.money import MoneyError, parse_money, parse_rate

__all__ = ["CATALOGUE_DIR", "find_clause", "load_file", "validate_document"]

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"


def _to_fen(value: Any, problems: list[str], path: str) -> Any:
    """Convert every ``*_wan`` key of a catalogue file to ``*_fen``."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k.endswith("_wan"):
                try:
                    out[k[:-4] + "_fen"] = parse_money(v, "wan")
                except MoneyError as e:
                    problems.append(f"{path}{k}: {e}")
            else:
                out[k] = _to_fen(v, problems, f"{path}{k}.")
        return out
    if isinstance(value, list):
        return [_to_fen(v, problems, f"{path}[{i}].") for i, v in enumerate(value)]
    return value


def load_file(path: Path) -> dict[str, Any]:
    """A catalogue file as the body of a ``policy.publish`` entry; ValueError if it is invalid."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    document = _to_fen(raw.get("document", {}), problems, "document.")
    body = {"policy": raw.get("policy"), "version": raw.get("version"), "document": document}
    problems += [f"{f}: {m}" for f, m in validate_document(document)]
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return body


def _is_int(v: Any) -> bool:
    return type(v) is int


def validate_document(doc: Any) -> list[tuple[str, str]]:
    """Check a policy document's structure; return (field, message) problems."""
    p: list[tuple[str, str]] = []
    if not isinstance(doc, dict):
        return [("body.document", "expected an object")]
    d = "body.document"
    for key in ("title", "source", "effective_from"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            p.append((f"{d}.{key}", "required, a non-empty string"))
    if not isinstance(doc.get("funds"), list) or not all(isinstance(f, str) for f in doc.get("funds", [None])):
        p.append((f"{d}.funds", "required, the fund codes this policy governs"))
    for key in ("project_cap_fen", "max_types_per_entity_year"):
        if key in doc and (not _is_int(doc[key]) or doc[key] <= 0):
            p.append((f"{d}.{key}", "a positive integer"))
    if "key_industry_tags" in doc and not isinstance(doc["key_industry_tags"], list):
        p.append((f"{d}.key_industry_tags", "a list of tags"))
    elif doc.get("halve_outside_key_industries") and not doc.get("key_industry_tags"):
        p.append((f"{d}.key_industry_tags", "required when halve_outside_key_industries is set"))
    wf = doc.get("workflow")
    if not isinstance(wf, dict):
        p.append((f"{d}.workflow", "required: stages, approvals, notice_working_days"))
    else:
        stages = wf.get("stages")
        if not isinstance(stages, list) or not stages:
            p.append((f"{d}.workflow.stages", "a non-empty list of {id, name, required}"))
        else:
            ids = [s.get("id") for s in stages if isinstance(s, dict)]
            if len(ids) != len(stages) or not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
                p.append((f"{d}.workflow.stages", "every stage needs a unique string id"))
            for i, s in enumerate(stages):
                panel = s.get("panel") if isinstance(s, dict) else None
                if panel is not None and not (isinstance(panel, dict) and _is_int(panel.get("min"))):
                    p.append((f"{d}.workflow.stages[{i}].panel", "{min: int, odd: bool}"))
        if not isinstance(wf.get("approvals"), list) or not wf.get("approvals"):
            p.append((f"{d}.workflow.approvals", "the approving bodies, in order"))
        if not _is_int(wf.get("notice_working_days")) or wf["notice_working_days"] < 1:
            p.append((f"{d}.workflow.notice_working_days", "a positive integer"))
    clauses = doc.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        p.append((f"{d}.clauses", "a non-empty list"))
        return p
    ids = set()
    for i, c in enumerate(clauses):
        at = f"{d}.clauses[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("id"), str):
            p.append((at, "needs a string id"))
            continue
        if c["id"] in ids:
            p.append((f"{at}.id", f"clause {c['id']} appears twice"))
        ids.add(c["id"])
        for key in ("per_entity_year_fen", "once_in_years"):
            if key in c and (not _is_int(c[key]) or c[key] <= 0):
                p.append((f"{at}.{key}", "a positive integer"))
        caps = c.get("caps", [])
        if not isinstance(caps, list):
            p.append((f"{at}.caps", "a list of caps"))
            continue
        for j, cap in enumerate(caps):
            p += _validate_cap(cap, f"{at}.caps[{j}]")
    for key in ("exclusive_groups", "upgrade_groups"):
        groups = doc.get(key, [])
        if not isinstance(groups, list):
            p.append((f"{d}.{key}", "a list of {clauses: [clause ids]}"))
            continue
        for i, g in enumerate(groups):
            members = g.get("clauses") if isinstance(g, dict) else None
            if not isinstance(members, list) or len(members) < 2 or not all(isinstance(m, str) for m in members) \
                    or not set(members) <= ids:
                p.append((f"{d}.{key}[{i}].clauses", "two or more clause ids of this policy"))
    return p


def _validate_cap(cap: Any, at: str) -> list[tuple[str, str]]:
    if not isinstance(cap, dict) or not isinstance(cap.get("shape"), str) or cap["shape"] not in SHAPES:
        return [(f"{at}.shape", f"one of {', '.join(SHAPES)}")]
    shape, p = cap["shape"], []
    if shape != "absolute" and not isinstance(cap.get("base"), str):
        p.append((f"{at}.base", "the name of the application base it is computed from"))
    if shape in ("ratio", "revenue_share"):
        try:
            parse_rate(cap.get("rate"))
        except MoneyError as e:
            p.append((f"{at}.rate", str(e)))
    if shape == "absolute" and not _is_int(cap.get("max_fen")):
        p.append((f"{at}.max_wan", "required"))
    if shape == "tiers":
        tiers = cap.get("tiers")
        if not isinstance(tiers, list) or not tiers or not all(
                isinstance(t, dict) and (_is_int(t.get("award_fen")) or isinstance(t.get("rate"), str))
                and (_is_int(t.get("min_fen")) or _is_int(t.get("min"))) for t in tiers):
            p.append((f"{at}.tiers", "a list of {min_wan or min, award_wan or rate}"))
        for i, t in enumerate(tiers if isinstance(tiers, list) else []):
            if isinstance(t, dict) and "rate" in t:
                try:
                    parse_rate(t["rate"])
                except MoneyError as e:
                    p.append((f"{at}.tiers[{i}].rate", str(e)))
    if shape == "per_unit" and not (_is_int(cap.get("unit_fen")) and _is_int(cap.get("award_fen"))):
        p.append((f"{at}", "per_unit needs unit_wan and award_wan"))
    return p


def find_clause(doc: dict[str, Any], clause: str) -> dict[str, Any] | None:
    return next((c for c in doc["clauses"] if c["id"] == clause), None)

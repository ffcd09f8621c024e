"""The caps of ``caps.sql`` in pandas, for the pandera engine (``checks/frames.py``): the same rows,
(project, rule, fen), from the same projection tables, in Python integers (never float)."""

from __future__ import annotations

import pandas as pd

from contracts.caps import SHAPES

__all__ = ["as_int", "project_caps"]

Frames = dict[str, pd.DataFrame]


def as_int(value: object) -> int | None:
    return None if value is pd.NA or value is None else int(value)


def project_caps(f: Frames, projects: pd.DataFrame) -> pd.DataFrame:
    """Every per-project cap of the projects' clauses (the policy version in force in their year):
    (project, rule, fen), fen None where the base it needs is missing. The same caps as
    ``caps.sql``, computed here in Python integers. ``f`` holds the frames ``checks.frames.load_frames``
    reads (``policy_caps``, ``policy_tiers``, ``project_bases``, ``terms``)."""
    p = projects[["project", "policy", "version", "clause"]]
    shaped = p.merge(f["policy_caps"], on=["policy", "version", "clause"])
    bases = {(a, b): int(v) for a, b, v in zip(f["project_bases"]["project"], f["project_bases"]["base"],
                                                f["project_bases"]["value"])}
    tiers: dict[tuple, list[tuple[int, int, object, object, object]]] = {}
    for t in f["policy_tiers"].itertuples():
        tiers.setdefault((t.policy, int(t.version), t.clause, int(t.idx)), []).append(
            (int(t.min_value), int(t.tier), t.award_fen, t.rate_num, t.rate_den))
    rows: list[tuple[str, str, int | None]] = []
    for c in shaped.itertuples():
        base = bases.get((c.project, c.base))
        fen: int | None
        if base is None:
            fen = None
        elif c.shape in ("ratio", "revenue_share"):
            fen = 0 if base < (as_int(c.min_base_fen) or 0) else base * int(c.rate_num) // int(c.rate_den)
        elif c.shape == "per_unit":
            fen = (base // int(c.unit_fen)) * int(c.award_fen)
        else:
            reached = [t for t in tiers.get((c.policy, int(c.version), c.clause, int(c.idx)), []) if t[0] <= base]
            if reached:
                top = min(reached, key=lambda t: (-t[0], t[1]))  # the highest tier reached; the first of equals
                fen = as_int(top[2]) if as_int(top[4]) is None else base * int(top[3]) // int(top[4])
            else:
                fen = 0
        if fen is not None and as_int(c.max_fen) is not None:
            fen = min(fen, int(c.max_fen))
        rows.append((c.project, SHAPES[c.shape], fen))
    for name, rule, by_clause in (("cap_absolute", "CAP-ABSOLUTE", True), ("project_cap", "CAP-PROJECT", False)):
        t = f["terms"][f["terms"]["term"] == name]
        if by_clause:
            both = p.merge(t.rename(columns={"subject": "clause"}), on=["policy", "version", "clause"])
        else:
            both = p.merge(t[t["subject"] == ""], on=["policy", "version"])
        rows += [(a, rule, int(v)) for a, v in zip(both["project"], both["value"])]
    return pd.DataFrame(rows, columns=["project", "rule", "fen"]).astype({"fen": "Int64"})

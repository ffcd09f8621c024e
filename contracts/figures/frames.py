"""The figures of ``contracts/figures/__init__.py`` in pandas, for the pandera engine
(``checks/frames.py``; rules ``REPORT-RECONCILE``, ``REPORT-FIGURE`` and ``REPORT-CONFLICT``, whose
``nightly.sql`` files are the SQL engine's definitions): each reported figure beside the ledger's
own, from the same projection tables, in Python integers. One definition per engine, so a change to
a figure is one edit in each of the three.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["reported_figures"]

Frames = dict[str, pd.DataFrame]


_PLAIN = {"budget", "adjustments", "transfers_in", "transfers_out", "available", "applications", "projects", "awards",
          "fees", "arranged", "other", "spent", "balance", "execution_rate", "adjustment_rate", "max_award"}
_ONE = {"clause_projects", "clause_awards", "stage_passed", "stage_amount", "expense", "fee"}
_TWO_OR_THREE = {"outcome_count", "outcome_amount"}


def _sums(df: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, tuple[int, int, int]]:
    """(count, sum, max) of a column per key, as Python integers."""
    if df.empty:
        return {}
    g = df.groupby(keys)[value].agg(["count", "sum", "max"])
    return {(k if isinstance(k, tuple) else (k,)): (int(n), int(t), int(m))
            for k, n, t, m in zip(g.index, g["count"], g["sum"], g["max"])}


def _rate(part: int, whole: int) -> int | None:
    """part / whole in permyriad: |part / whole| rounded half up, signed like the quotient; None over nothing."""
    if whole == 0:
        return None
    return (20000 * abs(part) + abs(whole)) // (2 * abs(whole)) * (1 if (part < 0) == (whole < 0) else -1)


def reported_figures(f: Frames) -> pd.DataFrame:
    """Each reported figure beside the ledger's own (``expected``; NA where the ledger has no such
    figure: REPORT-FIGURE), summed over every fund it names, and its first conflicting statement."""
    r = f["reported"].copy()
    projects = f["projects"]
    won = projects[projects["status"] == "approved"]
    decided = f["decisions"].merge(projects[["project", "fund", "year"]], on="project")
    passed = decided[decided["outcome"] != "reject"]
    decided = decided.assign(cut=decided["amount_before_fen"] - decided["amount_after_fen"])
    spending = f["spending"]
    per = {  # per fund-year and qualifier: (count, sum, max)
        "applications": _sums(projects, ["fund", "year"], "approved_fen"),  # the count: every project applied for
        "awards": _sums(won, ["fund", "year"], "approved_fen"),
        "clause": _sums(won, ["fund", "year", "clause"], "approved_fen"),
        "stage": _sums(passed, ["fund", "year", "stage"], "amount_after_fen"),
        "outcome2": _sums(decided, ["fund", "year", "stage", "outcome"], "cut"),
        "outcome3": _sums(decided[decided["reason"].notna()], ["fund", "year", "stage", "outcome", "reason"], "cut"),
        "spent": _sums(spending, ["fund", "year", "kind", "name"], "amount_fen"),
    }
    opened = {(x.fund, int(x.year)): x for x in f["funds"].itertuples()}
    named = f["reported_funds"].sort_values(["seq", "idx"]).groupby("seq")["fund"].agg(list).to_dict()

    def value(row) -> int | None:
        metric, qualifier = row.metric, row.qualifier
        if metric is pd.NA or metric is None:
            return None
        parts = () if qualifier is pd.NA or qualifier is None else tuple(qualifier.split("/"))
        if not ((not parts and metric in _PLAIN) or (len(parts) == 1 and metric in _ONE)
                or (len(parts) in (2, 3) and metric in _TWO_OR_THREE)):
            return None
        codes = named.get(int(row.seq), [])
        year = int(row.year)
        if not codes or len(set(codes)) < len(codes) or any((c, year) not in opened for c in codes):
            return None
        funds = [opened[(c, year)] for c in codes]
        money = {k: sum(int(getattr(x, k)) for x in funds)
                 for k in ("budget_fen", "adjust_fen", "transfer_in_fen", "transfer_out_fen", "fees_fen", "other_fen")}

        def total(table: str, *key: str) -> tuple[int, int, int]:
            hits = [per[table].get((c, year, *key), (0, 0, 0)) for c in codes]
            return sum(h[0] for h in hits), sum(h[1] for h in hits), max(h[2] for h in hits)

        n, awards, top = total("awards")
        inflow = money["budget_fen"] + money["adjust_fen"] + money["transfer_in_fen"]
        fees, other, out = money["fees_fen"], money["other_fen"], money["transfer_out_fen"]
        plain = {"budget": money["budget_fen"], "adjustments": money["adjust_fen"], "transfers_in": money["transfer_in_fen"],
                 "transfers_out": out, "available": inflow - out, "applications": total("applications")[0],
                 "projects": n, "awards": awards, "fees": fees, "arranged": awards + fees, "other": other + out,
                 "spent": awards + fees + other, "balance": inflow - awards - fees - other - out, "max_award": top}
        if metric in plain:
            return plain[metric]
        if metric == "execution_rate":
            return _rate(awards + fees + other + out, inflow)
        if metric == "adjustment_rate":
            return _rate(money["adjust_fen"], money["budget_fen"])
        if metric in ("clause_projects", "clause_awards"):
            count, amount, _ = total("clause", *parts)
        elif metric in ("stage_passed", "stage_amount"):
            count, amount, _ = total("stage", *parts)
        elif metric in _TWO_OR_THREE:
            count, amount, _ = total(f"outcome{len(parts)}", *parts)
        else:  # expense, fee
            count, amount, _ = total("spent", metric, *parts)
        return count if metric in ("clause_projects", "stage_passed", "outcome_count") else amount

    ours = [value(row) for row in r.itertuples()]
    r["expected"] = pd.array(ours, dtype="Int64")
    r["figure_ok"] = [v is not None for v in ours]
    r["actual"] = r["value"]
    # REPORT-CONFLICT: an earlier statement of the same figure beyond both tolerances
    earlier = r.merge(r, on="figure", suffixes=("", "_q"))
    earlier = earlier[(earlier["seq_q"] < earlier["seq"])
                      & ((earlier["value_q"] - earlier["value"]).abs()
                         > earlier[["tolerance", "tolerance_q"]].max(axis=1))].sort_values("seq_q")
    first = earlier.groupby("seq")["value_q"].first()
    r["conflict_with"] = r["seq"].map(first).astype("Int64")
    return r

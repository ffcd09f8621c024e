"""The performance scores of ``contracts/performance/__init__.py`` in pandas, for the pandera engine
(``checks/frames.py``; rule ``PERF-SCORE``, whose ``nightly.sql`` is the SQL engine's definition):
the same scores from the same projection tables, rounded half up in integer arithmetic as the
write-time code rounds them. One definition per engine, so a change to a score's rule is one edit
in each of the three.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["performance_scores"]

Frames = dict[str, pd.DataFrame]


def _cents_half_up(num: int, den: int) -> int:
    return (2 * num + den) // (2 * den)


def performance_scores(f: Frames, budgets: pd.DataFrame) -> pd.DataFrame:
    """Each performance table's scores as the ledger's figures give them beside the stated ones
    (PERF-SCORE): a row per indicator, and a row per table for its total (``indicator`` empty)."""
    b = budgets.set_index(["fund", "year"])
    won = f["projects"][f["projects"]["status"] == "approved"].groupby(["fund", "year"])["approved_fen"].agg(["count", "max"])
    rows: list[dict[str, object]] = []
    totals: dict[tuple, list] = {}
    for x in f["indicators"].itertuples():
        key = (x.fund, x.year)
        if x.measure == "projects":
            a = int(won.loc[key, "count"]) if key in won.index else 0
        elif x.measure == "max_award":
            a = int(won.loc[key, "max"]) if key in won.index else 0
        elif x.measure == "execution_rate" and key in b.index and int(b.loc[key, "expected"]):
            a = _cents_half_up(10000 * int(b.loc[key, "actual"]), int(b.loc[key, "expected"]))
        else:
            a = 0
        stated = None if x.stated_e4 is pd.NA else int(x.stated_e4)
        t, w = (None if x.target_value is pd.NA else int(x.target_value)), int(x.weight)
        if x.measure == "stated" or x.score_rule not in ("ratio", "at_most", "at_least"):
            score = stated or 0
        elif x.score_rule == "ratio":
            score = w * 10000 if not t else 100 * _cents_half_up(100 * w * min(a, t), t)
        elif x.score_rule == "at_most":
            score = w * 10000 if a <= t else 0
        else:
            score = w * 10000 if a >= t else 100 * _cents_half_up(100 * w * a, t)
        total = totals.setdefault((int(x.seq), x.fund, int(x.year)), [0, None])
        total[0] += score
        if x.total_stated_e4 is not pd.NA:  # the same on every row of a table; the largest, as the SQL takes it
            total[1] = max(total[1] or 0, int(x.total_stated_e4))
        rows.append({"seq": int(x.seq), "fund": x.fund, "year": int(x.year), "indicator": int(x.idx),
                     "expected": score, "actual": stated})
    for (seq, fund, year), (score, stated) in totals.items():
        rows.append({"seq": seq, "fund": fund, "year": year, "indicator": None, "expected": score, "actual": stated})
    return pd.DataFrame(rows, columns=["seq", "fund", "year", "indicator", "expected", "actual"]).astype(
        {"seq": "Int64", "year": "Int64", "indicator": "Int64", "expected": "Int64", "actual": "Int64"})

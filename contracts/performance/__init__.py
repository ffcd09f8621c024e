"""The performance evaluation table (绩效评价): targets, actuals, weights and scores.

A ``performance.indicators`` entry records the table an evaluation uses. Each indicator names its
``measure``: ``projects`` (projects awarded), ``max_award`` (the largest award, fen) and
``execution_rate`` (permyriad) are computed from the ledger; ``stated`` takes the evaluation's own
``actual`` (a quality, a satisfaction survey). Scores follow ``score_rule``:

* ``ratio``: weight × min(actual / target_value, 1)   (2024: 15 × 97/100 = 14.55)
* ``at_most``: the full weight if actual ≤ target_value, else 0
* ``at_least``: the full weight if actual ≥ target_value, else weight × actual / target_value
* ``stated``: the evaluation's ``stated_score``

Scores are exact fractions shown to the cent of a point (``ROUND_HALF_UP``).

One definition per engine: this module (write time, the report), ``frames.py`` beside it (the
pandera engine) and the nightly query of ``contracts/rules/perf_score/`` (the SQL engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection

from contracts.figures import FundYear
from contracts.money import wan

__all__ = ["Indicator", "ScoreTable", "indicator_rows", "score_table"]

_CENT = Decimal("0.01")


def _points(value: Fraction) -> Decimal:
    points = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return points.quantize(Decimal(1)) if points == points.to_integral_value() else points  # 10, not 10.00


@dataclass(frozen=True, slots=True)
class Indicator:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: int
    score: Decimal
    stated_score: Decimal | None
    source: str  # "ledger" or "stated"


@dataclass(frozen=True, slots=True)
class ScoreTable:
    fund: str
    year: int
    seed: str
    rows: tuple[Indicator, ...]
    total: Decimal
    total_stated: Decimal | None
    weights: int


def _actual(fy: FundYear, measure: str) -> tuple[int, str]:
    value = fy.value(measure) or 0
    if measure == "projects":
        return value, f"{value}家"
    if measure == "max_award":
        return value, wan(value)
    return value, f"{_points(Fraction(value, 100))}%"


def _ten_thousandths(text: str | None) -> int | None:
    """A stated score in ten-thousandths of a point (``"14.55"`` → 145500), for the nightly SQL."""
    if not text:
        return None
    return int((Decimal(text) * 10000).to_integral_value(rounding=ROUND_HALF_UP))


def indicator_rows(seq: int, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``indicators`` projection of a ``performance.indicators`` entry: one row per indicator."""
    total = _ten_thousandths(body.get("total_stated"))
    return [{"seq": seq, "idx": i, "fund": body["fund"], "year": body["year"], "measure": x["measure"],
             "target_value": x.get("target_value"), "weight": x["weight"], "score_rule": x["score_rule"],
             "stated_e4": _ten_thousandths(x.get("stated_score")), "total_stated_e4": total} for i, x in enumerate(body["indicators"])]


def score_table(conn: Connection, body: dict[str, Any]) -> ScoreTable:
    fy = FundYear(conn, body["fund"], body["year"])
    rows = []
    for x in body["indicators"]:
        weight = Fraction(x["weight"])
        stated = Decimal(x["stated_score"]) if x.get("stated_score") else None
        if x["measure"] == "stated":
            actual_text, score, source = x["actual"], stated or Decimal(0), "stated"
        else:
            actual, actual_text = _actual(fy, x["measure"])
            target = x["target_value"]
            rule = x["score_rule"]
            if rule == "ratio":
                s = weight * min(Fraction(actual, target), Fraction(1)) if target else weight
            elif rule == "at_most":
                s = weight if actual <= target else Fraction(0)
            elif rule == "at_least":
                s = weight if actual >= target else weight * Fraction(actual, target)
            else:
                s = Fraction(stated or 0)
            score, source = _points(s), "ledger"
        rows.append(Indicator(level1=x.get("level1", ""), level2=x.get("level2", ""), name=x["name"],
                              target=x.get("target", ""), actual=actual_text, weight=x["weight"], score=score,
                              stated_score=stated, source=source))
    total = sum((r.score for r in rows), Decimal(0))
    stated_total = Decimal(body["total_stated"]) if body.get("total_stated") else None
    return ScoreTable(fund=body["fund"], year=body["year"], seed=body["seed"], rows=tuple(rows), total=total,
                      total_stated=stated_total, weights=sum(r.weight for r in rows))

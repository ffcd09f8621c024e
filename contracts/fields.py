"""The fields of the contracts' entry bodies: each field's JSON type, whether it is required, and
the checks on its value (one sentence each, the text a finding gives when it fails). The kinds'
declarations (``contracts/kinds.py``) are made of these; ``contracts/schemas.py`` turns them into
pandera schemas at the edge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["AT_LEAST_ONE", "FIRST_YEAR", "LAST_YEAR", "NONNEG", "OBJECTION_OUTCOMES", "OUTCOMES", "POS", "TEXT", "YEAR", "Field", "describe", "is_awards", "is_bases",
           "is_dates", "is_indicator", "is_objections", "is_scores", "is_str_list", "problem"]

OUTCOMES = ("pass", "reject", "reduce", "halve", "downgrade")
OBJECTION_OUTCOMES = ("dismissed", "upheld", "pending")
_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Field:
    """One body field: its JSON type, whether it is required, and value checks."""

    type: str  # str, int, money, date, code, list, dict
    required: bool = True
    checks: tuple[tuple[str, Callable[[Any], bool]], ...] = ()


def _nonblank(v: Any) -> bool:
    return bool(v.strip())


def _positive(v: int) -> bool:
    return v > 0


def _nonnegative(v: int) -> bool:
    return v >= 0


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a fund-year may have (the command line's --year too)


def _year(v: int) -> bool:
    return FIRST_YEAR <= v <= LAST_YEAR


def is_str_list(v: Any) -> bool:
    return all(isinstance(x, str) and x.strip() for x in v)


def is_awards(v: Any) -> bool:
    return bool(v) and all(isinstance(x, dict) and set(x) == {"project", "amount_fen"} and isinstance(x["project"], str)
                           and type(x["amount_fen"]) is int and x["amount_fen"] >= 0 for x in v)


def is_objections(v: Any) -> bool:
    return all(isinstance(x, dict) and isinstance(x.get("project"), str) and x.get("outcome") in OBJECTION_OUTCOMES
               and set(x) <= {"project", "outcome", "note"} for x in v)


def is_bases(v: Any) -> bool:
    return all(isinstance(k, str) and type(x) is int and x >= 0 for k, x in v.items())


def is_scores(v: Any) -> bool:
    return all(type(x) is int and 0 <= x <= 100 for x in v)


MEASURES = ("projects", "max_award", "execution_rate", "stated")
RULES_OF_SCORE = ("ratio", "at_most", "at_least", "stated")


def is_indicator(x: Any) -> bool:
    """One row of a performance table (docs: README, performance.indicators)."""
    if not isinstance(x, dict) or not isinstance(x.get("name"), str) or type(x.get("weight")) is not int:
        return False
    if x.get("measure") not in MEASURES or x.get("score_rule") not in RULES_OF_SCORE:
        return False
    if x["measure"] == "stated" and not isinstance(x.get("actual"), str):
        return False
    if x["measure"] != "stated" and type(x.get("target_value")) is not int:
        return False
    return all(isinstance(x.get(k, ""), str) for k in ("level1", "level2", "target", "actual", "stated_score")) \
        and (not x.get("stated_score") or is_score(x["stated_score"]))


def is_score(v: Any) -> bool:
    """A score as a performance table states it: a finite decimal number as text (``"14.55"``)."""
    if not isinstance(v, str):
        return False
    try:
        return Decimal(v).is_finite()
    except InvalidOperation:
        return False


def is_dates(v: Any) -> bool:
    return all(isinstance(x, str) and bool(_DATE.match(x)) and _valid_date(x) for x in v) and len(set(v)) == len(v)


POS = (("> 0", _positive),)
AT_LEAST_ONE = (("≥ 1", _positive),)
NONNEG = ((">= 0", _nonnegative),)
TEXT = (("not blank", _nonblank),)
YEAR = (("a year 2000-2100", _year),)

TYPE_TEST: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "str": ("a string", lambda v: isinstance(v, str)),
    "code": ("a code: lowercase letters, digits, . _ -", lambda v: isinstance(v, str) and bool(_CODE.match(v))),
    "int": ("an integer", lambda v: type(v) is int),
    "money": ("an integer of fen", lambda v: type(v) is int),
    "date": ("a date YYYY-MM-DD", lambda v: isinstance(v, str) and bool(_DATE.match(v)) and _valid_date(v)),
    "list": ("an array", lambda v: isinstance(v, list)),
    "dict": ("an object", lambda v: isinstance(v, dict)),
}


def problem(f: Field, value: Any) -> str | None:
    """What is wrong with a field's value, or None."""
    label, test = TYPE_TEST[f.type]
    if not test(value):
        return f"expected {label}"
    for text, fn in f.checks:
        if not fn(value):
            return text
    return None


def describe(f: Field) -> str:
    label, _ = TYPE_TEST[f.type]
    return "; ".join([label, *(text for text, _ in f.checks)])


def _valid_date(v: str) -> bool:
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True



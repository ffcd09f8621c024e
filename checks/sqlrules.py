"""The nightly rules as SQL, ``nightly.sql`` in each rule's folder (``contracts/rules/<rule>/``), and
the findings they give.

A rule's ``nightly.sql`` is one query over the projection tables; what it needs to know of the rule
is in the folder's ``RULE``: its severity, the findings' message (``offending``: what an offending
row is), the projection table GX validates (``table``; the query reads it as ``{batch}``) and how
expected and actual are shown (``unit``: ``fen``, ``points`` or nothing).

A query returns one row per offending subject: the subject's columns (any of ``SUBJECT``), then
``expected`` and ``actual``; with a ``metric`` column, expected and actual are shown as that figure.
No values are ever formatted into a query: the only placeholder is GX's ``{batch}``, and the
facts a rule compares with (caps, stages, terms) are joined from the projections. A query that
reads ``project_caps`` gets the caps of ``contracts/caps/caps.sql`` put in front of it as a common
table expression (:func:`with_caps`): the query a rule runs, in GX and here, holds the formula itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from contracts.figures import show
from contracts.money import wan
from contracts.rules import FOLDERS, RULES_DIR
from contracts.rules.base import Rule
from ledger.findings import Finding

__all__ = ["CAPS_SQL", "SUBJECT", "TABLES", "SqlRule", "finding_from_row", "findings_from_rows", "sql_rules",
           "with_caps"]

CAPS_SQL = Path(__file__).resolve().parent.parent / "contracts" / "caps" / "caps.sql"
TABLES = ("projects", "decisions", "payments", "resolutions", "funds", "notices", "enterprises", "policies", "reversals",
          "reported", "indicators", "entry_refs", "calendars", "calendar_days")
SUBJECT = ("seq", "project", "enterprise", "fund", "year", "clause", "policy", "version", "notice", "figure", "indicator",
           "day")
_INTS = ("seq", "year", "version", "indicator")


@dataclass(frozen=True, slots=True)
class SqlRule:
    """One rule file.

    Attributes:
      rule: the rule id (a key of ``contracts.rules.RULES``).
      severity: from the registry.
      table: the projection table GX takes as the batch.
      unit: ``"fen"`` if expected and actual are amounts, else ``""``.
      what: what an offending row is, in one sentence (the registry's ``Rule.offending``).
      sql: the query as it runs, with ``{batch}`` for the table (and the caps in front, if it reads them).
      name: the rule's folder (``sum_budget``).
    """

    rule: str
    severity: str
    table: str
    unit: str
    what: str
    sql: str
    name: str


def _load(rule: Rule, path: Path) -> SqlRule:
    if rule.table not in TABLES:
        raise ValueError(f"{rule.id}: table {rule.table!r} is not one of {', '.join(TABLES)}")
    sql = path.read_text(encoding="utf-8").strip()
    if "{batch}" not in sql:
        raise ValueError(f"{path}: the query must read its table as {{batch}}")
    return SqlRule(rule=rule.id, severity=rule.severity, table=rule.table, unit=rule.unit, what=rule.offending,
                   sql=with_caps(sql), name=path.parent.name)


def with_caps(sql: str) -> str:
    """``sql`` with ``project_caps`` defined in front of it (``contracts/caps/caps.sql``), if it reads it."""
    if not re.search(r"\bproject_caps\b", sql):
        return sql
    caps = "\n".join(line for line in CAPS_SQL.read_text(encoding="utf-8").splitlines() if not line.startswith("--"))
    cte = "project_caps AS (  -- contracts/caps/caps.sql\n" + caps.strip() + "\n)"
    if re.match(r"WITH\s", sql, re.IGNORECASE):
        return f"WITH {cte}, {sql[5:].lstrip()}"
    return f"WITH {cte}\n{sql}"


@cache
def sql_rules() -> tuple[SqlRule, ...]:
    """Every rule's nightly query, read on first use, in the registry's order."""
    return tuple(_load(folder.RULE, RULES_DIR / folder_name / "nightly.sql")
                 for folder_name, folder in ((f.__name__.rsplit(".", 1)[1], f) for f in FOLDERS.values())
                 if (RULES_DIR / folder_name / "nightly.sql").is_file())


def _display(value: Any, unit: str, metric: str | None) -> str | None:
    """A nightly row's expected or actual value as findings show it: as its figure (``metric``), as an
    amount (``fen``: 万元), as a score (``points``), or as it is."""
    if value is None:
        return None
    if metric:
        return show(metric, int(value))
    if unit == "fen":
        return wan(int(value))
    if unit == "points":  # ten-thousandths of a point: 145500 -> 14.55
        return format((Decimal(int(value)) / 10000).normalize(), "f")
    return str(value)


def _integral(value: Any) -> Any:
    """PostgreSQL's sum() of bigints is numeric (a Decimal): an integral one is an int again."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def finding_from_row(rule: SqlRule, row: Mapping[str, Any]) -> Finding:
    """The finding for one offending row (from either engine: the same columns, the same finding)."""
    subject = tuple((k, int(row[k]) if k in _INTS else str(row[k])) for k in SUBJECT
                    if k in row and row[k] is not None and row[k] == row[k])  # NaN != NaN: a missing value
    metric = row.get("metric")
    expected, actual = (_integral(row.get(k)) for k in ("expected", "actual"))
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (expected, actual))
    return Finding(rule=rule.rule, severity=rule.severity, message=rule.what, subject=subject,
                   expected=_display(expected, rule.unit, metric), actual=_display(actual, rule.unit, metric),
                   difference=_display(actual - expected, rule.unit, metric) if numbers else None)


def findings_from_rows(rule: SqlRule, rows: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """One finding per subject (a rule may return a subject twice, e.g. a figure conflicting with two reports)."""
    seen: dict[tuple, Finding] = {}
    for row in rows:
        f = finding_from_row(rule, row)
        seen.setdefault(f.subject, f)
    return list(seen.values())

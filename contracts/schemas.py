"""The bodies of the fund lifecycle kinds, validated at the edge by pandera.

A posting's entries of one kind form one frame (a row per entry, a column per scalar field) and
are validated with ``lazy=True``; every failure case becomes a finding (rule ``INPUT-BODY``, exit 2)
naming the entry's line and idem and the field. Columns hold Python values (``object`` dtype): an
amount is an ``int`` of fen in the frame too, never a float.

Amounts: a field documented as ``X_fen`` may be given as ``X_wan`` (decimal string of 万元),
``X_yuan`` (decimal string of yuan) or ``X_fen`` (integer); exactly one of them. The stored body
always holds ``X_fen``. Dates are business dates, ``YYYY-MM-DD``. The README documents each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Callable, Sequence

from contracts.money import MoneyError, parse_money
from ledger.errors import InputError
from ledger.findings import FATAL, Finding, subject

__all__ = ["KIND_FIELDS", "OUTCOMES", "prepare"]

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


def _year(v: int) -> bool:
    return 2000 <= v <= 2100


def _str_list(v: Any) -> bool:
    return all(isinstance(x, str) and x.strip() for x in v)


def _awards(v: Any) -> bool:
    return bool(v) and all(isinstance(x, dict) and set(x) == {"project", "amount_fen"} and isinstance(x["project"], str)
                           and type(x["amount_fen"]) is int and x["amount_fen"] >= 0 for x in v)


def _objections(v: Any) -> bool:
    return all(isinstance(x, dict) and isinstance(x.get("project"), str) and x.get("outcome") in OBJECTION_OUTCOMES
               and set(x) <= {"project", "outcome", "note"} for x in v)


def _bases(v: Any) -> bool:
    return all(isinstance(k, str) and type(x) is int and x >= 0 for k, x in v.items())


def _scores(v: Any) -> bool:
    return all(type(x) is int and 0 <= x <= 100 for x in v)


MEASURES = ("projects", "max_award", "execution_rate", "stated")
RULES_OF_SCORE = ("ratio", "at_most", "at_least", "stated")


def _indicator(x: Any) -> bool:
    """One row of a performance table (docs: README, performance.indicators)."""
    if not isinstance(x, dict) or not isinstance(x.get("name"), str) or type(x.get("weight")) is not int:
        return False
    if x.get("measure") not in MEASURES or x.get("score_rule") not in RULES_OF_SCORE:
        return False
    if x["measure"] == "stated" and not isinstance(x.get("actual"), str):
        return False
    if x["measure"] != "stated" and type(x.get("target_value")) is not int:
        return False
    return all(isinstance(x.get(k, ""), str) for k in ("level1", "level2", "target", "actual", "stated_score"))


def _dates(v: Any) -> bool:
    return all(isinstance(x, str) and bool(_DATE.match(x)) and _valid_date(x) for x in v) and len(set(v)) == len(v)


POS = (("> 0", _positive),)
NONNEG = ((">= 0", _nonnegative),)
TEXT = (("not blank", _nonblank),)
YEAR = (("a year 2000-2100", _year),)

KIND_FIELDS: dict[str, dict[str, Field]] = {
    "fund.open": {"fund": Field("code"), "year": Field("int", checks=YEAR), "name": Field("str", checks=TEXT),
                  "office": Field("str", checks=TEXT), "budget_fen": Field("money", checks=NONNEG),
                  "policies": Field("list", False, (("policy ids", _str_list),))},
    "budget.adjust": {"fund": Field("code"), "year": Field("int", checks=YEAR),
                      "delta_fen": Field("money", checks=(("not zero", lambda v: v != 0),)),
                      "reason": Field("str", checks=TEXT), "document": Field("str", checks=TEXT)},
    "budget.transfer": {"fund": Field("code"), "year": Field("int", checks=YEAR), "to": Field("str", checks=TEXT),
                        "to_year": Field("int", False, YEAR), "amount_fen": Field("money", checks=POS),
                        "reason": Field("str", checks=TEXT), "document": Field("str", False, TEXT)},
    "policy.publish": {"policy": Field("code"), "version": Field("int", checks=(("≥ 1", lambda v: v >= 1),)),
                       "document": Field("dict")},
    "project.apply": {"project": Field("str", checks=TEXT), "enterprise": Field("str"), "enterprise_name": Field("str", checks=TEXT),
                      "fund": Field("code"), "year": Field("int", checks=YEAR), "clause": Field("str", checks=TEXT),
                      "requested_fen": Field("money", checks=NONNEG), "policy": Field("code", False),
                      "content": Field("str", False, TEXT), "bases": Field("dict", False, (("base name -> integer ≥ 0", _bases),)),
                      "tags": Field("list", False, (("strings", _str_list),)), "date": Field("date", False)},
    "review.decide": {"project": Field("str", checks=TEXT), "stage": Field("str", checks=TEXT),
                      "outcome": Field("str", checks=((" | ".join(OUTCOMES), lambda v: v in OUTCOMES),)),
                      "reason": Field("str", False, TEXT), "amount_after_fen": Field("money", False, NONNEG),
                      "date": Field("date"), "panel_size": Field("int", False, (("≥ 1", _positive),)),
                      "scores": Field("list", False, (("integers 0-100", _scores),))},
    "approval.resolve": {"body": Field("str", checks=TEXT), "meeting": Field("str", checks=TEXT),
                         "resolution": Field("str", checks=TEXT), "date": Field("date"),
                         "awards": Field("list", checks=(("[{project, amount_fen}], not empty", _awards),))},
    "notice.open": {"notice": Field("str", checks=TEXT), "fund": Field("code"), "year": Field("int", checks=YEAR),
                    "projects": Field("list", checks=(("project ids, not empty", lambda v: bool(v) and _str_list(v)),)),
                    "start": Field("date"), "working_days": Field("int", checks=POS)},
    "notice.close": {"notice": Field("str", checks=TEXT), "date": Field("date"),
                     "objections": Field("list", False, (("[{project, outcome, note?}]", _objections),))},
    "disbursement.pay": {"project": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date"),
                         "voucher": Field("str", checks=TEXT)},
    "disbursement.return": {"project": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date"),
                            "voucher": Field("str", checks=TEXT)},
    "fee.pay": {"fund": Field("code"), "year": Field("int", checks=YEAR), "payee": Field("str", checks=TEXT),
                "service": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date", False),
                "document": Field("str", False, TEXT)},
    "expense.other": {"fund": Field("code"), "year": Field("int", checks=YEAR), "item": Field("str", checks=TEXT),
                      "amount_fen": Field("money", checks=POS), "date": Field("date", False), "document": Field("str", False, TEXT)},
    "correction.reverse": {"seq": Field("int", checks=NONNEG), "reason": Field("str", checks=TEXT)},
    "report.state": {"seed": Field("str", checks=TEXT), "wording": Field("str", checks=TEXT), "figure": Field("str", checks=TEXT),
                     "value_fen": Field("money", False), "count": Field("int", False, NONNEG), "permyriad": Field("int", False, NONNEG),
                     "tolerance_fen": Field("money", False, NONNEG), "tolerance": Field("int", False, NONNEG)},
    "calendar.publish": {"year": Field("int", checks=YEAR), "version": Field("int", checks=(("≥ 1", lambda v: v >= 1),)),
                         "holidays": Field("list", checks=(("dates YYYY-MM-DD, each once", _dates),)),
                         "workdays": Field("list", checks=(("dates YYYY-MM-DD, each once", _dates),)),
                         "document": Field("str", checks=TEXT)},
    "performance.indicators": {"fund": Field("code"), "year": Field("int", checks=YEAR), "seed": Field("str", checks=TEXT),
                               "indicators": Field("list", checks=(("[{name, weight, measure, …}], not empty", lambda v: bool(v) and all(_indicator(x) for x in v)),)),
                               "total_stated": Field("str", False, TEXT)},
}

_TYPE_TEST: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "str": ("a string", lambda v: isinstance(v, str)),
    "code": ("a code: lowercase letters, digits, . _ -", lambda v: isinstance(v, str) and bool(_CODE.match(v))),
    "int": ("an integer", lambda v: type(v) is int),
    "money": ("an integer of fen", lambda v: type(v) is int),
    "date": ("a date YYYY-MM-DD", lambda v: isinstance(v, str) and bool(_DATE.match(v)) and _valid_date(v)),
    "list": ("an array", lambda v: isinstance(v, list)),
    "dict": ("an object", lambda v: isinstance(v, dict)),
}


def _problem(f: Field, value: Any) -> str | None:
    """What is wrong with a field's value, or None."""
    label, test = _TYPE_TEST[f.type]
    if not test(value):
        return f"expected {label}"
    for text, fn in f.checks:
        if not fn(value):
            return text
    return None


def _describe(f: Field) -> str:
    label, _ = _TYPE_TEST[f.type]
    return "; ".join([label, *(text for text, _ in f.checks)])


def _valid_date(v: str) -> bool:
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


_SCHEMAS: dict[str, Any] = {}


def _schema(kind: str) -> Any:
    """The pandera schema of a kind (built once; pandera is imported only when money is posted)."""
    if kind not in _SCHEMAS:
        import pandera.pandas as pa

        columns = {}
        for name, f in KIND_FIELDS[kind].items():
            # one element-wise check per column (pandera's per-check cost dominates a posting of
            # hundreds of rows); the failed part is named afterwards, for the failing cells only
            check = pa.Check(lambda v, f=f: _problem(f, v) is None, element_wise=True, error=_describe(f), ignore_na=True)
            columns[name] = pa.Column(object, checks=[check], nullable=not f.required, required=True)
        _SCHEMAS[kind] = pa.DataFrameSchema(columns, strict=True, name=kind)
    return _SCHEMAS[kind]


def _convert_money(body: dict[str, Any], path: str, problems: list[tuple[str, str]]) -> dict[str, Any]:
    """``X_wan`` / ``X_yuan`` → ``X_fen``, recursively (awards inside approvals too)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        base, _, unit = key.rpartition("_")
        if base and unit in ("wan", "yuan"):
            target = f"{base}_fen"
            if target in body or target in out:
                problems.append((f"{path}{key}", f"give one of {base}_wan, {base}_yuan, {base}_fen"))
                continue
            try:
                out[target] = parse_money(value, unit)
            except MoneyError as e:
                problems.append((f"{path}{key}", str(e)))
            continue
        if isinstance(value, dict) and key != "document":
            value = _convert_money(value, f"{path}{key}.", problems)
        elif isinstance(value, list):
            value = [_convert_money(v, f"{path}{key}[{i}].", problems) if isinstance(v, dict) else v
                     for i, v in enumerate(value)]
        out[key] = value
    return out


def prepare(items: Sequence[Any]) -> list[Any]:
    """Convert amounts to fen and validate every money kind's rows with its pandera schema.

    Returns the items with their stored bodies; raises InputError (exit 2) with every finding.
    """
    import pandas as pd
    import pandera.pandas as pa

    findings: list[Finding] = []
    out = list(items)
    by_kind: dict[str, list[int]] = {}
    refused: set[tuple[int, str]] = set()  # (position, X_fen) whose X_wan / X_yuan was refused
    for i, item in enumerate(items):
        if item.kind not in KIND_FIELDS:
            continue
        problems: list[tuple[str, str]] = []
        body = _convert_money(item.body, "body.", problems)
        for field, message in problems:
            findings.append(Finding(rule="INPUT-MONEY", severity=FATAL, field=field, message=message,
                                    subject=subject(line=item.line, idem=item.idem)))
            refused.add((i, field.rpartition("_")[0].removeprefix("body.") + "_fen"))
        out[i] = replace(item, body=body)
        by_kind.setdefault(item.kind, []).append(i)
    for kind, positions in by_kind.items():
        fields = KIND_FIELDS[kind]
        rows = []
        for i in positions:
            body = out[i].body
            for extra in sorted(set(body) - set(fields)):
                findings.append(Finding(rule="INPUT-BODY", severity=FATAL, field=f"body.{extra}",
                                        message=f"unknown field for {kind}",
                                        subject=subject(line=out[i].line, idem=out[i].idem)))
            rows.append({name: body.get(name) for name in fields})
        if kind == "policy.publish":  # the catalogue format, validated as such
            from contracts.catalogue import validate_document

            for i in positions:
                for field, message in validate_document(out[i].body.get("document")):
                    findings.append(Finding(rule="INPUT-BODY", severity=FATAL, field=field, message=message,
                                            subject=subject(line=out[i].line, idem=out[i].idem)))
        frame = pd.DataFrame(rows, columns=list(fields), dtype=object)
        try:
            _schema(kind).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as e:
            findings.extend(f for f in _failure_findings(e.failure_cases, positions, out, fields)
                            if (positions[_row_of(f, out, positions)], f.field.removeprefix("body.")) not in refused)
    if findings:
        raise InputError(f"{len(findings)} problem{'s' if len(findings) > 1 else ''} in the bodies; nothing was appended",
                         tuple(findings))
    return out


def _row_of(f: Finding, items: list[Any], positions: list[int]) -> int:
    idem = dict(f.subject).get("idem")
    return next(r for r, i in enumerate(positions) if items[i].idem == idem)


def _failure_findings(cases: Any, positions: list[int], items: list[Any], fields: dict[str, Field]) -> list[Finding]:
    """One finding per (row, field): the first failed check says what is wrong."""
    seen: set[tuple[int, str]] = set()
    out = []
    for case in cases.itertuples(index=False):
        column, row = case.column, case.index
        if row is None or column is None or (row, column) in seen:
            continue
        seen.add((row, column))
        item = items[positions[int(row)]]
        required = fields[column].required if column in fields else False
        missing = item.body.get(column) is None
        if missing and required:
            message = "missing required field"
        else:
            message = _problem(fields[column], item.body.get(column)) or str(case.check)
        out.append(Finding(rule="INPUT-BODY", severity=FATAL, field=f"body.{column}", message=message,
                           actual=None if missing else repr(case.failure_case)[:80],
                           subject=subject(line=item.line, idem=item.idem)))
    return sorted(out, key=lambda f: (dict(f.subject).get("line") or 0, f.field))

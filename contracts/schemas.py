"""The bodies of the fund lifecycle kinds, validated at the edge by pandera.

A kind's contract is its pandera schema (:func:`_schema`), built from the kind's fields
(``contracts/kinds.py``): one column per field, ``object`` dtype (an amount is an ``int`` of fen in
the frame too, never a float), nullable where the field is optional, and one element-wise check,
the field's :func:`contracts.fields.problem`. A posting's entries of one kind form one frame (a
row per entry); a frame with a problem is validated with ``lazy=True`` and every failure case
becomes a finding (rule ``INPUT-BODY``, exit 2) naming the entry's line and idem and the field.

Which frames pandera is given: each row is first put through exactly what the schema checks (every
field present or, if optional, None; :func:`problem` of every value), in plain Python, and only the
frames where that finds something go to pandera, which names the failures. A clean posting, nearly
every posting, costs no frame and no pandas import (it was a third of a posting's contracts
time). ``tests/test_contracts.py`` proves the two decide alike, value by value, with hypothesis.

Amounts: a field documented as ``X_fen`` may be given as ``X_wan`` (decimal string of 万元),
``X_yuan`` (decimal string of yuan) or ``X_fen`` (integer); exactly one of them. The stored body
always holds ``X_fen``. Dates are business dates, ``YYYY-MM-DD``. Each kind's fields are its
declaration's (``contracts/kinds.py``); the README documents each kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from contracts.fields import TYPE_TEST, Field, describe, problem
from contracts.kinds import KINDS
from contracts.money import MoneyError, parse_money
from ledger.errors import InputError
from ledger.findings import FATAL, Finding, subject

__all__ = ["prepare"]


@cache
def _schema(kind: str) -> Any:
    """The pandera schema of a kind (built once; pandera is imported only when money is posted)."""
    import pandera.pandas as pa

    columns = {}
    for name, f in KINDS[kind].fields.items():
        # one element-wise check per column (pandera's per-check cost dominates a posting of
        # hundreds of rows); the failed part is named afterwards, for the failing cells only
        check = pa.Check(lambda v, f=f: problem(f, v) is None, element_wise=True, error=describe(f), ignore_na=True)
        columns[name] = pa.Column(object, checks=[check], nullable=not f.required, required=True)
    return pa.DataFrameSchema(columns, strict=True, name=kind)


_UNITS = ("_wan", "_yuan")


def _has_units(body: dict[str, Any]) -> bool:
    """Whether :func:`_convert_money` has anything to convert (a body already in its stored form,
    as every replayed one is, has not)."""
    for key, value in body.items():
        if key.endswith(_UNITS) and key not in _UNITS:  # X_wan, X_yuan: what _convert_money converts
            return True
        if isinstance(value, dict) and key != "document":
            if _has_units(value):
                return True
        elif isinstance(value, list) and any(isinstance(v, dict) and _has_units(v) for v in value):
            return True
    return False


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
    findings: list[Finding] = []
    out = list(items)
    by_kind: dict[str, list[int]] = {}
    refused: set[tuple[int, str]] = set()  # (position, X_fen) whose X_wan / X_yuan was refused
    for i, item in enumerate(items):
        if item.kind not in KINDS:
            continue
        if _has_units(item.body):
            problems: list[tuple[str, str]] = []
            body = _convert_money(item.body, "body.", problems)
            for field, message in problems:
                findings.append(Finding(rule="INPUT-MONEY", severity=FATAL, field=field, message=message,
                                        subject=subject(line=item.line, idem=item.idem)))
                refused.add((i, field.rpartition("_")[0].removeprefix("body.") + "_fen"))
            out[i] = replace(item, body=body)
        by_kind.setdefault(item.kind, []).append(i)
    for kind, positions in by_kind.items():
        fields = KINDS[kind].fields
        for i in positions:
            body = out[i].body
            if not body.keys() <= fields.keys():
                for extra in sorted(set(body) - set(fields)):
                    findings.append(Finding(rule="INPUT-BODY", severity=FATAL, field=f"body.{extra}",
                                            message=f"unknown field for {kind}",
                                            subject=subject(line=out[i].line, idem=out[i].idem)))
        if kind == "policy.publish":  # the catalogue format, validated as such
            from contracts.catalogue import validate_document

            for i in positions:
                for field, message in validate_document(out[i].body.get("document")):
                    findings.append(Finding(rule="INPUT-BODY", severity=FATAL, field=field, message=message,
                                            subject=subject(line=out[i].line, idem=out[i].idem)))
        if all(_clean(kind, out[i].body) for i in positions):
            continue
        import pandas as pd
        import pandera.pandas as pa

        rows = [{name: out[i].body.get(name) for name in fields} for i in positions]
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


def _clean(kind: str, body: dict[str, Any]) -> bool:
    """What the kind's schema accepts of the body's row, decided without a frame: a value that is
    None or absent (pandera's "na" in an object column: JSON gives no NaN) only where the field is
    optional; any other value with no :func:`problem` (its type test, then its checks)."""
    for name, required, test, checks in _plan(kind):
        value = body.get(name)
        if value is None:
            if required:
                return False
        elif not test(value):
            return False
        else:
            for check in checks:
                if not check(value):
                    return False
    return True


@cache
def _plan(kind: str) -> tuple[tuple[str, bool, Any, tuple[Any, ...]], ...]:
    """Each field of the kind as (name, required, its type's test, its checks): :func:`problem`
    with the look-ups done once."""
    return tuple((name, f.required, TYPE_TEST[f.type][1], tuple(fn for _, fn in f.checks))
                 for name, f in KINDS[kind].fields.items())


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
            message = problem(fields[column], item.body.get(column)) or str(case.check)
        out.append(Finding(rule="INPUT-BODY", severity=FATAL, field=f"body.{column}", message=message,
                           actual=None if missing else repr(case.failure_case)[:80],
                           subject=subject(line=item.line, idem=item.idem)))
    return sorted(out, key=lambda f: (dict(f.subject).get("line") or 0, f.field))

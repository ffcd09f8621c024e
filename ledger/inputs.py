"""Reading a posting from JSON Lines: every problem becomes a finding naming the line and field.

One line is one entry: ``{"kind": "...", "idem": "...", "body": {...}}``; blank lines are skipped.
Nothing is appended unless every line is good: the parser collects all problems and raises
:class:`InputError` (exit 2) with them.

Rule ids (all fatal): ``INPUT-EMPTY`` (no entries), ``INPUT-JSON`` (not one strict JSON object:
syntax, duplicate keys, non-integer numbers), ``INPUT-ENTRY`` (the line's own keys),
``INPUT-KIND`` (unknown or not postable), ``INPUT-IDEM`` (malformed idem), ``INPUT-IDEM-DUP``
(the same idem twice in one posting), ``INPUT-DOMAIN`` (a value outside the canonical domain:
floats, integers beyond ±(2^53-1), non-ASCII keys, lone surrogates), ``INPUT-BODY`` (the kind's
body shape).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from ledger.canonical import DomainError, check_domain, parse_json
from ledger.errors import InputError
from ledger.findings import FATAL, Finding, subject
from ledger.kinds import Kind
from ledger.store import Item

__all__ = ["MAX_IDEM", "checked_items", "parse_lines", "parse_posting_line", "validate_item"]

MAX_IDEM = 200
_ENTRY_KEYS = {"kind", "idem", "body"}


def _input_finding(rule: str, line: int | None, field: str, message: str, idem: str | None = None) -> Finding:
    return Finding(rule=rule, severity=FATAL, field=field, subject=subject(line=line, idem=idem), message=message)


def validate_item(obj: Any, line: int | None, kinds: Mapping[str, Kind]) -> tuple[Item | None, list[Finding]]:
    """Check one parsed line against the ledger's ``kinds``; return the item (or None) and its findings."""
    if not isinstance(obj, dict):
        return None, [_input_finding("INPUT-ENTRY", line, "", "a line must be a JSON object {kind, idem, body}")]
    problems: list[Finding] = []
    if obj.keys() != _ENTRY_KEYS:
        for missing in sorted(_ENTRY_KEYS - obj.keys()):
            problems.append(_input_finding("INPUT-ENTRY", line, missing, "missing required field"))
        for extra in sorted(obj.keys() - _ENTRY_KEYS):
            problems.append(_input_finding("INPUT-ENTRY", line, str(extra), "unknown field (a line has kind, idem and body)"))
    kind, idem, body = obj.get("kind"), obj.get("idem"), obj.get("body")
    idem_s = idem if isinstance(idem, str) else None
    if "kind" in obj:
        if not isinstance(kind, str):
            problems.append(_input_finding("INPUT-ENTRY", line, "kind", "expected a string", idem_s))
        elif kind not in kinds:
            problems.append(_input_finding("INPUT-KIND", line, "kind", f"unknown kind {kind!r}; known: {', '.join(sorted(kinds))}", idem_s))
        elif not kinds[kind].postable:
            problems.append(_input_finding("INPUT-KIND", line, "kind", f"{kind} is written by the ledger itself, not posted", idem_s))
    if "idem" in obj:
        if not isinstance(idem, str):
            problems.append(_input_finding("INPUT-IDEM", line, "idem", "expected a string"))
        elif not 0 < len(idem) <= MAX_IDEM:
            problems.append(_input_finding("INPUT-IDEM", line, "idem", f"must have 1 to {MAX_IDEM} characters", idem))
        elif not idem.isprintable() or idem != idem.strip():
            problems.append(_input_finding("INPUT-IDEM", line, "idem", "must be printable, without leading or trailing spaces", idem))
        else:
            try:
                idem.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(_input_finding("INPUT-IDEM", line, "idem", "contains a lone surrogate"))
    if "body" in obj:
        if not isinstance(body, dict):
            problems.append(_input_finding("INPUT-ENTRY", line, "body", "expected an object", idem_s))
        else:
            try:
                check_domain(body, "body")
            except DomainError as e:
                problems.append(_input_finding("INPUT-DOMAIN", line, e.path, e.reason, idem_s))
    if problems:
        return None, problems
    for field, message in kinds[kind].validate(body):
        problems.append(_input_finding("INPUT-BODY", line, field, message, idem))
    if problems:
        return None, problems
    return Item(kind=kind, idem=idem, body=body, line=line, edge=True), []


def _collect(entries: Iterable[tuple[int, str, Any]], kinds: Mapping[str, Kind]) -> tuple[list[Item], list[Finding]]:
    """Check parsed entries, each ``(line, place, object)``: ``place`` is ``""`` for a line of its
    own, ``"[i]"`` for the i-th entry of a line's array (it prefixes the findings' fields). The
    idems of one posting must differ."""
    items: list[Item] = []
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for line, place, obj in entries:
        item, problems = validate_item(obj, line, kinds)
        findings += [p if not place else Finding(rule=p.rule, severity=p.severity, message=p.message, subject=p.subject,
                                                 field=f"{place}.{p.field}" if p.field else place) for p in problems]
        if item is None:
            continue
        if item.idem in seen:
            findings.append(_input_finding("INPUT-IDEM-DUP", line, f"{place}.idem" if place else "idem",
                               f"idem {item.idem!r} already used {seen[item.idem]}", item.idem))
            continue
        seen[item.idem] = f"at {place} of this posting" if place else \
            f"on line {line} of this posting" if line is not None else "in this posting"
        items.append(item)
    return items, findings


def checked_items(items: Sequence[Item], kinds: Mapping[str, Kind]) -> list[Item]:
    """The items of one posting built in code, through the same edge as a posting's lines (what
    ``Ledger.post`` does with any item the edge did not make); :class:`InputError` (exit 2) with
    every problem, each naming the item's idem and the field."""
    items, findings = _collect(((it.line, "", {"kind": it.kind, "idem": it.idem, "body": it.body}) for it in items),
                               kinds)
    if findings:
        n, first = len(findings), findings[0]
        raise InputError(f"the posting has {n} problem{'s' if n > 1 else ''} (the first: {first.rule} "
                         f"idem={dict(first.subject).get('idem')!r} {first.field}: {first.message}); nothing was appended",
                         tuple(findings))
    return items


def parse_lines(lines: Iterable[bytes | str], source: str, *, kinds: Mapping[str, Kind]) -> list[Item]:
    """Parse a whole posting, one entry a line; raise :class:`InputError` with every finding if any line is bad."""
    findings: list[Finding] = []
    entries: list[tuple[int, str, Any]] = []
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                findings.append(_input_finding("INPUT-JSON", number, "", f"not UTF-8 (byte {e.start})"))
                continue
        if not raw.strip():
            continue
        try:
            entries.append((number, "", parse_json(raw)))
        except ValueError as e:
            findings.append(_input_finding("INPUT-JSON", number, "", f"not a strict JSON object: {e}"))
    items, problems = _collect(entries, kinds)
    findings = sorted(findings + problems, key=lambda f: dict(f.subject).get("line") or 0)  # in line order
    if not items and not findings:
        findings.append(_input_finding("INPUT-EMPTY", None, "", f"{source} holds no entries; a posting needs at least one"))
    if findings:
        n = len(findings)
        raise InputError(f"{source}: {n} problem{'s' if n > 1 else ''}; nothing was appended", tuple(findings))
    return items


def parse_posting_line(raw: bytes, line: int, *, kinds: Mapping[str, Kind]) -> list[Item]:
    """One line of ``post --stream``: a JSON object is a one-entry posting, a JSON array of objects a
    posting of those entries. :class:`InputError` (exit 2) naming the line, the entry and the field."""
    try:
        obj = parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"line {line}: not UTF-8", (_input_finding("INPUT-JSON", line, "", f"not UTF-8 (byte {e.start})"),)) from None
    except ValueError as e:
        raise InputError(f"line {line}: not strict JSON", (_input_finding("INPUT-JSON", line, "", f"not strict JSON: {e}"),)) from None
    if isinstance(obj, list):
        items, findings = _collect(((line, f"[{i}]", entry) for i, entry in enumerate(obj)), kinds)
        if not obj:
            findings.append(_input_finding("INPUT-EMPTY", line, "", "an empty array: a posting needs at least one entry"))
    else:
        items, findings = _collect([(line, "", obj)], kinds)
    if findings:
        n = len(findings)
        raise InputError(f"line {line}: {n} problem{'s' if n > 1 else ''}; nothing was appended", tuple(findings))
    return items

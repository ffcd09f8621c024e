"""Canonical bytes (RFC 8785, within our domain). The entry hash is the suite's (``ledger/suites.py``).

The domain, enforced at the edge by :func:`check_domain`:
  * objects with ASCII string keys (so that RFC 8785's UTF-16 key order is plain byte order),
  * strings that are valid Unicode scalar sequences (no lone surrogates),
  * integers with ``-(2**53) < n < 2**53`` (RFC 8785 numbers are IEEE doubles), booleans, null,
  * arrays; no floats (so no NaN or infinities either), nesting at most ``MAX_DEPTH`` deep.

Within it, RFC 8785 is exactly compact JSON with sorted keys and raw UTF-8, which ``orjson`` with
``OPT_SORT_KEYS`` produces about 15 times faster than ``json.dumps``. ``tests/test_canonical.py``
proves the equality against the ``rfc8785`` package with hypothesis, and pins exact bytes.

Input text is parsed with the standard library so that duplicate object keys and non-integer
numbers are refused rather than silently resolved (``orjson`` keeps the last duplicate key).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = [
    "MAX_DEPTH",
    "MAX_INT",
    "DomainError",
    "NonInteger",
    "canonical",
    "check_domain",
    "parse_json",
]

MAX_INT = 2**53 - 1
MAX_DEPTH = 32
SORT_KEYS = orjson.OPT_SORT_KEYS  # canonical(v) is orjson.dumps(v, option=SORT_KEYS), which hot loops call directly


class NonInteger(str):
    """A JSON number that is not an integer (or NaN/Infinity), kept as its source text by
    :func:`parse_json` so that :func:`check_domain` can name the field it stands in."""


class DomainError(ValueError):
    """A value outside the canonical domain. ``path`` names where (``body.refs[2]``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


def canonical(value: Any) -> bytes:
    """RFC 8785 bytes of a value already inside the domain (see :func:`check_domain`)."""
    return orjson.dumps(value, option=SORT_KEYS)


def check_domain(value: Any, path: str = "", depth: int = 0) -> None:
    """Raise :class:`DomainError` naming the first place where ``value`` leaves the domain."""
    if not _in_domain(value, depth):
        _check_domain(value, path, depth)


def _in_domain(value: Any, depth: int) -> bool:
    """True only where :func:`_check_domain` would pass, decided without building a single path
    (False where in doubt: :func:`_check_domain` then decides, naming the place)."""
    t = type(value)
    if t is str:
        return value.isascii() or _encodes(value)
    if t is int:
        return -MAX_INT <= value <= MAX_INT
    if value is None or t is bool:
        return True
    if depth >= MAX_DEPTH or (t is not dict and t is not list):
        return False
    for k, item in value.items() if t is dict else enumerate(value):
        if t is dict and (type(k) is not str or not k.isascii()):
            return False
        ti = type(item)
        if ti is str:
            if not (item.isascii() or _encodes(item)):
                return False
        elif ti is int:
            if not -MAX_INT <= item <= MAX_INT:
                return False
        elif item is not None and ti is not bool and not _in_domain(item, depth + 1):
            return False
    return True


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_domain(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise DomainError(path, f"nested deeper than {MAX_DEPTH} levels")
    if value is None or value is True or value is False:
        return
    t = type(value)
    if t is str:
        if not _encodes(value):
            raise DomainError(path, "string contains a lone surrogate (not valid Unicode)")
        return
    if t is int:
        if not -MAX_INT <= value <= MAX_INT:
            raise DomainError(path, "integer outside ±(2^53-1); amounts are integer fen and must fit")
        return
    if t is float or t is NonInteger:
        raise DomainError(path, f"number {value} is not an integer: floats are not accepted; "
                                "give amounts as decimal strings or integer fen")
    if t is list:
        for i, item in enumerate(value):
            _check_domain(item, f"{path}[{i}]", depth + 1)
        return
    if t is dict:
        for k, item in value.items():
            if type(k) is not str:
                raise DomainError(path, f"object key {k!r} is not a string")
            if not k.isascii():
                raise DomainError(path, f"object key {k!r} is not ASCII")
            _check_domain(item, f"{path}.{k}" if path else k, depth + 1)
        return
    raise DomainError(path, f"value of type {t.__name__} is not JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise ValueError(f"duplicate object key {k!r}")
            seen.add(k)
    return d


def parse_json(text: str | bytes) -> Any:
    """Parse one JSON text strictly. Duplicate object keys raise ``ValueError`` (with the column
    for syntax errors); non-integer numbers and NaN/Infinity come back as :class:`NonInteger`,
    which :func:`check_domain` then refuses, naming the field."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return _DECODER.decode(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys, parse_float=NonInteger, parse_constant=NonInteger)

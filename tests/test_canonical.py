"""Canonical bytes and entry hashes: pinned vectors, the RFC 8785 equivalence, the domain's edge."""

from __future__ import annotations

import hashlib

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.canonical import MAX_DEPTH, MAX_INT, DomainError, NonInteger, canonical, check_domain, parse_json
from ledger.suites import ED25519_SHA256

# (value, exact canonical bytes, leaf hash SHA-256(0x00 || bytes)); also in docs/format.md.
VECTORS = [
    (  # keys sorted at every level; true/false/null; no spaces
        {"b": 2, "a": 1, "c": {"z": None, "y": [True, False]}},
        b'{"a":1,"b":2,"c":{"y":[true,false],"z":null}}',
        "7c637ad738e3bd60d538e4d6d72eef4ff357e235749aaec29bd5ce26d978fb63",
    ),
    (  # Chinese text is raw UTF-8, never \\u-escaped
        {"text": "朝阳园产业资金21014.5万元"},
        '{"text":"朝阳园产业资金21014.5万元"}'.encode(),
        "683e4d5852cc06f34469a496a0e9e9ca7c99b0f79dacef027eef6039c3873f5a",
    ),
    (  # the integer limits; control characters \\u00XX lowercase; DEL, U+2028 and emoji raw
        {"n": MAX_INT, "m": -MAX_INT, "s": "\u0000\u001f\u007f\u2028😀"},
        b'{"m":-9007199254740991,"n":9007199254740991,"s":"\\u0000\\u001f\x7f\xe2\x80\xa8\xf0\x9f\x98\x80"}',
        "9cf300ef3892f59058112203a08ad557e2dc1c987e4ea13ba1447c71e025cb78",
    ),
]


@pytest.mark.parametrize("value, expected, expected_hash", VECTORS)
def test_vectors(value, expected, expected_hash):
    assert canonical(value) == expected
    assert rfc8785.dumps(value) == expected
    assert ED25519_SHA256.leaf_hash(expected).hex() == expected_hash
    assert hashlib.sha256(b"\x00" + expected).hexdigest() == expected_hash


# The accepted domain: ASCII keys, valid Unicode strings, integers within ±(2^53-1), no floats.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_INT, max_value=MAX_INT)
    | st.text(alphabet=st.characters(codec="utf-8"))
)
keys = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_fast_path_equals_rfc8785(value):
    check_domain(value)  # everything the strategy makes is inside the domain
    assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_parse_of_canonical_bytes_round_trips(value):
    assert canonical(parse_json(canonical(value))) == canonical(value)


@pytest.mark.parametrize(
    "value, path, reason",
    [
        ({"amount": 1.5}, "amount", "not an integer"),
        ({"amount": float("nan")}, "amount", "not an integer"),
        ({"a": [1, {"b": 2**53}]}, "a[1].b", "outside"),
        ({"a": -(2**53)}, "a", "outside"),
        ({"金额": 1}, "", "not ASCII"),
        ({"text": "\ud800"}, "text", "lone surrogate"),
        ({1: "x"}, "", "not a string"),
        ({"x": b"bytes"}, "x", "not JSON"),
    ],
)
def test_domain_rejects_and_names_the_path(value, path, reason):
    with pytest.raises(DomainError, match=reason) as info:
        check_domain(value)
    assert info.value.path == path


@pytest.mark.parametrize(
    "value",
    [{"a": MAX_INT}, {"a": -MAX_INT}, {"text": "朝阳 😀 \u2028"}, {"a": [None, True, False, [], {}]}, {"": 0}],
)
def test_domain_accepts_its_edges(value):
    check_domain(value)


def test_domain_depth_limit():
    deep: dict = {}
    node = deep
    for _ in range(40):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(DomainError, match="nested deeper"):
        check_domain(deep)


def test_parse_json_keeps_non_integers_for_the_domain_check():
    parsed = parse_json('{"a": 1.0, "b": NaN, "c": Infinity, "d": 1e3}')
    assert all(type(v) is NonInteger for v in parsed.values())
    with pytest.raises(DomainError, match="a: number 1.0 is not an integer"):
        check_domain(parsed)


def test_parse_json_refuses_duplicate_keys():
    with pytest.raises(ValueError, match="duplicate object key 'a'"):
        parse_json('{"a": 1, "a": 2}')
    assert parse_json('{"a": {"a": 1}}') == {"a": {"a": 1}}


# values in and out of the domain: floats, integers past 2^53, lone surrogates, non-ASCII and
# non-string keys, other types, nesting past MAX_DEPTH
_edge_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
                 | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xDFFF), max_size=4)
                 | st.sampled_from([2**53 - 1, -(2**53) + 1, 2**53, NonInteger("1.5"), b"x", ("t",)]))
_edge_values = st.recursive(_edge_scalars, lambda children: st.lists(children, max_size=3)
                            | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), children, max_size=3),
                            max_leaves=12)


def _nested(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value


def _outcome(check, value) -> str | None:
    try:
        check(value)
    except DomainError as e:
        return str(e)
    return None


@settings(max_examples=400, deadline=None)
@given(_edge_values, st.integers(0, MAX_DEPTH + 2))
def test_the_domain_check_names_the_same_place_with_its_fast_path(value, depth):
    """``check_domain`` decides most values without building a path (``_in_domain``); wherever the
    fast path passes, the full check passes too, and the error named is the full check's."""
    from ledger.canonical import _check_domain, _in_domain

    nested = _nested(value, depth)
    full = _outcome(lambda v: _check_domain(v, "", 0), nested)
    assert _outcome(check_domain, nested) == full
    if _in_domain(nested, 0):
        assert full is None

"""RFC 9162 proofs: the published test vectors (tests/data/merkle, from transparency-dev/merkle,
Apache-2.0: see SOURCE.md and LICENSE there), and prover against verifier over random trees."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    mth,
    verify_consistency,
    verify_inclusion,
)
from ledger.suites import ED25519_SHA256, SUITES

SHA256 = ED25519_SHA256  # the RFC's vectors are SHA-256's

VECTORS = Path(__file__).parent / "data" / "merkle"


def _b64(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [base64.b64decode(v) for v in value]
    return base64.b64decode(value)


def _cases(kind: str):
    return sorted(p for p in (VECTORS / kind).rglob("*.json"))


@pytest.mark.parametrize("path", _cases("inclusion"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_vectors(path):
    case = json.loads(path.read_text())
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), _b64(case["proof"]) or [], _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises((ProofError, ValueError)):
            verify_inclusion(*args, SHA256)
    else:
        verify_inclusion(*args, SHA256)


@pytest.mark.parametrize("path", _cases("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_vectors(path):
    case = json.loads(path.read_text())
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _b64(case["proof"]) or [])
    if case["wantErr"]:
        with pytest.raises((ProofError, ValueError)):
            verify_consistency(*args, SHA256)
    else:
        verify_consistency(*args, SHA256)


def test_the_vectors_are_all_there():
    assert len(_cases("inclusion")) > 20 and len(_cases("consistency")) > 50


def _leaves(n: int, suite) -> list[bytes]:
    return [suite.leaf_hash(i.to_bytes(8, "big")) for i in range(n)]


def _subtree(leaves, suite):
    return lambda a, b: mth(leaves[a:b], suite)


# the provers and verifiers against each other, in each suite's hash (SHA-256, SM3)
both_suites = pytest.mark.parametrize("suite", list(SUITES.values()), ids=list(SUITES))


@both_suites
@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=600).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_prover_against_verifier(suite, case):
    size, index = case
    leaves = _leaves(size, suite)
    root = mth(leaves, suite)
    proof = inclusion_proof(index, size, _subtree(leaves, suite))
    verify_inclusion(index, size, leaves[index], proof, root, suite)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, suite.digest(b"other"), proof, root, suite)
    if proof:
        bad = list(proof)
        bad[0] = bytes(32)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaves[index], bad, root, suite)


@both_suites
@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=1, max_value=600).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_prover_against_verifier(suite, case):
    old, new = case
    leaves = _leaves(new, suite)
    old_root, new_root = mth(leaves[:old], suite), mth(leaves, suite)
    proof = consistency_proof(old, new, _subtree(leaves, suite))
    verify_consistency(old, new, old_root, new_root, proof, suite)
    if old < new:
        with pytest.raises(ProofError):  # a different history of the same size
            other = mth(_leaves(old, suite)[::-1], suite) if old > 1 else bytes(32)
            verify_consistency(old, new, other, new_root, proof, suite)


@both_suites
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=700))
def test_compact_range_gives_every_prefix_root(suite, n):
    leaves = _leaves(n, suite)
    seen = {}
    cr = CompactRange(suite, on_node=lambda level, idx, h: seen.setdefault((level, idx), h))
    for i, leaf in enumerate(leaves):
        cr.append(leaf)
        if i % 37 == 0:
            assert cr.root() == mth(leaves[: i + 1], suite)
    assert cr.root() == (mth(leaves, suite) if n else suite.empty_root)
    for (level, idx), h in seen.items():
        assert h == mth(leaves[idx << level:(idx + 1) << level], suite)


def test_the_suites_hash_apart():
    """The same leaves give different roots under SHA-256 and SM3: a tree is of one suite."""
    sha, sm3 = (mth(_leaves(5, s), s) for s in SUITES.values())
    assert sha != sm3 and len(sha) == len(sm3) == 32
    assert ED25519_SHA256.empty_root.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

"""RFC 9162 proofs: the published test vectors (tests/data/merkle, from transparency-dev/merkle,
Apache-2.0: see SOURCE.md and LICENSE there), and prover against verifier over random trees."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (EMPTY_ROOT, CompactRange, ProofError, consistency_proof, inclusion_proof, mth,
                           verify_consistency, verify_inclusion)

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
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", _cases("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_vectors(path):
    case = json.loads(path.read_text())
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _b64(case["proof"]) or [])
    if case["wantErr"]:
        with pytest.raises((ProofError, ValueError)):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_the_vectors_are_all_there():
    assert len(_cases("inclusion")) > 20 and len(_cases("consistency")) > 50


def _leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(n)]


def _subtree(leaves):
    return lambda a, b: mth(leaves[a:b])


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=600).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_prover_against_verifier(case):
    size, index = case
    leaves = _leaves(size)
    root = mth(leaves)
    proof = inclusion_proof(index, size, _subtree(leaves))
    verify_inclusion(index, size, leaves[index], proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, hashlib.sha256(b"other").digest(), proof, root)
    if proof:
        bad = list(proof)
        bad[0] = bytes(32)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaves[index], bad, root)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=600).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_consistency_prover_against_verifier(case):
    old, new = case
    leaves = _leaves(new)
    old_root, new_root = mth(leaves[:old]), mth(leaves)
    proof = consistency_proof(old, new, _subtree(leaves))
    verify_consistency(old, new, old_root, new_root, proof)
    if old < new:
        with pytest.raises(ProofError):  # a different history of the same size
            verify_consistency(old, new, mth(_leaves(old)[::-1]) if old > 1 else bytes(32), new_root, proof)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=700))
def test_compact_range_gives_every_prefix_root(n):
    leaves = _leaves(n)
    seen = {}
    cr = CompactRange(on_node=lambda level, idx, h: seen.setdefault((level, idx), h))
    for i, leaf in enumerate(leaves):
        cr.append(leaf)
        if i % 37 == 0:
            assert cr.root() == mth(leaves[: i + 1])
    assert cr.root() == (mth(leaves) if n else EMPTY_ROOT)
    for (level, idx), h in seen.items():
        assert h == mth(leaves[idx << level:(idx + 1) << level])

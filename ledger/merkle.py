"""RFC 9162 Merkle trees: hashes, proofs, verification, and the compact range a stream keeps.

Pure functions over hashes; no database. A proof generator gets the hashes it needs from a
``subtree(start, end)`` callable that returns MTH(D[start:end]) for the ranges the RFC's
recursion visits (always aligned: ``start`` is a multiple of the largest power of two below
``end - start``), so a store can answer them from its stored nodes.

  leaf hash  = H(0x00 || leaf)      (Suite.leaf_hash)
  node hash  = H(0x01 || left || right)
  MTH({})    = H("")

H is the ledger's suite's hash (``ledger/suites.py``): SHA-256, as RFC 9162 has it, or SM3; every
function that hashes takes the suite.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ledger.suites import Suite

__all__ = [
    "CompactRange",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "mth",
    "root_from_inclusion",
    "split",
    "verify_consistency",
    "verify_inclusion",
]

Subtree = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaf_hashes: Sequence[bytes], suite: Suite) -> bytes:
    """Reference MTH over a list of leaf hashes (recursion as in RFC 9162 §2.1.1). A power of two
    of leaves is a perfect tree, whose every split is in halves: it is hashed level by level, the
    same nodes without a call per node (the stored 256-leaf subtrees, on every posting)."""
    n = len(leaf_hashes)
    if n == 0:
        return suite.empty_root
    if n == 1:
        return leaf_hashes[0]
    if n & (n - 1) == 0:
        node_hash, level = suite.node_hash, leaf_hashes
        while len(level) > 1:
            level = [node_hash(left, right) for left, right in zip(level[::2], level[1::2])]
        return level[0]
    k = split(n)
    return suite.node_hash(mth(leaf_hashes[:k], suite), mth(leaf_hashes[k:], suite))


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[bytes]:
    """PATH(index, D[0:size]) per RFC 9162 §2.1.3.1."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index < start + k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(old: int, new: int, subtree: Subtree) -> list[bytes]:
    """PROOF(old, D[0:new]) per RFC 9162 §2.1.4.1 (empty when old == new or old == 0)."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    if old == 0 or old == new:
        return []
    proof: list[bytes] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                proof.append(subtree(start, end))
            break
        k = split(n)
        if m <= k:
            proof.append(subtree(start + k, end))
            end = start + k
        else:
            proof.append(subtree(start, start + k))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


def _hashes(**named: bytes | Sequence[bytes]) -> None:
    for name, value in named.items():
        values = [value] if isinstance(value, (bytes, bytearray)) else list(value)
        for i, h in enumerate(values):
            if len(h) != 32:
                where = name if isinstance(value, (bytes, bytearray)) else f"{name}[{i}]"
                raise ProofError(f"{where} is {len(h)} bytes, not a 32-byte hash")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], suite: Suite) -> bytes:
    """RFC 9162 §2.1.3.2: the root a proof leads to, or ProofError."""
    _hashes(leaf=leaf, proof=proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    node_hash = suite.node_hash
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes, suite: Suite) -> None:
    _hashes(root=root)
    if root_from_inclusion(index, size, leaf, proof, suite) != root:
        raise ProofError("the inclusion proof does not lead to the root")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes],
                       suite: Suite) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError. A proof from the empty tree proves nothing, so
    ``old == 0`` is refused, as the published vectors require."""
    if not 0 <= old <= new:
        raise ProofError(f"size {old} is larger than size {new}")
    if old == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old == new:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("equal sizes with different roots")
        return
    _hashes(old_root=old_root, new_root=new_root, proof=proof)
    if not proof:
        raise ProofError("the proof is empty")
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    node_hash = suite.node_hash
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the trees are deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the trees are deep")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")


def subtree_roots(leaves: Sequence[bytes], first: int, level: int, suite: Suite) -> dict[int, bytes]:
    """The hash of every perfect subtree of 2**level leaves, aligned in the whole tree, that lies
    within ``leaves`` (whose first has index ``first``): {the subtree's index at its level: hash}."""
    width = 1 << level
    return {(first + k) >> level: mth(leaves[k:k + width], suite)
            for k in range(-first % width, len(leaves) - width + 1, width)}


class CompactRange:
    """The perfect subtrees covering leaves [0, size): what a stream keeps to know the root of
    every prefix in O(log n) memory. ``on_node(level, index, hash)`` sees every perfect subtree
    as it completes (level 0 = the leaves)."""

    __slots__ = ("size", "_stack", "_on_node", "_suite")

    def __init__(self, suite: Suite, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        self._suite = suite
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []
        self._on_node = on_node

    def append(self, leaf: bytes) -> None:
        self.append_subtree(0, leaf)

    def append_subtree(self, level: int, h: bytes) -> None:
        """Append the 2**level leaves whose perfect subtree hashes to ``h`` (the size must be a
        multiple of 2**level). ``on_node`` sees that subtree, if level > 0, and every node it
        completes above it; not the nodes inside it."""
        stack = self._stack
        self.size += 1 << level
        if level and self._on_node is not None:
            self._on_node(level, (self.size >> level) - 1, h)
        while stack and stack[-1][0] == level:
            h = self._suite.node_hash(stack.pop()[1], h)
            level += 1
            if self._on_node is not None:
                self._on_node(level, (self.size >> level) - 1, h)
        stack.append((level, h))

    def root(self) -> bytes:
        if not self._stack:
            return self._suite.empty_root
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = self._suite.node_hash(left, h)
        return h

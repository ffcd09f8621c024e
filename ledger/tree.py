"""The ledger's Merkle tree in the database: stored subtree hashes, roots and proofs.

The entries' hashes are the leaves (``entries.hash``). ``merkle_nodes`` stores the hash of every
complete, aligned subtree of 2^8 = 256 leaves and up: ``(level, idx)`` covers leaves
``[idx·2^level, (idx+1)·2^level)``. They are written in the posting's own transaction as blocks of
256 leaves complete (one row per 256 entries, amortised), and are derived data: ``verify``
recomputes and compares them.

Any root or proof for any tree size then needs O(log n) node reads plus at most a few blocks of
at most 256 leaf hashes, never a rescan. The one exception is a root the log is to sign:
:func:`rederived_root` computes it from every entry's bytes and holds the stored tree to it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from sqlalchemy import Connection, text

from ledger import db
from ledger.errors import IntegrityError, stored_blob, stored_value
from ledger.merkle import CompactRange, consistency_proof, inclusion_proof, mth, split
from ledger.suites import Suite

__all__ = ["STRIDE", "Tree", "extend_nodes", "rederived_root"]

STRIDE = 8  # nodes are stored from level 8 (blocks of 256 leaves) up
BLOCK = 1 << STRIDE
_LEAVES = text("SELECT seq, hash FROM entries WHERE seq >= :a AND seq < :b ORDER BY seq")
_NODE = text("SELECT hash FROM merkle_nodes WHERE level = :level AND idx = :idx")
_INSERT = text("INSERT INTO merkle_nodes (level, idx, hash) VALUES (:level, :idx, :hash)")


def extend_nodes(conn: Connection, old_size: int, new_size: int, suite: Suite,
                 new_leaves: Sequence[bytes] = ()) -> None:
    """Store the subtree hashes completed by growing the tree from ``old_size`` to ``new_size``.
    ``new_leaves``: the hashes of the entries from ``old_size`` on, where the caller holds them (a
    posting's, a replay's), all of them or none; a block's leaves before them are read from ``entries``."""
    if new_leaves and len(new_leaves) != new_size - old_size:
        raise ValueError(f"{len(new_leaves)} new leaves for a tree growing from {old_size} to {new_size}")
    for block in range(old_size // BLOCK, new_size // BLOCK):
        start, end = block * BLOCK, (block + 1) * BLOCK
        held = new_leaves[max(start - old_size, 0):end - old_size]
        stored = [] if start + len(held) == end else \
            [stored_blob(r.hash, "seq {}: the entries column hash", r.seq)
             for r in conn.execute(_LEAVES, {"a": start, "b": end - len(held)})]
        h, level, idx = mth([*stored, *held], suite), STRIDE, block
        conn.execute(_INSERT, {"level": level, "idx": idx, "hash": h})
        while idx & 1:  # a right child completes its parent
            left = conn.execute(_NODE, {"level": level, "idx": idx - 1}).scalar_one()
            left = stored_blob(left, "the merkle_nodes row ({}, {}), column hash", level, idx - 1)
            h, level, idx = suite.node_hash(left, h), level + 1, idx >> 1
            conn.execute(_INSERT, {"level": level, "idx": idx, "hash": h})


class Tree:
    """Roots and proofs over the tree as of one read transaction."""

    def __init__(self, conn: Connection, suite: Suite) -> None:
        self.conn = conn
        self.suite = suite
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._blocks: dict[int, list[bytes]] = {}

    def leaf(self, index: int) -> bytes:
        return self._block(index // BLOCK)[index % BLOCK]

    def _block(self, block: int) -> list[bytes]:
        if block not in self._blocks:
            rows = self.conn.execute(_LEAVES, {"a": block * BLOCK, "b": (block + 1) * BLOCK})
            self._blocks[block] = [stored_blob(r.hash, "seq {}: the entries column hash", r.seq) for r in rows]
        return self._blocks[block]

    def _perfect(self, level: int, idx: int) -> bytes:
        if level >= STRIDE:
            key = (level, idx)
            if key not in self._nodes:
                h = self.conn.execute(_NODE, {"level": level, "idx": idx}).scalar()
                if h is None:
                    raise LookupError(f"merkle node ({level}, {idx}) is missing; the tree is not built that far")
                self._nodes[key] = stored_blob(h, "the merkle_nodes row ({}, {}), column hash", level, idx)
            return self._nodes[key]
        start = idx << level
        leaves = self._block(start // BLOCK)
        offset = start % BLOCK
        return mth(leaves[offset:offset + (1 << level)], self.suite)

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range the RFC recursion visits."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self._perfect(n.bit_length() - 1, start // n)
        k = split(n)
        return self.suite.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int) -> bytes:
        return self.suite.empty_root if size == 0 else self.subtree(0, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return inclusion_proof(index, size, self.subtree)

    def consistency(self, old: int, new: int) -> list[bytes]:
        return consistency_proof(old, new, self.subtree)


def rederived_root(conn: Connection, size: int, suite: Suite, each: Callable[[bytes], None] | None = None) -> bytes:
    """The root of the first ``size`` entries computed from their bytes, in ``conn``'s transaction,
    with each entry's ``hash`` column and every stored node of the tree compared on the way, and
    ``each`` given every entry's bytes in seq order (``export`` writes them). What the log signs is
    never read from derived data alone: an insider who edited ``merkle_nodes`` would otherwise get
    the log key's signature on a root of leaves of his choosing, and proofs from the same nodes
    that check against it. IntegrityError (exit 3) naming the first entry or node that differs.
    One pass over the entries; ``verify`` checks the rest (nodes beyond them: step 6)."""
    stored = {(level, idx): stored_value(h)
              for level, idx, h in conn.execute(text("SELECT level, idx, hash FROM merkle_nodes"))}

    def node(level: int, idx: int, h: bytes) -> None:
        if level >= STRIDE and stored.get((level, idx)) != h:
            found = stored.get((level, idx))
            if found is not None:  # text where the hash belongs is named as such
                stored_blob(found, "the merkle_nodes row ({}, {}), column hash", level, idx)
            raise IntegrityError(f"the merkle_nodes row ({level}, {idx}) is "
                                 f"{'missing' if found is None else 'not the hash of the entries under it'}; "
                                 "run `fundledger verify`")

    tree, block, leaf_hash = CompactRange(suite, on_node=node), [], suite.leaf_hash
    for rows in db.batches(conn, f"SELECT seq, hash, data FROM entries WHERE seq < {int(size)} ORDER BY seq",
                           "fundledger_tree"):
        for seq, hashed, data in rows:
            if seq != tree.size + len(block):
                raise IntegrityError(f"seq {tree.size + len(block)} is missing; run `fundledger verify`")
            if type(data) is not bytes:
                data = stored_blob(data, "seq {}: the entries column data", seq)
            leaf = leaf_hash(data)
            if hashed != leaf and stored_blob(hashed, "seq {}: the entries column hash", seq) != leaf:  # a driver's buffer
                raise IntegrityError(f"seq {seq}: the entries column hash is not the hash of its bytes; "
                                     "run `fundledger verify`")
            if each is not None:
                each(data)
            block.append(leaf)
            if len(block) == BLOCK:
                tree.append_subtree(STRIDE, mth(block, suite))
                block = []
    for leaf in block:
        tree.append(leaf)
    if tree.size != size:
        raise IntegrityError(f"seq {tree.size} is missing; run `fundledger verify`")
    return tree.root()


def conn_size(conn: Connection) -> int:
    seq = conn.execute(text("SELECT max(seq) FROM entries")).scalar()
    return 0 if seq is None else seq + 1

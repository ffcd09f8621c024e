"""The stored tree: nodes written at append time give the same roots and proofs as the reference."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ledger import db
from ledger.merkle import mth, verify_consistency, verify_inclusion
from ledger.store import Item
from ledger.tree import BLOCK, Tree
from tests.support import BOTH_SUITES

pytestmark = BOTH_SUITES  # each test on a ledger of each suite


def _grow(env, total: int, posting: int) -> None:
    n = env.ledger.head().size
    while n < total:
        count = min(posting, total - n)
        env.ledger.append(env.poster, [Item("audit.note", f"t{n + i}", {"text": f"entry {n + i}"}) for i in range(count)])
        n += count


@pytest.mark.parametrize("posting", [1000, 97])
def test_stored_nodes_give_reference_roots_and_proofs(env, posting):
    _grow(env, 3 * BLOCK + 45, posting)
    suite = env.ledger.suite
    with db.read_tx(env.ledger.engine) as conn:
        leaves = [bytes(r[0]) for r in conn.execute(sa.text("SELECT hash FROM entries ORDER BY seq"))]
        nodes = conn.execute(sa.text("SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx")).all()
        assert [(r.level, r.idx) for r in nodes] == [(8, 0), (8, 1), (8, 2), (9, 0)]
        for r in nodes:
            assert bytes(r.hash) == mth(leaves[r.idx << r.level:(r.idx + 1) << r.level], suite)
        tree = Tree(conn, suite)
        for size in (1, 2, 3, 255, 256, 257, 511, 512, 513, 700, len(leaves)):
            root = tree.root(size)
            assert root == mth(leaves[:size], suite)
            for index in {0, size // 2, size - 1}:
                verify_inclusion(index, size, leaves[index], tree.inclusion(index, size), root, suite)
        for old, new in ((1, len(leaves)), (256, 512), (300, 769), (512, 513), (len(leaves), len(leaves))):
            verify_consistency(old, new, tree.root(old), tree.root(new), tree.consistency(old, new), suite)


def test_migration_backfills_nodes_of_an_existing_ledger(env):
    _grow(env, BLOCK * 2 + 3, 500)
    engine = env.ledger.engine
    with engine.begin() as conn:
        expected = conn.execute(sa.text("SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx")).all()
    db.apply_migrations_down(engine, "0001")
    db.apply_migrations(engine)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx")).all() == expected

"""``verify`` of a ledger in a database, in numbered steps; the first failure stops it (exit 3).

  1. schema: the database is at this code's schema revision (else exit 5, not an integrity error);
  2–4, 6, 7: the chain checks of ``ledger/chain.py`` over every stored row, streamed in seq
     order (genesis, every entry, the last posting complete, the stored Merkle nodes, the
     checkpoints given);
  5. the ``keys`` table (the write-time projection) equals the key set derived from history.

An empty ledger is a failure, not a pass. Whole postings cut off the end of the ledger are
invisible to the chain alone: a checkpoint an auditor kept (``--checkpoint``) shows them.
"""

from __future__ import annotations

from typing import Callable, Sequence

from sqlalchemy import Engine, text

from ledger import db
from ledger.chain import ChainResult, ChainVerifier, KeyState, VerifyFailure
from ledger.note import Checkpoint

__all__ = ["VerifyFailure", "verify_ledger"]

_BATCH = 5000


def _rows(engine: Engine):
    """Stream (seq, hash, prev, kind, idem, posting, key_id, at, data) in seq order, in batches."""
    sql = "SELECT seq, hash, prev, kind, idem, posting, key_id, at, data FROM entries ORDER BY seq"
    with db.read_tx(engine) as conn:
        dbapi = conn.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            cur = dbapi.cursor(name="fundledger_verify")
            cur.itersize = _BATCH
        else:
            cur = dbapi.cursor()
        try:
            cur.execute(sql)
            while batch := cur.fetchmany(_BATCH):
                yield batch
        finally:
            cur.close()


def verify_ledger(engine: Engine, progress: Callable[[int], None] | None = None,
                  checkpoints: Sequence[tuple[str, Checkpoint]] = ()) -> ChainResult:
    # 1. schema
    db.check_schema(engine)
    with db.read_tx(engine) as conn:
        nodes = {(r.level, r.idx): bytes(r.hash) for r in conn.execute(text("SELECT level, idx, hash FROM merkle_nodes"))}
    chain = ChainVerifier(stored_nodes=nodes, checkpoints=checkpoints)
    for batch in _rows(engine):
        chain.feed(batch)
        if progress:
            progress(len(batch))
    result = chain.finish()
    _check_projection(engine, result.keys)
    return result


def _check_projection(engine: Engine, keys: dict[str, KeyState]) -> None:
    """5. the keys table equals the key set derived from history."""
    with db.read_tx(engine) as conn:
        rows = {r.kid: r for r in conn.execute(text("SELECT kid, public, role, enrolled_seq, revoked_seq FROM keys"))}
    for kid in sorted(set(rows) | set(keys)):
        truth, row = keys.get(kid), rows.get(kid)
        want = None if truth is None else (truth.public, truth.role, truth.enrolled_seq, truth.revoked_seq)
        got = None if row is None else (bytes(row.public), row.role, row.enrolled_seq, row.revoked_seq)
        if want != got:
            raise VerifyFailure("5", None, f"keys table row for {kid}", _describe(want), _describe(got))


def _describe(key: tuple | None) -> str:
    return "absent" if key is None else f"role {key[1]}, enrolled at seq {key[2]}, revoked at seq {key[3]}"

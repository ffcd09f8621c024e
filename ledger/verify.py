"""``verify`` of a ledger in a database, in numbered steps; the first failure stops it (exit 3).

  1. schema: the database is at this code's schema revision (else exit 5, not an integrity error);
  2–4, 6, 7: the chain checks of ``ledger/chain.py`` over every stored row, streamed in seq
     order (genesis, every entry, the last posting complete, the stored Merkle nodes, the
     checkpoints given);
  5. the ``keys`` table (the write-time projection) equals the key set derived from history;
  8. the derived state (``ledger/replay.py``; skipped with ``replay=False``): 8.1 every entry is
     replayed into a scratch store under the contracts version its posting recorded, and every
     entry the rules of that version refuse is named (seq, rule, the finding posting would have
     given); 8.2 every projection table equals the replay, row by row (table, key, column, what the
     entries give, what the database holds). Both name everything they find, not just the first.

A verdict is read in one read transaction, so a posting made while ``verify`` runs is neither
half seen nor compared with projections it did not produce (stretches checked in other processes
read the same snapshot on PostgreSQL, and on SQLite the rows below the size this transaction sees,
which the append-only table never changes; the replay beside them reads in the transaction
itself). Where the stretches do not decide, the check in order reads again, in a transaction of
its own. An empty ledger is a failure, not a
pass. Whole postings cut off the end of the ledger are invisible to the chain alone: a checkpoint
an auditor kept (``--checkpoint``) shows them.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Engine, text

from ledger import collector, db, segments
from ledger.chain import ChainResult, ChainVerifier, KeyState, VerifyFailure
from ledger.errors import IntegrityError, stored_value
from ledger.interface import Contracts
from ledger.kinds import registry
from ledger.note import Checkpoint
from ledger.replay import Comparison, Replayer, ReplayResult, StateFailure, entry_batches, failure_message, replaying

__all__ = ["Verified", "VerifyFailure", "verify_ledger"]


@dataclass(frozen=True, slots=True)
class Verified:
    """What ``verify`` proved: the chain, and (unless skipped) the derived state."""

    chain: ChainResult
    replay: ReplayResult | None
    comparison: Comparison | None

    def as_dict(self) -> dict[str, Any]:
        out = self.chain.as_dict()
        if self.replay is not None and self.comparison is not None:
            out["state"] = {"replayed": self.replay.entries, "contracts_versions": {str(v): n for v, n in self.replay.versions.items()},
                            "warnings": len(self.replay.warnings), "tables": self.comparison.tables,
                            "rows": self.comparison.rows, "projections_sha256": self.comparison.digest,
                            "rules_added_after": [f.as_dict() for f in self.replay.late]}
        else:
            out["state"] = None
        return out


@collector.paused()
def verify_ledger(engine: Engine, contracts: Contracts, progress: Callable[[int | None], None] | None = None,
                  checkpoints: Sequence[tuple[str, Checkpoint]] = (), *, replay: bool = True,
                  workers: int = 1) -> Verified:
    """``workers``: processes checking the posting signatures (``ledger/chain.py``); for a ledger of
    ``segments.MIN_ENTRIES`` or more, processes checking stretches of it (``ledger/segments.py``)
    while this one replays it, falling back to the check in order (replay fed alongside) on any
    failure, which names the first failure as it always has.

    ``progress(n)``: n more entries checked; ``progress(None)``: the count starts again, from no
    entry, since the stretches did not decide and the check in order runs (after entries counted)."""
    # 1. schema
    db.check_schema(engine)
    kinds = registry(contracts.kinds)
    if workers > 1:
        counting = segments.Counting(progress) if progress else None
        verified = _beside_stretches(engine, contracts, kinds, counting, checkpoints, replay, workers)
        if verified is not None:
            return verified
        if counting:
            counting.restart()
    with db.read_tx(engine) as conn, (replaying(contracts) if replay else nullcontext()) as replayer:
        chain = ChainVerifier(kinds=kinds, stored_nodes=_stored_nodes(conn), checkpoints=checkpoints, workers=workers)
        for batch in entry_batches(conn):
            chain.feed(batch)  # 2–4, 6, 7, as the rows stream
            if replayer is not None:
                try:
                    replayer.feed(batch)  # 8.1, on rows the chain checks have passed
                except IntegrityError:  # an entry replay cannot read; a bad signature among the rows is named first
                    chain.settle_signatures()
                    raise
            if progress:
                progress(len(batch))
        return _after_chain(conn, chain.finish(), replayer)


def _beside_stretches(engine: Engine, contracts: Contracts, kinds: dict, progress: Callable[[int], None] | None,
                      checkpoints: Sequence[tuple[str, Checkpoint]], replay: bool, workers: int) -> Verified | None:
    """Steps 2–4, 6, 7 in stretches, one process each (``ledger/segments.py``; on PostgreSQL each
    reading in this transaction's snapshot), 8.1 here meanwhile; then 5 and 8.2. None where that does not decide:
    a small ledger, text where the genesis or a key's bytes belong, anything failed, in the
    stretches or in the replay (the check in order then names the first failure), or the entries
    the replay was fed not the chain the stretches checked (on SQLite each stretch reads in a
    snapshot of its own: the ledger changed meanwhile; the check in order reads once)."""
    with db.read_tx(engine) as conn:
        last = conn.execute(text("SELECT max(seq) FROM entries")).scalar()
        if last is None or last + 1 < segments.MIN_ENTRIES \
                or (engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")):
            return None
        genesis = stored_value(conn.execute(text("SELECT data FROM entries WHERE seq = 0")).scalar())
        keys = [stored_value(r[0]) for r in conn.execute(
            text("SELECT data FROM entries WHERE kind IN ('ledger.genesis', 'key.enroll', 'key.rotate')"))]
        if type(genesis) is not bytes or any(type(data) is not bytes for data in keys):
            return None
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar() if engine.dialect.name == "postgresql" \
            else None
        source = segments.DatabaseSource(engine.url.render_as_string(hide_password=False), last + 1, snapshot)
        with replaying(contracts) if replay else nullcontext() as replayer:
            shared = progress if replayer is None else _halves(progress)  # two passes over the entries
            failed: list[Exception] = []

            def replay_here() -> None:
                try:
                    for batch in entry_batches(conn):
                        replayer.feed(batch)
                        if shared:
                            shared(len(batch))
                except Exception as e:  # on a ledger the chain may refuse first: decided in order
                    failed.append(e)

            result = segments.verify_in_stretches(
                source, genesis=genesis, kinds=kinds, workers=workers, key_hints=segments.key_hints(keys),
                stored_nodes=_stored_nodes(conn), checkpoints=checkpoints, progress=shared,
                meanwhile=None if replayer is None else replay_here)
            if result is None or failed:
                return None
            if replayer is not None and replayer.fed != (result.entries, result.head_hash):
                return None  # the stretches read other entries than this transaction (SQLite: each its own snapshot)
            return _after_chain(conn, result, replayer)


def _after_chain(conn: Connection, result: ChainResult, replayer: Replayer | None) -> Verified:
    """5., and 8. on the replay fed with the chain's rows."""
    _check_keys(conn, result.keys)  # 5.
    if replayer is None:
        return Verified(chain=result, replay=None, comparison=None)
    # 8. the derived state
    replayed = replayer.finish()
    comparison = replayer.compare(conn)
    problem = failure_message(replayed, comparison)
    if problem:
        raise StateFailure(f"step 8: the derived state does not follow from the entries: {problem}",
                           [*replayed.refused, *comparison.differences])
    return Verified(chain=result, replay=replayed, comparison=comparison)


def _stored_nodes(conn: Connection) -> dict[tuple[int, int], bytes]:
    return {(r.level, r.idx): stored_value(r.hash) for r in conn.execute(text("SELECT level, idx, hash FROM merkle_nodes"))}


def _halves(progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """``progress`` told of two passes over the entries as of one: each entry counts half in each."""
    if progress is None:
        return None
    carried = 0

    def half(n: int) -> None:
        nonlocal carried
        whole, carried = divmod(carried + n, 2)
        progress(whole)
    return half


def _check_keys(conn: Connection, keys: dict[str, KeyState]) -> None:
    """5. the keys table equals the key set derived from history."""
    rows = {r.kid: r for r in conn.execute(text("SELECT kid, public, role, enrolled_seq, revoked_seq FROM keys"))}
    for kid in sorted(set(rows) | set(keys)):
        truth, row = keys.get(kid), rows.get(kid)
        want = None if truth is None else (truth.public, truth.role, truth.enrolled_seq, truth.revoked_seq)
        got = None if row is None else (stored_value(row.public), row.role, row.enrolled_seq, row.revoked_seq)
        if want != got:
            raise VerifyFailure("5", None, f"keys table row for {kid}", _describe(want), _describe(got))


def _describe(key: tuple | None) -> str:
    return "absent" if key is None else f"role {key[1]}, enrolled at seq {key[2]}, revoked at seq {key[3]}"

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

Everything is read in one read transaction, so a posting made while ``verify`` runs is neither
half seen nor compared with projections it did not produce. An empty ledger is a failure, not a
pass. Whole postings cut off the end of the ledger are invisible to the chain alone: a checkpoint
an auditor kept (``--checkpoint``) shows them.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Engine, text

from ledger import db
from ledger.chain import ChainResult, ChainVerifier, KeyState, VerifyFailure
from ledger.interface import Contracts
from ledger.kinds import registry
from ledger.note import Checkpoint
from ledger.replay import Comparison, ReplayResult, StateFailure, entry_batches, failure_message, replaying

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


def verify_ledger(engine: Engine, contracts: Contracts, progress: Callable[[int], None] | None = None,
                  checkpoints: Sequence[tuple[str, Checkpoint]] = (), *, replay: bool = True,
                  workers: int = 1) -> Verified:
    """``workers``: processes checking the posting signatures (``ledger/chain.py``)."""
    # 1. schema
    db.check_schema(engine)
    with db.read_tx(engine) as conn, (replaying(contracts) if replay else nullcontext()) as replayer:
        nodes = {(r.level, r.idx): bytes(r.hash) for r in conn.execute(text("SELECT level, idx, hash FROM merkle_nodes"))}
        chain = ChainVerifier(kinds=registry(contracts.kinds), stored_nodes=nodes, checkpoints=checkpoints,
                              workers=workers)
        for batch in entry_batches(conn):
            chain.feed(batch)  # 2–4, 6, 7, as the rows stream
            if replayer is not None:
                replayer.feed(batch)  # 8.1, on rows the chain checks have passed
            if progress:
                progress(len(batch))
        result = chain.finish()
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


def _check_keys(conn: Connection, keys: dict[str, KeyState]) -> None:
    """5. the keys table equals the key set derived from history."""
    rows = {r.kid: r for r in conn.execute(text("SELECT kid, public, role, enrolled_seq, revoked_seq FROM keys"))}
    for kid in sorted(set(rows) | set(keys)):
        truth, row = keys.get(kid), rows.get(kid)
        want = None if truth is None else (truth.public, truth.role, truth.enrolled_seq, truth.revoked_seq)
        got = None if row is None else (bytes(row.public), row.role, row.enrolled_seq, row.revoked_seq)
        if want != got:
            raise VerifyFailure("5", None, f"keys table row for {kid}", _describe(want), _describe(got))


def _describe(key: tuple | None) -> str:
    return "absent" if key is None else f"role {key[1]}, enrolled at seq {key[2]}, revoked at seq {key[3]}"

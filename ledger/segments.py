"""Steps 2–4, 6 and 7 of ``verify`` on every core: the ledger cut into stretches, one process each.

Each process reads its own stretch (from the database in the reading transaction's snapshot, or
from a bundle's file at a byte offset) and runs the checks of ``ledger/chain.py`` on it, every one
that needs nothing from before the stretch: each entry's hash, bytes, envelope, index columns,
posting structure, idem within the stretch, and each posting's signature, checked with the key the
history names for the posting's key id (hints: this module gives them; what they are worth is
settled below). A stretch begins at the first posting that starts in its range and runs on past
its range to the end of the posting it is in, so stretches meet at posting boundaries.

This process then settles, in seq order, what a stretch cannot know alone: that each stretch
starts where the one before ended, its first entry links to the last entry before it, its first
posting's id and contracts version follow on, no idem appears in two stretches, and each posting's
key was in force with a role that may post its kinds (the key state built from the postings before
it, as in order) and is the key its signature was found valid with (or the signature is checked
here); then it folds every leaf into the tree, with the stored nodes and the checkpoints.

Anything that fails, or that this split cannot decide (a stretch that starts or ends mid-posting,
say), makes it return None: ``verify`` then checks the ledger again in order, in one process,
which names the first failure exactly as it always has. A ledger that passes here passes there;
the tests check both on every attack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import orjson

from ledger.chain import NODE_LEVEL, ChainResult, ChainVerifier, Deferred, Segment, VerifyFailure, process_pool
from ledger.kinds import Kind
from ledger.merkle import subtree_roots
from ledger.note import Checkpoint

__all__ = ["BundleSource", "DatabaseSource", "MIN_BYTES", "MIN_ENTRIES", "key_hints", "verify_in_stretches"]

MIN_ENTRIES = 20_000  # below this (a bundle: MIN_BYTES of entries) a pool of processes costs more than it saves
MIN_BYTES = 4_000_000
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class DatabaseSource:
    """A ledger's rows below ``end`` (the size the reading transaction sees), read by each process
    in a transaction of its own: on PostgreSQL in the reader's snapshot (``pg_export_snapshot``).
    A row's position is its seq."""

    url: str
    end: int
    snapshot: str | None

    def entries(self, start: int, first: bool) -> Iterator[tuple[int, tuple]]:
        from ledger import db
        from ledger.replay import entry_batches

        engine = db.make_engine(self.url)
        try:
            with db.read_tx(engine) as conn:
                if self.snapshot is not None:
                    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{self.snapshot}'")
                for batch in entry_batches(conn, self.end, None if first else start):
                    for row in batch:
                        yield row[0], row
        finally:
            engine.dispose()


@dataclass(frozen=True, slots=True)
class BundleSource:
    """A bundle's ``entries.jsonl``: (byte offset, line with its newline) from a byte offset. A line's
    seq is counted by the stretch's process from the first posting it starts at, and checked where
    the stretches meet (see :class:`_Stretch`)."""

    path: str
    end: int  # the file's size

    def entries(self, start: int, first: bool) -> Iterator[tuple[int, bytes]]:
        with open(self.path, "rb") as f:
            if not first:  # from the first line that begins at ``start`` or after: the stretch before reads the rest
                f.seek(start - 1)
                f.readline()
            else:
                f.seek(start)
            at = f.tell()
            for line in f:
                if line[-1:] != b"\n":
                    return  # the stretch then ends short of the file: ``bundle_batches`` names the line
                yield at, line
                at += len(line)


@dataclass(slots=True)
class _Stretch:
    """What a stretch's process sends back; ``first`` None: no posting starts in its range."""

    first: int | None  # the position of its first entry
    end: int  # the position after its last entry
    first_seq: int  # the seq of its first entry
    entries: int
    first_prev: tuple[str, bytes | None] | None
    first_posting: Any
    first_contracts: int | None
    last_contracts: int
    last_hash: bytes
    idems: list[str]
    leaves: bytes
    blocks: dict[int, bytes]  # the roots of its aligned subtrees of 2**NODE_LEVEL leaves
    deferred: list[Deferred]


def _claimed_seq(data: bytes) -> int | None:
    """The seq an entry's bytes claim if it starts a posting, else None."""
    try:
        env = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if type(env) is dict and type(env.get("posting")) is dict and env["posting"].get("i") == 0 \
            and type(env.get("seq")) is int:
        return env["seq"]
    return None


def _check_stretch(source: DatabaseSource | BundleSource, start: int, stop: int | None, suite: str, origin: str,
                   kinds: Mapping[str, Kind], key_hints: Mapping[str, bytes]) -> _Stretch | None:
    """In a stretch's process: check the entries from the first posting that starts at or after
    position ``start`` (the genesis if 0) to the end of the posting in hand at ``stop`` (the end of
    the ledger if None). None: something failed or cannot be decided here."""
    try:
        return _stretch(source, start, stop, suite, origin, kinds, key_hints)
    except Exception:  # bytes the chain checks would refuse in order, or a reading failed: decided in order
        return None


def _stretch(source: DatabaseSource | BundleSource, start: int, stop: int | None, suite: str, origin: str,
             kinds: Mapping[str, Kind], key_hints: Mapping[str, bytes]) -> _Stretch | None:
    from ledger.suites import SUITES

    bundle = isinstance(source, BundleSource)
    entries = source.entries(start, start == 0)
    head = next(entries, None)
    first_seq = 0
    if start > 0:  # skip to the first posting that starts here; the stretch before checks what is skipped
        while head is not None and (stop is None or head[0] < stop):
            claimed = _claimed_seq(head[1][:-1] if bundle else head[1][8])
            if claimed is not None:
                first_seq = claimed if bundle else head[0]
                break
            head = next(entries, None)
        if head is None or (stop is not None and head[0] >= stop):
            return _Stretch(None, 0, 0, 0, None, None, None, 0, b"", [], b"", {}, [])
    segment = Segment(start=first_seq, suite=SUITES[suite], origin=origin, key_hints=key_hints)
    verifier = ChainVerifier(kinds=kinds, index_columns=not bundle, segment=segment)
    fed, last, batch = 0, None, []

    def feed(rows: list[tuple[int, tuple]]) -> None:
        nonlocal fed
        if bundle:  # the seq of each line: counted from the stretch's first
            seq = first_seq + fed
            verifier.feed([(seq + k, None, None, None, None, None, None, None, line[:-1])
                           for k, (_, line) in enumerate(rows)])
        else:
            verifier.feed([row[1] for row in rows])
        fed += len(rows)

    try:
        tail = head
        while tail is not None and (stop is None or tail[0] < stop):
            batch.append(tail)
            if len(batch) == _BATCH:
                feed(batch)
                batch = []
            last, tail = tail, next(entries, None)
        feed(batch)
        while tail is not None and verifier.posting is not None:  # past the range, to the end of its posting
            feed([tail])
            last, tail = tail, next(entries, None)
    except VerifyFailure:
        return None
    finally:
        entries.close()
    if verifier.posting is not None or last is None:  # it ends mid-posting: only the ledger in order can say why
        return None
    end = last[0] + (len(last[1]) if bundle else 1)
    return _Stretch(first=head[0], end=end, first_seq=first_seq, entries=fed, first_prev=segment.first_prev,
                    first_posting=segment.first_posting, first_contracts=segment.first_contracts,
                    last_contracts=verifier.contracts, last_hash=verifier.prev, idems=list(verifier.idems),
                    leaves=b"".join(segment.leaves), deferred=segment.deferred,
                    blocks=subtree_roots(segment.leaves, first_seq, NODE_LEVEL, segment.suite))


def verify_in_stretches(source: DatabaseSource | BundleSource, *, genesis: bytes, kinds: Mapping[str, Kind],
                        workers: int, key_hints: Mapping[str, bytes] | None = None,
                        stored_nodes: dict[tuple[int, int], bytes] | None = None,
                        checkpoints: Sequence[tuple[str, Checkpoint]] = (),
                        progress: Callable[[int], None] | None = None) -> ChainResult | None:
    """The chain checks of the whole source in ``workers`` stretches; None if anything failed or
    could not be decided this way (the caller then checks in order, which names the failure)."""
    bundle = isinstance(source, BundleSource)
    main = ChainVerifier(kinds=kinds, stored_nodes=stored_nodes, checkpoints=checkpoints, index_columns=not bundle,
                         workers=workers)
    pool = process_pool(workers)
    if pool is None:
        return None
    try:
        if not main.begin_with(genesis):  # the suite, the origin, the log key: what every stretch is checked with
            return None
        n = workers * 2  # more stretches than processes: the first are settled here while the last are checked
        bounds = sorted({source.end * k // n for k in range(n)})
        futures = [pool.submit(_check_stretch, source, a, b, main.suite.name, main.origin, kinds, key_hints or {})
                   for a, b in zip(bounds, [*bounds[1:], None])]
        position, seq = 0, 0
        for future in futures:
            stretch = future.result()
            if stretch is None:
                return None
            if stretch.first is None:
                continue
            if not _follows(main, stretch, position, seq, bundle):
                return None
            before = len(main.idems)
            main.idems.update(stretch.idems)
            if len(main.idems) != before + len(stretch.idems):
                return None  # an idem in two stretches
            for deferred in stretch.deferred:
                main.settle(deferred)
                main.last_posting_id = deferred.posting.id
            main.contracts = stretch.last_contracts
            main.fold(stretch.leaves, stretch.blocks)
            main.prev = stretch.last_hash
            position, seq = stretch.end, stretch.first_seq + stretch.entries
            if progress:
                progress(stretch.entries)
        if position != source.end:
            return None  # the stretches do not reach the end: a line without its newline, say
        main.next_seq = seq
        return main.finish()
    except VerifyFailure:
        return None
    finally:
        main.close()
        pool.shutdown(wait=True, cancel_futures=True)


def _follows(main: ChainVerifier, stretch: _Stretch, position: int, seq: int, bundle: bool) -> bool:
    """The stretch starts where the one before ended, and its first entry and posting follow on."""
    if stretch.first != position or stretch.first_seq != seq:
        return False
    if seq == 0:
        return True  # the first stretch checked its start itself
    prev_column = None if bundle else main.prev
    return stretch.first_prev == (main.prev.hex(), prev_column) and stretch.first_posting == main.last_posting_id + 1 \
        and stretch.first_contracts is not None and stretch.first_contracts >= main.contracts


def key_hints(datas: Sequence[bytes]) -> dict[str, bytes]:
    """Key id → public key of every key the given entries (the genesis, enrolments, rotations) name.
    Only hints: a signature checked with one counts only if it is the key in force when settled."""
    import base64

    hints: dict[str, bytes] = {}
    for data in datas:
        try:
            env = orjson.loads(data)
            body = env["body"]
            named = [body["admin"], body["log"]] if env["kind"] == "ledger.genesis" else \
                [body["key"]] if env["kind"] == "key.enroll" else [body["new"]] if env["kind"] == "key.rotate" else []
            for key in named:
                hints[key["kid"]] = base64.b64decode(key["public"])
        except (orjson.JSONDecodeError, TypeError, KeyError, ValueError):
            continue
    return hints

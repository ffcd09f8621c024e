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

from bisect import bisect_left
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import orjson

from ledger import collector
from ledger.chain import NODE_LEVEL, ChainResult, ChainVerifier, Deferred, Segment, VerifyFailure, process_pool
from ledger.kinds import Kind
from ledger.merkle import subtree_roots
from ledger.note import Checkpoint

__all__ = ["BundleSource", "Counting", "DatabaseSource", "MIN_BYTES", "MIN_ENTRIES", "key_hints", "verify_in_stretches"]

MIN_ENTRIES = 20_000  # below this (a bundle: MIN_BYTES of entries) a pool of processes costs more than it saves
MIN_BYTES = 4_000_000
_BLOCK = 1 << 18  # bytes of a bundle read at a time: some hundreds of lines (larger blocks' lines, freed together,
# emptied the allocator's arenas, which went back to the OS and were mapped again for the next block)
_BUNDLE_STRETCHES = 8  # a bundle's stretches per process
_PLUS_ONE = (1).__add__  # a line's length with its newline


@dataclass(frozen=True, slots=True)
class DatabaseSource:
    """A ledger's rows below ``end`` (the size the reading transaction sees), read by each process
    in a transaction of its own: on PostgreSQL in the reader's snapshot (``pg_export_snapshot``).
    A row's position is its seq."""

    url: str
    end: int
    snapshot: str | None

    def batches(self, start: int) -> Iterator[tuple[Sequence[int], list[tuple]]]:
        """(the position of each row and the one after the last, the rows) from seq ``start``."""
        from ledger import db
        from ledger.replay import entry_batches

        engine = db.make_engine(self.url)
        try:
            with db.read_tx(engine) as conn:
                if self.snapshot is not None:
                    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{self.snapshot}'")
                for batch in entry_batches(conn, self.end, start or None):
                    first, last = batch[0][0], batch[-1][0]  # seqs rise (a primary key, in order): consecutive if so
                    yield range(first, last + 2) if last - first == len(batch) - 1 else \
                        [*(row[0] for row in batch), last + 1], batch
        finally:
            engine.dispose()

    @staticmethod
    def claimed(row: tuple) -> int | None:
        return row[0] if _claimed_seq(row[8]) is not None else None

    @staticmethod
    def rows(seq: int, rows: list[tuple]) -> Iterable[tuple]:
        return rows


@dataclass(frozen=True, slots=True)
class BundleSource:
    """A bundle's ``entries.jsonl``. A line's position is the byte offset it begins at; its seq is
    counted by the stretch's process from the first posting it starts at, and checked where the
    stretches meet (see :class:`_Stretch`)."""

    path: str
    end: int  # the file's size

    def batches(self, start: int) -> Iterator[tuple[Sequence[int], list[bytes]]]:
        """(the offset of each line and the one after the last, the lines without their newlines),
        a block at a time, from the first line that begins at ``start`` or after (the stretch before
        reads the rest). It stops before a line without its newline, so that what was read then
        ends short of the file (``bundle_batches`` names the line)."""
        with open(self.path, "rb") as f:
            if start > 0:
                f.seek(start - 1)
                f.readline()
            at, pending = f.tell(), []
            while block := f.read(_BLOCK):
                cut = block.rfind(b"\n")
                if cut < 0:  # a line longer than a block
                    pending.append(block)
                    continue
                text = b"".join([*pending, block[:cut]])
                pending = [block[cut + 1:]]
                lines = text.split(b"\n")
                starts = _LineStarts(at, at + len(text) + 1, lines)
                yield starts, lines
                at = starts.end

    @staticmethod
    def claimed(line: bytes) -> int | None:
        return _claimed_seq(line)

    @staticmethod
    def rows(seq: int, lines: list[bytes]) -> Iterable[tuple]:
        """The rows the chain checks take: the seq, None for the hash and the index columns a
        bundle does not store, the bytes."""
        return zip(range(seq, seq + len(lines)), *(repeat(None),) * 7, lines)


class _LineStarts(Sequence[int]):
    """The offset each line of a block begins at, and the one after the last. The ends are known;
    the offsets inside are added up only when one is asked for (a stretch asks at its ends)."""

    __slots__ = ("at", "end", "_lines", "_all")

    def __init__(self, at: int, end: int, lines: list[bytes]) -> None:
        self.at, self.end, self._lines, self._all = at, end, lines, None

    def __len__(self) -> int:
        return len(self._lines) + 1

    def __getitem__(self, i: int) -> int:  # type: ignore[override]
        if i == -1 or i == len(self._lines):
            return self.end
        if self._all is None:
            self._all = list(accumulate(map(_PLUS_ONE, map(len, self._lines)), initial=self.at))
        return self._all[i]


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


_NOTHING = _Stretch(None, 0, 0, 0, None, None, None, 0, b"", [], b"", {}, [])


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


@collector.paused()  # a worker from a fork server starts with the collector on
def _check_stretch(source: DatabaseSource | BundleSource, start: int, stop: int | None, suite: str, origin: str,
                   kinds: Mapping[str, Kind], key_hints: Mapping[str, bytes]) -> _Stretch | None:
    """In a stretch's process: check the entries from the first posting that starts at or after
    position ``start`` (the genesis if 0) to the end of the posting in hand at ``stop`` (the end of
    the ledger if None). None: something failed or cannot be decided here."""
    try:
        return _stretch(source, start, source.end if stop is None else stop, suite, origin, kinds, key_hints)
    except Exception:  # bytes the chain checks would refuse in order, or a reading failed: decided in order
        return None


def _stretch(source: DatabaseSource | BundleSource, start: int, stop: int, suite: str, origin: str,
             kinds: Mapping[str, Kind], key_hints: Mapping[str, bytes]) -> _Stretch | None:
    from ledger.suites import SUITES

    batches = source.batches(start)
    try:
        found = _first_posting(source, batches, start, stop)
        if found is None:
            return _NOTHING
        first_seq, k, starts, entries = found
        segment = Segment(start=first_seq, suite=SUITES[suite], origin=origin, key_hints=key_hints)
        verifier = ChainVerifier(kinds=kinds, index_columns=isinstance(source, DatabaseSource), segment=segment)
        first, seq = starts[k], first_seq
        while True:  # the entries that begin in the range
            cut = len(entries) if starts[-1] <= stop else bisect_left(starts, stop, k, len(entries))
            verifier.feed(source.rows(seq, entries[k:cut]))
            seq, k = seq + cut - k, cut
            if cut < len(entries) or (batch := next(batches, None)) is None:
                break
            (starts, entries), k = batch, 0
        while verifier.posting is not None:  # past the range, to the end of the posting in hand
            if k == len(entries):
                if (batch := next(batches, None)) is None:
                    return None  # it ends mid-posting: only the ledger in order can say why
                (starts, entries), k = batch, 0
            cut = min(len(entries), k + verifier.posting.first_seq + verifier.posting.n - seq)
            verifier.feed(source.rows(seq, entries[k:cut]))
            seq, k = seq + cut - k, cut
    except VerifyFailure:
        return None
    finally:
        batches.close()
    return _Stretch(first=first, end=starts[k], first_seq=first_seq, entries=seq - first_seq,
                    first_prev=segment.first_prev, first_posting=segment.first_posting,
                    first_contracts=segment.first_contracts, last_contracts=verifier.contracts,
                    last_hash=verifier.prev, idems=list(verifier.idems), leaves=b"".join(segment.leaves),
                    deferred=segment.deferred, blocks=subtree_roots(segment.leaves, first_seq, NODE_LEVEL, segment.suite))


def _first_posting(source: DatabaseSource | BundleSource, batches: Iterator[tuple[Sequence[int], list]], start: int,
                   stop: int) -> tuple[int, int, Sequence[int], list] | None:
    """(its seq, its index in its batch, the batch) of the first entry that begins in [start, stop)
    and starts a posting: the genesis if ``start`` is 0; None if there is none. The entries it skips
    are the stretch before's to check."""
    for starts, entries in batches:
        for k, entry in enumerate(entries):
            if starts[k] >= stop:
                return None
            if start == 0:
                return 0, 0, starts, entries
            seq = source.claimed(entry)
            if seq is not None:
                return seq, k, starts, entries
    return None


class Counting:
    """A progress callback for the stretches that remembers whether they counted any entry: when
    they do not decide, :meth:`restart` tells ``progress`` (``None``) that the check in order counts
    again from no entry, so that a bar at 100 % does not say the work is done."""

    def __init__(self, progress: Callable[[int | None], None]) -> None:
        self.progress = progress
        self.counted = 0

    def __call__(self, n: int) -> None:
        self.counted += n
        self.progress(n)

    def restart(self) -> None:
        if self.counted:
            self.progress(None)


def verify_in_stretches(source: DatabaseSource | BundleSource, *, genesis: bytes, kinds: Mapping[str, Kind],
                        workers: int, key_hints: Mapping[str, bytes] | None = None,
                        stored_nodes: dict[tuple[int, int], bytes] | None = None,
                        checkpoints: Sequence[tuple[str, Checkpoint]] = (),
                        progress: Callable[[int], None] | None = None,
                        meanwhile: Callable[[], None] | None = None) -> ChainResult | None:
    """The chain checks of the whole source in ``workers`` stretches; None if anything failed or
    could not be decided this way (the caller then checks in order, which names the failure).
    ``meanwhile``: the caller's own work, done here while the stretches are checked; what it
    raises is raised as is."""
    bundle = isinstance(source, BundleSource)
    main = ChainVerifier(kinds=kinds, stored_nodes=stored_nodes, checkpoints=checkpoints, index_columns=not bundle,
                         workers=workers)
    pool = process_pool(workers)
    if pool is None:
        return None
    try:
        try:
            if not main.begin_with(genesis):  # the suite, the origin, the log key: what every stretch is checked with
                return None
        except VerifyFailure:
            return None
        # more stretches than processes: the first are settled here while the last are checked. A bundle's
        # are smaller: a process checks a small stretch faster an entry (what it keeps, its leaves and
        # idems, stays small) and the cores finish together; a database's each open a transaction.
        n = workers * (_BUNDLE_STRETCHES if bundle else 2)
        bounds = sorted({source.end * k // n for k in range(n)})
        futures = [pool.submit(_check_stretch, source, a, b, main.suite.name, main.origin, kinds, key_hints or {})
                   for a, b in zip(bounds, [*bounds[1:], None])]
        if meanwhile is not None:
            meanwhile()
        return _settle(main, futures, source.end, bundle, progress)
    finally:
        main.close()
        pool.shutdown(wait=True, cancel_futures=True)


def _settle(main: ChainVerifier, futures: list[Future], end: int, bundle: bool,
            progress: Callable[[int], None] | None) -> ChainResult | None:
    """What the stretches cannot know alone, in order, as each comes back."""
    try:
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
                main.last_posting_id = deferred.id
            main.contracts = stretch.last_contracts
            main.fold(stretch.leaves, stretch.blocks)
            main.prev = stretch.last_hash
            position, seq = stretch.end, stretch.first_seq + stretch.entries
            if progress:
                progress(stretch.entries)
        if position != end:
            return None  # the stretches do not reach the end: a line without its newline, say
        main.next_seq = seq
        return main.finish()
    except VerifyFailure:
        return None


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

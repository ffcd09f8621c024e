"""Replay: the derived state as a function of the entries, re-derived and compared.

Every projection is a pure function of the entries. :class:`Replayer` reads stored entries in seq
order and does to a store built by the migrations exactly what posting did, through the same
functions (``store.apply_posting``, ``store.write_entries``): the ledger's own state rules, the
contracts' checks and effects, each posting held to the contracts version it recorded (a fatal
finding of a rule added after it is a warning). It never reads a projection row of the database
under check. An entry the replayed rules refuse is named, with its seq, its rule and the finding
posting would have given; its effect is not applied (as posting would not have applied it), so
what it changed shows in the comparison too.

:func:`compare_projections` then reads every projection table of the database and of the replay,
both in primary-key order (byte order for text: ``COLLATE "C"`` on PostgreSQL, SQLite's own
order), and names every row missing, extra or different: the table, the row's key, the column,
what the entries give and what the database holds (``STATE-ROW``, fatal). It also digests the
database's rows (:func:`row_bytes`, ``docs/format.md`` §10): equal on SQLite and PostgreSQL for
the same entries.

Used by ``verify`` (step 8, on a scratch SQLite store), by the nightly run (``checks/nightly.py``)
and by ``fundledger replay --bundle`` (into the auditor's own database).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import orjson
from sqlalchemy import Connection, Engine, Integer, LargeBinary, String, Table, text

from ledger import collector, db
from ledger.envelope import ZERO_HASH, Sealed
from ledger.errors import EnvironmentProblem, InputError, IntegrityError, stored_blob
from ledger.findings import FATAL, Finding, subject
from ledger.interface import Contracts
from ledger.kinds import genesis_suite, registry, stored_envelope
from ledger.store import Head, Item, apply_posting, write_entries
from ledger.suites import DEFAULT
from ledger.tree import Tree

__all__ = [
    "STATE_ROW", "STATE_ROW_MESSAGE", "STATE_ROW_ZH", "Comparison", "ReplayResult", "Replayer", "StateFailure", "compare_projections",
    "entry_batches", "failure_message", "replay_bundle", "replaying", "row_bytes", "scratch_store", "stored_form",
]

STATE_ROW = "STATE-ROW"
STATE_ROW_MESSAGE = "every projection row is what a replay of the entries gives: none missing, none extra, none different"
STATE_ROW_ZH = "每一行投影数据都须与按分录重放的结果一致：不缺、不多、无差异"
_SHOWN_PER_TABLE = 50  # differences listed per table; the rest are counted
_COMMIT_EVERY = 5000  # entries per replay transaction
_BATCH = 5000  # rows per fetch


class StateFailure(IntegrityError):
    """The derived state does not follow from the entries (exit 3): the findings name every refused
    entry (by seq and rule) and every projection row that differs (by table, key and column)."""

    def __init__(self, message: str, findings: Sequence[Finding], *, step: str = "8") -> None:
        super().__init__(message, tuple(findings))
        self.step = step

    def as_dict(self) -> dict[str, Any]:
        return {"ok": False, "step": self.step, "message": self.message,
                "refused": sum(1 for f in self.findings if f.rule != STATE_ROW),
                "differing": sum(1 for f in self.findings if f.rule == STATE_ROW)}


@contextmanager
def scratch_store() -> Iterator[Engine]:
    """A temporary SQLite database built by the migrations, deleted afterwards. The migrations run
    once a process (≈ 0.15 s); a later store in the same process starts from a copy of the file
    they made, before anything was written to it. A process that replays more than once (a
    service; the tests, where they were most of a small ledger's ``verify``) pays them once."""
    global _EMPTY_STORE
    with tempfile.TemporaryDirectory(prefix="fundledger-replay-") as tmp:
        path = Path(tmp) / "replay.db"
        if _EMPTY_STORE is not None:
            path.write_bytes(_EMPTY_STORE)
        engine = db.make_engine(f"sqlite:///{path}", durable=False)
        try:
            if _EMPTY_STORE is None:
                db.apply_migrations(engine)
                engine.dispose()  # every connection closed: the file is whole (no journal: durable=False)
                _EMPTY_STORE = path.read_bytes()
            yield engine
        finally:
            engine.dispose()


_EMPTY_STORE: bytes | None = None  # this process's scratch store as the migrations left it


# -- replay -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a replay found.

    Attributes:
      entries, postings: how many it replayed.
      refused: a fatal finding for each problem of an entry the rules of its version refuse; the
        subject starts with the entry's ``seq``.
      warnings: every warning, as posting gave them, and the findings of rules added after an
        entry's version.
      late: of those, the findings of rules added after the entry's version (for the nightly run).
      versions: how many postings recorded each contracts version.
    """

    entries: int
    postings: int
    refused: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    late: tuple[Finding, ...]
    versions: dict[int, int]


@dataclass(slots=True)
class _Open:
    """A posting read from the source: its sealed entries, and the items they are."""

    n: int
    version: int | None
    sealed: list[Sealed] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


class Replayer:
    """Feed stored rows in seq order with :meth:`feed` (rows as ``ledger.chain`` takes them: the
    first element the seq, the last the canonical bytes), then call :meth:`finish`. Writes into
    ``target``, a database at this code's schema holding nothing yet.

    It holds each entry to the one before it (its ``prev`` is that entry's hash), so the entries it
    was fed are those the chain checks passed whenever :attr:`fed` is the checked chain's size and
    head: a reader that checks the entries in another read than the replay's (``verify``'s
    stretches, :func:`replay_bundle`) compares the two. It checks nothing else of the chain's."""

    def __init__(self, target: Engine, contracts: Contracts) -> None:
        self.target = target
        self.contracts = contracts
        self.kinds = registry(contracts.kinds)
        self.head = Head(seq=-1, hash=ZERO_HASH, posting=-1)
        self.suite, self.origin = DEFAULT, ""  # the genesis says which
        self.refused: list[Finding] = []
        self.warnings: list[Finding] = []
        self.late: list[Finding] = []
        self.versions: Counter[int] = Counter()
        self.postings = 0
        self._open: _Open | None = None
        self._ready: list[_Open] = []
        self._waiting = 0
        self._next = 0
        self._tip = ZERO_HASH  # the hash of the entry fed last: the next one's prev

    def feed(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            seq = row[0]
            data = stored_blob(row[-1], "seq {}: the entries column data", seq)
            if seq != self._next:
                raise IntegrityError(f"replay: seq {seq} where seq {self._next} belongs; run `fundledger verify`")
            self._next += 1
            env = stored_envelope(seq, data, self.kinds, "replay")
            if seq == 0:
                self.suite, self.origin = genesis_suite(env["body"]), env["body"]["origin"]
            prev = bytes.fromhex(env["prev"])
            if prev != self._tip:
                raise IntegrityError(f"replay: seq {seq} does not follow seq {seq - 1} (its prev is not that entry's "
                                     "hash); run `fundledger verify`")
            self._tip = self.suite.leaf_hash(data)
            p = env["posting"]
            if self._open is None:
                self._open = _Open(n=p["n"], version=p.get("contracts"))
            self._open.sealed.append(Sealed(seq=seq, prev=prev, hash=self._tip, envelope=env, data=data))
            self._open.items.append(Item(kind=env["kind"], idem=env["idem"], body=env["body"]))
            if len(self._open.sealed) == self._open.n:
                self._ready.append(self._open)
                self._waiting += self._open.n
                self._open = None
                if self._waiting >= _COMMIT_EVERY:
                    self._flush()

    def root(self) -> bytes:
        """The Merkle root of the entries replayed (after :meth:`finish`), from their bytes: the tree
        this replay wrote (``write_entries``), never the database's stored one."""
        with db.read_tx(self.target) as conn:
            return Tree(conn, self.suite).root(self.head.size)

    @property
    def fed(self) -> tuple[int, str]:
        """How many entries were fed, and the hash of the last (hex), as a chain check's result gives them."""
        return self._next, self._tip.hex()

    def _flush(self) -> None:
        """Replay the postings read so far, in one transaction; the contracts' edge checks all their
        bodies at once (it checks each body on its own, so this changes nothing but the time)."""
        if not self._ready:
            return
        edge = self._stored_form([it for p in self._ready if p.sealed[0].seq > 0 for it in p.items])
        with db.write_tx(self.target) as conn:
            for posting in self._ready:
                self._apply(conn, posting, edge)
        self._ready, self._waiting = [], 0

    def _apply(self, conn: Connection, posting: _Open, edge: dict[str, list[Finding]]) -> None:
        sealed, version = posting.sealed, posting.version
        first = sealed[0].seq
        if first > 0:
            if type(version) is not int or version < 1:
                raise IntegrityError(f"replay: the posting at seq {first} records no contracts version; "
                                     "run `fundledger verify`")
            if version > self.contracts.version:
                raise EnvironmentProblem(
                    f"the posting at seq {first} was checked by contracts version {version}; this fundledger "
                    f"knows versions up to {self.contracts.version}: replay it with a release that knows them")
            self.versions[version] += 1
            items = posting.items
            findings = [f for it in items for f in edge.get(it.idem, ())]
            if not any(f.severity == FATAL for f in findings):  # bodies it could not even read change nothing
                findings += apply_posting(conn, self.head, items, self.kinds, self.contracts, version, self.suite,
                                          self.origin, sealed[0].envelope["posting"]["key"])
            seqs = {s.envelope["idem"]: s.seq for s in sealed}
            for f in findings:
                named = _at_seq(f, seqs)
                if f.severity == FATAL:
                    self.refused.append(named)
                    continue
                self.warnings.append(named)
                if self.contracts.since(f.rule) > version:
                    self.late.append(named)
        write_entries(conn, sealed, self.head.size, self.suite)
        last = sealed[-1]
        self.head = Head(seq=last.seq, hash=last.hash, posting=self.head.posting + 1, contracts=version or 0)
        self.postings += 1

    def _stored_form(self, items: list[Item]) -> dict[str, list[Finding]]:
        """``stored_form`` of the contracts' kinds among ``items``."""
        return stored_form(self.contracts.prepare, [it for it in items if self.kinds[it.kind].contracts])

    def compare(self, database: Connection) -> "Comparison":
        """The database's projections (read in the caller's transaction) against this replay's."""
        return compare_projections(database, self.target, self.contracts.tables())

    def finish(self) -> ReplayResult:
        if self._open is not None:
            first = self._open.sealed[0].seq
            raise IntegrityError(f"replay: the posting at seq {first} is incomplete; run `fundledger verify`")
        self._flush()
        return ReplayResult(entries=self.head.size, postings=self.postings, refused=tuple(self.refused),
                            warnings=tuple(self.warnings), late=tuple(self.late),
                            versions=dict(sorted(self.versions.items())))


def stored_form(prepare: Callable[[Sequence[Item]], Sequence[Item]], items: list[Item]) -> dict[str, list[Finding]]:
    """A stored body is its own stored form: the contracts' edge (``prepare``) accepts it and leaves
    it as it is. The findings by idem (empty when every body is). Replay holds every body of the
    contracts' kinds to it; so does the trail before it summarises one (``contracts.summaries``)."""
    if not items:
        return {}
    by_idem: dict[str, list[Finding]] = {}
    try:
        prepared = prepare(items)
    except InputError as e:
        for f in e.findings:
            by_idem.setdefault(dict(f.subject).get("idem"), []).append(f)
        return by_idem
    for it, p in zip(items, prepared):
        if p.body != it.body:
            by_idem.setdefault(it.idem, []).append(Finding(
                rule="INPUT-BODY", severity=FATAL, field="body", subject=subject(idem=it.idem),
                message=f"the stored body of {it.kind} is not in its stored form (amounts in fen)",
                expected=orjson.dumps(p.body, option=orjson.OPT_SORT_KEYS).decode(),
                actual=orjson.dumps(it.body, option=orjson.OPT_SORT_KEYS).decode()))
    return by_idem


def _at_seq(f: Finding, seqs: dict[str, int]) -> Finding:
    """The finding as posting gave it, about the entry at its seq (the input line has no meaning here)."""
    parts = dict(f.subject)
    seq = seqs.get(parts.get("idem"))
    rest = tuple((k, v) for k, v in f.subject if k != "line")
    named = (("seq", seq), *rest) if seq is not None else rest
    return Finding(rule=f.rule, severity=f.severity, message=f.message, subject=named, field=f.field,
                   expected=f.expected, actual=f.actual, difference=f.difference)


# -- comparison and digest ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Comparison:
    """The projections of a database against a replay.

    Attributes:
      differences: a ``STATE-ROW`` finding per row missing, extra or per column different (at most
        50 listed per table, then one finding counting the rest).
      differing: how many rows differ, by table.
      tables, rows: how many projection tables and rows the database holds.
      digest: the SHA-256 of the database's projection rows (``row_bytes``).
      retyped: of the differences, the first 50 where the database holds a value of another type
        in an integer column (text or a fraction, written by hand): nothing that sums or compares
        amounts can run over the table as it stands (the nightly run stops on them).
    """

    differences: tuple[Finding, ...]
    differing: dict[str, int]
    tables: int
    rows: int
    digest: str
    retyped: tuple[Finding, ...] = ()


def _ranked(key: Any) -> Any:
    """A key's values by the databases' order of classes (NULL, numbers, text, blobs), for a key whose
    values Python cannot compare (text where SQLite's column holds numbers: an edited row)."""
    def rank(v: Any) -> tuple:
        return (0,) if v is None else (1, v) if isinstance(v, (int, float)) else (2, v) if isinstance(v, str) \
            else (3, bytes(v))
    return tuple(rank(v) for v in key) if isinstance(key, tuple) else rank(key)


def _before(a: Any, b: Any) -> bool:
    try:
        return a < b
    except TypeError:
        return _ranked(a) < _ranked(b)


def _batches(conn: Connection, table: Table) -> Iterator[list[tuple]]:
    """The table's rows, as tuples of its columns, in primary-key order (text in byte order on either
    database: SQLite's own, ``COLLATE "C"`` on PostgreSQL), through the driver's cursor, in batches
    of 5,000."""
    pg = conn.dialect.name == "postgresql"
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    order = ", ".join(f'"{c.name}" COLLATE "C"' if pg and isinstance(c.type, String) else f'"{c.name}"'
                      for c in table.primary_key.columns)
    yield from db.batches(conn, f'SELECT {columns} FROM "{table.name}" ORDER BY {order}', f"fundledger_{table.name}", _BATCH)


def row_bytes(table: str, values: Sequence[Any]) -> bytes:
    """One projection row as the digest reads it: the JSON array ``[table, value, …]`` (columns in
    the table's order; bytes as lowercase hex; integers, text and null as JSON) and a newline."""
    return orjson.dumps([table, *(v.hex() if isinstance(v, bytes) else v for v in values)]) + b"\n"


def _digest_line(table: str, values: tuple, binary: bool) -> bytes:
    """``row_bytes``, without looking for bytes in a table that has no binary column (unless a
    value of another type was stored by hand: SQLite keeps what it is given)."""
    if not binary:
        try:
            return orjson.dumps((table, *values)) + b"\n"
        except orjson.JSONEncodeError:
            pass
    return row_bytes(table, values)


def _show(values: Any) -> str:
    if isinstance(values, bytes):
        return values.hex() if len(values) <= 32 else f"{len(values)} bytes, SHA-256 {hashlib.sha256(values).hexdigest()[:16]}…"
    return "NULL" if values is None else repr(values) if isinstance(values, str) else str(values)


def _row_text(table: Table, values: tuple) -> str:
    return ", ".join(f"{c.name}={_show(v)}" for c, v in zip(table.columns, values))


def compare_projections(database: Connection, replayed: Engine, tables: Sequence[Table]) -> Comparison:
    """Every projection table of ``database`` (read in the caller's transaction) against the replay."""
    digest = hashlib.sha256()
    findings: list[Finding] = []
    retyped: list[Finding] = []
    differing: Counter[str] = Counter()
    total = 0
    with db.read_tx(replayed) as theirs:
        for table in sorted(tables, key=lambda t: t.name):
            key = itemgetter(*[i for i, c in enumerate(table.columns) if c.primary_key])
            binary = any(isinstance(c.type, LargeBinary) for c in table.columns)
            integers = {c.name: i for i, c in enumerate(table.columns) if isinstance(c.type, Integer)}
            name = table.name
            listed: list[Finding] = []
            unlisted = 0
            mine, replay = _batches(database, table), _batches(theirs, table)
            a, b = next(mine, []), next(replay, [])
            while a and a == b:  # the same rows in the same order (both read in batches of 5,000): equal
                total += len(a)
                digest.update(b"".join(_digest_line(name, got, binary) for got in a))
                a, b = next(mine, []), next(replay, [])
            # from the first batch that differs, row by row
            for got, want in _merge(chain(a, chain.from_iterable(mine)), chain(b, chain.from_iterable(replay)), key):
                if got is not None:
                    total += 1
                    digest.update(_digest_line(name, got, binary))
                    if got == want:
                        continue
                differing[name] += 1
                odd = got is not None and {n for n, i in integers.items() if got[i] is not None and type(got[i]) is not int}
                for f in _row_findings(table, got, want):
                    if odd and (f.field in odd or not f.field) and len(retyped) < _SHOWN_PER_TABLE:
                        retyped.append(f)  # that column, or the whole row (an extra one)
                    if len(listed) < _SHOWN_PER_TABLE:
                        listed.append(f)
                    else:
                        unlisted += 1
            findings += listed
            if unlisted:
                findings.append(Finding(rule=STATE_ROW, severity=FATAL, subject=(("table", name),),
                                        message=f"{name}: {unlisted} more differences not listed "
                                                f"({differing[name]} rows differ in all)"))
    return Comparison(differences=tuple(findings), differing=dict(differing), tables=len(tables), rows=total,
                      digest=digest.hexdigest(), retyped=tuple(retyped))


def _merge(mine: Iterator[tuple], theirs: Iterator[tuple],
           key: Callable[[tuple], Any]) -> Iterator[tuple[tuple | None, tuple | None]]:
    """Pairs (database row, replayed row) of two streams in key order; None where one side has no row."""
    a, b = next(mine, None), next(theirs, None)
    while a is not None or b is not None:
        if b is None or (a is not None and _before(key(a), key(b))):
            yield a, None
            a = next(mine, None)
        elif a is None or _before(key(b), key(a)):
            yield None, b
            b = next(theirs, None)
        else:
            yield a, b
            a, b = next(mine, None), next(theirs, None)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _row_findings(table: Table, got: tuple | None, want: tuple | None) -> Iterator[Finding]:
    """What differs in one row: the whole row missing or extra, else each column."""
    row = want if got is None else got
    key = tuple((c.name, row[i]) for i, c in enumerate(table.columns) if c.primary_key)
    where = " ".join(f"{k}={v}" for k, v in key)
    about = (("table", table.name), *key)
    if got is None:
        yield Finding(rule=STATE_ROW, severity=FATAL, subject=about, expected=_row_text(table, want), actual="absent",
                      message=f"{table.name} row {where}: the entries give it, the database has none")
    elif want is None:
        yield Finding(rule=STATE_ROW, severity=FATAL, subject=about, expected="absent", actual=_row_text(table, got),
                      message=f"{table.name} row {where}: in the database, but no entry gives it")
    else:
        for c, mine, theirs in zip(table.columns, got, want):
            if not _same(mine, theirs):
                yield Finding(rule=STATE_ROW, severity=FATAL, subject=about, field=c.name,
                              expected=_show(theirs), actual=_show(mine),
                              message=f"{table.name} row {where}: {c.name} is {_show(mine)} in the database, "
                                      f"the entries give {_show(theirs)}")


def failure_message(result: ReplayResult, comparison: Comparison | None) -> str | None:
    """One sentence saying what does not follow from the entries, or None when everything does."""
    parts = []
    if result.refused:
        seqs = sorted({dict(f.subject).get("seq") for f in result.refused} - {None})
        first = result.refused[0]
        parts.append(f"{len(seqs)} entr{'y' if len(seqs) == 1 else 'ies'} the rules of their version refuse "
                     f"(first: seq {dict(first.subject).get('seq')}, {first.rule})")
    if comparison is not None and comparison.differing:
        rows = sum(comparison.differing.values())
        tables = ", ".join(f"{t} {n}" for t, n in sorted(comparison.differing.items()))
        parts.append(f"{rows} projection row{'s' if rows != 1 else ''} the entries do not give ({tables})")
    return "; ".join(parts) or None


@contextmanager
def replaying(contracts: Contracts) -> Iterator[Replayer]:
    """A :class:`Replayer` into a fresh scratch store, deleted afterwards; the cyclic collector
    paused meanwhile (``ledger/collector.py``)."""
    with scratch_store() as scratch, collector.paused():
        yield Replayer(scratch, contracts)


_ROWS = "SELECT seq, hash, prev, kind, idem, posting, key_id, at, data FROM entries"


def entry_batches(conn: Connection, size: int | None = None, start: int | None = None) -> Iterator[list[tuple]]:
    """The stored rows ``(seq, hash, prev, kind, idem, posting, key_id, at, data)`` in seq order, those
    below ``size`` (all if None) from ``start`` (the first if None), in batches, in the caller's
    transaction (on PostgreSQL through a server-side cursor, so a million entries never sit in
    memory at once)."""
    where = [*([] if size is None else [f"seq < {int(size)}"]), *([] if start is None else [f"seq >= {int(start)}"])]
    yield from db.batches(conn, _ROWS + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY seq",
                          "fundledger_entries", _BATCH)


# -- the auditor's own copy ---------------------------------------------------------------------
REPLAYED_FROM_SETTING = "replayed_from"


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """A database rebuilt from a bundle: the bundle's chain and what its replay found."""

    chain: Any
    replay: ReplayResult


@collector.paused()
def replay_bundle(directory: Path, url: str, contracts: Contracts, *, log_vkey: str | None = None,
                  progress: Callable[[int | None], None] | None = None) -> Rebuilt:
    """Build a full ledger database at ``url`` from an offline bundle alone, after verifying the
    bundle (files, manifest, chain, signatures, checkpoint; ``ledger/bundle.py``): the migrations,
    then every entry replayed through posting's own functions (entries, keys, Merkle nodes,
    projections). The database must hold no ledger yet. If the rules of an entry's version refuse
    it, the copy is still built, holding every entry but not the refused ones' effects, and
    :class:`StateFailure` (exit 3) names each. ``progress(n)`` counts the entries verified, then,
    after ``progress(None)``, those replayed."""
    from ledger.bundle import bundle_batches, verify_bundle

    kinds = registry(contracts.kinds)
    chain = verify_bundle(directory, kinds=kinds, log_vkey=log_vkey, progress=progress)  # in order: it never starts again
    if progress:
        progress(None)
    engine = db.make_engine(url)
    try:
        if db.schema_revision(engine) is not None:
            with db.read_tx(engine) as conn:
                held = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
            if held:
                raise InputError(f"{engine.url.render_as_string(hide_password=True)} already holds a ledger "
                                 f"({held} entries); replay a bundle into an empty database")
        db.apply_migrations(engine)
        replayer = Replayer(engine, contracts)
        try:
            for batch in bundle_batches(directory):
                replayer.feed(batch)
                if progress:
                    progress(len(batch))
            if replayer.fed != (chain.entries, chain.head_hash):
                raise IntegrityError(f"replay: {replayer.fed[0]} entries, the last with hash {replayer.fed[1]}; "
                                     f"verified: {chain.entries}, the last {chain.head_hash}")
            result = replayer.finish()
        except IntegrityError as e:  # read twice, the file gave other bytes the second time
            what = e.message.removesuffix("; run `fundledger verify`")
            raise IntegrityError(f"{directory / 'entries.jsonl'} changed after it was verified ({what}): "
                                 f"{engine.url.render_as_string(hide_password=True)} holds entries no check passed; "
                                 "delete it and replay the bundle again") from None
        with db.write_tx(engine) as conn:
            db.put_setting(conn, REPLAYED_FROM_SETTING,
                           f"bundle of {chain.origin}, {chain.entries} entries, root {chain.root.hex()}")
    finally:
        engine.dispose()
    if result.refused:
        raise StateFailure(f"the bundle's {result.entries} entries are replayed into the database, but "
                           f"{failure_message(result, None)}: the copy holds them without their effects",
                           result.refused, step="replay")
    return Rebuilt(chain=chain, replay=result)

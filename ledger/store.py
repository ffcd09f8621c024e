"""The ledger as stored: open, initialise, append one posting, read.

Before any transaction, each entry passes the edge: ``ledger.inputs.validate_item`` made it (the
command line's lines, ``enroll_item``), or it is checked here the same way (an item built in
code), so that nothing is appended that the command line would refuse or ``verify`` could not
accept; then the contracts turn their kinds' bodies into stored form.

Append, in one transaction holding the single-writer lock (``db.write_tx``):
  1. read the head (last seq, hash, posting id, the contracts version it was posted under);
  2. check the poster's key is enrolled, not revoked, and has a role allowed for every kind;
  3. look up every idem: same kind and body → ``duplicate`` (original seq and hash); other kind or
     body → :class:`ConflictError` (exit 4) and nothing is appended;
  4. what the posting does to the state (:func:`apply_posting`): the ledger's own state rules
     (keys, references), then the contracts' checks and effects on the projections; a fatal
     finding → :class:`Rejected` and the transaction rolls back;
  5. seal (chain and sign, recording the contracts version) the new entries, insert them, keep
     the keys and the Merkle nodes (:func:`write_entries`), commit.
Everything the checks read comes from indexed look-ups of what the posting touches; history is
never rescanned at write time. Replay (``ledger/replay.py``) runs steps 4 and 5 with the stored
entries instead of new ones: the same functions decide what an entry does to the state.

The rules of the money reach the store through one interface passed in (``ledger/interface.py``).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import orjson
from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from ledger import db
from ledger.canonical import canonical
from ledger.envelope import ZERO_HASH, Sealed, seal_posting, utc_now
from ledger.errors import ConflictError, EnvironmentProblem, Error, InputError, IntegrityError, Rejected, stored_blob
from ledger.findings import FATAL, Finding, subject, worst
from ledger.interface import Contracts
from ledger.key_state import KEY_COLUMNS, poster_findings, project_keys, state_findings
from ledger.keys import PublicKey, Signer
from ledger.kinds import CORE_KINDS, Kind, genesis_suite, registry, stored_envelope
from ledger.rotation import statement as rotation_statement
from ledger.suites import DEFAULT, Suite
from ledger.tree import extend_nodes

__all__ = [
    "GENESIS_IDEM", "Head", "Item", "KeyRecord", "Ledger", "Posted", "Receipt", "apply_posting", "enroll_item",
    "init_ledger", "read_head", "revoke_item", "rotate_item", "validate_origin", "write_entries",
]

GENESIS_IDEM = "ledger.genesis"
LOG_KEY_SETTING = "log_key_path"
CHECKS_KEY_SETTING = "checks_key_path"  # where `fundledger check` finds the checks key (recorded by the demo)
_CHUNK = 500
# The store speaks SQL through SQLAlchemy Core; the tables are defined once, in the models (ledger/, contracts/),
# which the posting path does not import (the ORM costs a tenth of a second per process).
_ENTRY_COLUMNS = "seq, hash, prev, kind, idem, posting, key_id, at, data"
_HEAD = text("SELECT seq, hash, posting, data FROM entries ORDER BY seq DESC LIMIT 1")
_KEY = text(f"SELECT {KEY_COLUMNS} FROM keys WHERE kid = :kid")
_IDEMS_IN = text("SELECT idem, seq, hash, data FROM entries WHERE idem IN :idems").bindparams(
    bindparam("idems", expanding=True))  # SQLite: a placeholder per idem
_IDEMS_ANY = text("SELECT idem, seq, hash, data FROM entries WHERE idem = ANY(:idems)")
# PostgreSQL: one array parameter; psycopg parses a statement of 500 placeholders for ≈ 6 ms each time


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A row of the ``keys`` projection."""

    kid: str
    alg: str
    public: bytes
    name: str
    role: str
    enrolled_seq: int
    revoked_seq: int | None


@dataclass(frozen=True, slots=True)
class Item:
    """One entry as a poster submits it.

    Attributes:
      kind, idem, body: as in the input line.
      line: the input line number, for error messages (None when built in code).
      edge: True when the edge (``ledger.inputs.validate_item``) made it; :meth:`Ledger.post`
        checks any other item there first.
    """

    kind: str
    idem: str
    body: dict[str, Any]
    line: int | None = None
    edge: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What happened to one submitted entry: ``appended``, ``duplicate`` or ``checked`` (dry run)."""

    idem: str
    seq: int
    hash: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"idem": self.idem, "seq": self.seq, "hash": self.hash, "status": self.status}


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome of a posting: a receipt per entry, and the warnings the contracts reported."""

    receipts: list[Receipt]
    warnings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Head:
    """The last entry: ``seq`` (-1 for an empty ledger), its ``hash``, its ``posting`` id, and the
    contracts version its posting recorded (0 for the genesis and an empty ledger)."""

    seq: int
    hash: bytes
    posting: int
    contracts: int = 0

    @property
    def size(self) -> int:
        return self.seq + 1


_KEY_TYPES = (("kid", str), ("alg", str), ("public", bytes), ("name", str), ("role", str), ("enrolled_seq", int),
              ("revoked_seq", (int, type(None))))


def _key_record(row: Sequence[Any]) -> KeyRecord:
    """A ``keys`` row as stored, each column of its type: anything else was written by hand (SQLite
    keeps what an UPDATE gives it), an integrity failure naming the row, not a crash."""
    for (column, kind), value in zip(_KEY_TYPES, row):
        if not isinstance(value, kind):
            raise IntegrityError(f"the keys row {row[0]!r}, column {column} holds {value!r}: the database was edited "
                                 "by hand; run `fundledger verify`")
    return KeyRecord(*row)


def _genesis_body(data: Any) -> dict[str, Any]:
    """The genesis entry's body as stored: what a ledger is opened with (its origin and suite)."""
    try:
        body = orjson.loads(stored_blob(data, "seq {}: the entries column data", 0))["body"]
        genesis_suite(body)
        if type(body["origin"]) is not str:
            raise TypeError
        return body
    except (orjson.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError):
        raise IntegrityError("seq 0 is not a well-formed genesis entry: the database was edited by hand; run "
                             "`fundledger verify`") from None


def read_head(conn: Connection, suite: Suite | None = None) -> Head:
    """The last entry, as the next posting links to it. Bytes that are not an entry there were
    written by hand: an integrity failure naming its seq (``verify`` says which step), not a crash.
    With the ledger's ``suite`` (a posting's), its stored hash must be the hash of its bytes too: a
    posting signs that hash as its ``prev``, and one an insider zeroed would leave every posting
    after it signed over a link to nothing."""
    row = conn.execute(_HEAD).first()
    if row is None:
        return Head(seq=-1, hash=ZERO_HASH, posting=-1)
    try:
        if type(row.data) is not bytes or type(row.hash) is not bytes:
            raise TypeError
        version = orjson.loads(row.data)["posting"].get("contracts", 0)
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
        raise IntegrityError(f"the last entry, seq {row.seq}, is not a well-formed entry: the database was edited by "
                             "hand; run `fundledger verify`") from None
    if suite is not None and suite.leaf_hash(row.data) != row.hash:
        raise IntegrityError(f"the last entry, seq {row.seq}: its stored hash is not the hash of its bytes, and a "
                             "posting would sign a link to it; nothing was appended: run `fundledger verify`")
    return Head(seq=row.seq, hash=row.hash, posting=row.posting, contracts=version)


def _insert_entries(conn: Connection, sealed: Sequence[Sealed]) -> None:
    """Insert sealed entries at the driver (no per-row SQLAlchemy processing): ``db.insert_rows``."""
    rows = []
    for s in sealed:
        e = s.envelope
        rows.append((s.seq, s.hash, s.prev, e["kind"], e["idem"], e["posting"]["id"], e["posting"]["key"], e["at"], s.data))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        db.insert_rows(cursor, conn.dialect.name == "postgresql", "entries", _ENTRY_COLUMNS.split(", "), rows)
    finally:
        cursor.close()


def write_entries(conn: Connection, sealed: Sequence[Sealed], size_before: int, suite: Suite) -> None:
    """Insert sealed entries and keep the ledger's own projections: the keys, the Merkle nodes."""
    _insert_entries(conn, sealed)
    project_keys(conn, sealed)
    extend_nodes(conn, size_before, size_before + len(sealed), suite, [s.hash for s in sealed])


def apply_posting(conn: Connection, head: Head, items: Sequence[Item], kinds: dict[str, Kind],
                  contracts: Contracts, version: int, suite: Suite, origin: str, poster: str) -> list[Finding]:
    """What one posting does to the state, at posting and at replay alike: the ledger's own state
    rules (keys, references), then the contracts' checks and effects (projection rows written in
    ``conn``'s transaction), the posting held to contracts ``version``. Returns every finding;
    the caller decides what a fatal one means (posting refuses, replay names the entry)."""
    findings = state_findings(conn, head, items, suite, origin, poster)
    if any(kinds[it.kind].contracts for it in items):
        findings += contracts.apply(conn, head.seq + 1, items, version, prev=head.hash)
    return findings


def _db_failure(e: Exception) -> EnvironmentProblem:
    """A database error, from SQLAlchemy or straight from the driver (the contracts' writes use its cursor)."""
    orig = getattr(e, "orig", None) or e
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return EnvironmentProblem(f"the database failed during the posting; nothing was appended: {detail}")


class Ledger:
    """An initialised ledger in one database, with the contracts that check what is posted to it.

    Attributes:
      engine, origin, suite: the database, and the ledger's origin and algorithm suite (both
        pinned by the genesis).
      contracts: the rules of the money (``ledger/interface.py``).
      kinds: every kind the ledger knows, the core kinds and the contracts' (``ledger.kinds.registry``).
    """

    def __init__(self, engine: Engine, origin: str, contracts: Contracts, suite: Suite = DEFAULT) -> None:
        self.engine = engine
        self.origin = origin
        self.suite = suite
        self.contracts = contracts
        self.kinds = registry(contracts.kinds)

    @classmethod
    def open(cls, url: str, contracts: Contracts) -> "Ledger":
        engine = db.make_engine(url)
        db.check_schema(engine)
        with db.read_tx(engine) as conn:
            genesis = conn.execute(text("SELECT data FROM entries WHERE seq = 0")).scalar()
        if genesis is None:
            raise EnvironmentProblem("the ledger is not initialised: run `fundledger init` first")
        body = _genesis_body(genesis)
        return cls(engine, body["origin"], contracts, genesis_suite(body))

    # -- reading ---------------------------------------------------------------------------
    def head(self) -> Head:
        with db.read_tx(self.engine) as conn:
            return read_head(conn)

    def keys(self) -> list[KeyRecord]:
        with db.read_tx(self.engine) as conn:
            rows = conn.execute(text(f"SELECT {KEY_COLUMNS} FROM keys ORDER BY enrolled_seq, role")).all()
        return [_key_record(row) for row in rows]

    def setting(self, name: str) -> str | None:
        with db.read_tx(self.engine) as conn:
            return db.get_setting(conn, name)

    def put_setting(self, name: str, value: str) -> None:
        """A local setting (a key's path, never a key): not an entry, not part of the chain."""
        with db.write_tx(self.engine) as conn:
            db.put_setting(conn, name, value)

    def entries(self, *, seq: int | None = None, kind: str | None = None, idem: str | None = None,
                limit: int | None = None, seqs: Sequence[int] | None = None) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        """Entries in seq order matching the filters, as (seq, hash, envelope); ``seqs`` narrows to those.

        A generator streaming one read transaction: read it to the end (or close it), since a
        half-read one keeps its transaction, and its locks, open."""
        if seqs is not None:  # by primary key, a chunk at a time: never a range scan
            ordered = sorted(seqs)
            for i in range(0, len(ordered), _CHUNK):
                yield from self._entries(kind=kind, idem=idem, seq=seq, limit=None, among=ordered[i:i + _CHUNK])
            return
        yield from self._entries(seq=seq, kind=kind, idem=idem, limit=limit)

    def _entries(self, *, seq: int | None, kind: str | None, idem: str | None, limit: int | None,
                 among: Sequence[int] | None = None) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        filters = {"seq": seq, "kind": kind, "idem": idem}
        clauses = [f"{name} = :{name}" for name, value in filters.items() if value is not None]
        params = {k: v for k, v in filters.items() if v is not None}
        if among is not None:
            if not among:
                return
            clauses.append("seq IN (" + ", ".join(f":s{i}" for i in range(len(among))) + ")")
            params.update({f"s{i}": value for i, value in enumerate(among)})
        where = " AND ".join(clauses)
        sql = "SELECT seq, hash, data FROM entries" + (f" WHERE {where}" if where else "") + " ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with db.read_tx(self.engine) as conn:
            for row in conn.execution_options(yield_per=1000).execute(text(sql), params):
                data = stored_blob(row.data, "seq {}: the entries column data", row.seq)
                yield (row.seq, stored_blob(row.hash, "seq {}: the entries column hash", row.seq),
                       stored_envelope(row.seq, data, self.kinds, "reading the ledger"))

    # -- appending -------------------------------------------------------------------------
    def append(self, signer: Signer, items: Sequence[Item], *, dry_run: bool = False) -> list[Receipt]:
        """Append one posting, all or nothing; the receipts (see :meth:`post` for the warnings)."""
        return self.post(signer, items, dry_run=dry_run).receipts

    def _prepare(self, items: Sequence[Item]) -> Sequence[Item]:
        """Before any transaction opens: items built in code pass the edge (:class:`InputError`, exit 2,
        with every problem of the posting), as do items the edge made in separate calls that share an
        idem; then the contracts turn their kinds' input bodies into stored bodies."""
        if not all(it.edge for it in items) or len({it.idem for it in items}) < len(items):
            from ledger.inputs import checked_items

            items = checked_items(items, self.kinds)
        if any(self.kinds[it.kind].contracts for it in items):
            return self.contracts.prepare(items)
        return items

    def post(self, signer: Signer, items: Sequence[Item], *, dry_run: bool = False) -> Posted:
        """Append one posting, all or nothing. See the module docstring for the steps."""
        items = self._prepare(items)
        try:
            with db.write_tx(self.engine) as conn:
                posted = self._append(conn, signer, items, dry_run=dry_run)
                if dry_run:
                    conn.rollback()
                return posted
        except DBIntegrityError as e:  # a writer that ignored the lock: nothing was appended
            raise EnvironmentProblem(f"another writer appended at the same time; retry the posting ({e.orig})") from None
        except (DBAPIError, self.engine.dialect.dbapi.Error) as e:
            raise _db_failure(e) from None

    def post_many(self, signer: Signer, postings: Sequence[Sequence[Item]]) -> list[Posted | Error]:
        """Append several postings in one transaction (one commit: the group commit of a stream),
        each all or nothing on its own: a refused posting is returned as its error and leaves
        nothing (a posting of the core kinds is checked before its first write; one of the contracts'
        kinds runs under a savepoint), the others are appended. The head, the
        signer's key and the idems already present are read once for the group. If the commit
        fails, every posting that would have been appended gets that failure: nothing was."""
        results: list[Posted | Error | None] = []
        ready: list[tuple[int, Sequence[Item], bool]] = []
        for i, items in enumerate(postings):
            try:
                items = self._prepare(items)
            except Error as e:
                results.append(e)
                continue
            results.append(None)
            ready.append((i, items, any(self.kinds[it.kind].contracts for it in items)))
        if not ready:
            return results  # type: ignore[return-value]
        try:
            with db.write_tx(self.engine) as conn:
                group = _Group(head=read_head(conn, self.suite), key=conn.execute(_KEY, {"kid": signer.kid}).first(),
                               existing=_existing_idems(conn, [it.idem for _, items, _ in ready for it in items]))
                for i, items, checked in ready:
                    # the contracts write projections before the verdict on the posting (a reported
                    # figure counts the entries before it): a savepoint undoes them if it is refused
                    savepoint = conn.begin_nested() if checked else None
                    try:
                        results[i] = self._append(conn, signer, items, dry_run=False, group=group)
                    except Error as e:
                        if savepoint is not None:
                            savepoint.rollback()
                        results[i] = e
                    else:
                        if savepoint is not None:
                            savepoint.commit()
        except Error as e:  # the database was unreachable: nothing of the group was appended
            failure: Error = e
        except DBIntegrityError as e:
            failure = EnvironmentProblem(f"another writer appended at the same time; retry the posting ({e.orig})")
        except (DBAPIError, self.engine.dialect.dbapi.Error) as e:
            failure = _db_failure(e)
        else:
            return results  # type: ignore[return-value]
        return [failure if r is None or isinstance(r, Posted) else r for r in results]

    def _append(self, conn: Connection, signer: Signer, items: Sequence[Item], *, dry_run: bool,
                group: "_Group | None" = None) -> Posted:
        """One posting inside the caller's transaction (the caller rolls back on an error)."""
        head = group.head if group else read_head(conn, self.suite)
        if head.contracts > self.contracts.version:
            raise EnvironmentProblem(
                f"this ledger was last posted under contracts version {head.contracts}, and this fundledger "
                f"has version {self.contracts.version}: upgrade fundledger before posting")
        # 2. the poster's key
        key = group.key if group else conn.execute(_KEY, {"kid": signer.kid}).first()
        problems = poster_findings(key, signer, items, self.kinds)
        if problems:
            raise Rejected(problems[0].message, tuple(problems))
        # 3. idempotency
        if group:
            existing = {it.idem: group.existing[it.idem] for it in items if it.idem in group.existing}
        else:
            existing = _existing_idems(conn, [it.idem for it in items])
        new: list[Item] = []
        receipts: dict[str, Receipt] = {}
        conflicts: list[Finding] = []
        for it in items:
            found = existing.get(it.idem)
            if found is None:
                new.append(it)
                continue
            seq, h, data = found
            stored = orjson.loads(data)
            if stored["kind"] == it.kind and canonical(stored["body"]) == canonical(it.body):
                receipts[it.idem] = Receipt(it.idem, seq, h.hex(), "duplicate")
            else:
                conflicts.append(Finding(
                    rule="IDEM-CONFLICT", severity=FATAL, field="idem",
                    subject=subject(line=it.line, idem=it.idem, seq=seq),
                    expected=f"kind {stored['kind']} with the body of seq {seq}",
                    actual=f"kind {it.kind} with another body",
                    message=f"idem {it.idem!r} is already in the ledger at seq {seq} with a different "
                            "kind or body; nothing was appended",
                ))
        if conflicts:
            raise ConflictError(conflicts[0].message, tuple(conflicts))
        warnings: tuple[Finding, ...] = ()
        if new:
            # 4. what the posting does to the state
            version = self.contracts.version
            problems = apply_posting(conn, head, new, self.kinds, self.contracts, version, self.suite, self.origin,
                                     signer.kid)
            if worst(problems) == FATAL:
                first = next(f for f in problems if f.severity == FATAL)
                raise Rejected(first.message, tuple(problems))
            warnings = tuple(problems)
            # 5. seal and insert
            sealed = seal_posting(
                ledger=self.origin, first_seq=head.seq + 1, prev=head.hash, posting_id=head.posting + 1,
                at=utc_now(), signer=signer, items=[(it.kind, it.idem, it.body) for it in new], contracts=version,
                suite=self.suite,
            )
            write_entries(conn, sealed, head.size, self.suite)
            status = "checked" if dry_run else "appended"
            for s in sealed:
                receipts[s.envelope["idem"]] = Receipt(s.envelope["idem"], s.seq, s.hash.hex(), status)
            if group:
                group.advance(conn, signer, sealed)
        return Posted(receipts=[receipts[it.idem] for it in items], warnings=warnings)


@dataclass(slots=True)
class _Group:
    """What the postings of one transaction share (``Ledger.post_many``): the head as it moves,
    the signer's key row, and every idem present (those the group appends included)."""

    head: Head
    key: Any
    existing: dict[str, tuple[int, bytes, bytes]]

    def advance(self, conn: Connection, signer: Signer, sealed: Sequence[Sealed]) -> None:
        last = sealed[-1]
        self.head = Head(seq=last.seq, hash=last.hash, posting=self.head.posting + 1,
                         contracts=last.envelope["posting"]["contracts"])
        self.existing.update({s.envelope["idem"]: (s.seq, s.hash, s.data) for s in sealed})
        if any(s.envelope["kind"] in ("key.enroll", "key.revoke") for s in sealed):
            self.key = conn.execute(_KEY, {"kid": signer.kid}).first()  # the keys changed: read again


def _existing_idems(conn: Connection, idems: list[str]) -> dict[str, tuple[int, bytes, bytes]]:
    found: dict[str, tuple[int, bytes, bytes]] = {}
    query = _IDEMS_ANY if conn.dialect.name == "postgresql" else _IDEMS_IN
    for i in range(0, len(idems), _CHUNK):
        chunk = idems[i : i + _CHUNK]
        for row in conn.execute(query, {"idems": chunk}):
            found[row.idem] = (row.seq, bytes(row.hash), bytes(row.data))
    return found


def enroll_item(public: PublicKey, name: str, role: str) -> Item:
    """The ``key.enroll`` entry for a public key; its idem makes a repeated enrolment a duplicate."""
    return _checked(Item(kind="key.enroll", idem=f"key.enroll:{public.kid}",
                         body={"key": public.as_body(), "name": name, "role": role}))


def revoke_item(kid: str, reason: str) -> Item:
    return _checked(Item(kind="key.revoke", idem=f"key.revoke:{kid}", body={"kid": kid, "reason": reason}))


def rotate_item(origin: str, role: str, old: str, new: Signer, endorsers: Sequence[Signer], reason: str) -> Item:
    """The ``key.rotate`` entry replacing key ``old`` of ``role`` by ``new``, endorsed by the new key
    and by each of ``endorsers`` (``ledger/rotation.py``: the old log key, or a second admin)."""
    message = rotation_statement(origin, role, old, new.kid)
    endorsements = [{"kid": k.kid, "sig": base64.b64encode(k.sign(message)).decode("ascii")} for k in (new, *endorsers)]
    return _checked(Item(kind="key.rotate", idem=f"key.rotate:{old}", body={
        "role": role, "old": old, "new": new.public.as_body(), "reason": reason, "endorsements": endorsements}))


def _checked(item: Item) -> Item:
    from ledger.inputs import checked_items

    return checked_items([item], CORE_KINDS)[0]


def validate_origin(origin: str) -> None:
    """A C2SP checkpoint origin: non-empty printable ASCII, no spaces or plus signs."""
    if not origin or not origin.isascii() or not origin.isprintable() or " " in origin or "+" in origin:
        raise InputError(f"origin {origin!r} must be non-empty printable ASCII without spaces or '+' "
                         "(a schema-less URL such as audit.example.gov.cn/chaoyang-funds)")


@dataclass(frozen=True, slots=True)
class InitResult:
    origin: str
    genesis_hash: str
    admin_kid: str
    log_kid: str
    created: bool


def init_ledger(url: str, admin: PublicKey, log: Signer, *, origin: str | None, log_key_path: str | None) -> InitResult:
    """Apply migrations and write the genesis entry; idempotent with the same keys (exit 4 otherwise)."""
    engine = db.make_engine(url)
    db.apply_migrations(engine)
    try:
        with db.write_tx(engine) as conn:
            row = conn.execute(text("SELECT hash, data FROM entries WHERE seq = 0")).first()
            if row is not None:
                body = _genesis_body(row.data)
                same = body["admin"]["kid"] == admin.kid and body["log"]["kid"] == log.kid
                if not same or (origin is not None and origin != body["origin"]):
                    raise ConflictError(
                        f"this ledger is already initialised with origin {body['origin']!r}, admin key "
                        f"{body['admin']['kid']} and log key {body['log']['kid']}; init with other keys is refused"
                    )
                created, genesis_hash, origin = False, bytes(row.hash), body["origin"]
            else:
                origin = origin or f"fundledger.local/{secrets.token_hex(4)}"
                validate_origin(origin)
                suite = log.suite
                if admin.alg != suite.alg:
                    raise InputError(f"the admin key is {admin.alg} and the log key {suite.alg}: "
                                     "a ledger's keys are of one suite")
                body = {"origin": origin, "suite": suite.name, "admin": admin.as_body(), "log": log.public.as_body()}
                problems = CORE_KINDS["ledger.genesis"].validate(body)  # a key no private key makes, say
                if problems:
                    raise InputError("the genesis would not be well-formed, so it is not written: "
                                     + "; ".join(f"{f}: {m}" for f, m in problems))
                sealed = seal_posting(ledger=origin, first_seq=0, prev=ZERO_HASH, posting_id=0, at=utc_now(),
                                      signer=log, items=[("ledger.genesis", GENESIS_IDEM, body)], contracts=None,
                                      suite=suite)
                write_entries(conn, sealed, 0, suite)
                created, genesis_hash = True, sealed[0].hash
            if log_key_path:
                db.put_setting(conn, LOG_KEY_SETTING, log_key_path)
    except DBAPIError as e:
        raise _db_failure(e) from None
    return InitResult(origin=origin, genesis_hash=genesis_hash.hex(), admin_kid=admin.kid, log_kid=log.kid, created=created)

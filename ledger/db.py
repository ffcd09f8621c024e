"""Engines, migrations and transactions for SQLite (embedded default) and PostgreSQL (production).

* SQLite runs in WAL mode with ``synchronous=FULL`` (a commit the finance system was told about
  survives a power cut). The driver's own transaction handling is switched off so that SQLAlchemy
  emits ``BEGIN`` itself: ``BEGIN IMMEDIATE`` for a write (one writer at a time, others wait up
  to ``busy_timeout``), a deferred ``BEGIN`` (a consistent WAL snapshot) for reads.
* PostgreSQL writers take a transaction-scoped advisory lock keyed on the ``entries`` table's
  oid, so that ledgers in different schemas of one database do not wait on each other.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, ProgrammingError

from ledger.errors import EnvironmentProblem, InputError

__all__ = [
    "SCHEMA_HEAD",
    "apply_migrations",
    "apply_migrations_down",
    "check_schema",
    "schema_revision",
    "get_setting",
    "insert_rows",
    "make_engine",
    "made_engines",
    "put_setting",
    "read_tx",
    "write_tx",
]

# The Alembic head this code expects; tests/test_migrations.py checks it equals the real head.
SCHEMA_HEAD = "0010"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_LOCK_CLASS = 0x66756E64  # "fund"


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """An engine for ``url``. ``durable=False`` is for a scratch SQLite store that nothing relies
    on once the process ends (a replay's): no fsync, the journal in memory."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"--db {url!r} is not a database URL (sqlite:///PATH or postgresql+psycopg://…)") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 60})
        _configure_sqlite(engine, durable)
    elif parsed.get_backend_name() == "postgresql":
        # pre-ping: a long-lived process (post --stream) reconnects after the server restarted
        engine = create_engine(parsed, pool_pre_ping=True)
    else:
        raise InputError(f"--db {url!r}: only sqlite and postgresql are supported")
    _MADE.add(engine)
    return engine


_MADE: weakref.WeakSet[Engine] = weakref.WeakSet()


def made_engines() -> list[Engine]:
    """The engines :func:`make_engine` made that are still alive. A command run in a process of its
    own closes its connections as it exits; one run inside another process (the tests') leaves
    them open until the garbage collector finds its engine, so the tests close each test's."""
    return list(_MADE)


def _configure_sqlite(engine: Engine, durable: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        if durable:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: the indexes on hash, prev and idem take random keys
            # pages go back from the WAL to the database every 64 MiB of WAL instead of SQLite's 4 MiB:
            # a page the postings of that stretch changed again is written back once, so posting
            # stays flat as the indexes outgrow the cache (bench/RESULTS.md); every commit is still
            # in the WAL, on disk (synchronous=FULL), before it is answered
            cur.execute("PRAGMA wal_autocheckpoint=16384")
        else:  # a scratch store: thrown away if anything fails, so no journal to roll back with
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")  # 256 MiB: a million entries' indexes stay in memory
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("fundledger_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _connect_error(engine: Engine, e: Exception) -> EnvironmentProblem:
    url = engine.url.render_as_string(hide_password=True)
    detail = str(getattr(e, "orig", e)).strip().splitlines()[0] if str(getattr(e, "orig", e)).strip() else type(e).__name__
    return EnvironmentProblem(f"database {url} is unreachable: {detail}")


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding the ledger's single-writer lock; commits on success."""
    try:
        conn = engine.connect().execution_options(fundledger_write=True)
    except (OperationalError, DBAPIError) as e:
        raise _connect_error(engine, e) from None
    with conn:
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:cls, CAST(CAST('entries' AS regclass) AS oid)::int)"),
                    {"cls": _LOCK_CLASS},
                )
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """One read transaction on a consistent snapshot (REPEATABLE READ on PostgreSQL)."""
    try:
        conn = engine.connect()
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
    except (OperationalError, DBAPIError) as e:
        raise _connect_error(engine, e) from None
    with conn:
        with conn.begin():
            yield conn


def _alembic(engine: Engine, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, revision)
            conn.commit()
    except OperationalError as e:
        raise _connect_error(engine, e) from None


def apply_migrations(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade`` to ``revision`` on this engine's database."""
    _alembic(engine, "upgrade", revision)


def apply_migrations_down(engine: Engine, revision: str) -> None:
    """``alembic downgrade`` to ``revision`` (used by the migration round-trip test)."""
    _alembic(engine, "downgrade", revision)


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None where there is no fundledger schema."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (ProgrammingError, OperationalError) as e:
        if engine.dialect.name == "sqlite" and "no such table" not in str(e):
            raise _connect_error(engine, e) from None
        if engine.dialect.name == "postgresql" and isinstance(e, OperationalError):
            raise _connect_error(engine, e) from None
        return None


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or at another revision (exit 5)."""
    found = schema_revision(engine)
    if found is None:
        raise EnvironmentProblem("the database has no fundledger schema: run `fundledger init` first")
    if found != SCHEMA_HEAD:
        raise EnvironmentProblem(
            f"the database schema is at revision {found}, this fundledger needs {SCHEMA_HEAD}: "
            "run `fundledger migrate`"
        )


_COPY_FROM = 16  # rows


def batches(conn: Connection, sql: str, name: str, size: int = 5000) -> Iterator[list[tuple]]:
    """The rows of ``sql`` (no parameters) as tuples, in batches of ``size``, in the caller's
    transaction, through the driver's cursor (SQLAlchemy's rows cost more than the work on them
    in a pass over every entry). On PostgreSQL a server-side cursor named ``name``, so a whole
    table never sits in memory at once."""
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cur = dbapi.cursor(name=name)
        cur.itersize = size
    else:
        cur = dbapi.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(size):
            yield batch
    finally:
        cur.close()


def insert_rows(cursor: Any, postgresql: bool, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT ``rows`` (each in ``columns`` order) through a DB-API cursor of the caller's transaction.
    SQLite: one ``executemany`` (its loop is in C). PostgreSQL: from 16 rows one ``COPY … FROM
    STDIN`` (psycopg writes each row in C; its ``executemany`` spends ~20 µs of Python on each row),
    fewer by ``executemany`` (a COPY costs round trips of its own: a single-entry posting took twice
    as long). Constraints and row triggers hold for COPY as for INSERT, and a row they refuse fails
    the whole statement."""
    if not rows:
        return
    names = ", ".join(columns)
    if not postgresql or len(rows) < _COPY_FROM:
        mark = "%s" if postgresql else "?"
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(columns))})", rows)
        return
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def get_setting(conn: Connection, name: str) -> str | None:
    """A local setting (a key's path); one that is not text was written by hand (exit 5, as a key
    file that cannot be read)."""
    row = conn.execute(text("SELECT value FROM settings WHERE name = :n"), {"n": name}).first()
    if row is not None and type(row[0]) is not str:
        raise EnvironmentProblem(f"the local setting {name} holds {row[0]!r}, not a path: it was edited by hand; "
                                 "set it again (the command that recorded it, or --key)")
    return row[0] if row else None


def put_setting(conn: Connection, name: str, value: str) -> None:
    conn.execute(text("DELETE FROM settings WHERE name = :n"), {"n": name})
    conn.execute(text("INSERT INTO settings (name, value) VALUES (:n, :v)"), {"n": name, "v": value})

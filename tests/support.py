"""What the tests share besides fixtures: database copies, keys, a ledger with its keys, note lines.

Test modules import these from here, never from ``conftest.py`` or from one another; the fixtures
that use them are in ``conftest.py``, the fixture ledgers in ``ledgers.py``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from fundledger.cli import cli
from ledger.keys import Signer, load_private, write_new_key
from ledger.store import Ledger
from ledger.suites import DEFAULT, SUITES, Suite

__all__ = ["BOTH_SUITES", "PG_SERVER", "Env", "built_once", "copied", "make_keys", "note", "pg_admin_engine",
           "pg_database", "pg_database_url", "pg_schema_url", "verify_every_way"]

PG_SERVER = os.environ.get("FUNDLEDGER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_admin_engine() -> sa.Engine:
    return sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")


@contextmanager
def pg_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """A fresh database on the test server (a copy of ``template`` if given), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_database_url(name: str) -> str:
    return sa.make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def pg_schema_url(server: str, schema: str) -> str:
    return f"{server}?options=-csearch_path%3D{schema}"


@dataclass
class Env:
    """A freshly initialised ledger with an admin, a log key, a poster and an auditor enrolled."""

    url: str
    dir: Path
    ledger: Ledger
    admin: Signer
    log: Signer
    poster: Signer
    auditor: Signer

    def key_path(self, name: str) -> str:
        return str(self.dir / f"{name}.key")

    def run(self, *args: str, input: str | bytes | None = None) -> Result:
        """Run the CLI against this ledger (``--db`` added); never raises on a non-zero exit."""
        return CliRunner().invoke(cli, [*args, "--db", self.url], input=input, catch_exceptions=False)

    def size_and_head(self) -> tuple[int, str]:
        head = self.ledger.head()
        return head.size, head.hash.hex()


def make_keys(directory: Path, *names: str, suite: Suite = DEFAULT) -> dict[str, Signer]:
    out = {}
    for name in names:
        path = directory / f"{name}.key"
        write_new_key(path, suite)
        out[name] = load_private(path)
    return out


# A module whose ledgers must behave alike in every suite marks itself ``pytestmark = BOTH_SUITES``:
# its tests then run once per suite, each ``env`` (and ``suite``) of that suite. Elsewhere they are
# ed25519-sha256, the default.
BOTH_SUITES = pytest.mark.parametrize("suite", list(SUITES), indirect=True)


def note(idem: str, text: str = "a note", refs: list[int] | None = None) -> str:
    """One JSON line of an audit.note entry."""
    body: dict = {"text": text}
    if refs is not None:
        body["refs"] = refs
    return json.dumps({"kind": "audit.note", "idem": idem, "body": body}, ensure_ascii=False)


def entry_lines(*entries: tuple[str, str, dict]) -> str:
    """JSON Lines of ``(kind, idem, body)`` entries, one a line."""
    return "\n".join(json.dumps({"kind": k, "idem": i, "body": b}, ensure_ascii=False) for k, i, b in entries) + "\n"


def post_entries(env: Env, *entries: tuple[str, str, dict]) -> Result:
    """Post ``(kind, idem, body)`` entries as one posting with the poster's key, through the CLI (--json)."""
    return env.run("post", "--key", env.key_path("poster"), "--json", input=entry_lines(*entries))


@contextmanager
def built_once(backend: str, work: Path, build: Callable[[str], Any]) -> Iterator[tuple[str, str, Any]]:
    """A ledger built by ``build(url)`` to be copied by many tests: (backend, SQLite path or
    PostgreSQL database name, what ``build`` returned)."""
    if backend == "sqlite":
        path = work / "base.db"
        yield "sqlite", str(path), build(f"sqlite:///{path}")
        return
    with pg_database("fl_base") as name:
        built = build(pg_database_url(name))
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # a template has no other session: close what building left in pools
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
        admin.dispose()
        yield "postgresql", name, built


@contextmanager
def copied(built: tuple[str, str, Any], tmp_path: Path) -> Iterator[str]:
    """A fresh copy of a ledger ``built_once``, for one test: its URL."""
    backend, where, _ = built
    if backend == "sqlite":  # SQLite's backup API: a consistent copy, whatever the WAL still holds
        target = tmp_path / "copy.db"
        with closing(sqlite3.connect(where)) as source, closing(sqlite3.connect(target)) as dest:
            source.backup(dest)
        yield f"sqlite:///{target}"
        return
    with pg_database("fl_copy", template=where) as name:
        yield pg_database_url(name)


def verify_every_way(env: Env, *args: str, stretches: tuple[int, ...] = (2, 3)) -> tuple[int, dict]:
    """``verify --json --no-replay ARGS`` in order in one process, then in stretches, one process
    each (``ledger/segments.py``, here from the smallest ledger on): the same exit code and report
    every way, and where the ledger passes, the stretches decided it themselves (no fall-back to
    the check in order). Returns them."""
    from ledger import segments

    done = env.run("verify", "--json", "--no-replay", "--workers", "1", *args)
    smallest, in_stretches, decided = segments.MIN_ENTRIES, segments.verify_in_stretches, []

    def recorded(*a: Any, **k: Any) -> Any:
        result = in_stretches(*a, **k)
        decided.append(result is not None)
        return result

    segments.MIN_ENTRIES, segments.verify_in_stretches = 0, recorded
    try:
        for workers in stretches:
            decided.clear()
            stretched = env.run("verify", "--json", "--no-replay", "--workers", str(workers), *args)
            assert (stretched.exit_code, json.loads(stretched.output)) == (done.exit_code, json.loads(done.output))
            assert done.exit_code != 0 or decided == [True]
    finally:
        segments.MIN_ENTRIES, segments.verify_in_stretches = smallest, in_stretches
    return done.exit_code, json.loads(done.output)

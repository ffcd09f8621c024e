"""Shared fixtures: every database test runs on SQLite and on the PostgreSQL at 127.0.0.1:5432.

PostgreSQL is the production backend, so a PostgreSQL test never skips: if the server does not
answer, the tests fail. Each test gets its own schema in database ``test`` (found through
``search_path`` in the URL) and drops it afterwards. ``FUNDLEDGER_TEST_PG`` overrides the server URL.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from contracts.api import CONTRACTS
from ledger.store import Ledger, enroll_item, init_ledger
from ledger.suites import DEFAULT, Suite, suite_named
from tests.support import PG_SERVER, Env, built_once, copied, make_keys, pg_admin_engine, pg_schema_url


@pytest.fixture(autouse=True)
def _engines_closed() -> Iterator[None]:
    """The connections of every engine a test made, through the command line too, are closed when
    it ends, not when the garbage collector gets to them: the leftovers of two workers once
    exceeded PostgreSQL's 100 connections."""
    from ledger import db

    before = set(db.made_engines())
    yield
    for engine in set(db.made_engines()) - before:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_server() -> str:
    engine = pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:
        pytest.fail(f"PostgreSQL at {PG_SERVER} does not answer; the PostgreSQL tests must run: {e.orig}")
    finally:
        engine.dispose()
    return PG_SERVER


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(pg_server, schema)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def suite(request: pytest.FixtureRequest) -> Suite:
    return suite_named(getattr(request, "param", DEFAULT.name))


@pytest.fixture
def env(db_url: str, tmp_path: Path, suite: Suite) -> Env:
    keys = make_keys(tmp_path, "admin", "log", "poster", "auditor", suite=suite)
    init_ledger(db_url, keys["admin"].public, keys["log"], origin="test.example/ledger",
                log_key_path=str(tmp_path / "log.key"))
    ledger = Ledger.open(db_url, CONTRACTS)
    ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "finance system", "poster"),
                                  enroll_item(keys["auditor"].public, "audit bureau", "auditor")])
    return Env(url=db_url, dir=tmp_path, ledger=ledger, **keys)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base(request, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """The fixture ledger of ``tests/ledgers.py``, built once per module on each database: (backend,
    SQLite path or PostgreSQL database name, the directory of its keys)."""
    from tests.ledgers import build_fixture_ledger

    work = tmp_path_factory.mktemp("nightly-base")
    with built_once(request.param, work, lambda url: build_fixture_ledger(url, work)) as (backend, where, _):
        yield backend, where, work


@pytest.fixture
def copy(base, tmp_path) -> Iterator[str]:
    """A fresh copy of the base ledger for one test: its URL."""
    with copied(base, tmp_path) as url:
        yield url

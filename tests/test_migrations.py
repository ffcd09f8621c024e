"""The schema comes only from Alembic: one head, round trips, no drift from the models, triggers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import contracts.models  # noqa: F401  (the projections join the metadata)
from ledger import db
from ledger.errors import EnvironmentProblem
from ledger.models import Base
from tests.ledgers import disable_guard


def _script() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def test_one_head_and_the_code_expects_it():
    heads = _script().get_heads()
    assert heads == [db.SCHEMA_HEAD]


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade(db_url):
    engine = db.make_engine(db_url)
    db.apply_migrations(engine)
    assert {"entries", "keys", "settings", "merkle_nodes", "funds", "projects", "decisions"} <= _tables(engine)
    assert db.schema_revision(engine) == db.SCHEMA_HEAD
    db.apply_migrations_down(engine, "base")
    assert not {"entries", "keys", "settings", "merkle_nodes", "funds", "projects", "decisions"} & _tables(engine)
    db.apply_migrations(engine)
    assert db.schema_revision(engine) == db.SCHEMA_HEAD


def test_migrated_schema_matches_the_models(db_url):
    engine = db.make_engine(db_url)
    db.apply_migrations(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _projects_options(engine: sa.Engine) -> list[str] | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT reloptions FROM pg_class WHERE oid = 'projects'::regclass")).scalar()


def test_projects_leave_room_on_each_page_for_their_updates_on_postgresql(pg_url):
    """Migration 0010: the projects table (updated at every stage) is filled to half its pages, as
    the model declares; downgraded, the setting is gone."""
    from contracts.models import Project

    engine = db.make_engine(pg_url)
    db.apply_migrations(engine, "0009")
    assert _projects_options(engine) is None
    db.apply_migrations(engine)
    declared = Project.__table__.dialect_options["postgresql"]["with"]
    assert declared == {"fillfactor": 50}
    assert _projects_options(engine) == [f"fillfactor={declared['fillfactor']}"]
    db.apply_migrations_down(engine, "0009")
    assert _projects_options(engine) is None


def test_each_scratch_store_is_the_migrated_schema_and_starts_empty():
    """A replay's scratch store: the migrations run once a process, and a later store is a copy of
    the file they made, never of one a replay wrote to."""
    from ledger.replay import scratch_store

    def schema(engine: sa.Engine) -> list[tuple]:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT type, name, sql FROM sqlite_master ORDER BY name")).all()

    fresh = db.make_engine("sqlite://")
    db.apply_migrations(fresh)
    for _ in range(2):
        with scratch_store() as store:
            assert db.schema_revision(store) == db.SCHEMA_HEAD and schema(store) == schema(fresh)
            with db.write_tx(store) as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM settings")).scalar() == 0
                conn.execute(sa.text("INSERT INTO settings (name, value) VALUES ('written', 'by a replay')"))


def test_the_state_checks_the_integer_columns_the_models_declare():
    """contracts.state keeps its own list of each projection's integer columns (importing the models
    would load SQLAlchemy's ORM on every lifecycle posting): it must be the models' list."""
    from sqlalchemy import Integer

    from contracts.models import PROJECTIONS
    from contracts.state import _INTEGERS

    assert _INTEGERS == {t.name: tuple(c.name for c in t.columns if isinstance(c.type, Integer)) for t in PROJECTIONS}


def test_the_keys_reader_checks_the_columns_and_types_the_model_declares():
    """ledger.store keeps the keys row's column types beside the query that reads it (deriving them
    from the model would load SQLAlchemy's ORM on every posting): they must be the model's, in
    the model's order, a nullable column also taking None."""
    from ledger.key_state import KEY_COLUMNS
    from ledger.models import KeyRow
    from ledger.store import _KEY_TYPES

    columns = list(KeyRow.__table__.columns)
    assert [c.strip() for c in KEY_COLUMNS.split(",")] == [name for name, _ in _KEY_TYPES] == [c.name for c in columns]
    assert [kind for _, kind in _KEY_TYPES] == [(c.type.python_type, type(None)) if c.nullable else c.type.python_type
                                                for c in columns]


def test_commands_refuse_an_unmigrated_database(db_url):
    engine = db.make_engine(db_url)
    with pytest.raises(EnvironmentProblem, match="no fundledger schema"):
        db.check_schema(engine)


@pytest.mark.parametrize("statement", ["UPDATE entries SET kind = 'x'", "DELETE FROM entries"])
def test_triggers_refuse_update_and_delete(env, statement):
    engine = env.ledger.engine
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert env.ledger.head().size == 3
    # the same statement goes through once the guard is gone: the triggers were what refused it
    with engine.begin() as conn:
        disable_guard(conn)
        conn.exec_driver_sql(statement)


def test_trigger_refuses_truncate_on_postgresql(pg_url, tmp_path):
    from ledger.store import init_ledger
    from tests.support import make_keys

    keys = make_keys(tmp_path, "admin", "log")
    init_ledger(pg_url, keys["admin"].public, keys["log"], origin="t/x", log_key_path=None)
    engine = db.make_engine(pg_url)
    with pytest.raises(sa.exc.DBAPIError, match="append-only .TRUNCATE refused"):
        with engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE entries")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM entries").scalar() == 1

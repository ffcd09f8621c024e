"""PostgreSQL in production: the role set-up of migrations/roles.sql, and a pg_dump restored into a
fresh database that verifies and keeps appending. Real databases, real psql and pg_dump."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from contracts.api import CONTRACTS
from contracts.catalogue import CATALOGUE_DIR
from tests.support import PG_SERVER, make_keys, pg_database

EXE = str(Path(sys.executable).with_name("fundledger"))
ROLES_SQL = Path(__file__).resolve().parent.parent / "migrations" / "roles.sql"


def _admin() -> sa.Engine:
    return sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")


def _url(database: str, user: str = "postgres", schema: str | None = None) -> str:
    url = sa.make_url(PG_SERVER).set(database=database, username=user).render_as_string(hide_password=False)
    return f"{url}?options=-csearch_path%3D{schema}" if schema else url


def _libpq(database: str, user: str = "postgres") -> list[str]:
    u = sa.make_url(PG_SERVER)
    return ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", user, "-d", database]


def _cli(*args: str, db: str) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args, "--db", db], capture_output=True, timeout=180)


@pytest.fixture
def database(pg_server) -> Iterator[str]:
    with pg_database("fl_ops") as name:
        yield name


def _ledger(url: str, work: Path, notes: int = 3) -> None:
    """A ledger with a poster, an auditor and a few notes, through the CLI."""
    from ledger.store import Ledger, enroll_item, init_ledger

    keys = make_keys(work, "admin", "log", "poster", "auditor")
    init_ledger(url, keys["admin"].public, keys["log"], origin="test.example/ops", log_key_path=None)
    ledger = Ledger.open(url, CONTRACTS)
    ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "finance", "poster"),
                                  enroll_item(keys["auditor"].public, "audit", "auditor")])
    ledger.engine.dispose()
    posting = work / "notes.jsonl"
    posting.write_text("".join(json.dumps({"kind": "audit.note", "idem": f"n{i}", "body": {"text": f"凭证 {i}"}}) + "\n"
                               for i in range(notes)), encoding="utf-8")
    assert _cli("post", str(posting), "--key", str(work / "poster.key"), db=url).returncode == 0


def test_the_writer_appends_and_cannot_rewrite_the_auditor_only_reads(database, tmp_path):
    _ledger(_url(database), tmp_path)
    tag = uuid.uuid4().hex[:8]
    writer, auditor = f"fl_writer_{tag}", f"fl_auditor_{tag}"
    app, bureau = f"finance_app_{tag}", f"audit_bureau_{tag}"
    done = subprocess.run(["psql", *_libpq(database), "-q", "-v", "schema=public", "-v", f"writer={writer}",
                           "-v", f"auditor={auditor}", "-f", str(ROLES_SQL)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    with _admin().connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{app}" LOGIN IN ROLE "{writer}"'))
        conn.execute(sa.text(f'CREATE ROLE "{bureau}" LOGIN IN ROLE "{auditor}"'))
    try:
        # the writer posts (notes, and the money kinds, whose effects write the projection tables) and verifies
        poster = str(tmp_path / "poster.key")
        more = tmp_path / "more.jsonl"
        more.write_text(json.dumps({"kind": "audit.note", "idem": "w1", "body": {"text": "writer"}}) + "\n", encoding="utf-8")
        posted = _cli("post", str(more), "--key", poster, db=_url(database, app))
        assert posted.returncode == 0, posted.stderr.decode()
        published = _cli("policy", "publish", str(CATALOGUE_DIR / "chaoyang-hightech.json"), "--key", poster,
                         db=_url(database, app))
        assert published.returncode == 0, published.stderr.decode()
        fy = {"fund": "chaoyang-hightech", "year": 2023}
        money = tmp_path / "money.jsonl"
        money.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in (
            {"kind": "fund.open", "idem": "fund", "body": {**fy, "name": "2023年高新", "office": "朝阳园管委会",
                                                            "budget_wan": "22000", "policies": ["chaoyang-hightech-measures"]}},
            {"kind": "fee.pay", "idem": "fee", "body": {**fy, "payee": "第三方评审机构", "service": "评审", "amount_wan": "26.25"}},
            {"kind": "report.state", "idem": "stated", "body": {"seed": "000", "wording": "评审费26.25万元",
                                                                "figure": "chaoyang-hightech/2023/fees", "value_wan": "26.25"}},
        )), encoding="utf-8")
        posted = _cli("post", str(money), "--key", poster, db=_url(database, app))
        assert posted.returncode == 0, posted.stderr.decode()
        verified = _cli("verify", db=_url(database, app))
        assert verified.returncode == 0, verified.stderr.decode()
        # a privilege missing under the contracts' own writes is an environment problem, not a crash
        owner = sa.create_engine(_url(database), isolation_level="AUTOCOMMIT")
        with owner.connect() as conn:
            conn.execute(sa.text(f'REVOKE INSERT ON spending FROM "{writer}"'))
        owner.dispose()
        money.write_text(json.dumps({"kind": "fee.pay", "idem": "fee2", "body": {
            **fy, "payee": "审计机构", "service": "审计", "amount_wan": "13"}}, ensure_ascii=False) + "\n", encoding="utf-8")
        denied = _cli("post", str(money), "--key", poster, db=_url(database, app))
        assert denied.returncode == 5 and b"permission denied for table spending" in denied.stderr, denied.stderr
        engine = sa.create_engine(_url(database, app))
        for statement in ("UPDATE entries SET kind = kind WHERE seq = 1", "DELETE FROM entries WHERE seq = 1",
                          "TRUNCATE entries", "UPDATE merkle_nodes SET level = level"):
            with engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.execute(sa.text(statement))
        engine.dispose()
        # the auditor verifies and reads the trail; it cannot append
        assert _cli("verify", db=_url(database, bureau)).returncode == 0
        assert _cli("trail", "--kind", "audit.note", db=_url(database, bureau)).returncode == 0
        fresh = tmp_path / "fresh.jsonl"
        fresh.write_text(json.dumps({"kind": "audit.note", "idem": "a1", "body": {"text": "auditor"}}) + "\n", encoding="utf-8")
        denied = _cli("post", str(fresh), "--key", str(tmp_path / "poster.key"), db=_url(database, bureau))
        assert denied.returncode == 5 and b"permission denied" in denied.stderr
    finally:  # roles are the cluster's: drop their privileges in this database, then them
        local = sa.create_engine(_url(database), isolation_level="AUTOCOMMIT")
        with local.connect() as conn:
            for role in (app, bureau, writer, auditor):
                conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
        local.dispose()
        with _admin().connect() as conn:
            for role in (app, bureau, writer, auditor):
                conn.execute(sa.text(f'DROP ROLE "{role}"'))


def test_a_pg_dump_restored_into_a_fresh_database_verifies_and_keeps_appending(database, tmp_path, pg_url):
    schema = sa.make_url(pg_url).query["options"].rsplit("=", 1)[-1]
    source_db = sa.make_url(PG_SERVER).database
    _ledger(pg_url, tmp_path, notes=50)
    dump = tmp_path / "ledger.sql"
    done = subprocess.run(["pg_dump", *_libpq(source_db), "-n", schema, "--no-owner", "-f", str(dump)],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    restored = subprocess.run(["psql", *_libpq(database), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump)],
                              capture_output=True, timeout=120)
    assert restored.returncode == 0, restored.stderr.decode()
    url = _url(database, schema=schema)
    checked = _cli("verify", "--json", db=url)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    assert json.loads(checked.stdout)["entries"] == 53  # the genesis, two enrolments, 50 notes
    more = tmp_path / "after.jsonl"
    more.write_text(json.dumps({"kind": "audit.note", "idem": "after-restore", "body": {"text": "还原后"}}) + "\n",
                    encoding="utf-8")
    assert _cli("post", str(more), "--key", str(tmp_path / "poster.key"), db=url).returncode == 0
    assert json.loads(_cli("verify", "--json", db=url).stdout)["entries"] == 54


def test_the_contracts_look_ups_are_planned_for_the_tables_as_they_are(pg_url, tmp_path):
    """psycopg prepares a statement on its fifth execution, and PostgreSQL may then keep the plan it
    made while the table was small (with no ANALYZE, for the life of the connection: a sequential
    scan of a table that has grown a million rows since; the nightly benchmark's build slowed from
    4 s to 17 s a district-year that way). The contracts' look-ups by key are never prepared; the
    ledger's own statements (the head, the keys, the idems) still are. (Rows are inserted by COPY.)"""
    from ledger.store import Ledger, enroll_item, init_ledger
    from tests.ledgers import POLICY, Flow, W, code
    from tests.support import Env

    keys = make_keys(tmp_path, "admin", "log", "poster", "auditor")
    init_ledger(pg_url, keys["admin"].public, keys["log"], origin="test.example/plans", log_key_path=None)
    ledger = Ledger.open(pg_url, CONTRACTS)
    ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "fund office", "poster")])
    f = Flow(Env(url=pg_url, dir=tmp_path, ledger=ledger, **keys))
    f.post(("policy.publish", {"policy": "test-policy", "version": 1, "document": POLICY}))
    f.open_fund()
    for i in range(8):  # eight postings, each reading its project by key
        f.apply(f"P{i}", amount=10 * W, enterprise=code(10 + i), name=f"企业{i}")
    with ledger.engine.connect() as conn:  # the pool's one connection: the session that posted
        prepared = [s for (s,) in conn.execute(sa.text("SELECT statement FROM pg_prepared_statements"))]
    ledger.engine.dispose()
    assert any("FROM entries ORDER BY seq DESC LIMIT 1" in s for s in prepared), prepared  # the head: prepared
    assert not [s for s in prepared if "FROM projects WHERE project IN" in s]

"""What every benchmark does first: fresh databases, keys, a ledger with an enrolled poster."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts.api import CONTRACTS  # noqa: E402
from ledger.keys import Signer, load_private, write_new_key  # noqa: E402
from ledger.store import Ledger, enroll_item, init_ledger  # noqa: E402
from ledger.suites import DEFAULT, Suite  # noqa: E402


class Databases:
    """Fresh databases for one benchmark run: SQLite files under ``work`` (a directory made for
    the run), or schemas on a PostgreSQL server (``pg``). :meth:`drop` removes both, ``work``
    with everything else the run wrote there (keys, bundles): a run leaves nothing behind."""

    def __init__(self, work: Path, pg: str | None) -> None:
        self.work, self.pg, self.schemas = work, pg, []

    def fresh(self, name: str) -> str:
        if not self.pg:
            return f"sqlite:///{self.work / f'{name}.db'}"
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(self.pg, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        return f"{self.pg}?options=-csearch_path%3D{schema}"

    def drop(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        for schema in self.schemas:
            with sa.create_engine(self.pg, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def new_ledger(url: str, work: Path, origin: str, suite: Suite = DEFAULT) -> tuple[Ledger, Signer, Signer]:
    """Create admin, log and poster keys of ``suite`` under ``work``, initialise ``url``, enroll the poster."""
    for name in ("admin", "log", "poster"):
        write_new_key(work / f"{name}.key", suite)
    admin, log, poster = (load_private(work / f"{n}.key") for n in ("admin", "log", "poster"))
    init_ledger(url, admin.public, log, origin=origin, log_key_path=None)
    ledger = Ledger.open(url, CONTRACTS)
    ledger.append(admin, [enroll_item(poster.public, "bench poster", "poster")])
    return ledger, log, poster


def single_post_walls(url: str, key: Path, runs: int = 5) -> tuple[float, float, float]:
    """(median, min, max) wall seconds of a ``fundledger post`` process posting one audit.note."""
    exe = Path(sys.executable).with_name("fundledger")
    walls = []
    for k in range(runs):
        line = orjson.dumps({"kind": "audit.note", "idem": f"single-{k}", "body": {"text": "one"}})
        t = time.perf_counter()
        subprocess.run([str(exe), "post", "--key", str(key), "--db", url], input=line, check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls), min(walls), max(walls)

"""Benchmark of the finance system's side (issue 7). Run by hand; report the figures.

    .venv/bin/python bench/scale.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test [--entries 1000000]

Builds a ledger on PostgreSQL through ``fundledger post --stream`` with 4 concurrent posters, each
a real process fed single-entry postings (an audit.note each, the cheapest kind, so the figure is the
ledger's, not the contracts') through its stdin and answering on its stdout. Reports single-entry
postings per second, and beside it the machine's commit rate measured in the same run (4
connections, one row per transaction, into a bare table: the limit a posting can approach); then
``fundledger verify`` over the whole ledger and the database's size.
Targets: at least 2,000 single-entry postings/s with 4 posters; verify at least 100,000 entries/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import sqlalchemy as sa  # noqa: E402

from bench._setup import Databases, new_ledger  # noqa: E402

EXE = str(Path(sys.executable).with_name("fundledger"))
POSTERS = 4


def commit_rate(url: str, seconds: float = 10.0) -> float:
    """Rows/s with 4 connections, each committing one row per transaction."""
    import psycopg

    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    table = f"commit_probe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE TABLE {table} (id bigint, data bytea)")
    counts = [0] * POSTERS
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        with psycopg.connect(dsn) as c:
            i = 0
            while time.perf_counter() < stop:
                c.execute(f"INSERT INTO {table} VALUES (%s, %s)", (k * 10**9 + i, b"x" * 300))
                c.commit()
                i += 1
            counts[k] = i

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(POSTERS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rate = sum(counts) / (time.perf_counter() - t)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"DROP TABLE {table}")
    return rate


def stream(url: str, key: Path, k: int, n: int, answers: list[int]) -> None:
    """One poster: ``n`` single-entry postings through one ``post --stream`` process."""
    proc = subprocess.Popen([EXE, "post", "--stream", "--key", str(key), "--db", url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def feed() -> None:
        for i in range(n):
            line = {"kind": "audit.note", "idem": f"p{k}-{i:07d}", "body": {"text": f"拨付凭证 {k}-{i}", "refs": []}}
            proc.stdin.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        proc.stdin.close()

    feeder = threading.Thread(target=feed)
    feeder.start()
    ok = 0
    for raw in proc.stdout:
        ok += json.loads(raw)["ok"]
    feeder.join()
    if proc.wait() != 0:
        raise SystemExit(f"poster {k} failed: {proc.stderr.read().decode()[-2000:]}")
    answers[k] = ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True)
    ap.add_argument("--entries", type=int, default=1_000_000)
    args = ap.parse_args()
    work = Path(__import__("tempfile").mkdtemp(prefix="fundledger-scale-"))
    dbs = Databases(work, args.pg)
    url = dbs.fresh("scale")
    try:
        new_ledger(url, work, "bench.local/scale")
        print(f"commit rate of this machine (4 connections, one row per transaction): {commit_rate(args.pg):,.0f}/s")
        per = args.entries // POSTERS
        answers = [0] * POSTERS
        threads = [threading.Thread(target=stream, args=(url, work / "poster.key", k, per, answers)) for k in range(POSTERS)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t
        print(f"post --stream, {POSTERS} posters: {sum(answers):,} single-entry postings in {elapsed:.0f} s = "
              f"{sum(answers) / elapsed:,.0f}/s")
        print(f"commit rate again, after: {commit_rate(args.pg):,.0f}/s")
        t = time.perf_counter()
        done = subprocess.run([EXE, "verify", "--json", "--db", url], capture_output=True)
        took = time.perf_counter() - t
        entries = json.loads(done.stdout)["entries"]
        print(f"verify: {entries:,} entries in {took:.1f} s = {entries / took:,.0f}/s (exit {done.returncode})")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            size = conn.execute(sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).scalar_one()
        engine.dispose()
        print(f"database size: {size / 2**20:,.0f} MiB ({size / entries:,.0f} bytes per entry, indexes included)")
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()

"""Benchmark of the ledger core (issue 2). Run by hand; report the figures, don't assert them.

    .venv/bin/python bench/core.py                     # fresh SQLite ledger in a temp dir
    .venv/bin/python bench/core.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

(a) posting N audit.note entries in postings of 1,000 (parse JSON lines + checks + append);
(b) verify of that ledger: the chain checks (steps 1-7) in order in one process, and (bp) in
    stretches, one process per core (``ledger/segments.py``: what ``verify --no-replay`` does);
    then (b8) the whole of it (with the replay, step 8);
(c) the raw limits on the same machine: canonical encode + SHA-256 + driver-level insert of the
    same rows with no checks, (c1) into a bare table in one transaction (the floor), and (c2) into
    a migrated `entries` table (same indexes, triggers) with one commit per posting (the same
    durable work as (a) minus parsing, checks and signing): a/c is taken against (c2);
    (c) reading the ledger's rows as verify reads them (the same query, the same columns, the same
    database) and SHA-256 of each row's bytes, against which b/c is taken; (c0) the same from a
    bare table of (seq, hash, data) written in one transaction, for reference;
(b), (bp) and (c) are the medians of three runs each, interleaved; (s) the posting signatures alone,
    verified in one process and split over one process per core: the floor for small postings;
then the wall time of one `fundledger post` process posting one entry.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import Databases, new_ledger, single_post_walls  # noqa: E402

from contracts.api import CONTRACTS  # noqa: E402
from ledger import db  # noqa: E402
from ledger.canonical import canonical  # noqa: E402
from ledger.envelope import utc_now  # noqa: E402
from ledger.inputs import parse_lines  # noqa: E402
from ledger.verify import verify_ledger  # noqa: E402


def lines_for(n: int, start: int) -> list[bytes]:
    return [orjson.dumps({"kind": "audit.note", "idem": f"bench-{i:08d}",
                          "body": {"text": f"bench note {i}: 朝阳区产业引导资金", "refs": [0]}})
            for i in range(start, start + n)]


def _raw_rows(envelopes: list[dict]) -> list[tuple]:
    rows = []
    for e in envelopes:
        data = canonical(e)
        h = hashlib.sha256(b"\x00" + data).digest()
        rows.append((e["seq"], h, h[::-1], e["kind"], e["idem"], e["posting"]["id"], e["posting"]["key"], e["at"], data))
    return rows


def raw_entries_table(url: str, envelopes: list[dict], posting: int) -> float:
    """(c2) Encode + hash + driver executemany into a migrated entries table, one commit per posting."""
    engine = db.make_engine(url)
    db.apply_migrations(engine)
    ph = "%s" if engine.dialect.name == "postgresql" else "?"
    sql = f"INSERT INTO entries (seq, hash, prev, kind, idem, posting, key_id, at, data) VALUES ({', '.join([ph] * 9)})"
    t = time.perf_counter()
    for i in range(0, len(envelopes), posting):
        with db.write_tx(engine) as conn:
            conn.exec_driver_sql(sql, _raw_rows(envelopes[i:i + posting]))
    elapsed = time.perf_counter() - t
    engine.dispose()
    return elapsed


def read_and_hash(url: str) -> float:
    """(c) The ledger's rows, read as verify reads them, and SHA-256 of each row's bytes."""
    from ledger.replay import entry_batches

    engine = db.make_engine(url)
    t = time.perf_counter()
    with db.read_tx(engine) as conn:
        for batch in entry_batches(conn):
            for row in batch:
                hashlib.sha256(b"\x00" + row[8]).digest() == row[1]
    elapsed = time.perf_counter() - t
    engine.dispose()
    return elapsed


def _verify_all(items: list[tuple[bytes, bytes, bytes]]) -> int:
    from ledger.suites import DEFAULT

    return sum(DEFAULT.verify(*item) for item in items)


def signature_limit(url: str, cores: int) -> tuple[float, float, int]:
    """(s) The ledger's posting signatures alone (public key, signature, message, as verify checks
    them), verified in one process and split over ``cores`` processes: the floor of verify for
    small postings. Seconds in each, and how many."""
    import base64
    from concurrent.futures import ProcessPoolExecutor

    from ledger.envelope import posting_message
    from ledger.replay import entry_batches
    from ledger.segments import key_hints
    from ledger.suites import DEFAULT

    engine = db.make_engine(url)
    with db.read_tx(engine) as conn:
        rows = [bytes(row[8]) for batch in entry_batches(conn) for row in batch]
    engine.dispose()
    keys, items = key_hints(rows), []
    for data in rows:
        env = orjson.loads(data)
        if "sig" in env["posting"] and env["posting"]["key"] in keys:
            items.append((keys[env["posting"]["key"]], base64.b64decode(env["posting"]["sig"]),
                          posting_message(env, DEFAULT)))
    t = time.perf_counter()
    assert _verify_all(items) == len(items)
    one = time.perf_counter() - t
    with ProcessPoolExecutor(cores) as pool:
        t = time.perf_counter()
        assert sum(pool.map(_verify_all, [items[k::cores] for k in range(cores)])) == len(items)
        many = time.perf_counter() - t
    return one, many, len(items)


def raw_limit(url: str, envelopes: list[dict]) -> tuple[float, float]:
    """(c1) Encode + hash + driver executemany into a bare table in one transaction; read + hash all rows."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS raw_limit")
        blob = "BYTEA" if engine.dialect.name == "postgresql" else "BLOB"
        conn.exec_driver_sql(f"CREATE TABLE raw_limit (seq BIGINT PRIMARY KEY, hash {blob}, data {blob})")
    ph = "%s" if engine.dialect.name == "postgresql" else "?"
    t = time.perf_counter()
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        for i in range(0, len(envelopes), 1000):
            rows = [(r[0], r[1], r[8]) for r in _raw_rows(envelopes[i:i + 1000])]
            cur.executemany(f"INSERT INTO raw_limit VALUES ({ph}, {ph}, {ph})", rows)
    write = time.perf_counter() - t
    t = time.perf_counter()
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute("SELECT seq, hash, data FROM raw_limit ORDER BY seq")
        while batch := cur.fetchmany(5000):
            for _, h, data in batch:
                hashlib.sha256(b"\x00" + bytes(data)).digest() == bytes(h)
    read = time.perf_counter() - t
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE raw_limit")
    engine.dispose()
    return write, read


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--posting", type=int, default=1000)
    ap.add_argument("--pg", help="PostgreSQL server URL; a fresh schema is made and dropped")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fundledger-bench-"))
    dbs = Databases(work, args.pg)
    fresh_db = dbs.fresh
    url = fresh_db("ledger")
    try:
        ledger, log, poster = new_ledger(url, work, "bench.local/core")
        lines = lines_for(args.entries, 0)

        t = time.perf_counter()
        for i in range(0, len(lines), args.posting):
            ledger.append(poster, parse_lines(lines[i:i + args.posting], "bench", kinds=ledger.kinds))
        post_s = time.perf_counter() - t

        engine = db.make_engine(url)
        cores = os.cpu_count() or 1
        runs: dict[str, list[float]] = {"b": [], "bp": [], "c": []}
        for _ in range(3):
            t = time.perf_counter()
            result = verify_ledger(engine, CONTRACTS, replay=False).chain
            runs["b"].append(time.perf_counter() - t)
            t = time.perf_counter()
            verify_ledger(engine, CONTRACTS, replay=False, workers=cores)
            runs["bp"].append(time.perf_counter() - t)
            runs["c"].append(read_and_hash(url))
        verify_s, pooled_s, read_s = (statistics.median(runs[k]) for k in ("b", "bp", "c"))
        t = time.perf_counter()
        verify_ledger(engine, CONTRACTS, workers=cores)
        full_s = time.perf_counter() - t

        envelopes = [{"v": 1, "ledger": "bench.local/core", "seq": i, "prev": "ab" * 32, "kind": "audit.note",
                      "at": utc_now(), "posting": {"contracts": 1, "id": i // 1000, "i": i % 1000, "n": 1000, "key": poster.kid},
                      "idem": f"bench-{i:08d}", "body": orjson.loads(lines[i])["body"]} for i in range(args.entries)]
        raw_write, raw_read = raw_limit(fresh_db("bare"), envelopes)
        raw_same = raw_entries_table(fresh_db("same"), envelopes, args.posting)

        n = args.entries
        print(f"database: {engine.dialect.name}; {n} entries in postings of {args.posting}; verified {result.entries}")
        print(f"(a)  post                  {n / post_s:>10,.0f} entries/s  ({post_s:.2f} s)")
        print(f"(b)  verify 1-7, in order  {result.entries / verify_s:>10,.0f} entries/s  ({verify_s:.2f} s)")
        print(f"(bp) verify 1-7, {cores} stretches {result.entries / pooled_s:>8,.0f} entries/s  ({pooled_s:.2f} s)   "
              f"b/bp = {verify_s / pooled_s:.2f}x")
        print(f"(b8) verify 1-8, {cores} workers {result.entries / full_s:>10,.0f} entries/s  ({full_s:.2f} s)")
        print(f"(c1) raw write, bare table {n / raw_write:>10,.0f} entries/s  ({raw_write:.2f} s)   a/c1 = {post_s / raw_write:.2f}x")
        print(f"(c2) raw write, entries    {n / raw_same:>10,.0f} entries/s  ({raw_same:.2f} s)   a/c2 = {post_s / raw_same:.2f}x")
        print(f"(c)  read rows + SHA-256   {result.entries / read_s:>10,.0f} entries/s  ({read_s:.2f} s)   "
              f"b/c = {verify_s / read_s:.2f}x, bp/c = {pooled_s / read_s:.2f}x")
        print(f"(c0) bare table + SHA-256  {n / raw_read:>10,.0f} entries/s  ({raw_read:.2f} s)   "
              f"bp/c0 = {pooled_s / raw_read:.2f}x")

        if n // args.posting >= 1000:  # (s) is the limit where there are many postings; a hundred time the pool
            one, many, signatures = signature_limit(url, cores)
            print(f"(s)  the {signatures:,} posting signatures alone: one process {signatures / one:,.0f}/s, "
                  f"{cores} processes {signatures / many:,.0f}/s ({many:.2f} s)   bp/s = {pooled_s / many:.2f}x")

        median, low, high = single_post_walls(url, work / "poster.key")
        print(f"one `fundledger post` process, one entry: median {median:.3f} s wall "
              f"(min {low:.3f}, max {high:.3f}, 5 runs)")
        engine.dispose()
        ledger.engine.dispose()
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()

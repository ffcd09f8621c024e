"""Benchmark of the auditor's side (issue 3). Run by hand; report the figures.

    .venv/bin/python bench/proofs.py                 # 1,000,000 entries on SQLite
    .venv/bin/python bench/proofs.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Builds a ledger of N audit.note entries through the real posting path (postings of 5,000), then
times: the root, an inclusion proof and a consistency proof at random sizes (median and worst of
50, each in its own read transaction); `export`; `verify --bundle` in order in one process and in
stretches, one process per core (what the command does); reading + SHA-256 of each line of
the bundle's entries file, the raw limit the bundle verification is compared with; and the floor
of what any check of the bundle must do per entry, in as many processes as the command uses:
parse the line, re-encode it to prove it canonical, hash the leaf, hash the Merkle nodes, nothing
else, with the cyclic collector paused as in the command (the four interleaved, three times
each, medians). ``--keep-bundle DIR`` exports the bundle into DIR and keeps it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from bisect import bisect_left
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson  # noqa: E402
from _setup import Databases, new_ledger  # noqa: E402

from ledger import collector, db  # noqa: E402
from ledger.bundle import _digest, export_bundle, verify_bundle  # noqa: E402
from ledger.merkle import subtree_roots  # noqa: E402
from ledger.segments import _BUNDLE_STRETCHES, BundleSource  # noqa: E402
from ledger.store import Item  # noqa: E402
from ledger.tree import Tree, conn_size  # noqa: E402


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def floor_part(path: str, start: int, stop: int, suite) -> int:
    """In one process: parse, re-encode and compare, and hash each line that begins in [start,
    stop), then the Merkle subtrees over the leaves; no other check."""
    loads, dumps, sort, leaf_hash, leaves = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS, suite.leaf_hash, []
    source = BundleSource(path, os.path.getsize(path))
    with collector.paused():  # as a stretch of verify --bundle runs
        for starts, lines in source.batches(start):
            cut = len(lines) if starts[-1] <= stop else bisect_left(starts, stop)  # as a stretch cuts
            for line in lines[:cut]:
                if dumps(loads(line), option=sort) != line:
                    raise SystemExit("not canonical")
                leaves.append(leaf_hash(line))
            if starts[-1] >= stop:
                break
        subtree_roots(leaves, 0, 8, suite)
    return len(leaves)


def floor(path: Path, processes: int, suite) -> None:
    """``floor_part`` in as many stretches as ``verify --bundle`` cuts, on ``processes`` processes."""
    size, n = path.stat().st_size, processes * _BUNDLE_STRETCHES
    bounds = [size * k // n for k in range(n + 1)]
    with ProcessPoolExecutor(processes) as pool:
        assert sum(pool.map(floor_part, [str(path)] * n, bounds[:-1], bounds[1:], [suite] * n)) > 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--pg")
    ap.add_argument("--keep-bundle", type=Path, help="export the bundle here and keep it (for bench/bundle_parts.py)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fundledger-proofs-"))
    dbs = Databases(work, args.pg)
    url = dbs.fresh("proofs")
    try:
        ledger, log, poster = new_ledger(url, work, "bench.local/proofs")
        t = time.perf_counter()
        n = 0
        while n < args.entries:
            ledger.append(poster, [Item("audit.note", f"p{n + i}", {"text": f"proof bench {n + i}"}) for i in range(5000)])
            n += 5000
        build = time.perf_counter() - t
        engine = ledger.engine
        with db.read_tx(engine) as conn:
            size = conn_size(conn)
        rng = random.Random(7)
        roots, incl, cons = [], [], []
        for _ in range(50):
            s = rng.randint(2, size)
            i = rng.randrange(s)
            o = rng.randint(1, s)
            with db.read_tx(engine) as conn:
                roots.append(timed(lambda: Tree(conn, ledger.suite).root(s)))
            with db.read_tx(engine) as conn:
                incl.append(timed(lambda: Tree(conn, ledger.suite).inclusion(i, s)))
            with db.read_tx(engine) as conn:
                cons.append(timed(lambda: Tree(conn, ledger.suite).consistency(o, s)))
        out = args.keep_bundle or work / "bundle"
        export_s = timed(lambda: export_bundle(ledger, out, log))
        def read_and_hash() -> None:
            with open(out / "entries.jsonl", "rb") as f:
                for line in f:
                    hashlib.sha256(b"\x00" + line[:-1]).digest()

        cores = os.cpu_count() or 1
        runs = [(timed(lambda: verify_bundle(out, kinds=ledger.kinds, workers=1)),
                 timed(lambda: verify_bundle(out, kinds=ledger.kinds, workers=cores)), timed(read_and_hash),
                 timed(lambda: floor(out / "entries.jsonl", cores, ledger.suite)),
                 timed(lambda: _digest(out / "entries.jsonl", ledger.suite)))
                for _ in range(3)]
        in_order_s, verify_s, raw_s, floor_s, digest_s = (statistics.median(r[k] for r in runs) for k in range(5))
        mb = (out / "entries.jsonl").stat().st_size / 1e6
        ms = lambda xs: f"median {statistics.median(xs) * 1e3:.2f} ms, worst {max(xs) * 1e3:.2f} ms"  # noqa: E731
        print(f"database: {engine.dialect.name}; ledger of {size:,} entries built in {build:.0f} s "
              f"({size / build:,.0f} entries/s, postings of 5,000)")
        print(f"root at a random size:               {ms(roots)}")
        print(f"inclusion proof at a random size:    {ms(incl)}")
        print(f"consistency proof between random sizes: {ms(cons)}")
        print(f"export:           {export_s:.1f} s ({mb:.0f} MB of entries)")
        print(f"verify --bundle, in order: {in_order_s:.2f} s ({size / in_order_s:,.0f} entries/s); / raw = {in_order_s / raw_s:.2f}x")
        print(f"verify --bundle, {cores} stretches: {verify_s:.2f} s ({size / verify_s:,.0f} entries/s); / raw = {verify_s / raw_s:.2f}x")
        print(f"read + SHA-256 of each line of the entries file: {raw_s:.2f} s")
        print(f"floor on {cores} processes (parse, re-encode, leaf and node hashes; no other check): {floor_s:.2f} s; "
              f"/ raw = {floor_s / raw_s:.2f}x; verify --bundle / floor = {verify_s / floor_s:.2f}x")
        print(f"the MANIFEST's digest of the entries file (step B1, one pass): {digest_s:.2f} s; "
              f"(floor + digest / {cores}) / raw = {(floor_s + digest_s / cores) / raw_s:.2f}x")
        print("each run (in order, stretches, raw, floor, digest): "
              + "; ".join(" ".join(f"{x:.2f}" for x in r) for r in runs))
        engine.dispose()
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()

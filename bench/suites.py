"""Benchmark of the algorithm suites (issue 15). Run by hand; report the figures, don't assert them.

    .venv/bin/python bench/suites.py                   # fresh SQLite ledgers in a temp dir
    .venv/bin/python bench/suites.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

In one run: (1) SM3 and SHA-256 hashing rates (1 MiB blocks, and entry-sized messages through the
suite's entry hash); (2) SM2 and Ed25519 sign and verify rates; then, for each suite, (3) posting
N audit.note entries in postings of 1,000, (4) verify of that ledger (the chain checks, steps
1–7, and the whole of it with the replay, steps 1–8), (5) the wall time of one `fundledger post`
process posting one entry (median of 5).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import Databases, new_ledger, single_post_walls  # noqa: E402
from core import lines_for  # noqa: E402

from contracts.api import CONTRACTS  # noqa: E402
from ledger import db  # noqa: E402
from ledger.inputs import parse_lines  # noqa: E402
from ledger.suites import SUITES, Suite  # noqa: E402
from ledger.verify import verify_ledger  # noqa: E402


def rate(fn, seconds: float = 1.0) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    n, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        for _ in range(50):
            fn()
        n += 50
    return n / elapsed


def primitives(suite: Suite) -> dict[str, float]:
    block, entry = os.urandom(1 << 20), os.urandom(300)
    private = suite.generate()
    public = suite.public_of(private)
    message = b"fundledger/posting/v1\n" + os.urandom(32)
    sig = suite.sign(private, message)
    return {"hash MB/s": rate(lambda: suite.digest(block)) * 1.048576,
            "entry hashes/s": rate(lambda: suite.leaf_hash(entry)),
            "sign/s": rate(lambda: suite.sign(private, message)),
            "verify/s": rate(lambda: suite.verify(public, sig, message))}


def ledger_run(suite: Suite, url: str, work: Path, entries: int, posting: int) -> dict[str, float]:
    work.mkdir()
    ledger, _, poster = new_ledger(url, work, f"bench.local/{suite.name}", suite)
    lines = lines_for(entries, 0)
    t = time.perf_counter()
    for i in range(0, len(lines), posting):
        ledger.append(poster, parse_lines(lines[i:i + posting], "bench", kinds=ledger.kinds))
    post_s = time.perf_counter() - t
    engine = db.make_engine(url)
    t = time.perf_counter()
    chain = verify_ledger(engine, CONTRACTS, replay=False).chain
    chain_s = time.perf_counter() - t
    t = time.perf_counter()
    verify_ledger(engine, CONTRACTS)
    full_s = time.perf_counter() - t
    post_process_s = single_post_walls(url, work / "poster.key")[0]
    engine.dispose()
    ledger.engine.dispose()
    return {"post entries/s": entries / post_s, "verify 1-7 entries/s": chain.entries / chain_s,
            "verify 1-8 entries/s": chain.entries / full_s, "one post process s": post_process_s}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--posting", type=int, default=1000)
    ap.add_argument("--pg", help="PostgreSQL server URL; fresh schemas are made and dropped")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fundledger-bench-suites-"))
    dbs = Databases(work, args.pg)
    try:
        print(f"primitives (one core); ledgers of {args.entries:,} audit.note entries in postings of {args.posting:,}, "
              f"{'PostgreSQL' if args.pg else 'SQLite'}")
        rows = {}
        for name, suite in SUITES.items():
            rows[name] = {**primitives(suite), **ledger_run(suite, dbs.fresh(name.replace("-", "_")), work / name,
                                                              args.entries, args.posting)}
        keys = list(next(iter(rows.values())))
        print(f"{'':24}" + "".join(f"{n:>18}" for n in rows))
        for k in keys:
            fmt = "{:>18.3f}" if k.endswith(" s") else "{:>18,.0f}"
            print(f"{k:24}" + "".join(fmt.format(rows[n][k]) for n in rows))
    finally:
        dbs.drop()


if __name__ == "__main__":
    main()

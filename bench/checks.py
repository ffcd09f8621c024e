"""Benchmark of the nightly run (issue 6) and of replay (issue 12). Run by hand; report the figures.

    .venv/bin/python bench/checks.py [--district-years 55] [--pg URL] [--keep | --db URL --key KEY] [--no-analyze]

Builds a synthetic ledger of about 1,000,000 entries: 55 district-years (5 districts, 2015-2025) of
bench/contracts.py's fund-year (2,000 applications through every stage, 18,041 entries each),
posted with the contracts (the build's time is posting them with the contracts on). ``--db URL``
reuses a ledger an earlier run built and kept (``--keep``; its URL is printed); without ``--keep``
a run removes what it built. Then, each in its own process so that
its peak memory is its own: replay and the comparison alone (every entry replayed into a scratch
SQLite store, every projection table compared), ``fundledger verify`` without and with step 8,
Great Expectations alone (the checkpoint with Data Docs), pandera alone, and the whole ``fundledger
check`` (the comparison, both engines, the reports, the check.run entry). Wall time and peak
resident memory of each are printed.
On PostgreSQL the tables are analyzed first, as autovacuum would have done on a production server
(this machine's server runs with autovacuum off); ``--no-analyze`` checks them without statistics.
Targets: replay and the comparison under 120 s and 2 GiB on SQLite and within 2x of posting; the
engines under 120 s and 2 GiB each; ``fundledger check`` under 180 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import Databases, new_ledger  # noqa: E402
from bench.contracts import calendars, district_year, post_all  # noqa: E402
from contracts.catalogue import CATALOGUE_DIR, load_file  # noqa: E402
from ledger.keys import load_private, write_new_key  # noqa: E402
from ledger.store import Item, enroll_item  # noqa: E402

PYTHON = sys.executable
GX_ONLY = ("import sys; from pathlib import Path; from checks.gx_project import run_gx; "
           "f, _ = run_gx(sys.argv[1], Path(sys.argv[2])); print(len(f))")
PANDERA_ONLY = ("import sys, sqlalchemy as sa; from checks.frames import run_pandera; "
                "c = sa.create_engine(sys.argv[1]).connect(); print(len(run_pandera(c)))")
REPLAY_ONLY = ("import sys, time; from contracts.api import CONTRACTS; from ledger import db; "
               "from ledger.replay import entry_batches, replaying; e = db.make_engine(sys.argv[1]); t = time.perf_counter()\n"
               "with db.read_tx(e) as conn, replaying(CONTRACTS) as r:\n"
               "    for b in entry_batches(conn): r.feed(b)\n"
               "    done = r.finish(); t1 = time.perf_counter(); c = r.compare(conn)\n"
               "print(f'replayed {done.entries} entries in {t1 - t:.1f} s, compared {c.rows} rows in {time.perf_counter() - t1:.1f} s, '\n"
               "      f'{len(done.refused)} refused, {sum(c.differing.values())} rows differ')")


def _hwm(pid: int) -> int:
    """The process's peak resident memory so far (kB): VmHWM belongs to the program exec'd, not to
    this (large) parent it was forked from, whose size getrusage would count."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def measured(args: list[str], work: Path) -> tuple[float, float, str]:
    """Run a process; its wall time (s), its peak resident memory (MiB) and its last line of output."""
    out, err = work / "out.txt", work / "err.txt"
    peak = 0
    t = time.perf_counter()
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen(args, stdout=o, stderr=e, cwd=HERE.parent)
        while proc.poll() is None:
            peak = max(peak, _hwm(proc.pid))
            time.sleep(0.05)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):  # 1: the run found a fatal finding, which is a result, not a failure
        raise SystemExit(f"{args[:3]} failed ({proc.returncode}): {err.read_text()[-2000:]}")
    lines = out.read_text().strip().splitlines()
    return wall, peak / 1024, lines[-1] if lines else ""


YEARS = range(2015, 2026)  # the years China's working-day calendar covers


def build(url: str, work: Path, district_years: int) -> Path:
    """``district_years`` fund-years: districts of 11 years each (2015-2025), each its own fund."""
    ledger, _, poster = new_ledger(url, work, "bench.local/checks")
    write_new_key(work / "checks.key")
    admin = load_private(work / "admin.key")
    ledger.append(admin, [enroll_item(load_private(work / "checks.key").public, "bench checks", "checks")])
    plan = [(d, y) for d in range(-(-district_years // len(YEARS))) for y in YEARS][:district_years]
    funds = sorted({"chaoyang-hightech" if d == 0 else f"bench-district-{d}" for d, _ in plan})
    policy = load_file(CATALOGUE_DIR / "chaoyang-hightech.json")
    policy["document"].update(effective_from="2000-01-01", funds=funds)
    ledger.post(poster, [Item("policy.publish", "policy-v1", policy), *calendars(YEARS.start, YEARS.stop)])
    t = time.perf_counter()
    for k, (d, y) in enumerate(plan, 1):
        fund = "chaoyang-hightech" if d == 0 else f"bench-district-{d}"
        post_all(ledger, poster, district_year(y, fund, d), as_notes=False)
        print(f"  district-year {k}/{district_years}: {ledger.head().size:,} entries, {time.perf_counter() - t:.0f} s",
              flush=True)
    return work / "checks.key"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--district-years", type=int, default=55)
    ap.add_argument("--pg")
    ap.add_argument("--db", help="a ledger an earlier run built (its checks key is next to it: --key)")
    ap.add_argument("--key", help="with --db: the checks key")
    ap.add_argument("--keep", action="store_true",
                    help="keep the ledger built, SQLite file or PostgreSQL schema, and its checks key (for --db later)")
    ap.add_argument("--no-analyze", action="store_true",
                    help="PostgreSQL: check the tables as built, without the statistics autovacuum would gather")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fundledger-checks-"))
    dbs = Databases(work, args.pg)
    try:
        posting_s = None
        if args.db:
            url, key = args.db, Path(args.key)
        else:
            url = dbs.fresh("checks")
            t = time.perf_counter()
            key = build(url, work, args.district_years)
            posting_s = time.perf_counter() - t
            print(f"built (posted with the contracts on) in {posting_s:.0f} s: {url} (checks key {key})")
        import sqlalchemy as sa

        if url.startswith("postgresql") and not args.no_analyze:  # what autovacuum does on a production server (it is off on ours)
            t = time.perf_counter()
            with sa.create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            print(f"ANALYZE: {time.perf_counter() - t:.1f} s")

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            size = conn.execute(sa.text("SELECT count(*) FROM entries")).scalar_one()
            projects = conn.execute(sa.text("SELECT count(*) FROM projects")).scalar_one()
            decisions = conn.execute(sa.text("SELECT count(*) FROM decisions")).scalar_one()
        engine.dispose()
        print(f"ledger: {size:,} entries, {projects:,} projects, {decisions:,} decisions")
        exe = str(Path(PYTHON).parent / "fundledger")
        for name, argv in (("replay and comparison alone", [PYTHON, "-c", REPLAY_ONLY, url]),
                           ("fundledger verify --no-replay (steps 1-7)", [exe, "verify", "--no-replay", "--db", url]),
                           ("fundledger verify (steps 1-8)", [exe, "verify", "--db", url]),
                           ("Great Expectations alone", [PYTHON, "-c", GX_ONLY, url, str(work / "gx-only")]),
                           ("pandera alone", [PYTHON, "-c", PANDERA_ONLY, url]),
                           ("fundledger check (comparison, both engines, reports, check.run)",
                            [exe, "check", "--key", str(key), "--out", str(work / "night"), "--db", url])):
            wall, peak, last = measured(argv, work)
            versus = f" ({wall / posting_s:.2f}x posting)" if posting_s and name.startswith("replay") else ""
            print(f"{name}: {wall:.1f} s wall{versus}, {peak:.0f} MiB peak; {last[:160]}", flush=True)
    finally:
        if args.keep:
            print(f"kept: {work}", *(f"schema {s}" for s in dbs.schemas))
        else:
            dbs.drop()


if __name__ == "__main__":
    main()

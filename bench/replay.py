"""Where the time of a replay goes, and what two cores could make of it. Run by hand; report the figures.

    .venv/bin/python bench/replay.py [--district-years 5] [--runs 3] [--db URL | --keep]

Builds (or, with ``--db``, reads) a SQLite ledger of ``--district-years`` fund-years of
``bench/checks.py`` (18,041 entries each, posted with the contracts on; they state no figures of
a report, so ``--db sqlite:///fundledger.db`` after ``fundledger demo`` replays the seeds' own
ledger, which does), then replays it with the
comparison, as ``verify`` step 8 and the nightly run do (``ledger/replay.py``), ``--runs`` times,
timing each part of it by wrapping the functions that do it:

- what must run in order, one posting after another on one connection to the scratch store: the
  rules, effects and projection writes of each posting (``apply_posting``; its writes,
  ``State.flush``, apart), the entries, keys and Merkle nodes written (``write_entries``), the
  commits, and the comparison (it reads the finished store);
- what another core could take off it: reading the rows, parsing and hashing each entry, the
  contracts' edge over the stored bodies.

It prints the rate of the whole, and the bound on it if the second part cost nothing (entries / the
first part): the most a second core can give this design. Beside them, the raw limit of the
writes: the same entry rows inserted into the same table of a fresh scratch store by
``executemany`` and nothing else; and what the process that runs the rules would still spend on
each entry if another process did all of the second part: receiving it as Python objects (its
parsed envelope and its bytes, ``marshal.loads`` in batches of 5,000, the cyclic collector paused as
in the replay: faster than parsing the JSON again, and slower than nothing), with the bound that gives.
"""

from __future__ import annotations

import argparse
import functools
import marshal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench._setup import Databases  # noqa: E402
from bench.checks import build  # noqa: E402
from contracts.api import CONTRACTS  # noqa: E402
from contracts.state import State  # noqa: E402
from ledger import collector, db, replay  # noqa: E402
from ledger.replay import Replayer, entry_batches, replaying, scratch_store  # noqa: E402
from ledger.store import _ENTRY_COLUMNS  # noqa: E402  (the columns entry_batches gives, in order)

SPENT: defaultdict[str, float] = defaultdict(float)  # seconds by part, of the run in hand (and of the build)


def _timing(owner: object, name: str) -> None:
    """Wrap ``owner.name`` so that its time adds up in ``SPENT[name]``."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - t

    setattr(owner, name, timed)


for _owner, _name in ((Replayer, "_flush"), (Replayer, "_stored_form"), (replay, "apply_posting"), (State, "flush"),
                      (replay, "write_entries")):
    _timing(_owner, _name)


def replay_once(url: str) -> tuple[int, dict[str, float]]:
    """One replay with the comparison; (entries, seconds by part)."""
    spent = SPENT
    spent.clear()
    spent.update(dict.fromkeys(("read", "_flush", "_stored_form", "apply_posting", "flush", "write_entries"), 0.0))
    engine = db.make_engine(url)
    start = time.perf_counter()
    with db.read_tx(engine) as conn, replaying(CONTRACTS) as replayer:
        spent["setup"] = time.perf_counter() - start  # the scratch store's migrations
        rows = entry_batches(conn)
        while True:
            t = time.perf_counter()
            batch = next(rows, None)
            spent["read"] += time.perf_counter() - t
            if batch is None:
                break
            replayer.feed(batch)
        done = replayer.finish()
        t = time.perf_counter()
        comparison = replayer.compare(conn)
        spent["compare"] = time.perf_counter() - t
    spent["whole"] = time.perf_counter() - start
    engine.dispose()
    if done.refused or sum(comparison.differing.values()):
        raise SystemExit(f"the replay differs: {len(done.refused)} refused, {comparison.differing}")
    return done.entries, dict(spent)


def raw_entry_writes(url: str) -> float:
    """The entry rows inserted into the entries table of a fresh scratch store, nothing else."""
    engine = db.make_engine(url)
    with db.read_tx(engine) as conn:
        rows = [row for batch in entry_batches(conn) for row in batch]
    engine.dispose()
    with scratch_store() as scratch, db.write_tx(scratch) as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        t = time.perf_counter()
        for i in range(0, len(rows), 5000):  # as entry_batches gives them; on SQLite one executemany
            db.insert_rows(cursor, False, "entries", _ENTRY_COLUMNS.split(", "), rows[i:i + 5000])
        return time.perf_counter() - t


def receive_floor(url: str) -> float:
    """Seconds to turn every entry, parsed elsewhere, back into objects here: ``marshal.loads`` of
    (envelope, bytes) pairs in batches of 5,000, the cheapest transfer the standard library has."""
    engine = db.make_engine(url)
    with db.read_tx(engine) as conn:
        sent = [marshal.dumps([(orjson.loads(row[-1]), bytes(row[-1])) for row in batch]) for batch in entry_batches(conn)]
    engine.dispose()
    with collector.paused():  # as the replay runs
        t = time.perf_counter()
        for payload in sent:
            marshal.loads(payload)
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--district-years", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", help="a SQLite ledger: one an earlier run of this script or bench/checks.py kept, "
                                    "or the demo's (the seeds)")
    ap.add_argument("--keep", action="store_true", help="keep the ledger built (for --db later)")
    args = ap.parse_args()
    if args.db:
        measure(args.db, args.runs)
        return
    work = Path(tempfile.mkdtemp(prefix="fundledger-replay-bench-"))
    dbs = Databases(work, None)
    url = dbs.fresh("ledger")
    try:
        build(url, work, args.district_years)
        print(f"built: {url}")
        measure(url, args.runs)
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            dbs.drop()


def measure(url: str, rounds: int) -> None:
    runs = []
    for _ in range(rounds):
        entries, parts = replay_once(url)
        runs.append((entries, parts, raw_entry_writes(url), receive_floor(url)))
    print("each run, seconds: whole; in order (apply_posting [its projection writes], write_entries, commits, "
          "comparison / 2); the rest (scratch store set-up, reading, parsing and hashing, edge); raw entry writes; "
          "receiving the entries as objects")
    for _, p, raw, receive in runs:
        commits = p["_flush"] - p["_stored_form"] - p["apply_posting"] - p["write_entries"]
        p["in order"] = p["apply_posting"] + p["write_entries"] + commits + p["compare"] / 2
        parse = p["whole"] - p["setup"] - p["read"] - p["_flush"] - p["compare"]
        rest = p["setup"] + p["read"] + parse + p["_stored_form"]
        print(f"  {p['whole']:.2f}; {p['in order']:.2f} ({p['apply_posting']:.2f} [{p['flush']:.2f}], "
              f"{p['write_entries']:.2f}, {commits:.2f}, {p['compare'] / 2:.2f}); {rest:.2f} ({p['setup']:.2f}, "
              f"{p['read']:.2f}, {parse:.2f}, {p['_stored_form']:.2f}); {raw:.2f}; {receive:.2f}")
    entries = runs[0][0]
    whole = statistics.median(r[1]["whole"] for r in runs)
    in_order = statistics.median(r[1]["in order"] for r in runs)
    received = statistics.median(r[1]["in order"] + r[3] for r in runs)
    print(f"replay and comparison of {entries:,} entries: median {whole:.2f} s, {entries / whole:,.0f} entries/s; "
          f"in order {in_order:.2f} s: at most {entries / in_order:,.0f} entries/s with the rest on another core, "
          f"{entries / received:,.0f} entries/s once the entries are received as objects ({received:.2f} s)")


if __name__ == "__main__":
    main()

"""Where a bundle stretch's time goes, an entry at a time, in one process. Run by hand; report the figures.

    .venv/bin/python bench/bundle_parts.py DIR [--rounds 5]

DIR is a bundle (``fundledger export --out DIR``; ``bench/proofs.py`` builds one of a million
notes). Over the lines of its first quarter, this times, in CPU time, the cyclic collector paused
as in ``verify --bundle``, alternating, ``--rounds`` times each (medians):

- read: ``BundleSource`` reading and splitting the file, nothing else;
- parse + re-encode + leaf hash: what any check of the bytes must do to each line (the lines
  already in memory);
- Merkle: the aligned subtrees of 256 leaves over those leaves (``merkle.subtree_roots``);
- bare checks: the parse, re-encoding and leaf hash again, with the comparisons the format requires
  of each entry written inline and nothing else: the envelope's nine fields and their types, the
  seq, the ledger, a known kind, the link to the entry before, the posting's fields equal to its
  first entry's (but ``i``) with their types, the idem unique;
- the stretch: ``ledger.segments._stretch`` over the same range, as ``verify --bundle`` runs it
  in each process (reading, every check of ``ledger/chain.py``, the Merkle subtrees).

The floor of ``bench/proofs.py`` is read + parse + re-encode + leaf hash + Merkle. The check of a
bundle is within 3x of reading and hashing it only if a stretch costs at most 3 / (floor / raw)
times this floor: with the floor at 2.2x the raw read, 1.36x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from contracts.api import CONTRACTS  # noqa: E402
from ledger import collector  # noqa: E402
from ledger.chain import _CANONICAL, _ENVELOPE_FIELDS, _ENVELOPE_SIZE  # noqa: E402
from ledger.kinds import genesis_suite, registry  # noqa: E402
from ledger.merkle import subtree_roots  # noqa: E402
from ledger.segments import BundleSource, _stretch, key_hints  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    path = str(args.bundle / "entries.jsonl")
    size = os.path.getsize(path)
    lines: list[bytes] = []
    stop = 0
    with open(path, "rb") as f:
        for line in f:
            if stop >= size // 4:
                break
            lines.append(line[:-1])
            stop += len(line)
    genesis = orjson.loads(lines[0])
    suite, origin = genesis_suite(genesis["body"]), genesis["body"]["origin"]
    kinds, hints, leaf_hash = registry(CONTRACTS.kinds), key_hints(lines[:100]), suite.leaf_hash
    entries = lines[1:]  # a stretch that starts after the genesis: at the first posting after position 1
    leaves = [leaf_hash(line) for line in entries]

    def read() -> None:
        for starts, _ in BundleSource(path, size).batches(1):
            if starts[-1] >= stop:
                break

    def parse() -> None:
        loads, dumps, kept = orjson.loads, orjson.dumps, []
        for line in entries:
            if dumps(loads(line), option=_CANONICAL) != line:
                raise SystemExit("not canonical")
            kept.append(leaf_hash(line))

    def merkle() -> None:
        subtree_roots(leaves, 1, 8, suite)

    def bare() -> None:
        loads, dumps, kept, idems = orjson.loads, orjson.dumps, [], set()
        seq, prev_hex, inner = 1, orjson.loads(entries[0])["prev"], {}
        for line in entries:
            computed = leaf_hash(line)
            env = loads(line)
            if type(env) is not dict or len(env) != _ENVELOPE_SIZE:
                raise SystemExit("envelope fields")
            v, env_seq, env_ledger, kind, idem, body, env_prev, p, at = _ENVELOPE_FIELDS(env)
            if dumps(env, option=_CANONICAL) != line:
                raise SystemExit("not canonical")
            if v != 1 or type(v) is not int or env_seq != seq or type(env_seq) is not int or env_ledger != origin \
                    or type(kind) is not str or kind not in kinds or type(idem) is not str or type(body) is not dict \
                    or env_prev != prev_hex:
                raise SystemExit(f"seq {seq}")
            i = p["i"]
            if i == 0:  # a posting's first entry: its fields are what the others must carry
                inner, first_at = dict(p), at
            elif "sig" not in p:
                inner["i"] = i
                if p != inner or type(i) is not int or type(p["n"]) is not int or type(p["id"]) is not int \
                        or type(p["contracts"]) is not int or at != first_at:
                    raise SystemExit(f"posting at seq {seq}")
            if idem in idems:
                raise SystemExit("idem")
            idems.add(idem)
            kept.append(computed)
            prev_hex = computed.hex()
            seq += 1

    def stretch() -> None:
        if _stretch(BundleSource(path, size), 1, stop, suite.name, origin, kinds, hints) is None:
            raise SystemExit("the stretch failed")

    parts = {"read": read, "parse + re-encode + leaf hash": parse, "Merkle": merkle, "bare checks": bare,
             "the stretch": stretch}
    spent: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(args.rounds):
        for name, fn in parts.items():
            with collector.paused():  # as verify --bundle runs each stretch
                t = time.process_time()
                fn()
                spent[name].append(time.process_time() - t)
    us = {name: statistics.median(times) / len(entries) * 1e6 for name, times in spent.items()}
    floor = us["read"] + us["parse + re-encode + leaf hash"] + us["Merkle"]
    print(f"{len(entries):,} entries, µs an entry (medians of {args.rounds}, CPU time):")
    for name, value in us.items():
        print(f"  {name:<32} {value:6.2f}")
    print(f"floor (read + parse + re-encode + leaf hash + Merkle) {floor:.2f}; "
          f"bare checks + read + Merkle = {(us['bare checks'] + us['read'] + us['Merkle']) / floor:.2f}x the floor; "
          f"the stretch = {us['the stretch'] / floor:.2f}x the floor")


if __name__ == "__main__":
    main()

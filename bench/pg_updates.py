"""What 500 row updates cost on PostgreSQL, sent three ways (issue 16). Run by hand; report the figures.

    .venv/bin/python bench/pg_updates.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

A table shaped like ``projects`` (40,000 rows, the primary key and the (enterprise, year) index),
and 20 transactions of 500 updates of two columns by key, each way twice, alternating:
``executemany`` (psycopg pipelines it), one ``UPDATE … FROM unnest(arrays)``, and the same with
hash and merge joins off (a nested loop over the key index). ``State.flush`` writes the
contracts' projection rows back with the first; this says why.
"""

from __future__ import annotations

import argparse
import random
import time

import psycopg

N, ROWS, ROUNDS = 40_000, 500, 20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", required=True)
    url = ap.parse_args().pg.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("CREATE TEMP TABLE bench_updates (project varchar(200) PRIMARY KEY, enterprise varchar(18), "
                    "year int, status varchar(16), stages varchar(2000), amount_fen bigint)")
        cur.execute("CREATE INDEX ON bench_updates (enterprise, year)")
        with cur.copy("COPY bench_updates FROM STDIN") as copy:
            for i in range(N):
                copy.write_row((f"p{i:06d}", f"e{i % 5000}", 2015 + i % 10, "applied", "[]", 100))
        cur.execute("ANALYZE bench_updates")
        conn.commit()

        def executemany(rows: list[dict]) -> None:
            cur.executemany("UPDATE bench_updates SET stages = %(stages)s, status = %(status)s WHERE project = %(project)s", rows)

        def unnest(rows: list[dict]) -> None:
            cur.execute("UPDATE bench_updates AS t SET stages = v.stages, status = v.status "
                        "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(project, stages, status) WHERE t.project = v.project",
                        [[r[c] for r in rows] for c in ("project", "stages", "status")], prepare=False)

        def nested_loop(rows: list[dict]) -> None:
            cur.execute("SET LOCAL enable_hashjoin = off")
            cur.execute("SET LOCAL enable_mergejoin = off")
            unnest(rows)

        for name, way in (("executemany", executemany), ("unnest", unnest), ("unnest, nested loop", nested_loop)) * 2:
            t = time.perf_counter()
            for k in range(ROUNDS):
                way([{"project": f"p{i:06d}", "stages": f'["s{k}"]', "status": "review"} for i in random.sample(range(N), ROWS)])
                conn.commit()
            print(f"{name:>20}: {(time.perf_counter() - t) / ROUNDS * 1000:.1f} ms per {ROWS} updates")


if __name__ == "__main__":
    main()

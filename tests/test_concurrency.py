"""Four processes posting at once: every posting appended exactly once, no fork, verify passes."""

from __future__ import annotations

import multiprocessing as mp

import pytest
import sqlalchemy as sa

from contracts.api import CONTRACTS
from ledger.keys import load_private
from ledger.store import Item, Ledger

PROCESSES, POSTINGS = 4, 250


def _poster(url: str, key_path: str, worker: int, start: mp.Barrier) -> None:
    ledger = Ledger.open(url, CONTRACTS)
    signer = load_private(key_path)
    start.wait()
    for n in range(POSTINGS):
        (receipt,) = ledger.append(signer, [Item("audit.note", f"w{worker}-{n}", {"text": f"worker {worker} posting {n}"})])
        assert receipt.status == "appended"
    ledger.engine.dispose()


@pytest.mark.slow
def test_four_processes_append_each_posting_once(env):
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    workers = [ctx.Process(target=_poster, args=(env.url, env.key_path("poster"), w, start)) for w in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    with env.ledger.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, idem, posting FROM entries WHERE kind = 'audit.note' ORDER BY seq")).all()
    assert len(rows) == PROCESSES * POSTINGS
    assert {r.idem for r in rows} == {f"w{w}-{n}" for w in range(PROCESSES) for n in range(POSTINGS)}
    assert [r.seq for r in rows] == list(range(3, 3 + PROCESSES * POSTINGS))  # no gap, no fork
    assert len({r.posting for r in rows}) == PROCESSES * POSTINGS
    # the workers really interleaved
    owners = [r.idem.split("-")[0] for r in rows]
    assert sum(a != b for a, b in zip(owners, owners[1:])) >= 2  # the writers took turns
    result = env.run("verify", "--json")
    assert result.exit_code == 0, result.output

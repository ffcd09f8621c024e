"""The cyclic garbage collector is paused for a pass over the whole ledger (``ledger/collector.py``):
``verify`` and its replay, ``verify --bundle`` and the replay of a bundle feed every batch with it
off, and leave it on; passes nest and run in threads. ``tests/test_replay.py`` holds that a
verify, collector off, leaves next to nothing for it to free."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from contracts.api import CONTRACTS
from fundledger.cli import cli
from ledger import collector, db
from ledger.bundle import verify_bundle
from ledger.chain import ChainVerifier
from ledger.kinds import registry
from ledger.replay import Replayer, replay_bundle
from ledger.verify import verify_ledger


def test_a_pass_turns_the_collector_off_and_the_last_pass_to_end_turns_it_on():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pass still runs
    assert gc.isenabled()


def test_a_pass_that_fails_turns_it_on_again():
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("the pass failed")
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_passes_in_two_threads_keep_it_off_until_both_end():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        first_in.wait()
        with collector.paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())  # the first pass has ended; this one runs on

    thread = threading.Thread(target=second)
    thread.start()
    with collector.paused():
        first_in.set()
        second_in.wait()
    first_out.set()
    thread.join()
    assert seen == [False] and gc.isenabled()


@pytest.fixture
def fed(monkeypatch) -> list[bool]:
    """Whether the collector was on, each time the chain checks or a replay were fed a batch."""
    states: list[bool] = []
    for owner in (ChainVerifier, Replayer):
        def feed(self, rows, original=owner.feed):  # noqa: ANN001
            states.append(gc.isenabled())
            return original(self, rows)

        monkeypatch.setattr(owner, "feed", feed)
    return states


@pytest.fixture
def engine(copy) -> Iterator:
    engine = db.make_engine(copy)
    yield engine
    engine.dispose()


def test_verify_and_its_replay_feed_every_batch_with_the_collector_off(engine, fed):
    verified = verify_ledger(engine, CONTRACTS)
    assert verified.replay is not None and verified.replay.entries == verified.chain.entries
    assert len(fed) >= 2 and not any(fed)  # the chain checks' batches and the replay's
    assert gc.isenabled()


def test_a_bundle_is_verified_and_replayed_with_the_collector_off(base, copy, fed, tmp_path):
    out = tmp_path / "bundle"
    exported = CliRunner().invoke(cli, ["export", "--out", str(out), "--key", str(Path(base[2]) / "log.key"),
                                        "--db", copy], catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    verify_bundle(out, kinds=registry(CONTRACTS.kinds))
    assert fed and not any(fed) and gc.isenabled()
    fed.clear()
    rebuilt = replay_bundle(out, f"sqlite:///{tmp_path / 'auditor.db'}", CONTRACTS)
    assert rebuilt.replay.entries == rebuilt.chain.entries
    assert fed and not any(fed) and gc.isenabled()

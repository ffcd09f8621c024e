"""The chain checks in stretches, one process each (``ledger/segments.py``), on a good ledger: they
decide (no fall-back to the check in order) and prove exactly what the check in order proves, for
any cut: stretches that begin mid-posting, stretches no posting starts in, a log key rotated and a
key revoked between them, checkpoints before and after the rotation; in the database and in a
bundle, on both databases and in both suites. Every attack of ``tests/test_verify_tamper.py`` is
also run through them, and none may pass."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from contracts.api import CONTRACTS
from ledger import bundle, db, segments, verify
from ledger.bundle import verify_bundle
from ledger.checkpoints import issue_checkpoint
from ledger.kinds import registry
from ledger.note import parse_checkpoint
from ledger.store import Item, enroll_item, revoke_item
from ledger.verify import verify_ledger
from tests.support import BOTH_SUITES, make_keys, verify_every_way


def _history(env, tmp_path) -> list:
    """Postings of 1 to 7 entries, a key enrolled and revoked, the log key rotated; a checkpoint
    before the rotation and one after. Returns the checkpoints as ``verify`` takes them."""
    clerk = make_keys(tmp_path, "clerk", suite=env.ledger.suite)["clerk"]
    env.ledger.append(env.admin, [enroll_item(clerk.public, "clerk", "poster")])
    for p in range(12):
        signer = clerk if p % 3 == 0 else env.poster
        env.ledger.append(signer, [Item("audit.note", f"n{p}-{i}", {"text": f"凭证 {p}.{i}"}) for i in range(1 + p % 7)])
    before = issue_checkpoint(env.ledger, env.log).note
    env.ledger.append(env.admin, [revoke_item(clerk.kid, "left the office")])
    log2 = make_keys(tmp_path, "log2", suite=env.ledger.suite)["log2"]
    rotated = env.run("keys", "rotate", "--role", "log", "--new", str(tmp_path / "log2.key"), "--endorse",
                      env.key_path("log"), "--key", env.key_path("admin"), "--reason", "yearly", "--json")
    assert rotated.exit_code == 0, rotated.output
    for p in range(6):
        env.ledger.append(env.poster, [Item("audit.note", f"m{p}-{i}", {"text": f"after {p}.{i}"}) for i in range(1 + p)])
    after = issue_checkpoint(env.ledger, log2).note
    return [("before", parse_checkpoint(before)), ("after", parse_checkpoint(after))]


@pytest.fixture
def history(env, tmp_path):
    return _history(env, tmp_path)


@pytest.fixture
def every_size(monkeypatch):
    monkeypatch.setattr(segments, "MIN_ENTRIES", 0)
    monkeypatch.setattr(segments, "MIN_BYTES", 0)


@BOTH_SUITES
def test_stretches_prove_what_the_check_in_order_proves(env, history, every_size):
    """With the replay beside them too (step 8 in this process while the stretches run): the same
    report, the derived state's digest and counts included, and told to the progress bar once."""
    engine = env.ledger.engine
    kinds = registry(CONTRACTS.kinds)
    in_order = verify_ledger(engine, CONTRACTS, checkpoints=history, workers=1)
    assert in_order.chain.entries > 60 and len(in_order.chain.log_chain) == 2 and in_order.replay is not None
    for workers in (2, 3, 5, 8):
        for replay in (False, True):
            told: list[int] = []
            stretched = verify._beside_stretches(engine, CONTRACTS, kinds, told.append, history, replay, workers)
            assert stretched is not None, f"{workers} stretches did not decide"
            assert stretched.chain == in_order.chain
            assert sum(told) == in_order.chain.entries
            if replay:
                assert stretched.as_dict() == in_order.as_dict()
            else:
                assert stretched.replay is None
    cli = env.run("verify", "--no-replay", "--workers", "3", "--json")
    assert cli.exit_code == 0 and json.loads(cli.output)["root"] == in_order.chain.root.hex()
    cli = env.run("verify", "--workers", "3", "--json")
    assert cli.exit_code == 0 and json.loads(cli.output) == json.loads(env.run("verify", "--workers", "1", "--json").output)


@BOTH_SUITES
@pytest.mark.parametrize("block", [64, 1500, segments._BLOCK])
def test_stretches_of_a_bundle_prove_what_the_check_in_order_proves(env, history, every_size, tmp_path, monkeypatch, block):
    """Also read in blocks shorter than a line, and in blocks of a few lines, so that a stretch's
    range ends inside a block, at one's end, or blocks after its start."""
    monkeypatch.setattr(segments, "_BLOCK", block)
    assert env.run("export", "--out", str(tmp_path / "b")).exit_code == 0
    kinds = registry(CONTRACTS.kinds)
    in_order = verify_bundle(tmp_path / "b", kinds=kinds, workers=1)
    with open(tmp_path / "b" / "checkpoint.note", encoding="utf-8") as f:
        checkpoint = [("checkpoint.note", parse_checkpoint(f.read()))]
    for workers in (2, 3, 5, 8):
        stretched = bundle._in_stretches(tmp_path / "b", kinds, checkpoint, workers, None)
        assert stretched is not None, f"{workers} stretches did not decide"
        assert stretched == in_order
    assert verify_bundle(tmp_path / "b", kinds=kinds, workers=3) == in_order


@BOTH_SUITES
def test_a_stretch_that_cannot_decide_leaves_the_ledger_to_the_check_in_order(env, history, every_size, tmp_path):
    """A bundle whose last line lost its newline: no stretch reaches the end of the file, so the
    stretches do not decide, and the check in order names the line."""
    assert env.run("export", "--out", str(tmp_path / "b")).exit_code == 0
    path = tmp_path / "b" / "entries.jsonl"
    kinds = registry(CONTRACTS.kinds)
    lines = path.read_bytes().count(b"\n")
    path.write_bytes(path.read_bytes()[:-1])
    assert bundle._in_stretches(tmp_path / "b", kinds, [], 3, None) is None
    from ledger.chain import VerifyFailure

    with pytest.raises(VerifyFailure) as failure:
        list(bundle.bundle_batches(tmp_path / "b"))
    assert (failure.value.step, failure.value.found) == ("B", f"line {lines} without one")


@BOTH_SUITES
def test_an_idem_again_in_a_later_stretch_of_a_bundle(env, every_size, tmp_path):
    """A posting validly signed by the poster, appended to a bundle's entries, repeating an idem of
    the first stretch: no stretch sees both, the check where they meet does; in order it is 3.7."""
    from ledger.bundle import bundle_batches
    from ledger.chain import ChainVerifier, VerifyFailure
    from ledger.envelope import seal_posting, utc_now

    env.ledger.append(env.poster, [Item("audit.note", f"a{i}", {"text": "原件"}) for i in range(3)])  # seqs 3-5
    env.ledger.append(env.poster, [Item("audit.note", f"b{i}", {"text": "原件"}) for i in range(3)])  # seqs 6-8
    assert env.run("export", "--out", str(tmp_path / "b")).exit_code == 0
    path = tmp_path / "b" / "entries.jsonl"
    lines = path.read_bytes().splitlines()
    assert len(lines) == 9
    prev = env.ledger.suite.leaf_hash(lines[-1])
    forged = seal_posting(ledger=env.ledger.origin, first_seq=9, prev=prev, posting_id=4, at=utc_now(), signer=env.poster,
                          items=[("audit.note", i, {"text": "forged"}) for i in ("f1", "a0", "f3")], contracts=1,
                          suite=env.ledger.suite)
    path.write_bytes(b"".join(line + b"\n" for line in [*lines, *(s.data for s in forged)]))
    kinds = registry(CONTRACTS.kinds)
    in_order = ChainVerifier(kinds=kinds, index_columns=False)
    with pytest.raises(VerifyFailure) as failure:
        for batch in bundle_batches(tmp_path / "b"):
            in_order.feed(batch)
    assert (failure.value.step, failure.value.seq) == ("3.7", 10)
    for workers in (2, 3):  # the forged posting in the last stretch, its twin in an earlier one
        assert bundle._in_stretches(tmp_path / "b", kinds, [], workers, None) is None


@BOTH_SUITES
def test_a_signature_a_stretch_found_valid_counts_only_with_the_key_in_force(env, tmp_path):
    """A stretch checks a posting's signature with the key its hints name for the key id; settling
    it here, a check with any other key than the one in force is not taken: the signature is
    checked again, with the right key, and fails."""
    import base64

    from ledger.chain import ChainVerifier, Deferred, VerifyFailure
    from ledger.replay import entry_batches

    kinds = registry(CONTRACTS.kinds)
    verifier = ChainVerifier(kinds=kinds)
    with db.read_tx(env.ledger.engine) as conn:
        for batch in entry_batches(conn):
            verifier.feed(batch)
    impostor = make_keys(tmp_path, "impostor", suite=env.ledger.suite)["impostor"]
    message = b"the posting's message"
    seq = verifier.next_seq

    def deferred(signer, checked_with: bytes) -> Deferred:
        return Deferred(seq, verifier.last_posting_id + 1, env.poster.kid, ("audit.note",), seq, 1, (),
                        base64.b64encode(signer.sign(message)).decode(), message, None, checked_with)

    with pytest.raises(VerifyFailure) as failure:
        verifier.settle(deferred(impostor, impostor.public.raw))
    assert (failure.value.step, failure.value.seq) == ("3.8", seq)
    verifier.settle(deferred(env.poster, env.poster.public.raw))  # the key in force: taken
    assert verifier.postings == 3


@BOTH_SUITES
def test_stretches_check_the_stored_nodes_and_a_checkpoint_inside_a_block(env, every_size, tmp_path):
    """Past 512 entries the tree stores nodes of levels 8 and 9; a stretch's leaves are folded a
    block of 256 at a time, except around a checkpoint's size (here 303, inside a block)."""
    for p in range(3):
        env.ledger.append(env.poster, [Item("audit.note", f"p{p}-{i}", {"text": f"{p}.{i}"}) for i in range(100)])
    note = issue_checkpoint(env.ledger, env.log).note
    assert parse_checkpoint(note).size == 303
    (tmp_path / "cp.note").write_text(note, encoding="utf-8")
    for p in range(3, 6):
        env.ledger.append(env.poster, [Item("audit.note", f"p{p}-{i}", {"text": f"{p}.{i}"}) for i in range(100)])
    code, report = verify_every_way(env, "--checkpoint", str(tmp_path / "cp.note"), stretches=(2, 3, 5))
    assert code == 0 and report["tree_size"] == 604 and report["checkpoints"][0]["tree_size"] == 303
    with env.ledger.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM merkle_nodes WHERE level = 9")).scalar() == 1


def test_a_bundle_stretch_begins_with_the_first_line_that_begins_in_its_range(tmp_path, monkeypatch):
    """The stretch before reads every line that begins before the boundary; this one every line
    from the first that begins at it or after, also when the boundary is a line's first byte; the
    reading stops before a line without its newline. Lines longer than a block of reading, too."""
    path = tmp_path / "entries.jsonl"
    path.write_bytes(b"aa\nbbb\ncccc\ndd")
    source = segments.BundleSource(str(path), path.stat().st_size)

    def read(start):
        lines, ends = [], []
        for starts, batch in source.batches(start):
            assert len(starts) == len(batch) + 1
            lines += batch
            ends += [(a, b) for a, b in zip(starts, starts[1:])]
        return lines, ends

    for block in (2, 3, 5, 1 << 20):
        monkeypatch.setattr(segments, "_BLOCK", block)
        assert read(0) == ([b"aa", b"bbb", b"cccc"], [(0, 3), (3, 7), (7, 12)])
        assert read(3) == ([b"bbb", b"cccc"], [(3, 7), (7, 12)])
        assert read(4) == ([b"cccc"], [(7, 12)])
        assert read(12) == ([], [])


def test_a_replay_fed_other_entries_than_the_stretches_checked_is_not_the_verdict(env, every_size, monkeypatch):
    """The replay reads the entries in ``verify``'s transaction, the stretches in their own reads
    (on SQLite, each its own snapshot). An insider who puts an entry back as it was while the
    stretches read, and edits it again after, must not get a verdict on a ledger that never
    existed: the chain of the original bytes and the replay of the edited ones. ``verify`` checks
    again in order, in one read, and names the entry (exit 3)."""
    from tests.ledgers import disable_guard

    for p in range(5):
        env.ledger.append(env.poster, [Item("audit.note", f"n{p}-{i}", {"text": f"note {p}.{i}"}) for i in range(10)])
    engine = env.ledger.engine
    with engine.begin() as conn:
        disable_guard(conn)
        last, original = conn.execute(text("SELECT seq, data FROM entries ORDER BY seq DESC LIMIT 1")).one()
    edited = bytes(original).replace(b"note 4.9", b"note 4.8")

    def put(data: bytes) -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE entries SET data = :d WHERE seq = :s"), {"d": data, "s": last})

    put(edited)
    stretches = segments.verify_in_stretches

    def original_while_the_stretches_read(*args, **kwargs):
        put(original)
        try:
            return stretches(*args, **kwargs)
        finally:
            put(edited)

    monkeypatch.setattr(segments, "verify_in_stretches", original_while_the_stretches_read)
    verified = env.run("verify", "--workers", "2", "--json")
    assert verified.exit_code == 3, verified.output
    assert json.loads(verified.output)["seq"] == last

"""Checkpoints, proofs, witness cosigning and verify --checkpoint, from an auditor's side.

The rewritten-history cases are the ones an audit bureau exists for: the operators truncate the
ledger, or cut its tail and post a different one with valid signatures from an enrolled key.
Plain ``verify`` cannot see either; a checkpoint the auditor kept, and the witness, must.
"""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from ledger.merkle import verify_consistency, verify_inclusion
from ledger.note import parse_checkpoint, parse_verifier_key, verify_log_signature
from ledger.store import Item
from tests.support import BOTH_SUITES, make_keys, verify_every_way

pytestmark = BOTH_SUITES  # each test on a ledger of each suite
from tests.ledgers import disable_guard


def _notes(env, n: int, prefix: str = "n") -> None:
    env.ledger.append(env.poster, [Item("audit.note", f"{prefix}{i}", {"text": f"{prefix} {i}"}) for i in range(n)])


def _checkpoint(env, path) -> str:
    result = env.run("checkpoint", "--key", env.key_path("log"), "--out", str(path))
    assert result.exit_code == 0, result.output
    return path.read_text()


def _vkey(env) -> str:
    return env.run("keys", "vkey").output.strip()


def test_checkpoint_is_a_signed_note_recorded_in_the_ledger(env, tmp_path):
    _notes(env, 4)
    size = env.ledger.head().size
    text = _checkpoint(env, tmp_path / "cp.note")
    cp = parse_checkpoint(text)
    assert (cp.origin, cp.size) == ("test.example/ledger", size)
    name, public, suite = parse_verifier_key(_vkey(env))
    verify_log_signature(cp, name, public, suite)
    assert public == env.log.public.raw and suite is env.ledger.suite
    (_, _, record), = env.ledger.entries(kind="checkpoint.issue")
    assert record["body"] == {"size": size, "root": cp.root.hex(), "note": text}
    assert record["posting"]["key"] == env.log.kid
    # issuing again checkpoints the size the record made
    result = env.run("checkpoint", "--key", env.key_path("log"), "--json")
    assert json.loads(result.output)["tree_size"] == size + 1  # the record itself is now in the tree


def test_checkpoint_key_comes_from_init_when_not_given(env):
    result = env.run("checkpoint")
    assert result.exit_code == 0 and result.output.startswith("test.example/ledger\n")


def test_prove_inclusion_and_consistency_verify(env):
    _notes(env, 300)
    size = env.ledger.head().size
    root = None
    for seq in (0, 7, 256, size - 1):
        proof = json.loads(env.run("prove", "inclusion", str(seq)).output)
        assert (proof["leaf_index"], proof["tree_size"]) == (seq, size)
        verify_inclusion(seq, size, bytes.fromhex(proof["leaf_hash"]), [bytes.fromhex(p) for p in proof["path"]],
                         bytes.fromhex(proof["root"]), env.ledger.suite)
        root = proof["root"]
    (_, h, _), = env.ledger.entries(seq=7)
    assert json.loads(env.run("prove", "inclusion", "7").output)["leaf_hash"] == h.hex()
    older = json.loads(env.run("prove", "inclusion", "3", "--size", "5").output)
    assert older["tree_size"] == 5
    c = json.loads(env.run("prove", "consistency", "5", str(size)).output)
    assert c["new_root"] == root and c["old_root"] == older["root"]
    verify_consistency(5, size, bytes.fromhex(c["old_root"]), bytes.fromhex(c["new_root"]),
                       [bytes.fromhex(p) for p in c["path"]], env.ledger.suite)
    for bad in (["inclusion", str(size)], ["inclusion", "1", "--size", str(size + 1)], ["consistency", "0", "3"],
                ["consistency", "4", "3"]):
        assert env.run("prove", *bad).exit_code == 2, bad


def test_verify_checkpoint_accepts_an_extended_ledger_and_refuses_a_forged_note(env, tmp_path):
    _notes(env, 3)
    text = _checkpoint(env, tmp_path / "old.note")
    _notes(env, 3, "later")
    assert env.run("verify", "--checkpoint", str(tmp_path / "old.note")).exit_code == 0
    lines = text.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()  # another root, the log's signature kept
    (tmp_path / "forged.note").write_text("\n".join(lines))
    result = env.run("verify", "--checkpoint", str(tmp_path / "forged.note"), "--json")
    assert result.exit_code == 3
    assert json.loads(result.output)["step"] == "7" and "log signature" in json.loads(result.output)["what"]
    (tmp_path / "junk.note").write_text("not a note")
    assert env.run("verify", "--checkpoint", str(tmp_path / "junk.note")).exit_code == 3


def test_a_stored_merkle_node_that_disagrees_is_caught(env):
    _notes(env, 300)
    assert env.run("verify").exit_code == 0
    with env.ledger.engine.begin() as conn:
        conn.execute(sa.text("UPDATE merkle_nodes SET hash = :h WHERE level = 8 AND idx = 0"), {"h": bytes(32)})
    report = json.loads(env.run("verify", "--json").output)
    assert (report["step"], report["seq"]) == ("6", 255)
    assert verify_every_way(env) == (3, report)
    with env.ledger.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM merkle_nodes"))
    assert json.loads(env.run("verify", "--json").output)["step"] == "6"
    assert verify_every_way(env)[1]["step"] == "6"


def _edit(env, forged: str) -> int:
    """An insider's edit of the tree's inputs; the seq it touches. "a node": the stored node over
    the first 256 entries rebuilt with a leaf of his own at seq 0, so that the stored tree's root and
    the proofs he makes from it agree with each other, not with the entries; "an entry's hash":
    seq n6's hash column zeroed; "an entry's bytes": its bytes edited, its hash left."""
    from ledger.merkle import mth

    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
        if forged == "a node":
            leaves = [bytes(r.hash) for r in conn.execute(sa.text("SELECT hash FROM entries WHERE seq < 256 ORDER BY seq"))]
            conn.execute(sa.text("UPDATE merkle_nodes SET hash = :h WHERE level = 8 AND idx = 0"),
                         {"h": mth([bytes(32), *leaves[1:]], env.ledger.suite)})
            return 0
        seq, data = conn.execute(sa.text("SELECT seq, data FROM entries WHERE idem = 'n6'")).one()
        if forged == "an entry's hash":
            conn.execute(sa.text("UPDATE entries SET hash = :h WHERE seq = :s"), {"h": bytes(32), "s": seq})
        else:
            conn.execute(sa.text("UPDATE entries SET data = :d WHERE seq = :s"),
                         {"d": bytes(data).replace(b'"n 6"', b'"n 5"'), "s": seq})
        return seq


@pytest.mark.parametrize("forged", ["a node", "an entry's hash", "an entry's bytes"])
def test_no_checkpoint_is_signed_over_a_tree_the_entries_do_not_give(env, tmp_path, forged):
    """The checkpoint's root is computed from the entries' bytes, with their hash column and every
    stored node compared on the way: an insider who edited the derived tree (or an entry's hash, or
    its bytes and not its hash) gets no log signature on it, exit 3 naming what differs, and nothing
    is appended. Read from the stored nodes alone, the log would sign a root whose proofs the
    insider chose."""
    _notes(env, 300)
    size = env.ledger.head().size
    seq = _edit(env, forged)
    result = env.run("checkpoint", "--key", env.key_path("log"), "--out", str(tmp_path / "cp.note"), "--json")
    assert result.exit_code == 3, result.output
    said = "the merkle_nodes row (8, 0) is not the hash of the entries under it" if forged == "a node" \
        else f"seq {seq}: the entries column hash is not the hash of its bytes"
    assert said in result.output
    assert env.ledger.head().size == size and not (tmp_path / "cp.note").exists()


@pytest.mark.parametrize("forged", ["a node", "an entry's hash", "an entry's bytes"])
def test_no_export_is_signed_over_a_tree_the_entries_do_not_give(env, tmp_path, forged):
    """``export`` writes the entries in its checkpoint's own pass: with the tree edited as above,
    exit 3 naming what differs, nothing appended, and the directory left empty (no entries file
    half written, no MANIFEST)."""
    _notes(env, 300)
    size = env.ledger.head().size
    seq = _edit(env, forged)
    out = tmp_path / "bundle"
    result = env.run("export", "--out", str(out), "--key", env.key_path("log"))
    assert result.exit_code == 3, result.output
    said = "the merkle_nodes row (8, 0) is not the hash of the entries under it" if forged == "a node" \
        else f"seq {seq}: the entries column hash is not the hash of its bytes"
    assert said in result.output
    assert env.ledger.head().size == size and list(out.iterdir()) == []


def test_an_export_holds_the_entries_its_checkpoint_signed_not_an_edit_made_after(env, tmp_path, monkeypatch):
    """The entries are written in the same read as the checkpoint's root is computed: an entry an
    insider edits once the checkpoint is signed does not reach the bundle, which holds the bytes
    the log signed and verifies."""
    import ledger.checkpoints

    _notes(env, 20)
    issue = ledger.checkpoints.issue_checkpoint
    edited: list[int] = []

    def issued_then_changed(*args, **kwargs):
        issued = issue(*args, **kwargs)
        edited.append(_edit(env, "an entry's bytes"))
        return issued

    monkeypatch.setattr(ledger.checkpoints, "issue_checkpoint", issued_then_changed)
    out = tmp_path / "bundle"
    result = env.run("export", "--out", str(out), "--key", env.key_path("log"))
    assert result.exit_code == 0, result.output
    line = (out / "entries.jsonl").read_bytes().splitlines()[edited[0]]
    assert b'"n 6"' in line and b'"n 5"' not in line
    assert env.run("verify", "--bundle", str(out)).exit_code == 0


# -- the witness -----------------------------------------------------------------------------
def _cosign(env, note_path, state, *extra: str):
    return env.run("witness", "cosign", str(note_path), "--key", env.key_path("auditor"), "--state", str(state), *extra)


def test_witness_cosigns_consistent_checkpoints_and_verify_checks_the_cosignature(env, tmp_path):
    state = tmp_path / "witness"
    _notes(env, 2)
    _checkpoint(env, tmp_path / "cp1.note")
    assert _cosign(env, tmp_path / "cp1.note", state).exit_code == 2  # no pinned log key yet
    first = _cosign(env, tmp_path / "cp1.note", state, "--log-vkey", _vkey(env), "--out", str(tmp_path / "cp1.cosigned"))
    assert first.exit_code == 0, first.output
    cp = parse_checkpoint((tmp_path / "cp1.cosigned").read_text())
    assert [s.name for s in cp.signatures] == ["test.example/ledger", env.auditor.kid]
    _notes(env, 5, "more")
    _checkpoint(env, tmp_path / "cp2.note")
    assert _cosign(env, tmp_path / "cp2.note", state, "--out", str(tmp_path / "cp2.cosigned")).exit_code == 0
    report = json.loads(env.run("verify", "--checkpoint", str(tmp_path / "cp1.cosigned"),
                                "--checkpoint", str(tmp_path / "cp2.cosigned"), "--json").output)
    assert [len(c["cosigned_by"]) for c in report["checkpoints"]] == [1, 1]
    assert "audit bureau" in report["checkpoints"][0]["cosigned_by"][0]
    # the same checkpoint again is fine; an older one is a rollback
    assert _cosign(env, tmp_path / "cp2.note", state).exit_code == 0
    rollback = _cosign(env, tmp_path / "cp1.note", state)
    assert rollback.exit_code == 3 and "smaller" in rollback.output


def test_a_forged_cosignature_fails_verify(env, tmp_path):
    _checkpoint(env, tmp_path / "cp.note")
    _cosign(env, tmp_path / "cp.note", tmp_path / "w", "--log-vkey", _vkey(env), "--out", str(tmp_path / "c.note"))
    text = (tmp_path / "c.note").read_text()
    head, last = text.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(last))
    raw[-1] ^= 1
    (tmp_path / "bad.note").write_text(f"{head} {base64.b64encode(bytes(raw)).decode()}\n")
    result = env.run("verify", "--checkpoint", str(tmp_path / "bad.note"), "--json")
    assert result.exit_code == 3 and "cosignature" in json.loads(result.output)["what"]


def test_witness_refuses_a_note_not_signed_by_the_pinned_log(env, tmp_path):
    _checkpoint(env, tmp_path / "cp.note")
    impostor = make_keys(tmp_path, "impostor", suite=env.ledger.suite)["impostor"]
    from ledger.note import checkpoint_body, sign_note

    cp = parse_checkpoint((tmp_path / "cp.note").read_text())
    (tmp_path / "fake.note").write_text(sign_note(checkpoint_body(cp.origin, cp.size, cp.root), cp.origin, impostor))
    result = _cosign(env, tmp_path / "fake.note", tmp_path / "w", "--log-vkey", _vkey(env))
    assert result.exit_code == 3 and "no signature by the log key" in result.output


@pytest.mark.parametrize("size, said", [("9" * 40, f"tree size {'9' * 40} is larger than any ledger's"),
                                        ("\u00b2", "tree size '\u00b2' is not a decimal number"),
                                        ("\u0663", "tree size '\u0663' is not a decimal number")],
                         ids=["40 digits", "superscript", "arabic-indic"])
def test_a_tree_size_no_ledger_can_have_is_refused_by_the_witness_and_verify(env, tmp_path, size, said):
    """The witness looked up the ledger's key rotations below a note's size before checking its
    signature: a size of 40 digits crashed it (SQLite's integers are 64-bit). '²' passed
    ``str.isdigit`` and then crashed ``int``. Both are refused as notes (exit 3), by the witness
    and by ``verify --checkpoint``; the note as issued is accepted by both first."""
    _checkpoint(env, tmp_path / "cp.note")
    vkey = _vkey(env)
    assert _cosign(env, tmp_path / "cp.note", tmp_path / "w", "--log-vkey", vkey).exit_code == 0
    assert env.run("verify", "--checkpoint", str(tmp_path / "cp.note")).exit_code == 0
    lines = (tmp_path / "cp.note").read_text().split("\n")
    (tmp_path / "odd.note").write_text("\n".join([lines[0], size, *lines[2:]]))
    for result in (_cosign(env, tmp_path / "odd.note", tmp_path / "w2", "--log-vkey", vkey),
                   env.run("verify", "--checkpoint", str(tmp_path / "odd.note"))):
        assert result.exit_code == 3, result.output
        assert said in result.output


# -- rewritten history ----------------------------------------------------------------------
def _cut(env, from_seq: int) -> None:
    """What the operators do with the database owner's rights: cut the ledger at ``from_seq``."""
    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
        conn.execute(sa.text("DELETE FROM entries WHERE seq >= :s"), {"s": from_seq})
        for level, idx in conn.execute(sa.text("SELECT level, idx FROM merkle_nodes")).all():
            if (idx + 1) << level > from_seq:
                conn.execute(sa.text("DELETE FROM merkle_nodes WHERE level = :l AND idx = :i"), {"l": level, "i": idx})


@pytest.fixture
def audited(env, tmp_path):
    """A ledger the auditor saw at some size: a kept checkpoint, cosigned by the witness."""
    for batch in "abc":  # postings of 100 at seqs 3-102, 103-202, 203-302; stored Merkle nodes
        _notes(env, 100, batch)
    _checkpoint(env, tmp_path / "seen.note")
    assert _cosign(env, tmp_path / "seen.note", tmp_path / "witness", "--log-vkey", _vkey(env)).exit_code == 0
    return env


def test_truncated_history(audited, tmp_path):
    env = audited
    seen = parse_checkpoint((tmp_path / "seen.note").read_text())
    _cut(env, 203)  # at a posting boundary, so that the chain alone looks whole
    assert env.run("verify").exit_code == 0
    result = env.run("verify", "--checkpoint", str(tmp_path / "seen.note"), "--json")
    assert result.exit_code == 3
    report = json.loads(result.output)
    assert report["step"] == "7" and "entries the checkpoint covers are gone" in report["found"]
    assert verify_every_way(env, "--checkpoint", str(tmp_path / "seen.note")) == (3, report)
    _checkpoint(env, tmp_path / "after.note")  # a new checkpoint, by the real log key
    refused = _cosign(env, tmp_path / "after.note", tmp_path / "witness")
    assert refused.exit_code == 3 and f"smaller than the {seen.size}" in refused.output


def test_tail_rewritten_with_fresh_valid_signatures(audited, tmp_path):
    env = audited
    _cut(env, 103)
    _notes(env, 250, "rewritten")  # signed by the enrolled poster: every signature is valid
    assert env.run("verify").exit_code == 0
    result = env.run("verify", "--checkpoint", str(tmp_path / "seen.note"), "--json")
    assert result.exit_code == 3
    report = json.loads(result.output)
    seen = parse_checkpoint((tmp_path / "seen.note").read_text())
    assert (report["step"], report["seq"]) == ("7", seen.size - 1)
    assert verify_every_way(env, "--checkpoint", str(tmp_path / "seen.note")) == (3, report)
    _checkpoint(env, tmp_path / "after.note")
    refused = _cosign(env, tmp_path / "after.note", tmp_path / "witness")
    assert refused.exit_code == 3 and "not consistent" in refused.output

"""Key rotation (``ledger/rotation.py``): the log key and an admin key replaced, on ledgers of each
suite and both databases; the old key signing after it refused at write time and named by
``verify`` when an insider writes it in; a bundle and the witness across a rotation."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ledger.note import checkpoint_body, parse_checkpoint, sign_note, verifier_key
from ledger.store import Item, read_head, rotate_item, write_entries
from tests.ledgers import disable_guard
from tests.support import BOTH_SUITES, make_keys, note

pytestmark = BOTH_SUITES


def _rotate(env, *args: str):
    return env.run("keys", "rotate", *args, "--reason", "年度密钥轮换 yearly rotation", "--json")


def _new_key(env, tmp_path, name: str):
    return make_keys(tmp_path, name, suite=env.ledger.suite)[name]


def _rotate_log(env, tmp_path) -> tuple[int, object]:
    """The log key replaced by log2, endorsed by the old log key: the rotation's seq, the new key."""
    log2 = _new_key(env, tmp_path, "log2")
    result = _rotate(env, "--role", "log", "--new", env.key_path("log2"), "--endorse", env.key_path("log"),
                     "--key", env.key_path("admin"))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["seq"], log2


def _forge(env, signer, kind: str, idem: str, body: dict) -> int:
    """An insider's entry, well chained and signed by ``signer``, written straight into the table."""
    from ledger.envelope import seal_posting, utc_now

    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
        head = read_head(conn)
        sealed = seal_posting(ledger=env.ledger.origin, first_seq=head.seq + 1, prev=head.hash,
                              posting_id=head.posting + 1, at=utc_now(), signer=signer, items=[(kind, idem, body)],
                              contracts=1, suite=env.ledger.suite)
        write_entries(conn, sealed, head.size, env.ledger.suite)
    return head.seq + 1


def test_a_log_key_rotation_moves_checkpoints_to_the_new_key(env, tmp_path):
    env.run("post", "--key", env.key_path("poster"), input=note("n1"))
    assert env.run("checkpoint", "--out", str(tmp_path / "cp1.note")).exit_code == 0
    seq, log2 = _rotate_log(env, tmp_path)
    keys = {k["name"]: k for k in json.loads(env.run("keys", "list", "--json").output)["keys"]}
    assert keys["genesis log"]["revoked_seq"] == seq
    assert [k["kid"] for k in keys.values() if k["role"] == "log" and k["revoked_seq"] is None] == [log2.kid]
    # checkpoints are the new key's from now on (the rotation recorded its path); the old key's is refused
    cp2 = env.run("checkpoint", "--out", str(tmp_path / "cp2.note"))
    assert cp2.exit_code == 0, cp2.output
    assert env.run("keys", "vkey").output.strip() == verifier_key(env.ledger.origin, log2.public.raw, log2.suite)
    old = env.run("checkpoint", "--key", env.key_path("log"), "--json")
    assert old.exit_code == 1 and json.loads(old.output)["findings"][0]["rule"] == "KEY-REVOKED"
    report = json.loads(env.run("verify", "--checkpoint", str(tmp_path / "cp1.note"), "--checkpoint",
                                str(tmp_path / "cp2.note"), "--json").output)
    assert report["ok"] and [c["tree_size"] for c in report["checkpoints"]] == [
        parse_checkpoint((tmp_path / f"cp{i}.note").read_text()).size for i in (1, 2)]
    # a note of a tree holding the rotation, signed by the old key: refused at step 7
    cp = parse_checkpoint((tmp_path / "cp2.note").read_text())
    (tmp_path / "stale.note").write_text(sign_note(checkpoint_body(cp.origin, cp.size, cp.root), cp.origin, env.log))
    stale = json.loads(env.run("verify", "--checkpoint", str(tmp_path / "stale.note"), "--json").output)
    assert stale["step"] == "7" and stale["what"].endswith("stale.note: log signature")


def test_the_old_log_key_written_in_after_the_rotation_is_named_by_verify(env, tmp_path):
    """Flagged in history: an insider records a checkpoint signed by the replaced log key after the
    rotation, straight into the table; verify names its seq, the key and the rotation's seq."""
    seq, _ = _rotate_log(env, tmp_path)
    forged = _forge(env, env.log, "checkpoint.issue", "checkpoint:forged",
                    {"size": seq + 1, "root": "00" * 32, "note": "forged\n"})
    report = json.loads(env.run("verify", "--json").output)
    assert (report["step"], report["seq"]) == ("3.8", forged)
    assert f"revoked at seq {seq}" in report["found"] and env.log.kid in report["found"]


def test_a_lost_log_key_is_replaced_by_two_admins(env, tmp_path):
    admin2 = _new_key(env, tmp_path, "admin2")
    assert env.run("keys", "enroll", str(tmp_path / "admin2.key.pub"), "--name", "区财政局 second admin",
                   "--role", "admin", "--key", env.key_path("admin")).exit_code == 0
    _new_key(env, tmp_path, "log2")
    for endorse in ([], ["--endorse", env.key_path("admin")]):  # the posting admin alone is not enough
        alone = _rotate(env, "--role", "log", "--new", env.key_path("log2"), *endorse, "--key", env.key_path("admin"))
        assert alone.exit_code == 1, alone.output
        finding = json.loads(alone.output)["findings"][0]
        assert (finding["rule"], finding["field"]) == ("KEY-ROTATE-ENDORSE", "body.endorsements")
    both = _rotate(env, "--role", "log", "--new", env.key_path("log2"), "--endorse", str(tmp_path / "admin2.key"),
                   "--key", env.key_path("admin"))
    assert both.exit_code == 0, both.output
    ((_, _, rotation),) = env.ledger.entries(kind="key.rotate")
    assert {e["kid"] for e in rotation["body"]["endorsements"]} == {admin2.kid, rotation["body"]["new"]["kid"]}
    assert env.run("verify").exit_code == 0
    assert env.run("checkpoint").exit_code == 0


def test_an_admin_key_rotation(env, tmp_path):
    _new_key(env, tmp_path, "admin2")
    missing = _rotate(env, "--role", "admin", "--new", env.key_path("admin2"), "--key", env.key_path("admin"))
    assert missing.exit_code == 2 and "--old" in missing.output
    done = _rotate(env, "--role", "admin", "--old", env.admin.kid, "--new", env.key_path("admin2"),
                   "--key", env.key_path("admin"))
    assert done.exit_code == 0, done.output
    clerk = _new_key(env, tmp_path, "clerk")
    by_old = env.run("keys", "enroll", str(tmp_path / "clerk.key.pub"), "--name", "clerk", "--role", "poster",
                     "--key", env.key_path("admin"), "--json")
    assert by_old.exit_code == 1 and json.loads(by_old.output)["findings"][0]["rule"] == "KEY-REVOKED"
    assert env.run("keys", "enroll", str(tmp_path / "clerk.key.pub"), "--name", "clerk", "--role", "poster",
                   "--key", env.key_path("admin2")).exit_code == 0
    listed = {k["kid"]: k for k in json.loads(env.run("keys", "list", "--json").output)["keys"]}
    assert listed[clerk.kid]["role"] == "poster" and listed[env.admin.kid]["revoked_seq"] is not None
    assert env.run("verify").exit_code == 0
    _new_key(env, tmp_path, "other")
    not_admin = _rotate(env, "--role", "admin", "--old", env.poster.kid, "--new", env.key_path("other"),
                        "--key", env.key_path("admin2"))
    assert not_admin.exit_code == 1
    assert [f["rule"] for f in json.loads(not_admin.output)["findings"]] == ["KEY-ROTATE-OLD"]


def test_a_rotation_without_the_new_keys_endorsement_is_refused_and_named_when_forged(env, tmp_path):
    """Both ways: refused at write time (KEY-ROTATE-ENDORSE); written in by an insider with the real
    admin key, named by verify at its seq."""
    log2 = _new_key(env, tmp_path, "log2")
    item = rotate_item(env.ledger.origin, "log", env.log.kid, log2, [env.log], "轮换")
    body = {**item.body, "endorsements": [e for e in item.body["endorsements"] if e["kid"] != log2.kid]}
    from ledger.errors import Rejected

    with pytest.raises(Rejected) as refused:
        env.ledger.append(env.admin, [Item("key.rotate", item.idem, body)])
    assert [(f.rule, f.field) for f in refused.value.findings] == [("KEY-ROTATE-ENDORSE", "body.endorsements")]
    seq = _forge(env, env.admin, "key.rotate", item.idem, body)
    report = json.loads(env.run("verify", "--json").output)
    assert (report["step"], report["seq"]) == ("3.8", seq) and "KEY-ROTATE-ENDORSE" in report["expected"]


def test_a_bundle_spanning_a_rotation_verifies_against_the_genesis_key(env, tmp_path):
    genesis_vkey = env.run("keys", "vkey").output.strip()
    env.run("post", "--key", env.key_path("poster"), input=note("before"))
    _rotate_log(env, tmp_path)
    env.run("post", "--key", env.key_path("poster"), input=note("after"))
    current_vkey = env.run("keys", "vkey").output.strip()
    assert current_vkey != genesis_vkey
    assert env.run("export", "--out", str(tmp_path / "bundle")).exit_code == 0
    assert (tmp_path / "bundle" / "log.vkey").read_text().strip() == current_vkey
    for pinned in (genesis_vkey, current_vkey):
        result = env.run("verify", "--bundle", str(tmp_path / "bundle"), "--log-vkey", pinned, "--json")
        assert result.exit_code == 0, result.output
    stranger = _new_key(env, tmp_path, "stranger")
    other = env.run("verify", "--bundle", str(tmp_path / "bundle"), "--log-vkey",
                    verifier_key(env.ledger.origin, stranger.public.raw, stranger.suite), "--json")
    assert other.exit_code == 3 and "pinned" in json.loads(other.output)["expected"]


def _cosign(env, note_path, state, *extra: str):
    return env.run("witness", "cosign", str(note_path), "--key", env.key_path("auditor"), "--state", str(state), *extra)


def test_the_witness_follows_a_rotation_the_pinned_key_endorsed(env, tmp_path):
    state = tmp_path / "witness"
    genesis_vkey = env.run("keys", "vkey").output.strip()
    env.run("post", "--key", env.key_path("poster"), input=note("n1"))
    env.run("checkpoint", "--out", str(tmp_path / "cp1.note"))
    assert _cosign(env, tmp_path / "cp1.note", state, "--log-vkey", genesis_vkey).exit_code == 0
    _rotate_log(env, tmp_path)
    env.run("post", "--key", env.key_path("poster"), input=note("n2"))
    env.run("checkpoint", "--out", str(tmp_path / "cp2.note"))
    followed = _cosign(env, tmp_path / "cp2.note", state, "--out", str(tmp_path / "cp2.cosigned"))
    assert followed.exit_code == 0, followed.output
    assert (state / "log.vkey").read_text().strip() == env.run("keys", "vkey").output.strip() != genesis_vkey
    report = json.loads(env.run("verify", "--checkpoint", str(tmp_path / "cp2.cosigned"), "--json").output)
    assert report["ok"] and len(report["checkpoints"][0]["cosigned_by"]) == 1
    # a note by a key no rotation leads to is refused, the state unchanged; so is one by the key replaced
    stale = parse_checkpoint((tmp_path / "cp2.note").read_text())
    (tmp_path / "stale.note").write_text(sign_note(checkpoint_body(stale.origin, stale.size, stale.root),
                                                   stale.origin, env.log))
    assert _cosign(env, tmp_path / "stale.note", tmp_path / "witness-2", "--log-vkey", genesis_vkey).exit_code == 3
    impostor = _new_key(env, tmp_path, "impostor")
    cp = parse_checkpoint((tmp_path / "cp2.note").read_text())
    (tmp_path / "fake.note").write_text(sign_note(checkpoint_body(cp.origin, cp.size, cp.root), cp.origin, impostor))
    before = (state / "checkpoint").read_text()
    refused = _cosign(env, tmp_path / "fake.note", state)
    assert refused.exit_code == 3 and "no signature by the log key" in refused.output
    assert (state / "checkpoint").read_text() == before


def test_the_witness_refuses_a_rotation_by_admins_alone(env, tmp_path):
    """The old log key lost: its endorsement is not there, so the witness cannot follow; its operator
    verifies the ledger and pins the new key by hand."""
    state = tmp_path / "witness"
    env.run("checkpoint", "--out", str(tmp_path / "cp1.note"))
    assert _cosign(env, tmp_path / "cp1.note", state, "--log-vkey", env.run("keys", "vkey").output.strip()).exit_code == 0
    _new_key(env, tmp_path, "admin2")
    env.run("keys", "enroll", str(tmp_path / "admin2.key.pub"), "--name", "second admin", "--role", "admin",
            "--key", env.key_path("admin"))
    _new_key(env, tmp_path, "log2")
    assert _rotate(env, "--role", "log", "--new", env.key_path("log2"), "--endorse", str(tmp_path / "admin2.key"),
                   "--key", env.key_path("admin")).exit_code == 0
    env.run("checkpoint", "--out", str(tmp_path / "cp2.note"))
    refused = _cosign(env, tmp_path / "cp2.note", state)
    assert refused.exit_code == 3 and "admins alone" in refused.output
    (state / "log.vkey").unlink()  # the operator, having verified the ledger, pins the new key
    assert _cosign(env, tmp_path / "cp2.note", state, "--log-vkey", env.run("keys", "vkey").output.strip()).exit_code == 0


def test_replay_and_the_key_projection_follow_a_rotation(env, tmp_path):
    """The rotation's effects are derived state: verify's replay gives the keys table the store wrote."""
    _rotate_log(env, tmp_path)
    report = json.loads(env.run("verify", "--json").output)
    assert report["ok"] and report["state"]["replayed"] == report["entries"]
    with env.ledger.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT role, revoked_seq IS NULL FROM keys WHERE role = 'log' ORDER BY enrolled_seq")).all()
    assert [tuple(r) for r in rows] == [("log", False), ("log", True)]
    assert report["keys_in_force"] == 4  # admin, the new log key, poster, auditor

"""Appending postings: receipts, idempotency, keys in force, the ledger's own state rules.

Every rule here is shown both ways: a posting it accepts and a posting it rejects, and a rejected
posting leaves the ledger's size and head hash exactly as they were.
"""

from __future__ import annotations

import json

import pytest

from ledger.errors import ConflictError, InputError, Rejected
from ledger.store import Item, enroll_item, revoke_item
from tests.support import BOTH_SUITES, make_keys, note

pytestmark = BOTH_SUITES  # the ledger core behaves alike in each suite


def _post(env, *lines: str, key: str = "poster", extra: tuple[str, ...] = ()):
    return env.run("post", "--key", env.key_path(key), *extra, input="\n".join(lines) + "\n")


def _receipts(result) -> list[dict]:
    return [json.loads(line) for line in result.output.splitlines()]


def test_post_appends_and_prints_one_receipt_per_entry(env):
    result = _post(env, note("n1", "第一条"), note("n2", "second", refs=[0]))
    assert result.exit_code == 0, result.output
    r1, r2 = _receipts(result)
    assert (r1["idem"], r1["seq"], r1["status"]) == ("n1", 3, "appended")
    assert (r2["idem"], r2["seq"], r2["status"]) == ("n2", 4, "appended")
    assert env.ledger.head().hash.hex() == r2["hash"]
    assert [e[2]["posting"]["id"] for e in env.ledger.entries(kind="audit.note")] == [2, 2]


def test_same_idem_same_body_is_a_duplicate_with_the_original_seq(env):
    first = _receipts(_post(env, note("n1")))[0]
    before = env.size_and_head()
    again = _post(env, note("n1"))
    assert again.exit_code == 0
    assert _receipts(again) == [{**first, "status": "duplicate"}]
    assert env.size_and_head() == before


def test_mixed_posting_appends_the_new_and_reports_the_duplicate(env):
    _post(env, note("n1"))
    receipts = _receipts(_post(env, note("n1"), note("n2")))
    assert [(r["idem"], r["status"]) for r in receipts] == [("n1", "duplicate"), ("n2", "appended")]


def test_same_idem_other_body_is_a_conflict_and_appends_nothing(env):
    _post(env, note("n1", "original"))
    before = env.size_and_head()
    result = _post(env, note("n2"), note("n1", "changed"))
    assert result.exit_code == 4
    assert "IDEM-CONFLICT" in result.output and "n1" in result.output
    assert env.size_and_head() == before


def test_dry_run_checks_and_appends_nothing(env):
    before = env.size_and_head()
    result = _post(env, note("n1"), extra=("--dry-run",))
    assert result.exit_code == 0
    assert _receipts(result)[0]["status"] == "checked"
    assert env.size_and_head() == before
    assert _post(env, note("n1", refs=[99]), extra=("--dry-run",)).exit_code == 1


def test_a_posting_by_an_unknown_key_is_refused(env, tmp_path):
    make_keys(tmp_path, "stranger", suite=env.ledger.suite)
    before = env.size_and_head()
    result = _post(env, note("n1"), key="stranger")
    assert result.exit_code == 1
    assert "KEY-UNKNOWN" in result.output
    assert env.size_and_head() == before


def test_a_posting_by_a_revoked_key_is_refused(env):
    assert _post(env, note("before")).exit_code == 0
    env.ledger.append(env.admin, [revoke_item(env.poster.kid, "left the finance office")])
    before = env.size_and_head()
    result = _post(env, note("after"))
    assert result.exit_code == 1
    assert "KEY-REVOKED" in result.output
    assert env.size_and_head() == before


def test_roles_decide_who_posts_which_kind(env):
    # an auditor may annotate; a poster may not enroll keys
    assert _post(env, note("auditor-note"), key="auditor").exit_code == 0
    new = make_keys(env.dir, "extra", suite=env.ledger.suite)["extra"]
    with pytest.raises(Rejected, match="role 'poster' may not post key.enroll"):
        env.ledger.append(env.poster, [enroll_item(new.public, "x", "poster")])
    env.ledger.append(env.admin, [enroll_item(new.public, "x", "poster")])


def test_enroll_is_idempotent_and_a_key_is_enrolled_once(env):
    (again,) = env.ledger.append(env.admin, [enroll_item(env.poster.public, "finance system", "poster")])
    assert again.status == "duplicate" and again.seq == 1
    with pytest.raises(ConflictError):  # same key, another name: same idem, other body
        env.ledger.append(env.admin, [enroll_item(env.poster.public, "someone else", "poster")])
    with pytest.raises(Rejected, match="already enrolled"):
        env.ledger.append(env.admin, [Item("key.enroll", "other-idem", enroll_item(env.poster.public, "x", "poster").body)])


def test_revoke_rules(env):
    with pytest.raises(Rejected, match="not enrolled"):
        env.ledger.append(env.admin, [revoke_item("ed25519:" + "0" * 32, "typo")])
    with pytest.raises(Rejected, match="log key cannot be revoked, only replaced"):
        env.ledger.append(env.admin, [revoke_item(env.log.kid, "no")])
    with pytest.raises(Rejected, match="last admin"):
        env.ledger.append(env.admin, [revoke_item(env.admin.kid, "rotating")])
    # with a second admin enrolled, the first can be rotated out; the new one then acts
    second = make_keys(env.dir, "admin2", suite=env.ledger.suite)["admin2"]
    env.ledger.append(env.admin, [enroll_item(second.public, "deputy admin", "admin")])
    env.ledger.append(env.admin, [revoke_item(env.admin.kid, "rotating")])
    env.ledger.append(second, [revoke_item(env.auditor.kid, "audit finished")])
    assert {k.kid: k.revoked_seq is not None for k in env.ledger.keys()}[env.auditor.kid]
    assert env.run("verify").exit_code == 0


def test_note_refs_must_name_earlier_entries(env):
    assert _post(env, note("ok", refs=[0, 2])).exit_code == 0
    head = env.ledger.head()
    result = _post(env, note("bad", refs=[head.seq + 1]))
    assert result.exit_code == 1
    assert "REF-SEQ" in result.output and "body.refs[0]" in result.output


def test_builders_refuse_bad_bodies(suite):
    with pytest.raises(InputError, match="must not be empty"):
        revoke_item(f"{suite.alg}:" + "0" * 32, "  ")


def test_a_posting_with_nothing_of_the_money_loads_no_rule(tmp_path, suite):
    """The hot path of a note, a key or a checkpoint: posting one loads neither the rules of the money
    (51 folders) nor a data-frame library; a posting of a money kind does load the rules, and pandas
    only when its bodies break their schema (pandera then names the failures). Neither loads
    SQLAlchemy's ORM (≈ 90 ms: the projections' models are the migrations' and the tests'), nor
    libsodium (a posting signs; verifying a signature, or a key a posting carries, loads it)."""
    import subprocess
    import sys

    from contracts.api import CONTRACTS
    from ledger.store import Ledger, enroll_item, init_ledger

    keys = make_keys(tmp_path, "admin", "log", "poster", suite=suite)
    url = f"sqlite:///{tmp_path / 'l.db'}"
    init_ledger(url, keys["admin"].public, keys["log"], origin="test.example/hot", log_key_path=None)
    Ledger.open(url, CONTRACTS).append(keys["admin"], [enroll_item(keys["poster"].public, "fund office", "poster")])
    script = tmp_path / "post_one.py"
    script.write_text(f"""import sys
from contracts.api import CONTRACTS
from ledger.errors import InputError, Rejected
from ledger.keys import load_private
from ledger.store import Item, Ledger

kind = sys.argv[1]
body = {{"text": "x"}} if kind == "audit.note" else {{"fund": "f", "year": 2024, "payee": "p", "service": "s",
                                                    "amount_fen": int(sys.argv[2])}}
try:  # a good fee is refused by the rules (its fund-year is not open), a bad one at the edge
    Ledger.open({url!r}, CONTRACTS).append(load_private({str(tmp_path / "poster.key")!r}), [Item(kind, kind, body)])
except Rejected:
    pass
except InputError as e:
    print([f.field + ": " + f.message for f in e.findings])
print(sorted(m for m in ("contracts.rules", "pandas", "great_expectations", "sqlalchemy.orm", "nacl") if m in sys.modules))
""", encoding="utf-8")
    def loaded(kind: str, amount: int = 1) -> str:
        done = subprocess.run([sys.executable, str(script), kind, str(amount)], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert loaded("audit.note") == "[]"
    assert loaded("fee.pay") == "['contracts.rules']"
    assert loaded("fee.pay", 0) == "['body.amount_fen: > 0']\n['pandas']"  # refused at the edge: no rule ran

"""``verify`` against an attacker with write access to the database.

The attacker drops the append-only guard, then edits rows. Every case requires exit 3 and the
first failing seq named. The ledger under attack (after the ``env`` fixture's three entries)::

    seq 3 4 5   posting 2 (poster, three notes)
    seq 6 7     posting 3 (poster, two notes)
    seq 8       posting 4 (auditor, one note)
"""

from __future__ import annotations

import base64
import json

import orjson
import pytest
import sqlalchemy as sa

from ledger.canonical import canonical
from ledger.chain import ChainVerifier, VerifyFailure
from ledger.envelope import posting_message, seal_posting, utc_now
from ledger.kinds import genesis_suite
from ledger.store import revoke_item
from tests.ledgers import disable_guard
from tests.support import BOTH_SUITES, make_keys, note

pytestmark = BOTH_SUITES  # every attack, on a ledger of each suite


def _leaf_hash(conn, data: bytes) -> bytes:
    """The entry hash as an attacker computes it: in the suite the genesis names."""
    genesis = conn.execute(sa.text("SELECT data FROM entries WHERE seq = 0")).scalar()
    return genesis_suite(orjson.loads(genesis)["body"]).leaf_hash(data)


@pytest.fixture
def ledger(env):
    for key, idems in (("poster", ["a1", "a2", "a3"]), ("poster", ["b1", "b2"]), ("auditor", ["c1"])):
        result = env.run("post", "--key", env.key_path(key), input="\n".join(note(i, f"note {i}") for i in idems))
        assert result.exit_code == 0, result.output
    assert env.run("verify").exit_code == 0
    with env.ledger.engine.begin() as conn:
        disable_guard(conn)
    return env


def _failure(env, stretches: tuple[int, ...] = (2, 3)) -> dict:
    """The failure verify names, checking the signatures in order here; the same failure, to the
    byte, when a pool of two processes checks them (batches of two, so that the pool serves even
    this small ledger and a bad signature can sit in a batch answered after later rows were read);
    and the same when the chain checks run in stretches, one process each (``ledger/segments.py``,
    here from the smallest ledger on; two and three stretches put the attack in the first, a middle
    or the last one), with the replay beside them and without: a stretch that finds the attack, or
    cannot decide, and a replay that cannot read an entry, leave the ledger to the check in order,
    and none may pass it."""
    from ledger import chain, segments

    result = env.run("verify", "--json", "--workers", "1")
    assert result.exit_code == 3, result.output
    report = json.loads(result.output)
    assert report["ok"] is False and report["exit"] == 3
    batch, chain._SIGNATURE_BATCH = chain._SIGNATURE_BATCH, 2
    try:
        pooled = env.run("verify", "--json", "--workers", "2")
    finally:
        chain._SIGNATURE_BATCH = batch
    assert (pooled.exit_code, json.loads(pooled.output)) == (3, report)
    smallest, segments.MIN_ENTRIES = segments.MIN_ENTRIES, 0
    try:
        for workers in stretches:  # and the replay beside them, in this process
            stretched = env.run("verify", "--json", "--workers", str(workers))
            assert (stretched.exit_code, json.loads(stretched.output)) == (3, report)
            if report["step"] != "8":  # the chain and the keys table: what --no-replay checks
                stretched = env.run("verify", "--json", "--no-replay", "--workers", str(workers))
                assert (stretched.exit_code, json.loads(stretched.output)) == (3, report)
    finally:
        segments.MIN_ENTRIES = smallest
    return report


def _row(conn, seq: int) -> dict:
    return dict(conn.execute(sa.text("SELECT * FROM entries WHERE seq = :s"), {"s": seq}).mappings().one())


def _set(conn, at_seq: int, **values) -> None:
    assignments = ", ".join(f"{k} = :{k}" for k in values)
    conn.execute(sa.text(f"UPDATE entries SET {assignments} WHERE seq = :at_seq"), {**values, "at_seq": at_seq})


def _restore(conn, row: dict) -> None:
    """Entry ``row["seq"]`` as it was (``_row`` read it): its bytes, hash and index columns."""
    _set(conn, row["seq"], **{k: row[k] for k in ("data", "hash", "kind", "idem", "posting", "key_id", "at")})


def _rechain(conn, from_seq: int) -> None:
    """Recompute prev and hash of every entry from ``from_seq`` on, as an attacker would (no keys)."""
    prev = bytes(_row(conn, from_seq - 1)["hash"])
    for row in conn.execute(sa.text("SELECT seq, data FROM entries WHERE seq >= :s ORDER BY seq"), {"s": from_seq}).all():
        env = orjson.loads(row.data)
        env["prev"] = prev.hex()
        data = canonical(env)
        prev = _leaf_hash(conn, data)
        _set(conn, row.seq, data=data, hash=prev, prev=bytes.fromhex(env["prev"]))


def _insert_posting(conn, signer, origin: str, after_seq: int, posting_id: int, idems: list[str]) -> None:
    """Append a well-chained posting signed by ``signer`` straight into the table (no checks)."""
    prev = bytes(_row(conn, after_seq)["hash"])
    sealed = seal_posting(ledger=origin, first_seq=after_seq + 1, prev=prev, posting_id=posting_id, at=utc_now(),
                          signer=signer, items=[("audit.note", i, {"text": "forged"}) for i in idems], contracts=1,
                          suite=signer.suite)
    for s in sealed:
        conn.execute(sa.text("INSERT INTO entries (seq, hash, prev, kind, idem, posting, key_id, at, data) "
                             "VALUES (:seq, :hash, :prev, :kind, :idem, :posting, :key, :at, :data)"),
                     {"seq": s.seq, "hash": s.hash, "prev": s.prev, "kind": "audit.note", "idem": s.envelope["idem"],
                      "posting": posting_id, "key": signer.kid, "at": s.envelope["at"], "data": s.data})


def _forge(conn, signer, origin: str, *, first_seq: int, prev: bytes, posting_id: int, contracts: int = 1,
           idems: list[str]) -> bytes:
    """A posting validly signed by a key the insider holds, written straight into the table with
    whatever link, id and contracts version the attack needs; the hash of its last entry."""
    sealed = seal_posting(ledger=origin, first_seq=first_seq, prev=prev, posting_id=posting_id, at=utc_now(),
                          signer=signer, items=[("audit.note", i, {"text": "forged"}) for i in idems],
                          contracts=contracts, suite=signer.suite)
    for s in sealed:
        conn.execute(sa.text("INSERT INTO entries (seq, hash, prev, kind, idem, posting, key_id, at, data) "
                             "VALUES (:seq, :hash, :prev, :kind, :idem, :posting, :key, :at, :data)"),
                     {"seq": s.seq, "hash": s.hash, "prev": s.prev, "kind": "audit.note", "idem": s.envelope["idem"],
                      "posting": posting_id, "key": signer.kid, "at": s.envelope["at"], "data": s.data})
    return sealed[-1].hash


@pytest.mark.parametrize("attack", ["prev", "posting id", "contracts"])
def test_a_forged_posting_where_a_stretch_begins(ledger, attack):
    """Postings signed with the poster's own key whose only fault is how they follow what comes
    before: found, in stretches, by the checks where two stretches meet (the forged posting is the
    first of the last stretch: 4 stretches of 12 entries, 5 of 15). An idem again in a later
    stretch, which the table's unique index keeps out of a database, is attacked in a bundle
    (``tests/test_segments.py``)."""
    poster, origin = ledger.poster, ledger.ledger.origin
    with ledger.ledger.engine.begin() as conn:
        head = bytes(_row(conn, 8)["hash"])
        if attack == "contracts":  # a posting recording version 2, then one claiming to predate it
            head = _forge(conn, poster, origin, first_seq=9, prev=head, posting_id=5, contracts=2, idems=["f1", "f2", "f3"])
            _forge(conn, poster, origin, first_seq=12, prev=head, posting_id=6, contracts=1, idems=["g1", "g2", "g3"])
        else:
            _forge(conn, poster, origin, first_seq=9, prev=b"\x07" * 32 if attack == "prev" else head,
                   posting_id=7 if attack == "posting id" else 5, idems=["f1", "f2", "f3"])
    report = _failure(ledger, (2, 3, 5) if attack == "contracts" else (2, 3, 4))
    assert (report["step"], report["seq"]) == {"prev": ("3.4", 9), "posting id": ("3.6", 9),
                                               "contracts": ("3.6", 12)}[attack]


def test_changed_body_byte(ledger):
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 4, data=bytes(_row(conn, 4)["data"]).replace(b"note a2", b"note a9"))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.2", 4)


def test_changed_stored_hash(ledger):
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 4, hash=bytes(32))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.2", 4)
    assert report["found"] == "00" * 32


@pytest.mark.parametrize("column, text, step", [("data", "CAST(data AS TEXT)", "3.2"), ("hash", "hex(hash)", "3.2"),
                                                 ("prev", "hex(prev)", "3.4")])
def test_a_blob_column_holding_text_is_named_not_a_crash(ledger, column, text, step):
    """SQLite keeps text where the schema has a BLOB (an UPDATE with a string); on PostgreSQL the
    insider alters the column's type first, and every row's value is then text, from seq 0. verify
    crashed on it (a TypeError: exit 1, later 70); it names the seq (exit 3)."""
    with ledger.ledger.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"ALTER TABLE entries ALTER COLUMN {column} TYPE text USING encode({column}, 'hex')"))
            seq = 0
        else:
            conn.execute(sa.text(f"UPDATE entries SET {column} = {text} WHERE seq = 4"))
            seq = 4
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == (step, seq)
    assert report["found"].endswith("(str, not bytes)")


def test_the_head_entry_edited_into_an_empty_object(ledger):
    """verify read the head's envelope for its progress bar before checking anything: bytes that are
    not an envelope at the head crashed it (KeyError). They are step 3.2 at the head's seq."""
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 8, data=b"{}")
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.2", 8)


def _retype(conn, column: str) -> int:
    """Text in an entries BLOB column: SQLite keeps it at seq 4; on PostgreSQL the insider alters the
    column's type, and every row holds text from seq 0. The first seq a reader meets it at."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"ALTER TABLE entries ALTER COLUMN {column} TYPE text USING encode({column}, 'hex')"))
        return 0
    conn.execute(sa.text(f"UPDATE entries SET {column} = hex({column}) WHERE seq = 4"))
    return 4


@pytest.mark.parametrize("command, column", [
    (["trail", "--format", "json"], "data"), (["export", "--out", "{out}"], "data"),
    (["prove", "inclusion", "5"], "hash"), (["checkpoint", "--key", "{log}", "--out", "{out}"], "hash")])
def test_the_commands_that_read_entries_without_verifying_name_text_in_a_blob_column(ledger, tmp_path, command, column):
    """A trail, an export, a proof and a checkpoint read the stored bytes or hashes without
    verifying them first: text there (SQLite keeps it) is exit 3 naming the seq and column, not a
    crash (exit 70, before that 1)."""
    def args(out: str) -> list[str]:
        return [a.format(out=tmp_path / out, log=ledger.key_path("log")) for a in command]

    assert ledger.run(*args("before")).exit_code == 0
    with ledger.ledger.engine.begin() as conn:
        seq = _retype(conn, column)
    result = ledger.run(*args("after"))
    assert result.exit_code == 3, result.output
    assert f"seq {seq}: the entries column {column} holds '" in result.output and "(str, not bytes)" in result.output


@pytest.mark.parametrize("command", [["trail"], ["post", "--key", "{poster}"]], ids=["trail", "post"])
def test_a_malformed_head_entry_stops_a_trail_and_a_posting_naming_its_seq(ledger, command):
    """The head entry's bytes replaced by an empty object: a trail names the seq it cannot read, and
    a posting, which links to the head, names it and appends nothing (both crashed before)."""
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 8, data=b"{}")
    result = ledger.run(*[a.format(poster=ledger.key_path("poster")) for a in command], input=note("d1") + "\n")
    assert result.exit_code == 3, result.output
    said = "seq 8 is not a well-formed entry" if command == ["trail"] else "the last entry, seq 8, is not a well-formed entry"
    assert said in result.output and "run `fundledger verify`" in result.output
    with ledger.ledger.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max(seq) FROM entries")).scalar() == 8


@pytest.mark.parametrize("command", [["post"], ["post", "--stream"]], ids=["post", "stream"])
def test_a_head_whose_stored_hash_is_not_its_bytes_takes_no_posting(ledger, command):
    """A posting signs the head's stored hash as its ``prev``. An insider who zeroed it would leave
    every posting after it signed over a link to nothing, a break no later repair could mend
    without the posters' keys: the posting hashes the head's bytes first, refuses (exit 3 naming
    the seq) and appends nothing. It was appended before."""
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 8, hash=bytes(32))
    result = ledger.run(*command, "--key", ledger.key_path("poster"), input=note("d1") + "\n")
    assert result.exit_code == 3, result.output
    assert "the last entry, seq 8: its stored hash is not the hash of its bytes" in result.output
    with ledger.ledger.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max(seq) FROM entries")).scalar() == 8


@pytest.mark.parametrize("table, column, command", [
    ("keys", "public", ["post", "--key", "{poster}"]), ("merkle_nodes", "hash", ["prove", "inclusion", "5"]),
    ("merkle_nodes", "hash", ["checkpoint", "--key", "{log}", "--out", "{out}"])], ids=["post", "prove", "checkpoint"])
def test_a_key_or_a_merkle_node_holding_text_is_named(ledger, tmp_path, table, column, command):
    """A posting reads its poster's key row, a proof and a checkpoint the stored Merkle nodes (here
    one, of the first 256 leaves): text there (on PostgreSQL, after the column's type was altered)
    is exit 3 naming the row, not a crash."""
    from ledger.store import Item

    ledger.ledger.append(ledger.poster, [Item("audit.note", f"bulk-{i}", {"text": "x"}) for i in range(300)])
    args = [a.format(poster=ledger.key_path("poster"), log=ledger.key_path("log"), out=tmp_path / "out") for a in command]
    with ledger.ledger.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING encode({column}, 'hex')"))
        else:
            conn.execute(sa.text(f"UPDATE {table} SET {column} = hex({column})"))
    result = ledger.run(*args, input=note("after") + "\n")
    assert result.exit_code == 3, result.output
    assert f"the {table} row " in result.output and f"column {column} holds '" in result.output
    assert "(str, not bytes)" in result.output


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL keeps text in a text column
def test_a_keys_row_or_a_setting_of_another_type_is_named(ledger, tmp_path):
    """SQLite keeps a blob in a text column: a key's role so edited stops ``keys list`` (exit 3,
    naming the row); the log key's recorded path so edited stops ``export`` (exit 5, as a key file
    that cannot be read). Both crashed before."""
    with ledger.ledger.engine.begin() as conn:
        conn.execute(sa.text("UPDATE keys SET role = X'00' WHERE role = 'auditor'"))
        conn.execute(sa.text("UPDATE settings SET value = X'00'"))
    listed = ledger.run("keys", "list")
    assert listed.exit_code == 3 and f"the keys row '{ledger.auditor.kid}', column role holds b'\\x00'" in listed.output
    exported = ledger.run("export", "--out", str(tmp_path / "bundle"))
    assert exported.exit_code == 5 and "holds b'\\x00', not a path" in exported.output


def test_deleted_entry(ledger):
    with ledger.ledger.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM entries WHERE seq = 4"))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.1", 4)


def test_two_entries_swapped(ledger):
    with ledger.ledger.engine.begin() as conn:  # rows 6 and 7 trade places
        _set(conn, 6, seq=1006)
        _set(conn, 7, seq=6)
        _set(conn, 1006, seq=7)
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.3", 6)
    assert (report["expected"], report["found"]) == ("6", "7")


def test_inserted_entry_in_the_middle(ledger, tmp_path):
    stranger = make_keys(tmp_path, "stranger", suite=ledger.ledger.suite)["stranger"]
    with ledger.ledger.engine.begin() as conn:
        for seq in (8, 7, 6):  # make room at seq 6
            _set(conn, seq, seq=seq + 100, prev=bytes([seq]) * 32)
        _insert_posting(conn, stranger, ledger.ledger.origin, after_seq=5, posting_id=3, idems=["forged"])
        for seq in (6, 7, 8):
            _set(conn, seq + 100, seq=seq + 1)
        _rechain(conn, 7)  # and make every hash and link after it consistent again
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.8", 6)
    assert "never enrolled" in report["found"]


def test_replaced_posting_signature(ledger, tmp_path):
    other = make_keys(tmp_path, "other", suite=ledger.ledger.suite)["other"]
    with ledger.ledger.engine.begin() as conn:
        env = orjson.loads(_row(conn, 7)["data"])
        import base64

        from ledger.envelope import posting_message

        env["posting"]["sig"] = base64.b64encode(other.sign(posting_message(env, other.suite))).decode()
        data = canonical(env)
        _set(conn, 7, data=data, hash=_leaf_hash(conn, data))
        _rechain(conn, 8)
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.8", 7)
    assert "does not verify" in report["found"]


def test_posting_by_a_never_enrolled_key(ledger, tmp_path):
    stranger = make_keys(tmp_path, "stranger", suite=ledger.ledger.suite)["stranger"]
    with ledger.ledger.engine.begin() as conn:
        _insert_posting(conn, stranger, ledger.ledger.origin, after_seq=8, posting_id=5, idems=["x1", "x2"])
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.8", 10)
    assert stranger.kid in report["found"]


def test_posting_after_its_key_was_revoked(ledger):
    ledger.ledger.append(ledger.admin, [revoke_item(ledger.poster.kid, "key leaked")])  # seq 9, posting 5
    assert ledger.run("verify").exit_code == 0
    with ledger.ledger.engine.begin() as conn:  # the thief posts with the leaked key, bypassing the check
        _insert_posting(conn, ledger.poster, ledger.ledger.origin, after_seq=9, posting_id=6, idems=["stolen"])
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.8", 10)
    assert "revoked at seq 9" in report["found"]


@pytest.mark.parametrize("column, value", [("kind", "key.enroll"), ("idem", "other"), ("posting", 9),
                                           ("key_id", "ed25519:" + "0" * 32), ("at", "2020-01-01T00:00:00.000000Z")])
def test_index_column_disagrees_with_the_bytes(ledger, column, value):
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 4, **{column: value})
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.5", 4)
    assert column in report["what"]


def _rewrite_posting_field(conn, seq: int, field: str, value) -> None:
    """Entry ``seq`` rewritten with one posting field changed (None: left out; "at" is the
    envelope's), its hash and index columns made to agree, so that only the posting structure is
    wrong."""
    envelope = orjson.loads(_row(conn, seq)["data"])
    if field == "at":
        envelope["at"] = value
    elif value is None:
        del envelope["posting"][field]
    else:
        envelope["posting"][field] = value
    data = orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS)  # the bytes as stored: a float stays a float
    p = envelope["posting"]
    _set(conn, seq, data=data, hash=_leaf_hash(conn, data), posting=p["id"], key_id=p["key"], at=envelope["at"])


def _first_failure(env, columns: bool) -> VerifyFailure:
    """The chain checks in order, in this process, over the stored rows (``columns``) or over
    their bytes alone, as a bundle's are checked."""
    from ledger.replay import entry_batches

    verifier = ChainVerifier(kinds=env.ledger.kinds, index_columns=columns)
    with env.ledger.engine.begin() as conn, pytest.raises(VerifyFailure) as failure:
        for batch in entry_batches(conn):
            verifier.feed(batch if columns else [(row[0], *(None,) * 7, row[-1]) for row in batch])
    return failure.value


_MIDDLE_ENTRY_FIELDS = [("i", 1.0), ("i", 2), ("n", 3.0), ("n", 4), ("id", 2.0), ("id", 9), ("key", "ed25519:" + "0" * 32),
                        ("contracts", 1.0), ("contracts", 2), ("contracts", None), ("sig", "c2ln"), ("extra", 1),
                        ("at", "2020-01-01T00:00:00.000000Z")]


def test_a_middle_entry_of_a_posting_with_other_posting_fields(ledger):
    """Seq 4 is entry 1 of posting 2's three. An entry inside a posting is decided by one comparison
    with the posting's fields; none of these changes gets through it (a float for an integer
    included), over the stored rows or over the bytes alone. Each is undone before the next."""
    for field, value in _MIDDLE_ENTRY_FIELDS:
        with ledger.ledger.engine.begin() as conn:
            original = _row(conn, 4)
            _rewrite_posting_field(conn, 4, field, value)
        named = [(f.step, f.seq, f.what) for f in (_first_failure(ledger, True), _first_failure(ledger, False))]
        assert named[0][:2] == ("3.6", 4) and named[1] == named[0], (field, value, named)
        with ledger.ledger.engine.begin() as conn:
            _restore(conn, original)
    assert ledger.run("verify").exit_code == 0


@pytest.mark.parametrize("field, value", [("i", 1.0), ("at", "2020-01-01T00:00:00.000000Z")])
def test_a_middle_entry_of_a_posting_with_other_posting_fields_every_way(ledger, field, value):
    """Two of those through the command: in order, with the signature pool, in stretches."""
    with ledger.ledger.engine.begin() as conn:
        _rewrite_posting_field(conn, 4, field, value)
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.6", 4), report


def test_a_posting_id_that_is_not_an_integer(ledger):
    """Seq 3 opens posting 2: the id 2.0 equals 2 in Python, and orjson writes it back as 2.0. On
    the posting's last entry (seq 5, checked apart from the entries inside it) too."""
    with ledger.ledger.engine.begin() as conn:
        original = _row(conn, 3)
        _rewrite_posting_field(conn, 3, "id", 2.0)
    report = _failure(ledger)
    assert (report["step"], report["seq"], report["what"], report["expected"]) == ("3.6", 3, "posting id", "an integer")
    failure = _first_failure(ledger, False)
    assert (failure.step, failure.seq, failure.what) == ("3.6", 3, "posting id")
    with ledger.ledger.engine.begin() as conn:
        _restore(conn, original)
        _rewrite_posting_field(conn, 5, "id", 2.0)
    for columns in (True, False):
        failure = _first_failure(ledger, columns)
        assert (failure.step, failure.seq, failure.what) == ("3.6", 5, "posting")


def test_prev_column_disagrees(ledger):
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 4, prev=b"\x01" * 32)
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.4", 4)


def test_history_rewritten_with_recomputed_hashes_is_caught_by_the_signature(ledger):
    with ledger.ledger.engine.begin() as conn:
        env = orjson.loads(_row(conn, 4)["data"])
        env["body"]["text"] = "a different story"
        data = canonical(env)
        _set(conn, 4, data=data, hash=_leaf_hash(conn, data))
        _rechain(conn, 5)
    report = _failure(ledger)
    # every hash and link is consistent again; the poster's signature at the end of posting 2 is not
    assert (report["step"], report["seq"]) == ("3.8", 5)


def test_non_canonical_bytes_with_a_matching_hash(ledger):
    with ledger.ledger.engine.begin() as conn:
        data = bytes(_row(conn, 8)["data"]).replace(b'"v":1}', b'"v": 1}')
        _set(conn, 8, data=data, hash=_leaf_hash(conn, data))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("3.3", 8)


@pytest.mark.parametrize("value, step", [(2**53, "3.3"), (-(2**53), "3.3"), (2**53 - 1, "3.8"), (-(2**53 - 1), "3.8")])
def test_an_integer_no_rfc_8785_number_holds_with_a_matching_hash(ledger, value, step):
    """orjson writes 2^53 back digit for digit; RFC 8785 (numbers are IEEE doubles) cannot: refused
    at 3.3. ±(2^53-1) is canonical: the bytes pass 3.3, and only the poster's signature, over the
    bytes it signed, fails (3.8)."""
    with ledger.ledger.engine.begin() as conn:
        env = orjson.loads(_row(conn, 8)["data"])
        env["body"]["n"] = value
        data = orjson.dumps(env, option=orjson.OPT_SORT_KEYS)
        _set(conn, 8, data=data, hash=_leaf_hash(conn, data))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == (step, 8), report
    if step == "3.3":
        assert report["expected"] == "integers within ±(2^53-1)"


def _signed_anew(env, seq: int, change) -> None:
    """The single-entry posting at ``seq`` (the auditor's) changed by ``change(envelope)`` and signed
    again with the auditor's key, as an insider holding it would: its hash and signature agree with
    the new bytes, and so do the index columns a string can go in. Only the changed field is wrong."""
    with env.ledger.engine.begin() as conn:
        envelope = orjson.loads(_row(conn, seq)["data"])
        change(envelope)
        signature = env.auditor.sign(posting_message(envelope, env.ledger.suite))
        envelope["posting"]["sig"] = base64.b64encode(signature).decode()
        data = orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS)  # the bytes as stored: 1.0 stays 1.0
        columns = {k: envelope[k] for k in ("kind", "idem", "at") if type(envelope[k]) is str}
        _set(conn, seq, data=data, hash=_leaf_hash(conn, data), **columns)


# (field, value, what step 3.3 names); "posting.key" is the posting's
_ENVELOPE_FIELDS = [("v", 1.0, "format version"), ("v", True, "format version"), ("seq", 8.0, "the envelope's seq"),
                    ("kind", ["audit.note"], "kind"), ("idem", ["c1"], "idem"), ("idem", 7, "idem"),
                    ("body", ["text"], "body"), ("at", "2026-12-06 02:00:00", "at"), ("at", "2026-12-06T02:00:00Z", "at")]


def test_an_envelope_field_of_another_json_type_signed_anew(ledger):
    """Seq 8, the auditor's note, rewritten and signed again by the insider holding the auditor's
    key: a field of the envelope with a value of another JSON type (1.0 and true equal 1 in Python,
    and orjson writes each back as it was) or an ``at`` not in the format's form. Each is named at
    3.3, over the stored rows and over the bytes alone; an array for the kind or idem (which a set
    cannot hold) and for the posting's key (which names the key to check the signature with) is a
    failure named, not a crash. Each is undone before the next."""
    with ledger.ledger.engine.begin() as conn:
        original = _row(conn, 8)

    def undo() -> None:
        with ledger.ledger.engine.begin() as conn:
            _restore(conn, original)

    for field, value, what in _ENVELOPE_FIELDS:
        _signed_anew(ledger, 8, lambda envelope: envelope.__setitem__(field, value))
        named = [(f.step, f.seq, f.what) for f in (_first_failure(ledger, True), _first_failure(ledger, False))]
        assert named == [("3.3", 8, what)] * 2, (field, value, named)
        undo()
    _signed_anew(ledger, 8, lambda envelope: envelope["posting"].__setitem__("key", [ledger.auditor.kid]))
    named = [(f.step, f.seq, f.what) for f in (_first_failure(ledger, True), _first_failure(ledger, False))]
    assert named == [("3.5", 8, "index column key_id"), ("3.6", 8, "posting key")], named
    undo()
    assert ledger.run("verify").exit_code == 0


def test_an_envelope_field_removed_added_or_renamed_signed_anew(ledger):
    """Seq 8 signed again by the insider holding the auditor's key, with the envelope's fields not
    the format's nine: one removed, one added, or one renamed (nine fields still, one of them not
    the format's). Each is named at 3.3 with the fields found, over the stored rows and the bytes
    alone; each is undone before the next."""
    with ledger.ledger.engine.begin() as conn:
        original = _row(conn, 8)
    changes = {"removed": lambda e: e.pop("v"), "added": lambda e: e.__setitem__("w", 1),
               "renamed": lambda e: e.__setitem__("w", e.pop("v"))}
    for name, change in changes.items():
        _signed_anew(ledger, 8, change)
        failures = [_first_failure(ledger, True), _first_failure(ledger, False)]
        with ledger.ledger.engine.begin() as conn:
            found = sorted(orjson.loads(_row(conn, 8)["data"]))
            _restore(conn, original)
        assert [(f.step, f.seq, f.what, f.found) for f in failures] == [("3.3", 8, "envelope fields", found)] * 2, name
        assert len(found) == {"removed": 8, "added": 10, "renamed": 9}[name]
    assert ledger.run("verify").exit_code == 0


def test_an_array_for_the_kind_through_the_command_and_a_bundle(ledger, tmp_path):
    """The kind as an array, signed anew: exit 3 at seq 8, in order, with the signature pool and in
    stretches; and in a bundle the insider exports of the ledger so changed (signed by the log key
    they hold), checked with no database."""
    _signed_anew(ledger, 8, lambda envelope: envelope.__setitem__("kind", ["audit.note"]))
    report = _failure(ledger)
    assert (report["step"], report["seq"], report["what"]) == ("3.3", 8, "kind"), report
    out = tmp_path / "bundle"
    assert ledger.run("export", "--out", str(out), "--key", ledger.key_path("log")).exit_code == 0
    result = ledger.run("verify", "--bundle", str(out), "--json")
    assert result.exit_code == 3, result.output
    assert {k: json.loads(result.output)[k] for k in ("step", "seq", "what")} == {"step": "3.3", "seq": 8, "what": "kind"}


def test_truncated_posting(ledger):
    with ledger.ledger.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM entries WHERE seq IN (5, 6, 7, 8)"))
    report = _failure(ledger)
    assert (report["step"], report["seq"]) == ("4", 4)


def test_key_projection_edited_to_unrevoke_a_key(ledger):
    ledger.ledger.append(ledger.admin, [revoke_item(ledger.auditor.kid, "done")])
    with ledger.ledger.engine.begin() as conn:
        conn.execute(sa.text("UPDATE keys SET revoked_seq = NULL WHERE kid = :k"), {"k": ledger.auditor.kid})
    report = _failure(ledger)
    assert report["step"] == "5" and ledger.auditor.kid in report["what"]


def test_every_entry_deleted(ledger):
    with ledger.ledger.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM entries"))
    report = _failure(ledger)
    assert report["step"] == "2"


def test_human_output_names_step_seq_expected_and_found(ledger):
    with ledger.ledger.engine.begin() as conn:
        _set(conn, 4, hash=bytes(32))
    result = ledger.run("verify")
    assert result.exit_code == 3
    assert "step 3.2: seq 4: stored hash is not the hash of the stored bytes: expected " in result.output
    assert f"found {'00' * 32}" in result.output

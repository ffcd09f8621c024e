"""Verification of a whole ledger, in numbered steps; the first failure stops it.

  1. schema: the database is at this code's schema revision (else exit 5, not an integrity error);
  2. genesis: seq 0 exists, is a well-formed ``ledger.genesis``, and pins the admin and log keys;
  3. every entry, in seq order, streamed (one hash per entry):
     3.1 seq: the stored seqs run 0, 1, 2, … with no gap (a deleted or inserted row);
     3.2 hash: the stored hash is the leaf hash of the stored bytes;
     3.3 bytes: the stored bytes are one canonical (RFC 8785) envelope of format version 1, for
         this ledger, at this seq, of a known kind;
     3.4 chain: ``prev`` (in the bytes and the column) is the previous entry's hash;
     3.5 index: every index column equals what the bytes say;
     3.6 posting: entries of a posting are consecutive, ``i`` counts 0..n-1, posting ids count up,
         and only the last entry carries the signature;
     3.7 idem: no idem appears twice;
     3.8 signature (once per posting, at its last entry): the key was enrolled and not revoked when
         the posting began, its role may post every kind in it, the bodies of the entries that
         change keys are well formed, and the Ed25519 signature is valid;
  4. the last posting is complete;
  5. the ``keys`` table (the write-time projection) equals the key set derived from history.

An empty ledger is a failure, not a pass. Truncation of whole postings at the end is invisible
to this check alone: an auditor catches it by giving a checkpoint they kept.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from sqlalchemy import Engine, text

from ledger import db
from ledger.canonical import canonical, leaf_hash
from ledger.envelope import FORMAT_VERSION, ZERO_HASH, posting_message
from ledger.errors import IntegrityError
from ledger.keys import verify_signature
from ledger.kinds import ADMIN, KINDS, LOG, validate_body

__all__ = ["VerifyFailure", "VerifyResult", "verify_ledger"]

_BATCH = 5000
_INDEX_COLUMNS = ("kind", "idem", "posting", "key_id", "at")
_ENVELOPE_KEYS = {"v", "ledger", "seq", "prev", "kind", "at", "posting", "idem", "body"}
_KEY_KINDS = {"ledger.genesis", "key.enroll", "key.revoke"}


class VerifyFailure(IntegrityError):
    """``verify`` found the ledger inconsistent (exit 3)."""

    def __init__(self, step: str, seq: int | None, what: str, expected: Any, found: Any) -> None:
        where = f"seq {seq}: " if seq is not None else ""
        super().__init__(f"step {step}: {where}{what}: expected {expected}, found {found}")
        self.step, self.seq, self.what, self.expected, self.found = step, seq, what, expected, found

    def as_dict(self) -> dict[str, Any]:
        return {"ok": False, "step": self.step, "seq": self.seq, "what": self.what,
                "expected": str(self.expected), "found": str(self.found), "message": self.message}


@dataclass(frozen=True, slots=True)
class VerifyResult:
    origin: str
    entries: int
    postings: int
    head_hash: str
    keys_in_force: int
    steps: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"ok": True, "origin": self.origin, "entries": self.entries, "postings": self.postings,
                "tree_size": self.entries, "head_hash": self.head_hash, "keys_in_force": self.keys_in_force}


@dataclass(slots=True)
class _Key:
    public: bytes
    role: str
    name: str
    enrolled_seq: int
    revoked_seq: int | None = None


@dataclass(slots=True)
class _Posting:
    id: int
    n: int
    key: str
    at: str
    first_seq: int
    kinds: set[str]
    key_effects: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _rows(engine: Engine):
    """Stream (seq, hash, prev, kind, idem, posting, key_id, at, data) in seq order, in batches."""
    sql = "SELECT seq, hash, prev, kind, idem, posting, key_id, at, data FROM entries ORDER BY seq"
    with db.read_tx(engine) as conn:
        dbapi = conn.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            cur = dbapi.cursor(name="fundledger_verify")
            cur.itersize = _BATCH
        else:
            cur = dbapi.cursor()
        try:
            cur.execute(sql)
            while batch := cur.fetchmany(_BATCH):
                yield batch
        finally:
            cur.close()


def verify_ledger(engine: Engine, progress: Callable[[int], None] | None = None) -> VerifyResult:
    # 1. schema
    db.check_schema(engine)
    keys: dict[str, _Key] = {}
    idems: set[str] = set()
    origin: str | None = None
    expected_seq = 0
    prev = ZERO_HASH
    prev_hex = prev.hex()
    last_posting_id = -1
    posting: _Posting | None = None
    postings = 0

    for batch in _rows(engine):
        for seq, h, prev_col, kind_col, idem_col, posting_col, key_col, at_col, data in batch:
            # 3.1 seq
            if seq != expected_seq:
                raise VerifyFailure("3.1", expected_seq, "entry missing or out of place",
                                    f"seq {expected_seq}", f"seq {seq}")
            # 3.2 hash
            if leaf_hash(data) != h:
                raise VerifyFailure("3.2", seq, "stored hash is not the hash of the stored bytes",
                                    leaf_hash(data).hex(), h.hex())
            # 3.3 bytes
            try:
                env = orjson.loads(data)
            except orjson.JSONDecodeError:
                raise VerifyFailure("3.3", seq, "stored bytes", "a JSON envelope", "bytes that are not JSON") from None
            if type(env) is not dict or env.keys() != _ENVELOPE_KEYS:
                found = sorted(env) if type(env) is dict else type(env).__name__
                raise VerifyFailure("3.3", seq, "envelope fields", sorted(_ENVELOPE_KEYS), found)
            if canonical(env) != data:
                raise VerifyFailure("3.3", seq, "stored bytes are not canonical (RFC 8785)", "canonical bytes",
                                    "another encoding of the envelope")
            if env["v"] != FORMAT_VERSION:
                raise VerifyFailure("3.3", seq, "format version", FORMAT_VERSION, env["v"])
            if env["seq"] != seq:
                raise VerifyFailure("3.3", seq, "the envelope's seq", seq, env["seq"])
            if seq == 0:
                origin = _genesis(env)
            if env["ledger"] != origin:
                raise VerifyFailure("3.3", seq, "the envelope's ledger", origin, env["ledger"])
            kind = env["kind"]
            if kind not in KINDS or (seq > 0 and kind == "ledger.genesis"):
                raise VerifyFailure("3.3", seq, "kind", "a kind this ledger knows", kind)
            # 3.4 chain
            if env["prev"] != prev_hex:
                raise VerifyFailure("3.4", seq, "prev (in the bytes)", prev_hex, env["prev"])
            if prev_col != prev:
                raise VerifyFailure("3.4", seq, "prev (index column)", prev_hex, bytes(prev_col).hex())
            # 3.5 index columns
            p = env["posting"]
            if type(p) is not dict:
                raise VerifyFailure("3.3", seq, "posting", "an object", type(p).__name__)
            truth = (kind, env["idem"], p.get("id"), p.get("key"), env["at"])
            stored = (kind_col, idem_col, posting_col, key_col, at_col)
            if stored != truth:
                column, want, got = next(x for x in zip(_INDEX_COLUMNS, truth, stored) if x[1] != x[2])
                raise VerifyFailure("3.5", seq, f"index column {column}", repr(want), repr(got))
            # 3.6 posting structure
            i, n = p.get("i"), p.get("n")
            if type(i) is not int or type(n) is not int or not 0 <= i < n:
                raise VerifyFailure("3.6", seq, "posting.i / posting.n", "0 <= i < n", f"i={i!r} n={n!r}")
            if i == 0:
                if posting is not None:
                    raise VerifyFailure("3.6", seq, "posting", f"entry {seq - posting.first_seq} of posting {posting.id}",
                                        f"a new posting {p.get('id')} before it ended")
                if p.get("id") != last_posting_id + 1:
                    raise VerifyFailure("3.6", seq, "posting id", last_posting_id + 1, p.get("id"))
                posting = _Posting(id=p["id"], n=n, key=p.get("key"), at=env["at"], first_seq=seq, kinds=set())
                postings += 1
            else:
                expect_i = seq - posting.first_seq if posting else 0
                if posting is None or p.get("id") != posting.id or i != expect_i or n != posting.n \
                        or p.get("key") != posting.key or env["at"] != posting.at:
                    raise VerifyFailure("3.6", seq, "posting", f"entry {expect_i} of posting {posting.id if posting else '?'}",
                                        f"posting {p.get('id')} entry {i} of {n} by {p.get('key')}")
            posting.kinds.add(kind)
            if kind in _KEY_KINDS:
                posting.key_effects.append((seq, env))
            last = i == n - 1
            if ("sig" in p) != last:
                raise VerifyFailure("3.6", seq, "posting signature", "on the last entry only",
                                    "a signature here" if "sig" in p else "no signature on the last entry")
            # 3.7 idem
            if env["idem"] in idems:
                raise VerifyFailure("3.7", seq, "idem", "unique", f"{env['idem']!r} again")
            idems.add(env["idem"])
            if kind in _KEY_KINDS:
                problems = validate_body(kind, env["body"]) if type(env["body"]) is dict else [("body", "not an object")]
                if problems:
                    raise VerifyFailure("3.8", seq, f"{kind} body", "a well-formed body", "; ".join(f"{f}: {m}" for f, m in problems))
            # 3.8 signature, once per posting
            if last:
                _check_signature(seq, env, posting, keys)
                _apply_keys(posting, keys)  # key changes take force once the posting is verified
                last_posting_id = posting.id
                posting = None
            prev = h
            prev_hex = h.hex()
            expected_seq += 1
        if progress:
            progress(len(batch))

    if expected_seq == 0:
        raise VerifyFailure("2", 0, "genesis", "a ledger.genesis entry at seq 0", "an empty ledger")
    # 4. the last posting is complete
    if posting is not None:
        raise VerifyFailure("4", expected_seq - 1, "last posting", f"{posting.n} entries ending in a signature",
                            f"{expected_seq - posting.first_seq} entries and no signature")
    # 5. the key projection
    _check_projection(engine, keys)
    in_force = sum(1 for k in keys.values() if k.revoked_seq is None)
    return VerifyResult(origin=origin or "", entries=expected_seq, postings=postings, head_hash=prev.hex(),
                        keys_in_force=in_force)


def _genesis(env: dict[str, Any]) -> str:
    if env["kind"] != "ledger.genesis":
        raise VerifyFailure("2", 0, "kind of the first entry", "ledger.genesis", env["kind"])
    body = env["body"]
    problems = validate_body("ledger.genesis", body) if type(body) is dict else [("body", "not an object")]
    if problems:
        raise VerifyFailure("2", 0, "genesis body", "a well-formed genesis", "; ".join(f"{f}: {m}" for f, m in problems))
    return body["origin"]


def _check_signature(seq: int, env: dict[str, Any], posting: _Posting, keys: dict[str, _Key]) -> None:
    kid = posting.key
    if posting.first_seq == 0:  # the genesis is signed by the log key it pins
        body = env["body"]
        key = _Key(public=base64.b64decode(body["log"]["public"]), role=LOG, name="genesis log", enrolled_seq=0)
        if kid != body["log"]["kid"]:
            raise VerifyFailure("3.8", seq, "genesis signer", body["log"]["kid"], kid)
    else:
        key = keys.get(kid)
        if key is None:
            raise VerifyFailure("3.8", seq, f"key of posting {posting.id}", "a key enrolled before the posting",
                                f"{kid}, never enrolled")
        if key.revoked_seq is not None:
            raise VerifyFailure("3.8", seq, f"key of posting {posting.id}", "a key in force",
                                f"{kid} ({key.name}), revoked at seq {key.revoked_seq}")
        for kind in sorted(posting.kinds):
            if key.role not in KINDS[kind].roles:
                raise VerifyFailure("3.8", seq, f"role of the key posting {kind}",
                                    " or ".join(sorted(KINDS[kind].roles)), f"{key.role} ({kid})")
    try:
        sig = base64.b64decode(env["posting"]["sig"], validate=True)
    except (ValueError, TypeError):
        raise VerifyFailure("3.8", seq, f"signature of posting {posting.id}", "base64", repr(env["posting"]["sig"])) from None
    if not verify_signature(key.public, sig, posting_message(env)):
        raise VerifyFailure("3.8", seq, f"signature of posting {posting.id}", f"a valid Ed25519 signature by {kid}",
                            "a signature that does not verify")


def _apply_keys(posting: _Posting, keys: dict[str, _Key]) -> None:
    for s, e in posting.key_effects:
        kind, body = e["kind"], e["body"]
        if kind == "ledger.genesis":
            for field_, role in (("admin", ADMIN), ("log", LOG)):
                keys[body[field_]["kid"]] = _Key(public=base64.b64decode(body[field_]["public"]), role=role,
                                                 name=f"genesis {field_}", enrolled_seq=s)
        elif kind == "key.enroll":
            kid = body["key"]["kid"]
            if kid in keys:
                raise VerifyFailure("3.8", s, "key.enroll", "a key not enrolled before", f"{kid} enrolled again")
            keys[kid] = _Key(public=base64.b64decode(body["key"]["public"]), role=body["role"], name=body["name"],
                             enrolled_seq=s)
        elif kind == "key.revoke":
            key = keys.get(body["kid"])
            if key is None or key.revoked_seq is not None:
                raise VerifyFailure("3.8", s, "key.revoke", "a key in force", f"{body['kid']} not in force")
            key.revoked_seq = s


def _check_projection(engine: Engine, keys: dict[str, _Key]) -> None:
    with db.read_tx(engine) as conn:
        rows = {r.kid: r for r in conn.execute(text("SELECT kid, public, role, enrolled_seq, revoked_seq FROM keys"))}
    for kid in sorted(set(rows) | set(keys)):
        truth, row = keys.get(kid), rows.get(kid)
        want = None if truth is None else (truth.public, truth.role, truth.enrolled_seq, truth.revoked_seq)
        got = None if row is None else (bytes(row.public), row.role, row.enrolled_seq, row.revoked_seq)
        if want != got:
            describe = lambda t: "absent" if t is None else f"role {t[1]}, enrolled at seq {t[2]}, revoked at seq {t[3]}"  # noqa: E731
            raise VerifyFailure("5", None, f"keys table row for {kid}", describe(want), describe(got))

"""The ledger's own state rules, and the ``keys`` projection they read.

At posting and at replay alike (``ledger/store.py``): who may post (:func:`poster_findings`: the
key is enrolled, not revoked, the one enrolled under its id, and its role may post each kind) and
what the key and note entries may do (:func:`state_findings`: a key is enrolled once and in the
ledger's suite, revoked once, never the log key or the last admin; a rotation follows
``ledger/rotation.py``; a note refers only to seqs before it); then the entries' effect on the
``keys`` table (:func:`project_keys`), which ``verify`` step 5 re-derives from history.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, text

from ledger.envelope import Sealed
from ledger.errors import stored_blob
from ledger.findings import FATAL, Finding, subject
from ledger.keys import PublicKey, Signer
from ledger.kinds import ADMIN, LOG, Kind
from ledger.rotation import KeyView, new_key_name, rotation_problems
from ledger.suites import Suite

if TYPE_CHECKING:
    from ledger.store import Head, Item

__all__ = ["KEY_COLUMNS", "poster_findings", "project_keys", "state_findings"]

KEY_COLUMNS = "kid, alg, public, name, role, enrolled_seq, revoked_seq"
_KEYS_IN = text(f"SELECT {KEY_COLUMNS} FROM keys WHERE kid IN :kids").bindparams(bindparam("kids", expanding=True))
_ACTIVE_ADMINS = text("SELECT count(*) FROM keys WHERE role = 'admin' AND revoked_seq IS NULL")
_INSERT_KEY = text(f"INSERT INTO keys ({KEY_COLUMNS}) "
                   "VALUES (:kid, :alg, :public, :name, :role, :enrolled_seq, NULL)")
_REVOKE_KEY = text("UPDATE keys SET revoked_seq = :seq WHERE kid = :kid")


def poster_findings(key: Any, signer: Signer, items: Sequence[Item], kinds: dict[str, Kind]) -> list[Finding]:
    if key is None:
        return [Finding(
            rule="KEY-UNKNOWN", severity=FATAL, field="key", subject=subject(key=signer.kid),
            message=f"key {signer.kid} is not enrolled in this ledger; an admin must enroll it first",
        )]
    if key.revoked_seq is not None:
        return [Finding(
            rule="KEY-REVOKED", severity=FATAL, field="key", subject=subject(key=signer.kid, seq=key.revoked_seq),
            message=f"key {signer.kid} ({key.name}) was revoked at seq {key.revoked_seq}",
        )]
    if stored_blob(key.public, "the keys row {}, column public", signer.kid) != signer.public.raw \
            or key.alg != signer.public.alg:
        return [Finding(
            rule="KEY-UNKNOWN", severity=FATAL, field="key", subject=subject(key=signer.kid),
            message=f"key {signer.kid} does not match the public key enrolled under that id",
        )]
    out = []
    for it in items:
        if key.role not in kinds[it.kind].roles:
            out.append(Finding(
                rule="KEY-ROLE", severity=FATAL, field="kind", subject=subject(line=it.line, idem=it.idem, key=signer.kid),
                expected=" or ".join(sorted(kinds[it.kind].roles)), actual=key.role,
                message=f"a key with role {key.role!r} may not post {it.kind}",
            ))
    return out


def _at(it: Item) -> tuple:
    """The subject of a finding about an item: its line and idem (made only when there is one)."""
    return subject(line=it.line, idem=it.idem)


def state_findings(conn: Connection, head: Head, items: list[Item], suite: Suite, origin: str,
                    poster: str) -> list[Finding]:
    """Rules on the ledger's own state: key enrolment (of the ledger's suite), revocation and
    rotation (``ledger/rotation.py``), references to seqs."""
    out: list[Finding] = []
    next_seq = head.seq + 1
    kids = {it.body["key"]["kid"] for it in items if it.kind == "key.enroll"}
    kids |= {it.body["kid"] for it in items if it.kind == "key.revoke"}
    for it in items:
        if it.kind == "key.rotate":
            kids |= {it.body["old"], it.body["new"]["kid"], *(e["kid"] for e in it.body["endorsements"])}
    known: dict[str, Any] = {}
    if kids:
        for row in conn.execute(_KEYS_IN, {"kids": sorted(kids)}):
            known[row.kid] = {"role": row.role, "revoked": row.revoked_seq is not None, "seq": row.enrolled_seq,
                              "public": stored_blob(row.public, "the keys row {}, column public", row.kid)}
    active_admins: int | None = None
    for offset, it in enumerate(items):
        seq = next_seq + offset
        if it.kind == "key.enroll":
            kid = it.body["key"]["kid"]
            if it.body["key"]["alg"] != suite.alg:
                out.append(Finding(
                    rule="KEY-ALG", severity=FATAL, field="body.key.alg", subject=_at(it),
                    expected=suite.alg, actual=it.body["key"]["alg"],
                    message=f"key {kid} is {it.body['key']['alg']}; a {suite.name} ledger enrolls {suite.alg} keys only",
                ))
            if kid in known:
                out.append(Finding(
                    rule="KEY-ENROLLED", severity=FATAL, field="body.key.kid", subject=_at(it),
                    message=f"key {kid} is already enrolled (seq {known[kid]['seq']}); a key is enrolled once",
                ))
            known[kid] = {"role": it.body["role"], "revoked": False, "seq": seq,
                          "public": base64.b64decode(it.body["key"]["public"])}
        elif it.kind == "key.revoke":
            kid = it.body["kid"]
            k = known.get(kid)
            if k is None:
                out.append(Finding(rule="KEY-UNKNOWN", severity=FATAL, field="body.kid", subject=_at(it),
                                   message=f"key {kid} is not enrolled, so it cannot be revoked"))
                continue
            if k["revoked"]:
                out.append(Finding(rule="KEY-REVOKED", severity=FATAL, field="body.kid", subject=_at(it),
                                   message=f"key {kid} is already revoked"))
                continue
            if k["role"] == LOG:
                out.append(Finding(rule="KEY-LOG", severity=FATAL, field="body.kid", subject=_at(it),
                                   message="the log key cannot be revoked, only replaced: rotate it (keys rotate)"))
                continue
            if k["role"] == ADMIN:
                if active_admins is None:
                    active_admins = conn.execute(_ACTIVE_ADMINS).scalar_one() + sum(1 for x in items[:offset] if x.kind == "key.enroll" and x.body["role"] == ADMIN)
                if active_admins <= 1:
                    out.append(Finding(rule="KEY-LAST-ADMIN", severity=FATAL, field="body.kid", subject=_at(it),
                                       message="this is the last admin key in force; enroll another admin first"))
                    continue
                active_admins -= 1
            k["revoked"] = True
        elif it.kind == "key.rotate":
            views = {kid: KeyView(public=k["public"], role=k["role"], in_force=not k["revoked"]) for kid, k in known.items()}
            for rule, field, message in rotation_problems(it.body, origin=origin, suite=suite, poster=poster, keys=views):
                out.append(Finding(rule=rule, severity=FATAL, field=field, subject=_at(it), message=message))
            if it.body["old"] in known:
                known[it.body["old"]]["revoked"] = True
            known[it.body["new"]["kid"]] = {"role": it.body["role"], "revoked": False, "seq": seq,
                                            "public": base64.b64decode(it.body["new"]["public"])}
        elif it.kind == "audit.note":
            for i, ref in enumerate(it.body.get("refs", [])):
                if ref >= seq:
                    out.append(Finding(
                        rule="REF-SEQ", severity=FATAL, field=f"body.refs[{i}]", subject=_at(it),
                        expected=f"a seq below {seq}", actual=str(ref),
                        message=f"refs[{i}] names seq {ref}, which is not in the ledger before this entry",
                    ))
    return out


def project_keys(conn: Connection, sealed: Sequence[Sealed]) -> None:
    for s in sealed:
        kind, body = s.envelope["kind"], s.envelope["body"]
        if kind == "key.enroll":
            pk = PublicKey.from_b64(body["key"]["public"], body["key"]["alg"])
            conn.execute(_INSERT_KEY, {"kid": pk.kid, "alg": body["key"]["alg"], "public": pk.raw,
                                       "name": body["name"], "role": body["role"], "enrolled_seq": s.seq})
        elif kind == "key.revoke":
            conn.execute(_REVOKE_KEY, {"kid": body["kid"], "seq": s.seq})
        elif kind == "key.rotate":
            conn.execute(_REVOKE_KEY, {"kid": body["old"], "seq": s.seq})
            pk = PublicKey.from_b64(body["new"]["public"], body["new"]["alg"])
            conn.execute(_INSERT_KEY, {"kid": pk.kid, "alg": pk.alg, "public": pk.raw, "name": new_key_name(body),
                                       "role": body["role"], "enrolled_seq": s.seq})
        elif kind == "ledger.genesis":
            for field, role in (("admin", ADMIN), ("log", LOG)):
                pk = PublicKey.from_b64(body[field]["public"], body[field]["alg"])
                conn.execute(_INSERT_KEY, {"kid": pk.kid, "alg": body[field]["alg"], "public": pk.raw,
                                           "name": f"genesis {field}", "role": role, "enrolled_seq": s.seq})

"""Key rotation: a log or admin key replaced by a new one, by a ``key.rotate`` entry.

A lost or stolen key has a remedy. The entry is posted by an admin key and carries endorsements:
signatures over :func:`statement` (the ledger's origin, the role, the old key id, the new key id)
by the keys that vouch for the change. Its rules, the same at write time (``ledger/store.py``) and
in ``verify`` (``ledger/chain.py``, step 3.8), are :func:`rotation_problems`:

* the old key is in force and has the role being rotated;
* the new key is of the ledger's suite, never enrolled before, and endorses the statement itself
  (it proves its holder has it);
* a log key is rotated with the endorsement of the log key it replaces (with an admin's posting:
  the log key and an admin), or, when that key is lost, with the endorsement of a second admin key in
  force besides the one posting (admins alone: two of them);
* every endorsement is by a key in force (or the new key) and verifies.

Its effect, once the posting is verified: the old key is revoked at the entry's seq and the new one
holds its role from the next posting on. Checkpoints of a tree that holds the rotation are signed by
the new log key; ``verify``, the bundle check and the witness follow the chain of log keys from the
genesis key through the rotations. Pure: no database.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Mapping

from ledger.suites import Suite

__all__ = ["KeyView", "endorses", "new_key_name", "rotation_problems", "statement"]

ADMIN, LOG = "admin", "log"


@dataclass(frozen=True, slots=True)
class KeyView:
    """What the rules need of an enrolled key."""

    public: bytes
    role: str
    in_force: bool


def statement(origin: str, role: str, old: str, new: str) -> bytes:
    """What each endorsement of a ``key.rotate`` signs, so that it cannot be moved to another
    ledger, role or key."""
    return f"fundledger/key.rotate/v1\n{origin}\n{role}\n{old}\n{new}\n".encode()


def endorses(body: dict[str, Any], *, origin: str, suite: Suite, kid: str, public: bytes) -> bool:
    """Whether key ``kid`` (``public``) has an endorsement in the rotation that verifies."""
    message = statement(origin, body["role"], body["old"], body["new"]["kid"])
    return any(e["kid"] == kid and suite.verify(public, base64.b64decode(e["sig"]), message)
               for e in body["endorsements"])


def new_key_name(body: dict[str, Any]) -> str:
    """The name the key projection gives the key a rotation enrolls."""
    return f"{body['role']} key replacing {body['old']}"


def rotation_problems(body: dict[str, Any], *, origin: str, suite: Suite, poster: str,
                      keys: Mapping[str, KeyView]) -> list[tuple[str, str, str]]:
    """The (rule, field, message) problems of a well-formed ``key.rotate`` body posted by the key
    ``poster``, given the keys enrolled so far; an empty list accepts."""
    role, old, new = body["role"], body["old"], body["new"]
    out: list[tuple[str, str, str]] = []
    current = keys.get(old)
    if current is None or not current.in_force or current.role != role:
        state = "not enrolled" if current is None else \
            f"a {current.role} key" + ("" if current.in_force else ", revoked")
        out.append(("KEY-ROTATE-OLD", "body.old", f"key {old} is {state}: not a {role} key in force to replace"))
    if new["alg"] != suite.alg:
        out.append(("KEY-ALG", "body.new.alg", f"the new key is {new['alg']}; a {suite.name} ledger has {suite.alg} keys"))
    if new["kid"] in keys:
        out.append(("KEY-ENROLLED", "body.new.kid", f"key {new['kid']} is already enrolled; a key is enrolled once"))
    endorsed = set()
    for i, e in enumerate(body["endorsements"]):
        public = base64.b64decode(new["public"]) if e["kid"] == new["kid"] else \
            (keys[e["kid"]].public if e["kid"] in keys and keys[e["kid"]].in_force else None)
        if public is None:
            out.append(("KEY-ROTATE-ENDORSE", f"body.endorsements[{i}].kid",
                        f"{e['kid']} is not a key in force (nor the new key)"))
        elif not endorses(body, origin=origin, suite=suite, kid=e["kid"], public=public):
            out.append(("KEY-ROTATE-ENDORSE", f"body.endorsements[{i}].sig",
                        f"the endorsement of {e['kid']} does not verify over the rotation statement"))
        else:
            endorsed.add(e["kid"])
    if new["kid"] not in endorsed:
        out.append(("KEY-ROTATE-ENDORSE", "body.endorsements",
                    "the new key must endorse the rotation (proof that its holder has it)"))
    if role == LOG and old not in endorsed:
        admins = {k for k in endorsed if k != poster and k in keys and keys[k].role == ADMIN}
        if not admins:
            out.append(("KEY-ROTATE-ENDORSE", "body.endorsements",
                        "a log key is replaced with its own endorsement, or, when it is lost, with a second "
                        "admin's besides the one posting"))
    return out

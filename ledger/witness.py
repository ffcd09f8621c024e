"""A witness: the audit bureau's key cosigns a checkpoint only after checking that it is
consistent with the last checkpoint this witness cosigned. Keeps its state in a directory:

  ``log.vkey``   the log's verifier key, pinned on first use (``--log-vkey``);
  ``checkpoint`` the last checkpoint cosigned (the note as written).

The consistency proof comes from the ledger's database, which the witness does not trust: the
proof is checked against the witness's own old root and the log-signed new root.

Log key rotations (``ledger/rotation.py``): the note must be signed by the key that the ledger's
``key.rotate`` entries after the tree this witness cosigned lead to from the pinned key, each one
included in the new tree (an inclusion proof against the new root) and endorsed by the key before
it; with no rotation, that is the pinned key itself, and a note of a tree that holds a rotation,
signed by the key it replaced, is refused. The new tree must still be consistent with the old.
The witness then pins the key it followed. A rotation endorsed by admins alone (the old log key lost) is
not one it can check: its operator verifies the ledger or a bundle and pins the new key by hand.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Callable

import orjson

from ledger.errors import InputError, IntegrityError
from ledger.keys import Signer
from ledger.kinds import validate_core_body
from ledger.merkle import ProofError, verify_consistency, verify_inclusion
from ledger.note import (
    Checkpoint,
    NoteError,
    cosign,
    parse_checkpoint,
    parse_verifier_key,
    verifier_key,
    verify_log_signature,
)
from ledger.rotation import endorses
from ledger.suites import Suite

__all__ = ["cosign_checkpoint"]

ProofSource = Callable[[int, int], list[bytes]]
# the key.rotate entries below a tree size, each with its inclusion proof in that tree: (seq, bytes, path)
RotationSource = Callable[[int], list[tuple[int, bytes, list[bytes]]]]


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _refuse(why: str) -> IntegrityError:
    return IntegrityError(f"refused: {why}")


def _follow_rotations(new: Checkpoint, old: Checkpoint | None, origin: str, pinned: bytes, suite: Suite,
                      rotations: list[tuple[int, bytes, list[bytes]]]) -> bytes:
    """The log key that signs the new note: the one the rotations after the old tree lead to from the
    pinned one (the pinned one if there are none). IntegrityError if they do not check out or the
    note is not signed by that key."""
    current = pinned
    after = 0 if old is None else old.size  # rotations before it are in the pinned key already
    for seq, data, path in sorted(r for r in rotations if r[0] >= after):
        try:
            verify_inclusion(seq, new.size, suite.leaf_hash(data), path, new.root, suite)
        except ProofError as e:
            raise _refuse(f"the rotation at seq {seq} is not in the tree of size {new.size} ({e})") from None
        env = orjson.loads(data)
        body = env.get("body")
        if env.get("kind") != "key.rotate" or not isinstance(body, dict) or validate_core_body("key.rotate", body) \
                or env.get("ledger") != origin:
            raise _refuse(f"seq {seq} is not a well-formed key.rotate of {origin}")
        if body["role"] != "log" or body["new"]["kid"] == suite.key_id(current):
            continue  # another role's, or the one that made the key this witness follows (pinned by hand)
        if body["old"] != suite.key_id(current):
            raise _refuse(f"the rotation at seq {seq} replaces {body['old']}, not the log key this witness follows")
        following = base64.b64decode(body["new"]["public"])
        if not endorses(body, origin=origin, suite=suite, kid=body["old"], public=current):
            raise _refuse(f"the rotation at seq {seq} is not endorsed by the log key it replaces (admins alone: "
                          "verify the ledger, then pin the new key by hand)")
        if not endorses(body, origin=origin, suite=suite, kid=body["new"]["kid"], public=following):
            raise _refuse(f"the rotation at seq {seq} is not endorsed by its new key")
        current = following
    try:
        verify_log_signature(new, origin, current, suite)
    except NoteError as e:
        rotated = "" if current == pinned else " (the key the ledger's rotations lead to from the pinned one)"
        raise _refuse(f"{e}{rotated}") from None
    return current


def cosign_checkpoint(note: str, signer: Signer, state: Path, *, proofs: ProofSource, rotations: RotationSource,
                      log_vkey: str | None = None, name: str | None = None, now: int | None = None) -> Checkpoint:
    state.mkdir(parents=True, exist_ok=True)
    vkey_path, last_path = state / "log.vkey", state / "checkpoint"
    if vkey_path.exists():
        pinned = vkey_path.read_text(encoding="utf-8").strip()
        if log_vkey is not None and log_vkey.strip() != pinned:
            raise InputError(f"{vkey_path} pins another log key; this witness follows {pinned}")
    elif log_vkey is None:
        raise InputError(f"{state} has no pinned log key yet: give --log-vkey (from `fundledger keys vkey`)")
    else:
        pinned = log_vkey.strip()
    try:
        log_name, log_public, suite = parse_verifier_key(pinned)
    except NoteError as e:
        raise InputError(f"log verifier key: {e}") from None
    if signer.suite is not suite:
        raise InputError(f"the witness key {signer.kid} is {signer.suite.alg}; the log's suite is {suite.name}: "
                         f"cosign with a {suite.alg} key enrolled as an auditor")

    try:
        new = parse_checkpoint(note)
        if new.origin != log_name:
            raise NoteError(f"the checkpoint's origin {new.origin!r} is not the pinned log {log_name!r}")
    except NoteError as e:
        raise IntegrityError(f"refused: {e}") from None
    old = parse_checkpoint(last_path.read_text(encoding="utf-8")) if last_path.exists() else None
    if old is not None and new.size < old.size:
        raise IntegrityError(f"refused: the checkpoint's tree size {new.size} is smaller than the {old.size} "
                             "this witness cosigned before: the log lost or rewrote entries")
    following = _follow_rotations(new, old, log_name, log_public, suite, rotations(new.size))
    if old is not None:
        try:
            verify_consistency(old.size, new.size, old.root, new.root,
                               proofs(old.size, new.size) if new.size > old.size else [], suite)
        except ProofError as e:
            raise IntegrityError(f"refused: tree size {new.size} is not consistent with the tree size {old.size} "
                                 f"this witness cosigned before ({e}): the log rewrote its history") from None

    cosigned = cosign(new, name or signer.kid, signer, int(time.time()) if now is None else now)
    if following != log_public:  # the rotations checked out: follow the new key from now on
        pinned = verifier_key(log_name, following, suite)
        _write_atomically(vkey_path, pinned + "\n")
    elif not vkey_path.exists():
        _write_atomically(vkey_path, pinned + "\n")
    _write_atomically(last_path, cosigned.text())
    return cosigned

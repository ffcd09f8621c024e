"""A witness: the audit bureau's key cosigns a checkpoint only after checking that it is
consistent with the last checkpoint this witness cosigned. Keeps its state in a directory:

  ``log.vkey``   the log's verifier key, pinned on first use (``--log-vkey``);
  ``checkpoint`` the last checkpoint cosigned (the note as written).

The consistency proof comes from the ledger's database, which the witness does not trust: the
proof is checked against the witness's own old root and the log-signed new root.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from ledger.errors import InputError, IntegrityError
from ledger.keys import Signer
from ledger.merkle import ProofError, verify_consistency
from ledger.note import Checkpoint, NoteError, cosign, parse_checkpoint, parse_verifier_key, verify_log_signature

__all__ = ["cosign_checkpoint"]

ProofSource = Callable[[int, int], list[bytes]]


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def cosign_checkpoint(note: str, signer: Signer, state: Path, *, proofs: ProofSource, log_vkey: str | None = None,
                      name: str | None = None, now: int | None = None) -> Checkpoint:
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
        verify_log_signature(new, log_name, log_public, suite)
    except NoteError as e:
        raise IntegrityError(f"refused: {e}") from None

    if last_path.exists():
        old = parse_checkpoint(last_path.read_text(encoding="utf-8"))
        if new.size < old.size:
            raise IntegrityError(f"refused: the checkpoint's tree size {new.size} is smaller than the {old.size} "
                                 "this witness cosigned before: the log lost or rewrote entries")
        try:
            verify_consistency(old.size, new.size, old.root, new.root,
                               proofs(old.size, new.size) if new.size > old.size else [], suite)
        except ProofError as e:
            raise IntegrityError(f"refused: tree size {new.size} is not consistent with the tree size {old.size} "
                                 f"this witness cosigned before ({e}): the log rewrote its history") from None

    cosigned = cosign(new, name or signer.kid, signer, int(time.time()) if now is None else now)
    if not vkey_path.exists():
        _write_atomically(vkey_path, pinned + "\n")
    _write_atomically(last_path, cosigned.text())
    return cosigned

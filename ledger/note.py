"""C2SP signed notes: checkpoints (tlog-checkpoint), log signatures (signed-note) and witness
cosignatures (tlog-cosignature v1), in the ledger's suite (``ledger/suites.py``). Pure: no database.

A checkpoint note::

    <origin>\\n<tree size>\\n<base64 root hash>\\n
    \\n
    — <key name> base64(key id || signature)\\n

The log's key name is the ledger's origin. Key ids are the first 4 bytes of
SHA-256(name || "\\n" || type || public key) (the signed-note spec's key id, an identifier, not a
security function: SHA-256 in both suites), where type is the suite's signature type: for
Ed25519, 0x01 for a signature over the note body and 0x04 for a cosignature; for SM2, 0xff
followed by ``fundledger.org/sm2-sm3`` or ``fundledger.org/cosignature-sm2-sm3`` (the
signed-note provision for types it does not assign). A cosignature's signature is over
``"cosignature/v1\\ntime <t>\\n" || body`` and is preceded by the 8-byte big-endian time.
An auditor pins the log's public key as a verifier key string:
``<name>+<key id hex>+<base64(type || public key)>``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass

from ledger.keys import Signer
from ledger.suites import SUITES, Suite

__all__ = [
    "Checkpoint",
    "NoteError",
    "Signature",
    "checkpoint_body",
    "cosign",
    "cosigner_key_id",
    "log_key_id",
    "parse_checkpoint",
    "parse_verifier_key",
    "sign_note",
    "verifier_key",
    "verify_cosignature",
    "verify_log_signature",
]

DASH = "\u2014"
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_LARGEST_SIZE = 2**63 - 1  # entries.seq is a BIGINT


class NoteError(ValueError):
    """A note or key string that is malformed or does not verify."""


def _key_id(name: str, kind: bytes, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + kind + public).digest()[:4]


def log_key_id(name: str, public: bytes, suite: Suite) -> bytes:
    return _key_id(name, suite.note_type, public)


def cosigner_key_id(name: str, public: bytes, suite: Suite) -> bytes:
    return _key_id(name, suite.cosignature_type, public)


def verifier_key(name: str, public: bytes, suite: Suite) -> str:
    key = base64.b64encode(suite.note_type + public).decode()
    return f"{name}+{log_key_id(name, public, suite).hex()}+{key}"


def parse_verifier_key(text: str) -> tuple[str, bytes, Suite]:
    """(name, public key, suite) of a verifier key string."""
    parts = text.strip().split("+", 2)  # names hold no '+'; base64 may
    if len(parts) != 3:
        raise NoteError("a verifier key is NAME+KEYID+BASE64")
    name, kid, key = parts
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:
        raise NoteError("the verifier key's key is not base64") from None
    for suite in SUITES.values():
        if raw.startswith(suite.note_type) and len(raw) == len(suite.note_type) + suite.public_size:
            public = raw[len(suite.note_type):]
            break
    else:
        raise NoteError("the verifier key is neither an Ed25519 signed-note key nor a fundledger SM2 one")
    if log_key_id(name, public, suite).hex() != kid:
        raise NoteError("the verifier key's key id does not match its name and key")
    return name, public, suite


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_id: bytes
    data: bytes  # the signature bytes after the key id (a cosignature: 8-byte time, then 64 bytes)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A parsed checkpoint note: body (the signed text), origin, size, root, signature lines."""

    body: str
    origin: str
    size: int
    root: bytes
    signatures: tuple[Signature, ...]

    def text(self) -> str:
        lines = "".join(f"{DASH} {s.name} {base64.b64encode(s.key_id + s.data).decode()}\n" for s in self.signatures)
        return f"{self.body}\n{lines}"


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def sign_note(body: str, name: str, signer: Signer) -> str:
    sig = signer.sign(body.encode())
    key_id = log_key_id(name, signer.public.raw, signer.suite)
    return f"{body}\n{DASH} {name} {base64.b64encode(key_id + sig).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    if "\n\n" not in text:
        raise NoteError("not a signed note: no blank line before the signatures")
    body, sig_text = text.split("\n\n", 1)
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise NoteError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text = lines[:3]
    if not _DECIMAL.fullmatch(size_text):  # ASCII digits only ('²'.isdigit() is true), no leading zero
        raise NoteError(f"tree size {size_text!r} is not a decimal number")
    if int(size_text) > _LARGEST_SIZE:
        raise NoteError(f"tree size {size_text} is larger than any ledger's (seq is a 64-bit integer)")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError:
        raise NoteError("the root hash is not base64") from None
    if len(root) != 32:
        raise NoteError("the root hash is not 32 bytes")
    if not sig_text.endswith("\n"):
        raise NoteError("the signature lines must end with a newline")
    signatures = []
    for line in sig_text[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError:
            raise NoteError(f"signature of {parts[1]} is not base64") from None
        if len(raw) < 5:
            raise NoteError(f"signature of {parts[1]} is too short")
        signatures.append(Signature(name=parts[1], key_id=raw[:4], data=raw[4:]))
    if not signatures:
        raise NoteError("the note has no signature")
    return Checkpoint(body=body, origin=origin, size=int(size_text), root=root, signatures=tuple(signatures))


def verify_log_signature(cp: Checkpoint, name: str, public: bytes, suite: Suite) -> None:
    """The log's signature: a line with the log's name and key id whose signature verifies."""
    key_id = log_key_id(name, public, suite)
    for s in cp.signatures:
        if s.name == name and s.key_id == key_id:
            if suite.verify(public, s.data, cp.body.encode()):
                return
            raise NoteError(f"the signature of {name} on the checkpoint does not verify")
    raise NoteError(f"the checkpoint has no signature by the log key {name}+{key_id.hex()}")


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(cp: Checkpoint, name: str, signer: Signer, timestamp: int) -> Checkpoint:
    sig = signer.sign(_cosigned_message(cp.body, timestamp))
    line = Signature(name=name, key_id=cosigner_key_id(name, signer.public.raw, signer.suite),
                     data=struct.pack(">Q", timestamp) + sig)
    kept = tuple(s for s in cp.signatures if not (s.name == name and s.key_id == line.key_id))
    return Checkpoint(body=cp.body, origin=cp.origin, size=cp.size, root=cp.root, signatures=(*kept, line))


def verify_cosignature(cp: Checkpoint, s: Signature, public: bytes, suite: Suite) -> int:
    """Verify one cosignature line against a cosigner key; return its time or raise NoteError."""
    if s.key_id != cosigner_key_id(s.name, public, suite) or len(s.data) != 8 + 64:
        raise NoteError(f"the cosignature of {s.name} is not by this key")
    (timestamp,) = struct.unpack(">Q", s.data[:8])
    if not suite.verify(public, s.data[8:], _cosigned_message(cp.body, timestamp)):
        raise NoteError(f"the cosignature of {s.name} does not verify")
    return timestamp

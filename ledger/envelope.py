"""The entry envelope (format version 1) and the posting signature.

An entry's canonical bytes are the RFC 8785 encoding of::

    {"at": UTC, "body": {...}, "idem": KEY, "kind": KIND, "ledger": ID,
     "posting": {"contracts": C, "i": I, "id": P, "key": KID, "n": N[, "sig": B64]},
     "prev": HEX, "seq": N, "v": 1}

(keys shown in their canonical order). ``docs/format.md`` specifies every field byte for byte.
``contracts`` is the version of the contracts that checked the posting (``ledger/interface.py``);
the genesis, which no contract checks, has none.

A posting is the ``n`` consecutive entries ``i = 0 .. n-1`` that one poster submitted at once. The
last one (``i = n-1``) carries the signature ``sig`` (the ledger's suite: Ed25519 or SM2) over::

    b"fundledger/posting/v1\\n" || leaf_hash(canonical(last envelope without "sig"))

where ``leaf_hash`` is the suite's entry hash (SHA-256 or SM3 of 0x00 || bytes).

That envelope's ``prev`` chains every earlier entry, those of the same posting included, so one
signature commits the poster to their whole posting at its place in the history: verification
costs one signature per posting and one hash per entry.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ledger.canonical import canonical
from ledger.suites import Suite

__all__ = [
    "AT_FORMAT",
    "FORMAT_VERSION",
    "ZERO_HASH",
    "SIG_CONTEXT",
    "Sealed",
    "seal_posting",
    "posting_message",
    "utc_now",
]

FORMAT_VERSION = 1
ZERO_HASH = bytes(32)
SIG_CONTEXT = b"fundledger/posting/v1\n"
AT_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")  # what utc_now gives


def utc_now() -> str:
    """The envelope's ``at``: UTC, microseconds, ``Z``: ``2026-11-21T23:54:38.123456Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def posting_message(last_envelope: dict[str, Any], suite: Suite) -> bytes:
    """The bytes the poster signs, from the posting's last envelope (its ``sig`` ignored)."""
    posting = {k: v for k, v in last_envelope["posting"].items() if k != "sig"}
    unsigned = {**last_envelope, "posting": posting}
    return SIG_CONTEXT + suite.leaf_hash(canonical(unsigned))


@dataclass(frozen=True, slots=True)
class Sealed:
    """One entry ready to insert.

    Attributes:
      seq, prev, hash: position and chain (``hash`` is the leaf hash of ``data``).
      envelope: the envelope as a dict (as the bytes say).
      data: the canonical bytes: the truth that is stored.
    """

    seq: int
    prev: bytes
    hash: bytes
    envelope: dict[str, Any]
    data: bytes


def seal_posting(
    *,
    ledger: str,
    first_seq: int,
    prev: bytes,
    posting_id: int,
    at: str,
    signer: Any,
    items: list[tuple[str, str, dict[str, Any]]],
    contracts: int | None,
    suite: Suite,
) -> list[Sealed]:
    """Build, chain and sign the entries of one posting. ``items`` are (kind, idem, body);
    ``contracts`` is the version of the contracts that checked them (None only for the genesis);
    ``suite`` the ledger's, whose algorithm the signer's key must be."""
    if signer.suite is not suite:
        raise ValueError(f"a {signer.suite.alg} key cannot sign in a {suite.name} ledger")
    n = len(items)
    leaf_hash = suite.leaf_hash
    out: list[Sealed] = []
    for i, (kind, idem, body) in enumerate(items):
        envelope: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "ledger": ledger,
            "seq": first_seq + i,
            "prev": prev.hex(),
            "kind": kind,
            "at": at,
            "posting": {"id": posting_id, "i": i, "n": n, "key": signer.kid},
            "idem": idem,
            "body": body,
        }
        if contracts is not None:
            envelope["posting"]["contracts"] = contracts
        if i == n - 1:
            sig = signer.sign(posting_message(envelope, suite))
            envelope["posting"]["sig"] = base64.b64encode(sig).decode("ascii")
        data = canonical(envelope)
        h = leaf_hash(data)
        out.append(Sealed(seq=first_seq + i, prev=prev, hash=h, envelope=envelope, data=data))
        prev = h
    return out

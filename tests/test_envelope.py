"""The entry envelope and posting signature, pinned byte for byte (docs/format.md, "Vectors").

The signing key is derived from the fixed seed 00 01 02 … 1f; Ed25519 signatures are
deterministic, so the signature bytes are pinned too.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.envelope import SIG_CONTEXT, posting_message, seal_posting
from ledger.keys import PublicKey, Signer, verify_signature

SEED = bytes(range(32))
PUBLIC_B64 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
KID = "ed25519:56475aa75463474c0285df5dbf2bcab7"

ENTRY_7 = (
    '{"at":"2023-08-16T02:00:00.000000Z",'  # UTC, microseconds, Z
    '"body":{"refs":[0,5],"text":"核减26家重复支持单位，涉及金额1470万元"},'  # body keys sorted too
    '"idem":"note-联审-1",'  # the poster's idempotency key
    '"kind":"audit.note",'
    '"ledger":"test.example/vectors",'  # the origin pinned by the genesis
    '"posting":{"contracts":1,"i":0,"id":3,"key":"' + KID + '","n":2},'  # contracts v1; entry 0 of 2 in posting 3: no sig
    '"prev":"' + "11" * 32 + '",'  # hash of seq 6
    '"seq":7,"v":1}'
).encode()
HASH_7 = "3c2978b40f47ce51ee79ad5a39b21998dd4d0b19f9396d47b4917ddc9edecf98"
SIG_8 = "SXY1CXSEAP94jhvOdsENPPW0fDU9QtYnQWbJIkgC28CEHAUW39qc+AqpcBiAM2Cku2F/pEqWIc0zasbdIyFhBg=="
ENTRY_8 = (
    '{"at":"2023-08-16T02:00:00.000000Z",'
    '"body":{"text":"tab\\there \\"quoted\\" \\\\ back"},'  # JSON escapes: \t \" \\
    '"idem":"note-2","kind":"audit.note","ledger":"test.example/vectors",'
    '"posting":{"contracts":1,"i":1,"id":3,"key":"' + KID + '","n":2,"sig":"' + SIG_8 + '"},'  # last entry: sig
    '"prev":"' + HASH_7 + '",'  # chained to seq 7
    '"seq":8,"v":1}'
).encode()
HASH_8 = "979b449f322d510d3049ec5f67cfc7e614ddf234467bf7806b3487a8e7a13f14"


def _signer() -> Signer:
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Signer(public=PublicKey.from_raw(raw), _private=private)


def _seal():
    return seal_posting(
        ledger="test.example/vectors", first_seq=7, prev=bytes.fromhex("11" * 32), posting_id=3,
        at="2023-08-16T02:00:00.000000Z", signer=_signer(),
        items=[("audit.note", "note-联审-1", {"text": "核减26家重复支持单位，涉及金额1470万元", "refs": [0, 5]}),
               ("audit.note", "note-2", {"text": 'tab\there "quoted" \\ back'})], contracts=1,
    )


def test_key_id_vector():
    signer = _signer()
    assert signer.public.b64 == PUBLIC_B64
    assert signer.kid == KID == "ed25519:" + hashlib.sha256(signer.public.raw).hexdigest()[:32]


def test_envelope_vectors():
    first, second = _seal()
    assert first.data == ENTRY_7
    assert first.hash.hex() == HASH_7 == hashlib.sha256(b"\x00" + ENTRY_7).hexdigest()
    assert second.data == ENTRY_8
    assert second.hash.hex() == HASH_8 == hashlib.sha256(b"\x00" + ENTRY_8).hexdigest()


def test_signature_covers_the_unsigned_last_envelope():
    _, second = _seal()
    unsigned = ENTRY_8.replace(b',"sig":"' + SIG_8.encode() + b'"', b"")
    message = SIG_CONTEXT + hashlib.sha256(b"\x00" + unsigned).digest()
    assert posting_message(second.envelope) == message
    assert verify_signature(base64.b64decode(PUBLIC_B64), base64.b64decode(SIG_8), message)
    # any change to the chain before it breaks the signature
    tampered = unsigned.replace(HASH_7.encode(), b"00" * 32)
    assert not verify_signature(base64.b64decode(PUBLIC_B64), base64.b64decode(SIG_8),
                                SIG_CONTEXT + hashlib.sha256(b"\x00" + tampered).digest())

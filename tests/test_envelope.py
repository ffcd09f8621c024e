"""The entry envelope and posting signature, pinned byte for byte (docs/format.md, "Vectors"), in
both suites.

ed25519-sha256: the signing key is derived from the fixed seed 00 01 02 … 1f; Ed25519 signatures
are deterministic, so the signature bytes are pinned too. sm2-sm3: the private key is the scalar
01 02 … 20; an SM2 signature is randomised, so the vector pins one signature that must verify
(here and in the independent SM2 of ``gmssl``) and the entry bytes and SM3 hashes around it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.envelope import SIG_CONTEXT, posting_message, seal_posting
from ledger.keys import PublicKey, Signer
from ledger.suites import ED25519_SHA256, SM2_SM3

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


def _seal(signer: Signer | None = None):
    return seal_posting(
        ledger="test.example/vectors", first_seq=7, prev=bytes.fromhex("11" * 32), posting_id=3,
        at="2023-08-16T02:00:00.000000Z", signer=signer or _signer(),
        items=[("audit.note", "note-联审-1", {"text": "核减26家重复支持单位，涉及金额1470万元", "refs": [0, 5]}),
               ("audit.note", "note-2", {"text": 'tab\there "quoted" \\ back'})], contracts=1,
        suite=(signer or _signer()).suite,
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
    assert posting_message(second.envelope, ED25519_SHA256) == message
    assert ED25519_SHA256.verify(base64.b64decode(PUBLIC_B64), base64.b64decode(SIG_8), message)
    # any change to the chain before it breaks the signature
    tampered = unsigned.replace(HASH_7.encode(), b"00" * 32)
    assert not ED25519_SHA256.verify(base64.b64decode(PUBLIC_B64), base64.b64decode(SIG_8),
                                     SIG_CONTEXT + hashlib.sha256(b"\x00" + tampered).digest())


# -- sm2-sm3 --------------------------------------------------------------------------------
SM_SCALAR = int.from_bytes(bytes(range(1, 33)), "big")
SM_PUBLIC_B64 = "BEbRCG9uXJOER/BSgNtwfCeae0WcOPGeTZowrS2t+fKK9F/B3Fs3dza1fpfn4FY8zKJMl/RA4dE35ZQdhNLrQ8k="
SM_KID = "sm2:281287d6976785422c66634d0fb0c884"
SM_ENTRY_7 = ENTRY_7.replace(KID.encode(), SM_KID.encode())
SM_HASH_7 = "06398e498dd3b72271ccf4bc0f4c3fcee5d3b590a9b019088bd92873581461bf"
SM_SIG_8 = "XbLIp/0ExhU94dgHCQXszHwsNU0i2iBrxXJBR+y+eqJtJJQrWc3W2UNqkBoAq1AVqD+7zaHXOcYLazxnDXqNaA=="
SM_ENTRY_8 = ENTRY_8.replace(KID.encode(), SM_KID.encode()).replace(SIG_8.encode(), SM_SIG_8.encode()) \
    .replace(HASH_7.encode(), SM_HASH_7.encode())
SM_HASH_8 = "f168153a41117a43065306deb1647843b9110c9b192621800e835d75c2dc8eae"


def _sm_signer() -> Signer:
    from tongsuopy.crypto.asymciphers import ec

    private = ec.derive_private_key(SM_SCALAR, ec.SM2())
    return Signer(public=PublicKey.from_raw(SM2_SM3.public_of(private), "sm2"), _private=private)


def _sm3(data: bytes) -> str:
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def test_sm_key_id_vector():
    signer = _sm_signer()
    assert signer.public.b64 == SM_PUBLIC_B64 and len(signer.public.raw) == 65 and signer.public.raw[0] == 4
    assert signer.kid == SM_KID == "sm2:" + _sm3(signer.public.raw)[:32]


def test_sm_envelope_vectors():
    """The first entry is pinned whole; the second up to its (randomised) signature, which verifies."""
    first, second = _seal(_sm_signer())
    assert first.data == SM_ENTRY_7
    assert first.hash.hex() == SM_HASH_7 == _sm3(b"\x00" + SM_ENTRY_7)
    sig = second.envelope["posting"]["sig"]
    assert second.data == SM_ENTRY_8.replace(SM_SIG_8.encode(), sig.encode())
    assert SM2_SM3.verify(_sm_signer().public.raw, base64.b64decode(sig), posting_message(second.envelope, SM2_SM3))
    assert _sm3(b"\x00" + SM_ENTRY_8) == SM_HASH_8


def test_sm_signature_vector_verifies_here_and_in_an_independent_sm2():
    """The pinned signature over the unsigned last envelope: Tongsuo and gmssl (pure Python, the
    standard's default user ID) both accept it, and both refuse it over a changed chain."""
    from gmssl import sm2

    unsigned = SM_ENTRY_8.replace(b',"sig":"' + SM_SIG_8.encode() + b'"', b"")
    message = SIG_CONTEXT + bytes.fromhex(_sm3(b"\x00" + unsigned))
    public, sig = base64.b64decode(SM_PUBLIC_B64), base64.b64decode(SM_SIG_8)
    tampered = SIG_CONTEXT + bytes.fromhex(_sm3(b"\x00" + unsigned.replace(SM_HASH_7.encode(), b"00" * 32)))
    assert SM2_SM3.verify(public, sig, message) and not SM2_SM3.verify(public, sig, tampered)
    other = sm2.CryptSM2(private_key=None, public_key=public[1:].hex())
    assert other.verify_with_sm3(sig.hex(), message) and not other.verify_with_sm3(sig.hex(), tampered)

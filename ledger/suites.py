"""Algorithm suites: the hash and the signature a ledger uses, pinned by its genesis.

``ed25519-sha256`` (the default): SHA-256 for entry hashes, the Merkle tree and file digests;
Ed25519 (RFC 8032) for every signature. ``sm2-sm3``: SM3 (GB/T 32905-2016) and SM2 signatures
(GB/T 32918.2-2016) over the recommended curve (GB/T 32918.5), with the standard's default user
ID ``1234567812345678`` in Z_A, for deployments that must pass the commercial-cryptography
assessment (GB/T 39786-2021). A ledger never mixes them: every key it enrolls is of its suite's
algorithm, and every hash, signature, checkpoint, cosignature and bundle manifest uses its suite.

Every path that hashes or signs takes the ledger's :class:`Suite`; nothing else in ``ledger/``
names an algorithm. Byte formats (``docs/format.md`` §11):

* entry hash = H(0x00 || canonical bytes); Merkle node = H(0x01 || left || right); empty tree = H("");
* key id = ``<alg>:`` + the first 16 bytes of H(raw public key), in hex;
* public keys: Ed25519 32 raw bytes; SM2 the 65-byte uncompressed point 0x04 || x || y; either a
  point of the prime-order group that a private key could make (``Suite.public_problem``);
* signatures: Ed25519 64 bytes; SM2 64 bytes r || s (each 32 bytes, big-endian), not DER, so
  both suites' signatures have one fixed size;
* signed-note signature types: Ed25519 0x01 and cosignature/v1 0x04 (C2SP); SM2 uses the
  signed-note provision for types it does not assign: 0xff followed by an identifier
  (``fundledger.org/sm2-sm3`` for log signatures, ``fundledger.org/cosignature-sm2-sm3`` for
  cosignatures).

SM2 comes from Tongsuo (``tongsuopy``, the OpenAtom Foundation's fork of OpenSSL with the Chinese
standards, Apache-2.0); SM3 and Ed25519 from ``cryptography`` (OpenSSL), Ed25519's verification
sped up by libsodium (PyNaCl) without changing its verdict (``_ed25519_verify``). Pure: no database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

__all__ = ["DEFAULT", "ED25519_SHA256", "SM2_SM3", "SUITES", "Suite", "suite_named", "suite_of_alg"]


class _SM3:
    """hashlib's interface over cryptography's SM3."""

    __slots__ = ("_h",)

    def __init__(self, data: bytes = b"") -> None:
        self._h = hashes.Hash(hashes.SM3())
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


def _sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# the entry and node hashes, once per entry in verify: one call each, nothing in between
def _sha256_leaf(data: bytes, _new: Callable[[bytes], Any] = hashlib.sha256) -> bytes:
    return _new(b"\x00" + data).digest()


def _sha256_node(left: bytes, right: bytes, _new: Callable[[bytes], Any] = hashlib.sha256) -> bytes:
    return _new(b"\x01" + left + right).digest()


def _sm3_leaf(data: bytes) -> bytes:
    return _sm3(b"\x00" + data)


def _sm3_node(left: bytes, right: bytes) -> bytes:
    return _sm3(b"\x01" + left + right)


# -- Ed25519 ---------------------------------------------------------------------------------
def _ed25519_generate() -> Any:
    return Ed25519PrivateKey.generate()


def _ed25519_public(private: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _ed25519_sign(private: Any, message: bytes) -> bytes:
    return private.sign(message)


def _ed25519_verify(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    """``cryptography``'s verdict (OpenSSL's), found in half the time: libsodium checks first, and
    only a signature it refuses is decided by ``cryptography``.

    libsodium accepts a subset of what OpenSSL accepts: both refuse S ≥ L and test the same
    cofactorless equation by comparing the encoding of [S]B − [k]A with R's bytes, and libsodium
    also refuses small-order and non-canonical keys and small-order R, which OpenSSL accepts
    (Chalkias et al., "Taming the many EdDSAs", 2020). So what libsodium accepts, OpenSSL accepts;
    ``tests/test_suites.py`` holds the two verdicts equal over such keys and signatures. An honest
    signature is verified once (65–90 µs here, against OpenSSL's 125–166); a refused one twice.
    ``crypto_sign_open`` takes signature and message as one string, so the signature's length is
    checked first: a short one would borrow the message's first bytes."""
    if len(signature) == 64 and _sodium_accepts(public_raw, signature, message):
        return True
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _sodium_accepts(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    crypto_sign_open, refused = _sodium()
    try:
        crypto_sign_open(signature + message, public_raw)
    except refused:
        return False
    return True


@lru_cache(maxsize=1)
def _sodium() -> tuple[Callable[[bytes, bytes], bytes], type[Exception]]:
    """PyNaCl's libsodium, loaded when a signature is first verified (≈ 30 ms; a posting signs,
    and loads it only to check a key it carries: ``_ed25519_public_problem``)."""
    from nacl.bindings import crypto_sign_open
    from nacl.exceptions import CryptoError

    return crypto_sign_open, CryptoError


def _ed25519_public_problem(public_raw: bytes) -> str | None:
    """Why these 32 bytes are no honest Ed25519 public key, or None: a key must be the canonical
    encoding (RFC 8032 §5.1.3) of a point of the prime-order subgroup other than the identity, as
    every key made from a private key is. A small-order key (the identity, y = −1, the points of
    order 4 and 8) accepts, under OpenSSL's verification, a signature with S = 0 on almost any
    message: anyone could sign for it. A mixed-order key verifies differently in different
    implementations. libsodium's ``crypto_core_ed25519_is_valid_point`` decides, loaded (≈ 30 ms)
    by the first key a process checks: a posting of notes or of the money never loads it."""
    from nacl.bindings import crypto_core_ed25519_is_valid_point

    if crypto_core_ed25519_is_valid_point(public_raw):
        return None
    return ("a small-order or mixed-order point, a non-canonical encoding, or no point of the curve: not of the "
            "prime-order subgroup, so no private key makes it")


# -- SM2 -------------------------------------------------------------------------------------
def _tongsuo() -> tuple[Any, Any, Any]:
    from tongsuopy.crypto import hashes as sm_hashes
    from tongsuopy.crypto import serialization as sm_serialization
    from tongsuopy.crypto.asymciphers import ec

    return ec, sm_hashes, sm_serialization


def _sm2_generate() -> Any:
    ec, _, _ = _tongsuo()
    return ec.generate_private_key(ec.SM2())


def _sm2_public(private: Any) -> bytes:
    _, _, ser = _tongsuo()
    return private.public_key().public_bytes(ser.Encoding.X962, ser.PublicFormat.UncompressedPoint)


def _sm2_sign(private: Any, message: bytes) -> bytes:
    ec, sm_hashes, _ = _tongsuo()
    r, s = decode_dss_signature(private.sign(message, ec.ECDSA(sm_hashes.SM3())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@lru_cache(maxsize=256)
def _sm2_public_key(public_raw: bytes) -> Any:
    ec, _, _ = _tongsuo()
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), public_raw)


def _sm2_public_problem(public_raw: bytes) -> str | None:
    """Why these 65 bytes are no SM2 public key, or None: a key is the uncompressed encoding
    0x04 || x || y of a point of the curve (GB/T 32918.5), x and y below its prime: what Tongsuo
    loads (it refuses other prefixes, off-curve points and coordinates not below the prime). The
    curve's cofactor is 1, so every such point is of the prime-order group; the point at infinity
    has no such encoding."""
    try:
        _sm2_public_key(bytes(public_raw))
    except ValueError:
        return "not a point of the curve in its uncompressed encoding 0x04 || x || y: no private key makes it"
    return None


def _sm2_verify(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    from tongsuopy.crypto.exceptions import InvalidSignature as SMInvalidSignature

    ec, sm_hashes, _ = _tongsuo()
    if len(signature) != 64 or len(public_raw) != 65 or public_raw[0] != 4:
        return False
    try:
        key = _sm2_public_key(bytes(public_raw))
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        key.verify(der, message, ec.ECDSA(sm_hashes.SM3()))
    except (SMInvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Suite:
    """One algorithm suite.

    Attributes:
      name: the suite's name in the genesis (``sm2-sm3``).
      alg: the key algorithm, the prefix of key ids (``sm2``).
      hash_name: the hash's name for people (``SM3``).
      public_size: bytes of a raw public key.
      note_type: the signed-note signature type bytes of a log signature (key ids, verifier keys).
      cosignature_type: the same for a witness cosignature.
      new_hash: a new hashlib-style hash object.
      leaf_hash: the entry hash, RFC 9162's leaf hash H(0x00 || canonical bytes).
      node_hash: a Merkle node, H(0x01 || left || right).
    """

    name: str
    alg: str
    hash_name: str
    public_size: int
    note_type: bytes
    cosignature_type: bytes
    new_hash: Callable[[], Any]
    digest: Callable[[bytes], bytes]
    _generate: Callable[[], Any]
    _public: Callable[[Any], bytes]
    _sign: Callable[[Any, bytes], bytes]
    verify: Callable[[bytes, bytes, bytes], bool]
    """``verify(public_raw, signature, message) -> bool``."""
    public_problem: Callable[[bytes], str | None]
    """``public_problem(public_raw)``: why a raw public key of the right size is none a private key
    of this algorithm makes (under which a signature could be forged), or None."""
    leaf_hash: Callable[[bytes], bytes]
    node_hash: Callable[[bytes, bytes], bytes]

    @property
    def empty_root(self) -> bytes:
        return self.digest(b"")

    def key_id(self, public_raw: bytes) -> str:
        return f"{self.alg}:{self.digest(public_raw).hex()[:32]}"

    def generate(self) -> Any:
        """A new private key object of this suite's algorithm."""
        return self._generate()

    def public_of(self, private: Any) -> bytes:
        return self._public(private)

    def sign(self, private: Any, message: bytes) -> bytes:
        return self._sign(private, message)


ED25519_SHA256 = Suite(name="ed25519-sha256", alg="ed25519", hash_name="SHA-256", public_size=32,
                       note_type=b"\x01", cosignature_type=b"\x04", new_hash=hashlib.sha256, digest=_sha256,
                       _generate=_ed25519_generate, _public=_ed25519_public, _sign=_ed25519_sign,
                       verify=_ed25519_verify, public_problem=_ed25519_public_problem, leaf_hash=_sha256_leaf,
                       node_hash=_sha256_node)
SM2_SM3 = Suite(name="sm2-sm3", alg="sm2", hash_name="SM3", public_size=65,
                note_type=b"\xff" + b"fundledger.org/sm2-sm3",
                cosignature_type=b"\xff" + b"fundledger.org/cosignature-sm2-sm3", new_hash=_SM3, digest=_sm3,
                _generate=_sm2_generate, _public=_sm2_public, _sign=_sm2_sign, verify=_sm2_verify,
                public_problem=_sm2_public_problem, leaf_hash=_sm3_leaf, node_hash=_sm3_node)
SUITES = {s.name: s for s in (ED25519_SHA256, SM2_SM3)}
DEFAULT = ED25519_SHA256


def suite_named(name: str) -> Suite:
    try:
        return SUITES[name]
    except KeyError:
        raise ValueError(f"unknown suite {name!r}; one of {', '.join(SUITES)}") from None


def suite_of_alg(alg: str) -> Suite:
    for s in SUITES.values():
        if s.alg == alg:
            return s
    raise ValueError(f"unknown key algorithm {alg!r}; one of {', '.join(s.alg for s in SUITES.values())}")

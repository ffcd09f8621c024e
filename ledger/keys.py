"""Ed25519 keys: files, key ids, signing and verifying.

Key files:
  * private key: PEM, PKCS#8, unencrypted, created with mode 0600 (never overwritten);
  * public key: PEM SubjectPublicKeyInfo beside it as ``PATH.pub``.

A key id names its algorithm: ``ed25519:`` followed by the first 16 bytes (32 hex digits) of
SHA-256 over the raw 32-byte public key. Another algorithm (SM2, say) would get its own prefix,
so the format needs no break to add one. Key material is never logged or printed; only key ids.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import EnvironmentProblem, InputError

__all__ = [
    "ALG",
    "Signer",
    "PublicKey",
    "key_id",
    "load_private",
    "load_public",
    "verify_signature",
    "write_new_key",
]

ALG = "ed25519"


def key_id(public_raw: bytes) -> str:
    return f"{ALG}:{hashlib.sha256(public_raw).hexdigest()[:32]}"


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key as the ledger records it.

    Attributes:
      kid: key id (``ed25519:…``).
      raw: the raw 32-byte public key.
    """

    kid: str
    raw: bytes

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def as_body(self) -> dict[str, str]:
        return {"alg": ALG, "kid": self.kid, "public": self.b64}

    @classmethod
    def from_raw(cls, raw: bytes) -> "PublicKey":
        if len(raw) != 32:
            raise InputError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
        return cls(kid=key_id(raw), raw=raw)

    @classmethod
    def from_b64(cls, text: str) -> "PublicKey":
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raise InputError("public key is not valid base64") from None
        return cls.from_raw(raw)


@dataclass(frozen=True, slots=True)
class Signer:
    """A private key loaded for signing postings or checkpoints. Never printed."""

    public: PublicKey
    _private: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return self.public.kid

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:  # keep key material out of logs and tracebacks
        return f"Signer({self.kid})"


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def write_new_key(path: Path) -> PublicKey:
    """Create a new Ed25519 key at ``path`` (0600) and its public key at ``path.pub``."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pub_path = Path(f"{path}.pub")
    for p in (path, pub_path):
        if p.exists():
            raise InputError(f"{p} already exists; a key file is never overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    os.chmod(path, 0o600)  # whatever the umask said
    pub_path.write_bytes(pub_pem)
    return PublicKey.from_raw(_raw_public(private))


def load_private(path: str | os.PathLike[str]) -> Signer:
    """Load a private key file; refuse one that others can read. Errors exit 5."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
        data = p.read_bytes()
    except OSError as e:
        raise EnvironmentProblem(f"key file {p} cannot be read: {e.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise EnvironmentProblem(
            f"key file {p} is accessible by group or others (mode {stat.S_IMODE(mode):04o}); run chmod 600 {p}"
        )
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise EnvironmentProblem(f"key file {p} is not an unencrypted PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise EnvironmentProblem(f"key file {p} is not an Ed25519 key")
    return Signer(public=PublicKey.from_raw(_raw_public(private)), _private=private)


def load_public(path: str | os.PathLike[str]) -> PublicKey:
    """Load a public key file (PEM SubjectPublicKeyInfo, or a private key file's public half)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise EnvironmentProblem(f"public key file {p} cannot be read: {e.strerror}") from None
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise InputError(f"{p} is not a PEM public key (give the .pub file)") from None
    if not isinstance(public, Ed25519PublicKey):
        raise InputError(f"{p} is not an Ed25519 public key")
    return PublicKey.from_raw(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def verify_signature(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True

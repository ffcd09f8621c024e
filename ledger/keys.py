"""Keys: files, key ids, signing. The algorithms are the suites' (``ledger/suites.py``).

Key files:
  * private key: PEM, PKCS#8, unencrypted, created with mode 0600 (never overwritten);
  * public key: PEM SubjectPublicKeyInfo beside it as ``PATH.pub``.

A key is Ed25519 or SM2 (its file says which). A key id names its algorithm: ``ed25519:`` or
``sm2:`` followed by the first 16 bytes (32 hex digits) of the suite's hash (SHA-256, SM3) over the
raw public key. Key material is never logged or printed; only key ids.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import EnvironmentProblem, InputError
from ledger.suites import DEFAULT, ED25519_SHA256, SM2_SM3, Suite, suite_of_alg

__all__ = ["PublicKey", "Signer", "load_private", "load_public", "write_new_key"]


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key as the ledger records it.

    Attributes:
      kid: key id (``ed25519:…``, ``sm2:…``).
      raw: the raw public key (Ed25519 32 bytes, SM2 the 65-byte uncompressed point).
      alg: ``ed25519`` or ``sm2``.
    """

    kid: str
    raw: bytes
    alg: str = DEFAULT.alg

    @property
    def suite(self) -> Suite:
        return suite_of_alg(self.alg)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def as_body(self) -> dict[str, str]:
        return {"alg": self.alg, "kid": self.kid, "public": self.b64}

    @classmethod
    def from_raw(cls, raw: bytes, alg: str = DEFAULT.alg) -> "PublicKey":
        suite = suite_of_alg(alg)
        if len(raw) != suite.public_size:
            raise InputError(f"an {alg} public key has {suite.public_size} bytes, not {len(raw)}")
        return cls(kid=suite.key_id(raw), raw=raw, alg=alg)

    @classmethod
    def from_b64(cls, text: str, alg: str = DEFAULT.alg) -> "PublicKey":
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            raise InputError("public key is not valid base64") from None
        return cls.from_raw(raw, alg)


@dataclass(frozen=True, slots=True)
class Signer:
    """A private key loaded for signing postings or checkpoints. Never printed."""

    public: PublicKey
    _private: Any

    @property
    def kid(self) -> str:
        return self.public.kid

    @property
    def suite(self) -> Suite:
        return self.public.suite

    def sign(self, message: bytes) -> bytes:
        return self.suite.sign(self._private, message)

    def __repr__(self) -> str:  # keep key material out of logs and tracebacks
        return f"Signer({self.kid})"


def _pem(private: Any) -> tuple[bytes, bytes]:
    """(private PEM, public PEM) of a private key of either library."""
    if isinstance(private, Ed25519PrivateKey):
        encoding = serialization
    else:
        from tongsuopy.crypto import serialization as encoding  # SM2 keys are Tongsuo's objects
    pem = private.private_bytes(encoding.Encoding.PEM, encoding.PrivateFormat.PKCS8, encoding.NoEncryption())
    pub = private.public_key().public_bytes(encoding.Encoding.PEM, encoding.PublicFormat.SubjectPublicKeyInfo)
    return pem, pub


def write_new_key(path: Path, suite: Suite = DEFAULT) -> PublicKey:
    """Create a new key of ``suite``'s algorithm at ``path`` (0600) and its public key at ``path.pub``."""
    private = suite.generate()
    pem, pub_pem = _pem(private)
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
    return PublicKey.from_raw(suite.public_of(private), suite.alg)


def _is_sm2(key: Any) -> bool:
    return getattr(getattr(key, "curve", None), "name", None) == "SM2"


def _load_pem(data: bytes, private: bool) -> Any:
    """An Ed25519 key (cryptography) or an SM2 key (Tongsuo), else None."""
    load = serialization.load_pem_private_key if private else serialization.load_pem_public_key
    try:
        key = load(data, password=None) if private else load(data)
    except UnsupportedAlgorithm:
        key = None  # an SM2 key: cryptography does not know the curve
    except (ValueError, TypeError):
        return None
    if isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
        return key
    from tongsuopy.crypto import serialization as sm_serialization
    from tongsuopy.crypto.exceptions import UnsupportedAlgorithm as SMUnsupported

    try:
        key = sm_serialization.load_pem_private_key(data, password=None) if private \
            else sm_serialization.load_pem_public_key(data)
    except (SMUnsupported, ValueError, TypeError):
        return None
    return key if _is_sm2(key) else None


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
    private = _load_pem(data, private=True)
    if private is None:
        raise EnvironmentProblem(f"key file {p} is not an unencrypted PEM private key of Ed25519 or SM2")
    suite = ED25519_SHA256 if isinstance(private, Ed25519PrivateKey) else SM2_SM3
    return Signer(public=PublicKey.from_raw(suite.public_of(private), suite.alg), _private=private)


def load_public(path: str | os.PathLike[str]) -> PublicKey:
    """Load a public key file (PEM SubjectPublicKeyInfo) of Ed25519 or SM2."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise EnvironmentProblem(f"public key file {p} cannot be read: {e.strerror}") from None
    public = _load_pem(data, private=False)
    if public is None:
        raise InputError(f"{p} is not a PEM public key of Ed25519 or SM2 (give the .pub file)")
    if isinstance(public, Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return PublicKey.from_raw(raw, ED25519_SHA256.alg)
    from tongsuopy.crypto import serialization as sm_serialization

    raw = public.public_bytes(sm_serialization.Encoding.X962, sm_serialization.PublicFormat.UncompressedPoint)
    return PublicKey.from_raw(raw, SM2_SM3.alg)

"""Key files: 0600, never overwritten, refused when others can read them; key ids."""

from __future__ import annotations

import os
import stat

import pytest

from ledger.errors import EnvironmentProblem, InputError
from ledger.keys import load_private, load_public, write_new_key


def test_new_key_is_0600_with_a_public_half(tmp_path):
    pub = write_new_key(tmp_path / "k" / "poster.key")
    assert stat.S_IMODE(os.stat(tmp_path / "k" / "poster.key").st_mode) == 0o600
    assert load_public(tmp_path / "k" / "poster.key.pub") == pub
    assert load_private(tmp_path / "k" / "poster.key").public == pub
    assert pub.kid.startswith("ed25519:") and len(pub.kid) == 8 + 32


def test_a_key_file_is_never_overwritten(tmp_path):
    write_new_key(tmp_path / "a.key")
    before = (tmp_path / "a.key").read_bytes()
    with pytest.raises(InputError, match="already exists"):
        write_new_key(tmp_path / "a.key")
    assert (tmp_path / "a.key").read_bytes() == before


def test_a_key_readable_by_others_is_refused(tmp_path):
    write_new_key(tmp_path / "a.key")
    os.chmod(tmp_path / "a.key", 0o644)
    with pytest.raises(EnvironmentProblem, match="chmod 600"):
        load_private(tmp_path / "a.key")


def test_unreadable_or_wrong_key_files(tmp_path):
    with pytest.raises(EnvironmentProblem, match="cannot be read"):
        load_private(tmp_path / "missing.key")
    (tmp_path / "junk.key").write_bytes(b"not a key")
    os.chmod(tmp_path / "junk.key", 0o600)
    with pytest.raises(EnvironmentProblem, match="not an unencrypted PEM"):
        load_private(tmp_path / "junk.key")
    with pytest.raises(InputError, match="not a PEM public key"):
        load_public(tmp_path / "junk.key")


def test_signer_repr_shows_no_key_material(tmp_path):
    write_new_key(tmp_path / "a.key")
    signer = load_private(tmp_path / "a.key")
    pem = (tmp_path / "a.key").read_text()
    assert repr(signer) == f"Signer({signer.kid})"
    assert pem.splitlines()[1] not in repr(signer)

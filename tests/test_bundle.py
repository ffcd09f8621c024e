"""The offline bundle: export, verify with no database, and any byte changed, removed or added."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.store import Item
from tests.support import BOTH_SUITES, make_keys

pytestmark = BOTH_SUITES  # each test on a ledger of each suite


@pytest.fixture
def bundle(env, tmp_path) -> Path:
    env.ledger.append(env.poster, [Item("audit.note", f"b{i}", {"text": f"审计 {i}"}) for i in range(300)])
    out = tmp_path / "bundle"
    result = env.run("export", "--out", str(out), "--key", env.key_path("log"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tree_size"] == env.ledger.head().size - 1  # the checkpoint record follows
    return out


def _verify(env, directory: Path, *extra: str):
    return env.run("verify", "--bundle", str(directory), *extra)


def test_a_fresh_bundle_verifies(env, bundle):
    assert sorted(p.name for p in bundle.iterdir()) == ["MANIFEST", "README.md", "checkpoint.note", "entries.jsonl", "log.vkey"]
    vkey = env.run("keys", "vkey").output.strip()
    result = _verify(env, bundle, "--log-vkey", vkey, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["entries"] == 303 and report["checkpoints"][0]["tree_size"] == 303
    assert vkey in (bundle / "README.md").read_text()


def test_verify_bundle_loads_no_database_or_dataframe_library(env, bundle):
    code = (
        "import sys\n"
        "from fundledger.cli import cli\n"
        "try:\n"
        f"    cli(['verify', '--bundle', {str(bundle)!r}], prog_name='fundledger')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'pandas', 'great_expectations', 'psycopg'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["entries.jsonl", "checkpoint.note", "log.vkey", "README.md", "MANIFEST"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_any_changed_byte_is_caught(env, bundle, name, where, monkeypatch):
    """Exit 3; a file the MANIFEST lists is named by its digest (step B1) before anything else,
    checked in order or (a byte in the middle) while the stretches of the entries are checked
    (``ledger/segments.py``)."""
    from ledger import segments

    size = (bundle / name).stat().st_size
    _flip(bundle / name, {"first": 0, "middle": size // 2, "last": size - 2}[where])
    monkeypatch.setattr(segments, "MIN_BYTES", 0)  # the stretches, even for this small bundle
    for workers in ("1", "2") if where == "middle" else ("1",):
        result = _verify(env, bundle, "--json", "--workers", workers)
        assert result.exit_code == 3, result.output
        if name != "MANIFEST":
            report = json.loads(result.output)
            assert (report["step"], report["what"]) == ("B", f"{env.ledger.suite.hash_name} of {name}"), report


@pytest.mark.parametrize("name", ["entries.jsonl", "checkpoint.note", "log.vkey", "README.md", "MANIFEST"])
def test_a_removed_file_or_an_added_byte_is_caught(env, bundle, name):
    original = (bundle / name).read_bytes()
    (bundle / name).write_bytes(original + b"\n")
    assert _verify(env, bundle).exit_code == 3
    (bundle / name).unlink()
    assert _verify(env, bundle).exit_code == 3


def test_an_added_file_or_a_dropped_entry_is_caught(env, bundle):
    (bundle / "notes.txt").write_text("extra")
    assert _verify(env, bundle).exit_code == 3
    (bundle / "notes.txt").unlink()
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    (bundle / "entries.jsonl").write_bytes(b"".join(lines[:-1]))
    assert _verify(env, bundle).exit_code == 3


def _signed_anew(env, bundle: Path, size: str | None = None) -> None:
    """The MANIFEST written again over the files as they now are, signed by the log key, as an
    insider holding it would: every digest agrees."""
    from ledger.bundle import FILES, _digest, _header
    from ledger.note import sign_note

    suite, origin = env.ledger.suite, env.ledger.origin
    written = (bundle / "MANIFEST").read_text(encoding="utf-8").split("\n")[2]
    lines = "".join(f"{_digest(bundle / name, suite)} {name}\n" for name in FILES)
    body = f"{_header(suite)}\n{origin}\n{written if size is None else size}\n{lines}"
    (bundle / "MANIFEST").write_text(sign_note(body, origin, env.log), encoding="utf-8")


@pytest.mark.parametrize("attack, what", [("size", "MANIFEST size"), ("log.vkey", "log.vkey"), ("directory", "bundle files")])
def test_what_the_log_key_signs_is_checked_too(env, bundle, attack, what):
    """With the MANIFEST signed anew by the log key: the size it states is the entries' (it was not
    read), a log.vkey that is not UTF-8 is named (it crashed the check), and a directory where a
    listed file belongs is named (it crashed the digest)."""
    assert _verify(env, bundle).exit_code == 0
    if attack == "size":
        _signed_anew(env, bundle, size="7")
    elif attack == "log.vkey":
        (bundle / "log.vkey").write_bytes(b"\xff\xfe" + (bundle / "log.vkey").read_bytes())
        _signed_anew(env, bundle)
    else:
        (bundle / "README.md").unlink()
        (bundle / "README.md").mkdir()
    result = _verify(env, bundle, "--json")
    assert result.exit_code == 3, result.output
    assert (json.loads(result.output)["step"], json.loads(result.output)["what"]) == ("B", what)


def test_a_bundle_under_another_log_key_fails_against_the_pinned_key(env, bundle, tmp_path):
    from ledger.note import verifier_key

    other = make_keys(tmp_path, "other", suite=env.ledger.suite)["other"]
    result = _verify(env, bundle, "--log-vkey", verifier_key("test.example/ledger", other.public.raw, other.suite), "--json")
    assert result.exit_code == 3 and "pinned" in json.loads(result.output)["expected"]


def test_export_refuses_a_non_empty_directory(env, bundle):
    assert env.run("export", "--out", str(bundle), "--key", env.key_path("log")).exit_code == 2


def test_a_bundle_of_many_postings_verifies_alike_with_a_pool_of_signature_checkers(env, tmp_path):
    """The bundle check's signatures by a pool of two processes (batches of two, so that it serves)
    give the report the in-order check gives."""
    from ledger import chain

    for i in range(20):
        env.ledger.append(env.poster, [Item("audit.note", f"s{i}", {"text": f"凭证 {i}"})])
    assert env.run("export", "--out", str(tmp_path / "b")).exit_code == 0
    serial = _verify(env, tmp_path / "b", "--json", "--workers", "1")
    batch, chain._SIGNATURE_BATCH = chain._SIGNATURE_BATCH, 2
    try:
        pooled = _verify(env, tmp_path / "b", "--json", "--workers", "2")
    finally:
        chain._SIGNATURE_BATCH = batch
    assert serial.exit_code == pooled.exit_code == 0 and json.loads(serial.output) == json.loads(pooled.output)

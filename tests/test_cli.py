"""The command line as scripts use it: init, keys, trail, verify, demo, exit codes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundledger.cli import cli
from tests.support import BOTH_SUITES, make_keys, note


def _run(*args: str, input: str | None = None, cwd: Path | None = None):
    if cwd is None:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


@BOTH_SUITES
def test_init_is_idempotent_with_the_same_keys_and_refuses_others(db_url, tmp_path, suite):
    make_keys(tmp_path, "admin", "log", "other", suite=suite)
    args = ["init", "--admin-key", str(tmp_path / "admin.key.pub"), "--log-key", str(tmp_path / "log.key"),
            "--suite", suite.name, "--origin", "audit.example/chaoyang", "--db", db_url]
    first = _run(*args, "--json")
    assert first.exit_code == 0, first.output
    created = json.loads(first.output)
    assert created["created"] is True and created["origin"] == "audit.example/chaoyang"
    again = json.loads(_run(*args, "--json").output)
    assert again["created"] is False and again["genesis"] == created["genesis"]
    other = _run("init", "--admin-key", str(tmp_path / "other.key.pub"), "--log-key", str(tmp_path / "log.key"),
                 "--suite", suite.name, "--db", db_url)
    assert other.exit_code == 4
    assert "already initialised" in other.output
    bad_origin = _run(*args[:-4], "--origin", "has space", "--db", db_url)
    assert bad_origin.exit_code == 2


def test_commands_on_an_uninitialised_database_exit_5(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for args in (["verify"], ["trail"], ["keys", "list"]):
        result = _run(*args, "--db", url)
        assert result.exit_code == 5, (args, result.output)
        assert "fundledger init" in result.output


def test_unreachable_database_exits_5(tmp_path):
    result = _run("verify", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.exit_code == 5
    assert "unreachable" in result.output


@BOTH_SUITES
def test_keys_commands(env):
    new = make_keys(env.dir, "checks", suite=env.ledger.suite)["checks"]
    enrolled = env.run("keys", "enroll", env.key_path("checks") + ".pub", "--name", "nightly checks",
                       "--role", "checks", "--key", env.key_path("admin"))
    assert enrolled.exit_code == 0
    assert json.loads(enrolled.output)["idem"] == f"key.enroll:{new.kid}"
    listing = json.loads(env.run("keys", "list", "--json").output)["keys"]
    assert [(k["role"], k["name"]) for k in listing] == [
        ("admin", "genesis admin"), ("log", "genesis log"), ("poster", "finance system"), ("auditor", "audit bureau"),
        ("checks", "nightly checks")]
    revoked = env.run("keys", "revoke", new.kid, "--reason", "rotated", "--key", env.key_path("admin"))
    assert revoked.exit_code == 0
    assert "rotated" not in env.run("keys", "list").output  # the reason is in the ledger, the list shows seqs
    table = env.run("keys", "list").output
    assert "nightly checks" in table
    refused = env.run("keys", "revoke", new.kid, "--reason", "again", "--key", env.key_path("poster"))
    assert refused.exit_code == 1 and "KEY-ROLE" in refused.output


@BOTH_SUITES
def test_trail_filters_and_formats(env):
    env.run("post", "--key", env.key_path("poster"), input=note("n1", "朝阳 note") + "\n" + note("n2") + "\n")
    rows = [json.loads(line) for line in env.run("trail", "--kind", "audit.note", "--json").output.splitlines()]
    assert [r["idem"] for r in rows] == ["n1", "n2"]
    assert rows[0]["poster"] == "finance system" and rows[0]["body"] == {"text": "朝阳 note"}
    assert len(rows[0]["hash"]) == 64
    (only,) = [json.loads(x) for x in env.run("trail", "--seq", "4", "--format", "json").output.splitlines()]
    assert only["idem"] == "n2"
    by_idem = env.run("trail", "--idem", "n1", "--format", "csv").output
    records = list(csv.DictReader(io.StringIO(by_idem)))
    assert [r["seq"] for r in records] == ["3"] and json.loads(records[0]["body"]) == {"text": "朝阳 note"}
    assert records[0]["summary"] == "备注：朝阳 note" and records[0]["date"] == ""  # a note has no business date
    assert rows[0]["summary"] == "备注：朝阳 note" and rows[0]["date"] is None
    table = env.run("trail").output
    assert "ledger.genesis" in table and "(5 entries)" in table and "登记密钥：finance system（poster）" in table
    assert env.run("trail", "--kind", "nothing").output.endswith("(0 entries)\n")


@BOTH_SUITES
def test_verify_reports_what_it_checked(env):
    result = env.run("verify", "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    from ledger.merkle import mth

    leaves = [h for _, h, _ in env.ledger.entries()]
    empty = hashlib.sha256(b"").hexdigest()  # a ledger of keys only has no projection row
    assert report == {"ok": True, "origin": "test.example/ledger", "suite": env.ledger.suite.name, "entries": 3,
                      "postings": 2, "tree_size": 3, "root": mth(leaves, env.ledger.suite).hex(), "head_hash": env.ledger.head().hash.hex(), "keys_in_force": 4,
                      "checkpoints": [],
                      "state": {"replayed": 3, "contracts_versions": {"1": 1}, "warnings": 0, "tables": 21, "rows": 0,
                                "projections_sha256": empty, "rules_added_after": []}}
    quick = json.loads(env.run("verify", "--json", "--no-replay").output)
    assert quick == {**report, "state": None}


def test_demo_runs_twice_and_appends_nothing_the_second_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    import re

    first = _run("demo", "--db", url, cwd=tmp_path)
    assert first.exit_code == 0, first.output
    appended = int(re.search(r"(\d+) entries appended, 0 duplicate", first.output).group(1))
    assert appended > 2000 and "verify: ok" in first.output and "合计安排资金" in first.output
    assert (tmp_path / "fundledger-keys" / "log.key").stat().st_mode & 0o077 == 0
    second = _run("demo", "--db", url, cwd=tmp_path)
    assert second.exit_code == 0
    assert f"0 entries appended, {appended} duplicate" in second.output


def test_a_bug_exits_70_with_its_traceback_never_a_code_that_judges_the_input(env, monkeypatch):
    """An exception no layer turned into an error of fundledger is a bug: exit 70 (sysexits'
    EX_SOFTWARE), not Python's 1, which scripts read as "a rule rejected the input"; the traceback
    on stderr, and the posting's transaction rolled back."""
    import ledger.store

    def bug(*args, **kwargs):
        raise ValueError("a bug, injected")

    assert _run("post", "--key", env.key_path("poster"), "--db", env.url, input=note("before") + "\n").exit_code == 0
    size = json.loads(_run("verify", "--json", "--db", env.url).stdout)["entries"]
    monkeypatch.setattr(ledger.store, "write_entries", bug)
    crashed = CliRunner().invoke(cli, ["post", "--key", env.key_path("poster"), "--db", env.url], input=note("during") + "\n")
    assert crashed.exit_code == 70
    assert "fundledger: internal error (a bug in fundledger, not a finding about the input or the ledger): " \
           "ValueError: a bug, injected" in crashed.stderr
    assert "Traceback (most recent call last)" in crashed.stderr and crashed.stdout == ""
    as_json = CliRunner().invoke(cli, ["post", "--json", "--key", env.key_path("poster"), "--db", env.url],
                                 input=note("during") + "\n")
    assert as_json.exit_code == 70 and json.loads(as_json.stdout)["exit"] == 70
    monkeypatch.undo()
    assert json.loads(_run("verify", "--json", "--db", env.url).stdout)["entries"] == size  # nothing was appended
    assert _run("post", "--key", env.key_path("poster"), "--db", env.url, input=note("during") + "\n").exit_code == 0


@pytest.mark.parametrize("args, option", [
    (["trail", "--seq", "9" * 23], "'--seq'"), (["trail", "--year", "9" * 23], "'--year'"),
    (["report", "execution", "--fund", "f", "--year", "99999"], "'--year'"), (["prove", "inclusion", "9" * 23], "'SEQ'"),
    (["prove", "inclusion", "1", "--size", "9" * 23], "'--size'"), (["prove", "consistency", "1", "9" * 23], "'NEW_SIZE'")])
def test_a_number_no_ledger_can_hold_is_a_usage_error_naming_the_option(env, args, option):
    """A seq or a tree size beyond a 64-bit integer, a year beyond a fund-year's, is refused as usage
    (exit 2, naming the option), not passed to the database (SQLite's overflow: exit 70, 1 before)."""
    assert _run("trail", "--seq", "1", "--year", "2023", "--db", env.url).exit_code == 0
    result = CliRunner().invoke(cli, [*args, "--db", env.url])
    assert result.exit_code == 2 and f"Invalid value for {option}" in result.output


@BOTH_SUITES
def test_console_script_exit_codes_in_a_real_process(env):
    exe = Path(sys.executable).with_name("fundledger")
    base = [str(exe)]

    def run(*args: str, input: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([*base, *args, "--db", env.url], input=input.encode(), capture_output=True, timeout=60)

    assert run("post", "--key", env.key_path("poster"), input=note("p1") + "\n").returncode == 0
    assert run("post", "--key", env.key_path("poster"), input="{").returncode == 2
    assert run("post", "--key", env.key_path("poster"), input=note("p1", "other") + "\n").returncode == 4
    assert run("post", "--key", str(env.dir / "nope.key"), input=note("p2") + "\n").returncode == 5
    assert run("verify").returncode == 0
    assert subprocess.run([*base, "--help"], capture_output=True).returncode == 0

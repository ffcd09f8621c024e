"""Faults, each with a real process and a real database: the finance system must never lose a
payment, never book one twice, and never be left guessing whether a posting landed.

- a poster killed with SIGKILL inside its posting's transaction leaves nothing; its retry with the
  same idems appends the posting exactly once;
- the PostgreSQL backend terminated under a posting: exit 5, nothing appended, the retry succeeds;
  under a streaming poster between postings: the next posting reconnects and is appended;
- two processes posting the same posting at once: appended once;
- a read-only database: exit 5 naming the problem, nothing appended; a full disk (a 2 MiB tmpfs):
  exit 5, nothing partial, the ledger verifies, and the retry is appended once there is room.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from contracts.api import CONTRACTS
from tests.support import Env

EXE = str(Path(sys.executable).with_name("fundledger"))


def _notes(path: Path, n: int, prefix: str, text: str = "付款凭证") -> Path:
    path.write_text("".join(json.dumps({"kind": "audit.note", "idem": f"{prefix}-{i:06d}", "body": {"text": f"{text} {i}"}},
                                       ensure_ascii=False) + "\n" for i in range(n)), encoding="utf-8")
    return path


def _start(env: Env, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([EXE, *args, "--db", _tagged(env)], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _tagged(env: Env) -> str:
    """The URL the process under test uses: on PostgreSQL its sessions carry this test's name, so
    that the test finds and terminates its backend and no other test's."""
    if not env.url.startswith("postgresql"):
        return env.url
    return f"{env.url}{'&' if '?' in env.url else '?'}application_name={_tag(env)}"


def _tag(env: Env) -> str:
    return "fl-fault-" + env.dir.name[-20:]


def _in_transaction(env: Env, proc: subprocess.Popen) -> bool:
    """Does the process under test hold the ledger's write lock right now?"""
    if env.url.startswith("sqlite"):
        conn = sqlite3.connect(env.url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked: the poster is inside its transaction
            return True
        finally:
            conn.close()
    with sa.create_engine(env.url).connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = :tag"), {"tag": _tag(env)}).scalar())


def _wait_inside(env: Env, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not _in_transaction(env, proc):
        assert proc.poll() is None, f"the poster finished before it could be caught: {proc.stderr.read().decode()}"
        assert time.monotonic() < deadline, "the poster never began its transaction"
        time.sleep(0.002)


def _verify(env: Env) -> None:
    result = subprocess.run([EXE, "verify", "--db", env.url], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_a_poster_killed_in_its_transaction_leaves_nothing(env, tmp_path):
    size, _ = env.size_and_head()
    posting = _notes(tmp_path / "posting.jsonl", 20000, "kill")
    proc = _start(env, "post", str(posting), "--key", env.key_path("poster"))
    _wait_inside(env, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    env.ledger.engine.dispose()
    assert env.size_and_head()[0] == size  # nothing of the posting
    _verify(env)
    retry = subprocess.run([EXE, "post", str(posting), "--key", env.key_path("poster"), "--db", env.url],
                           capture_output=True, timeout=300)
    assert retry.returncode == 0
    assert {json.loads(line)["status"] for line in retry.stdout.splitlines()} == {"appended"}
    again = subprocess.run([EXE, "post", str(posting), "--key", env.key_path("poster"), "--db", env.url],
                           capture_output=True, timeout=300)
    assert {json.loads(line)["status"] for line in again.stdout.splitlines()} == {"duplicate"}
    assert env.size_and_head()[0] == size + 20000
    _verify(env)


def test_two_processes_posting_the_same_posting_append_it_once(env, tmp_path):
    size, _ = env.size_and_head()
    posting = _notes(tmp_path / "posting.jsonl", 2000, "twice")
    procs = [_start(env, "post", str(posting), "--key", env.key_path("poster")) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1].decode() for o in outputs]
    statuses = sorted({json.loads(line)["status"] for line in out.splitlines()}.pop() for out, _ in outputs)
    assert statuses == ["appended", "duplicate"]  # one process appended all of it; the other found all of it there
    assert env.size_and_head()[0] == size + 2000
    _verify(env)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_backend_terminated_under_a_posting(env, tmp_path):
    size, _ = env.size_and_head()
    posting = _notes(tmp_path / "posting.jsonl", 20000, "gone")
    proc = _start(env, "post", str(posting), "--key", env.key_path("poster"))
    _wait_inside(env, proc)
    with sa.create_engine(env.url, isolation_level="AUTOCOMMIT").connect() as conn:
        killed = conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :tag"),
                              {"tag": _tag(env)}).scalars().all()
    assert killed == [True]
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 5, err.decode()
    assert "nothing was appended" in err.decode()
    assert env.size_and_head()[0] == size
    retry = subprocess.run([EXE, "post", str(posting), "--key", env.key_path("poster"), "--db", env.url],
                           capture_output=True, timeout=300)
    assert retry.returncode == 0 and env.size_and_head()[0] == size + 20000
    _verify(env)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_streaming_poster_reconnects_after_its_backend_was_terminated(env):
    proc = _start(env, "post", "--stream", "--key", env.key_path("poster"), stdin=subprocess.PIPE)

    def send(line: str) -> dict:
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    first = send(json.dumps({"kind": "audit.note", "idem": "st-1", "body": {"text": "拨付 1"}}))
    assert first["ok"] and first["receipts"][0]["status"] == "appended"
    with sa.create_engine(env.url, isolation_level="AUTOCOMMIT").connect() as conn:
        killed = conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :tag"),
                              {"tag": _tag(env)}).scalars().all()
    assert killed == [True]
    second = send(json.dumps([{"kind": "audit.note", "idem": "st-2", "body": {"text": "拨付 2"}},
                              {"kind": "audit.note", "idem": "st-3", "body": {"text": "拨付 3"}}]))
    assert second["ok"], second
    assert [r["status"] for r in second["receipts"]] == ["appended", "appended"]
    assert send(json.dumps({"kind": "audit.note", "idem": "st-1", "body": {"text": "拨付 1"}}))["receipts"][0]["status"] == "duplicate"
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    _verify(env)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_read_only_database(env, tmp_path):
    size, head = env.size_and_head()
    env.ledger.engine.dispose()
    path = env.url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    posting = _notes(tmp_path / "posting.jsonl", 10, "ro")
    result = subprocess.run([EXE, "post", str(posting), "--key", env.key_path("poster"), "--db", read_only],
                            capture_output=True, timeout=60)
    assert result.returncode == 5, result.stderr.decode()
    assert "readonly" in result.stderr.decode() and "nothing was appended" in result.stderr.decode()
    assert env.size_and_head() == (size, head)


def test_a_full_disk(tmp_path):
    """The ledger on a 2 MiB tmpfs: posting until the disk is full ends in exit 5 with nothing partial."""
    from ledger.store import Ledger, enroll_item, init_ledger
    from tests.support import make_keys

    disk = tmp_path / "small"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True)
    assert mounted.returncode == 0, f"this test mounts a small tmpfs (as root): {mounted.stderr.decode()}"
    try:
        keys = make_keys(tmp_path, "admin", "log", "poster")
        url = f"sqlite:///{disk / 'ledger.db'}"
        init_ledger(url, keys["admin"].public, keys["log"], origin="test.example/full", log_key_path=None)
        ledger = Ledger.open(url, CONTRACTS)
        ledger.append(keys["admin"], [enroll_item(keys["poster"].public, "finance", "poster")])
        ledger.engine.dispose()
        env = Env(url=url, dir=tmp_path, ledger=Ledger.open(url, CONTRACTS), admin=keys["admin"], log=keys["log"],
                  poster=keys["poster"], auditor=keys["poster"])
        results = []
        for k in range(50):
            posting = _notes(tmp_path / f"p{k}.jsonl", 500, f"full{k}", text="凭证" * 40)
            before = env.size_and_head()
            env.ledger.engine.dispose()
            result = subprocess.run([EXE, "post", str(posting), "--key", str(tmp_path / "poster.key"), "--db", url],
                                    capture_output=True, timeout=120)
            results.append(result.returncode)
            if result.returncode != 0:
                break
        assert results[-1] == 5, results
        assert "full" in result.stderr.decode() and "nothing was appended" in result.stderr.decode()
        assert env.size_and_head() == before  # the failed posting left nothing
        _verify(env)
        env.ledger.engine.dispose()
        assert subprocess.run(["mount", "-o", "remount,size=16m", str(disk)]).returncode == 0  # room again
        retry = subprocess.run([EXE, "post", str(posting), "--key", str(tmp_path / "poster.key"), "--db", url],
                               capture_output=True, timeout=120)
        assert retry.returncode == 0, retry.stderr.decode()
        assert env.size_and_head()[0] == before[0] + 500
        _verify(env)
        env.ledger.engine.dispose()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)

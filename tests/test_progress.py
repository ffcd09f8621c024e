"""Long operations show progress on a terminal and stay silent in pipes and cron; a reader that stops
reading early is not an error."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.support import note

EXE = str(Path(sys.executable).with_name("fundledger"))


def _seed(env) -> None:
    posting = env.dir / "notes.jsonl"
    posting.write_text("\n".join(note(f"n{i}") for i in range(300)) + "\n", encoding="utf-8")
    assert env.run("post", str(posting), "--key", env.key_path("poster")).exit_code == 0


def test_verify_is_silent_in_a_pipe(env):
    _seed(env)
    result = subprocess.run([EXE, "verify", "--db", env.url], capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stderr == b""


def test_verify_shows_progress_on_a_terminal(env):
    _seed(env)
    leader, follower = pty.openpty()  # stderr is a terminal, as for a person at a shell
    proc = subprocess.Popen([EXE, "verify", "--db", env.url], stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    assert b"verifying" in shown and b"100%" in shown


def test_a_reader_that_goes_away_is_not_an_error(env):
    """`fundledger trail | head -1`: the trail stops when head has its line, and exits 0."""
    _seed(env)
    proc = subprocess.Popen([EXE, "trail", "--format", "json", "--db", env.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()

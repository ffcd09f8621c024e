"""Long operations show progress on a terminal and stay silent in pipes and cron; a reader that stops
reading early is not an error."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

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


def _on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run ``fundledger`` with stderr a terminal, as for a person at a shell: its exit code, and
    what the terminal showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([EXE, *args], stdout=subprocess.PIPE, stderr=follower)
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
    code = proc.wait(timeout=120)
    os.close(leader)
    return code, shown


def test_verify_shows_progress_on_a_terminal(env):
    _seed(env)
    code, shown = _on_a_terminal("verify", "--db", env.url)
    assert code == 0 and b"verifying" in shown and b"100%" in shown


def test_when_the_stretches_do_not_decide_a_second_bar_shows_the_check_in_order(env):
    """A ledger large enough for stretches (``segments.MIN_ENTRIES``): they decide an untouched one;
    with an entry's bytes edited, they fail and the check in order runs, under a bar of its own."""
    from ledger.segments import MIN_ENTRIES
    from ledger.store import Item
    from tests.ledgers import disable_guard

    for start in range(0, MIN_ENTRIES, 1000):
        env.ledger.append(env.poster, [Item("audit.note", f"n{i}", {"text": f"note {i}"}) for i in range(start, start + 1000)])
    code, shown = _on_a_terminal("verify", "--db", env.url)
    assert code == 0 and b"100%" in shown and b"again, in order" not in shown
    engine = sa.create_engine(env.url)
    with engine.begin() as conn:
        disable_guard(conn)
        seq, data = conn.execute(sa.text("SELECT seq, data FROM entries WHERE idem = 'n15000'")).one()
        conn.execute(sa.text("UPDATE entries SET data = :d WHERE seq = :s"),
                     {"d": bytes(data).replace(b"note 15000", b"note 15001"), "s": seq})
    engine.dispose()
    code, shown = _on_a_terminal("verify", "--db", env.url)
    assert code == 3 and b"verifying again, in order" in shown
    assert f"seq {seq}:".encode() in shown  # the first failure, named as ever


def test_a_reader_that_goes_away_is_not_an_error(env):
    """`fundledger trail | head -1`: the trail stops when head has its line, and exits 0."""
    _seed(env)
    proc = subprocess.Popen([EXE, "trail", "--format", "json", "--db", env.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()

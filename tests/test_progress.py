"""Long operations show progress on a terminal and stay silent in pipes and cron; a reader that stops
reading early is not an error."""

from __future__ import annotations

import hashlib
import os
import pty
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from ledger.note import sign_note
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


def test_a_bundle_is_verified_and_replayed_under_bars_of_its_size(env, tmp_path):
    """``verify --bundle`` counts the entries its MANIFEST states; ``replay --bundle`` shows the
    verification, then the replay under a bar of its own; stretches of a bundle that do not decide
    start a second bar for the check in order, as ``verify`` does on a database."""
    from ledger.segments import MIN_BYTES
    from ledger.store import Item

    for start in range(0, 20_000, 1000):
        env.ledger.append(env.poster, [Item("audit.note", f"n{i}", {"text": f"note {i}"}) for i in range(start, start + 1000)])
    bundle = tmp_path / "bundle"
    assert env.run("export", "--out", str(bundle), "--key", env.key_path("log")).exit_code == 0
    entries = bundle / "entries.jsonl"
    assert entries.stat().st_size >= MIN_BYTES  # checked in stretches
    code, shown = _on_a_terminal("verify", "--bundle", str(bundle), "--workers", "2")
    assert code == 0 and b"verifying" in shown and b"100%" in shown and b"again, in order" not in shown
    code, shown = _on_a_terminal("replay", "--bundle", str(bundle), "--db", f"sqlite:///{tmp_path / 'copy.db'}")
    assert code == 0, shown
    assert shown.index(b"verifying the bundle") < shown.index(b"replaying") and shown.count(b"100%") >= 2
    was = entries.read_bytes()
    lines = was.splitlines(keepends=True)
    seq = next(i for i, line in enumerate(lines) if b'"note 15000"' in line)
    lines[seq] = lines[seq].replace(b"note 15000", b"note 15001")
    entries.write_bytes(b"".join(lines))
    # and the MANIFEST signed again over the file's new digest, by whoever holds the log key
    body = (bundle / "MANIFEST").read_text(encoding="utf-8").split("\n\n")[0] + "\n"
    body = body.replace(hashlib.sha256(was).hexdigest(), hashlib.sha256(b"".join(lines)).hexdigest())
    (bundle / "MANIFEST").write_text(sign_note(body, env.ledger.origin, env.log), encoding="utf-8")
    code, shown = _on_a_terminal("verify", "--bundle", str(bundle), "--workers", "2")
    assert code == 3 and b"verifying again, in order" in shown
    assert f"seq {seq + 1}: prev".encode() in shown  # the first failure, named as ever: the next entry's link

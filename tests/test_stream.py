"""``post --stream``: one posting per line, one answer per posting, the stream goes on after a refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXE = str(Path(sys.executable).with_name("fundledger"))


def _line(idem: str, text: str = "付款") -> dict:
    return {"kind": "audit.note", "idem": idem, "body": {"text": text}}


def test_each_line_a_posting_each_answered(env):
    size, _ = env.size_and_head()
    lines = [json.dumps(_line("a")), "", json.dumps([_line("b"), _line("c")]), '{"kind": "audit.note", "idem": "d", "body": {"text": 1.5}}',
             json.dumps(_line("a")), json.dumps([_line("e"), _line("e")]), "not json", json.dumps([]),
             json.dumps(_line("a", "another body")), json.dumps(_line("f"))]
    result = env.run("post", "--stream", "--key", env.key_path("poster"), input="\n".join(lines) + "\n")
    answers = [json.loads(x) for x in result.output.splitlines()]
    assert [(a["line"], a["ok"], a["exit"]) for a in answers] == [
        (1, True, 0), (3, True, 0), (4, False, 2), (5, True, 0), (6, False, 2), (7, False, 2), (8, False, 2), (9, False, 4),
        (10, True, 0)]
    assert [r["status"] for r in answers[1]["receipts"]] == ["appended", "appended"]
    assert answers[3]["receipts"][0]["status"] == "duplicate" and answers[3]["receipts"][0]["seq"] == answers[0]["receipts"][0]["seq"]
    assert answers[2]["findings"][0]["rule"] == "INPUT-DOMAIN" and answers[2]["findings"][0]["subject"]["line"] == 4
    assert answers[4]["findings"][0]["rule"] == "INPUT-IDEM-DUP" and answers[4]["findings"][0]["field"] == "[1].idem"
    assert answers[6]["findings"][0]["rule"] == "INPUT-EMPTY" and answers[7]["findings"][0]["rule"] == "IDEM-CONFLICT"
    assert result.exit_code == 2  # the first failure's code; every good posting was appended
    assert env.size_and_head()[0] == size + 4


def test_a_real_pipe_answers_before_the_next_line_is_written(env):
    """The finance system writes a posting and waits for its answer on the same open pipe."""
    proc = subprocess.Popen([EXE, "post", "--stream", "--key", env.key_path("poster"), "--db", env.url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for i in range(3):
        proc.stdin.write(json.dumps(_line(f"pipe-{i}")).encode() + b"\n")
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline())
        assert answer["line"] == i + 1 and answer["receipts"][0]["status"] == "appended"
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0

"""``post --stream``: one posting per line, one answer per posting, the stream goes on after a refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from contracts.api import CONTRACTS
from fundledger.cli import cli

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


def test_a_group_of_postings_each_all_or_nothing(tmp_path):
    """post_many: one transaction, but a refused posting leaves nothing, not even the projection rows
    its contracts wrote before a later entry was refused; the postings around it are appended."""
    from ledger.errors import Rejected
    from ledger.keys import load_private
    from ledger.store import Item, Ledger
    from tests.ledgers import W, build_fixture_ledger, code

    url = f"sqlite:///{tmp_path / 'group.db'}"
    build_fixture_ledger(url, tmp_path)
    ledger = Ledger.open(url, CONTRACTS)
    poster = load_private(tmp_path / "poster.key")
    size = ledger.head().size
    apply = Item("project.apply", "g-apply", {"project": "G1", "enterprise": code(20), "enterprise_name": "企业二十",
                                              "fund": "test-fund", "year": 2023, "clause": "abs", "requested_fen": 40 * W})
    report = Item("report.state", "g-report", {"seed": "s", "wording": "w", "figure": "test-fund/2023/applications", "count": 7})
    bad_pay = Item("disbursement.pay", "g-pay", {"project": "G1", "amount_fen": W, "date": "2023-11-01", "voucher": "v"})
    results = ledger.post_many(poster, [[Item("audit.note", "g-1", {"text": "前"})], [apply, report, bad_pay],
                                        [Item("audit.note", "g-2", {"text": "后"})]])
    assert [type(r).__name__ for r in results] == ["Posted", "Rejected", "Posted"]
    assert isinstance(results[1], Rejected) and results[1].findings[-1].rule == "STAGE-NOTICE"
    assert [r.seq for r in results[2].receipts] == [size + 1]  # right after g-1: the refused posting took no seq
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM projects WHERE project = 'G1'").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM reported WHERE seq >= ?", (size,)).scalar() == 0
    ledger.engine.dispose()
    assert CliRunner().invoke(cli, ["verify", "--db", url]).exit_code == 0

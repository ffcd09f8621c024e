"""The projection rows one posting leaves for the next posting of the same process
(``contracts.engine._carried``): used only while they are the database's, on SQLite and PostgreSQL.

Each attack leaves rows in the process that the database does not hold (another writer posted, a
posting was refused), then posts what those rows would decide wrongly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import engine
from contracts.catalogue import CATALOGUE_DIR
from ledger import db
from tests.ledgers import E1
from tests.support import entry_lines, note, post_entries

FUND = {"fund": "chaoyang-hightech", "year": 2023}
P = "2023-9-001"


def _decide(stage: str, idem: str, **extra):
    return ("review.decide", idem, {"project": P, "stage": stage, "outcome": "pass", "date": "2023-08-01", **extra})


def _expert(idem: str):
    return _decide("expert_review", idem, panel_size=5, scores=[80, 82, 85, 90, 78])


@pytest.fixture
def applied(env):
    """A fund-year and one application, posted by this process (which now holds their rows)."""
    for args in (("policy", "publish", str(CATALOGUE_DIR / "chaoyang-hightech.json")), ("calendar", "publish", "--year", "2023")):
        assert env.run(*args, "--key", env.key_path("poster")).exit_code == 0
    assert post_entries(env, ("fund.open", "fund-2023", {**FUND, "name": "2023年高新资金", "office": "朝阳园管委会",
                                                  "budget_wan": "22000", "policies": ["chaoyang-hightech-measures"]})).exit_code == 0
    result = post_entries(env, ("project.apply", "apply-1", {"project": P, "enterprise": E1, "enterprise_name": "天地科技股份有限公司",
                                                      **FUND, "clause": "9", "requested_wan": "300", "tags": []}))
    assert result.exit_code == 0, result.output
    return env


def _rules(result) -> list[str]:
    return [f["rule"] for f in json.loads(result.output)["findings"]]


def test_a_posting_reads_what_another_writer_posted_since(applied):
    env = applied
    # another process passes the initial review: the rows this process holds say it has not
    line = entry_lines(_decide("initial_review", "d1")).encode()
    other = subprocess.run([str(Path(sys.executable).with_name("fundledger")), "post", "--key", env.key_path("poster"),
                            "--db", env.url], input=line, capture_output=True)
    assert other.returncode == 0, other.stderr
    result = post_entries(env, _expert("d2"))  # STAGE-ORDER if the rows held here were believed
    assert result.exit_code == 0, result.output


def test_a_refused_postings_effects_are_not_carried(applied):
    env = applied
    # the initial review's effect is applied in memory, then the payment refuses the posting
    refused = post_entries(env, _decide("initial_review", "d1"),
                    ("disbursement.pay", "pay-1", {"project": P, "amount_wan": "1", "date": "2023-10-20", "voucher": "v"}))
    assert refused.exit_code == 1 and _rules(refused) == ["STAGE-NOTICE"]
    # two notes take the very seqs of the refused posting: the entry before the next posting has its seq
    notes = env.run("post", "--key", env.key_path("poster"), input=note("n1", "one") + "\n" + note("n2", "two") + "\n")
    assert notes.exit_code == 0, notes.output
    result = post_entries(env, _expert("d2"))  # accepted if the refused posting's rows were believed
    assert result.exit_code == 1 and _rules(result) == ["STAGE-ORDER"]
    assert "initial_review" in json.loads(result.output)["findings"][0]["message"]


def test_a_dry_run_is_not_carried(applied):
    env = applied
    dry = env.run("post", "--key", env.key_path("poster"), "--dry-run", input=entry_lines(_decide("initial_review", "d1")))
    assert dry.exit_code == 0, dry.output
    result = post_entries(env, _expert("d2"))
    assert result.exit_code == 1 and _rules(result) == ["STAGE-ORDER"]


def test_the_rows_are_carried_only_while_the_entries_say_they_hold(applied):
    env = applied
    assert post_entries(env, _decide("initial_review", "d1")).exit_code == 0
    (left,) = engine._left
    seq = left.last[0] + 1
    with db.read_tx(env.ledger.engine) as conn:
        assert engine._carried(conn, seq) is left.rows  # accepted: nothing came between
    assert engine._left == []  # a posting takes them
    for changed in ({"database": "sqlite:///elsewhere.db"},
                    {"before": (left.before[0], bytes(32))},  # the entry before that posting is not the one it followed
                    {"last": (left.last[0], "d-other", *left.last[2:])},
                    {"last": (*left.last[:3], b'{"project":"another"}')},
                    {"last": (left.last[0] - 1, *left.last[1:])}):
        engine._left[:] = [engine._Left(**{**{f: getattr(left, f) for f in ("database", "before", "last", "rows")}, **changed})]
        with db.read_tx(env.ledger.engine) as conn:
            assert engine._carried(conn, seq) is None, changed

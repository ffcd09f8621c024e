"""Replay: the derived state re-derived from the entries and compared, as an insider would attack it.

The insider runs the database: they edit any projection table, drop the triggers, and post with a
key they hold. Each attack below is made on a real ledger (SQLite and PostgreSQL), and ``verify``
must exit 3 naming the right row (table, key, column) or the refused entry (seq, rule):

* every projection table, one row edited, one inserted, one deleted (the fixture ledger of
  ``tests/ledgers.py`` fills every table);
* the issue's two attacks on the demo ledger: a rejected project's row set to approved and a payment
  posted against it with the office's key; a decision's reason edited;
* a body posted not in its stored form; the contracts versions (a rule added after the fact is a
  warning; a forged lower version is caught; a newer ledger is not replayed by an older release).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from contracts.api import CONTRACTS
from fundledger.cli import cli
from ledger.suites import SUITES
from tests.golden import matches
from tests.ledgers import W, disable_guard
from tests.support import built_once, copied, note

TABLES = {t.name: t for t in CONTRACTS.tables()}


def _verify(url: str, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["verify", "--json", *args, "--db", url], catch_exceptions=False)
    return result.exit_code, json.loads(result.output.splitlines()[-1])


def _named(report: dict) -> list[tuple[str, dict, str]]:
    return [(f["rule"], f["subject"], f["field"]) for f in report["findings"]]


def test_the_untouched_fixture_ledger_passes_and_fills_every_projection_table(copy):
    code, report = _verify(copy)
    assert code == 0, report
    engine = sa.create_engine(copy)
    with engine.connect() as conn:
        empty = [name for name, t in TABLES.items() if conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 0]
    engine.dispose()
    assert empty == []  # so that every table below is attacked on rows the entries really give
    state = report["state"]
    assert state["tables"] == len(TABLES) == 21 and state["rows"] > 0 and state["contracts_versions"] == {"1": 42}


def test_the_projections_digest_is_the_one_docs_format_md_specifies(copy):
    """§10: its vector, and the fixture ledger's digest computed here from the rows, with json."""
    import hashlib

    from ledger.replay import row_bytes

    lines = row_bytes("funds", ("test-fund", 2023, "高新", None, 100000000)) + \
        row_bytes("policies", ("p", 1, "2020-01-01", 5, b'{"a":1}'))
    assert lines == '["funds","test-fund",2023,"高新",null,100000000]\n["policies","p",1,"2020-01-01",5,"7b2261223a317d"]\n'.encode()
    assert hashlib.sha256(lines).hexdigest() == "6e4be68571e79c4709642131809e8146f6f314aefb705fb53d52278b92de35a3"
    digest = hashlib.sha256()
    engine = sa.create_engine(copy)
    with engine.connect() as conn:
        for name in sorted(TABLES):
            table = TABLES[name]
            keys = [list(table.columns).index(c) for c in table.primary_key.columns]
            rows = sorted((tuple(r) for r in conn.execute(sa.select(table))), key=lambda r: [r[i] for i in keys])
            for row in rows:
                values = [bytes(v).hex() if isinstance(v, (bytes, memoryview)) else v for v in row]
                digest.update(json.dumps([name, *values], ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    engine.dispose()
    assert _verify(copy)[1]["state"]["projections_sha256"] == digest.hexdigest()


# -- every projection table: a row edited, inserted, deleted ----------------------------------------
def _first_row(conn: sa.Connection, table: sa.Table) -> dict[str, Any]:
    keys = list(table.primary_key.columns)
    row = conn.execute(sa.select(table).order_by(*keys)).mappings().first()
    return dict(row)


def _changed(value: Any) -> Any:
    if isinstance(value, int):
        return value + 7
    if isinstance(value, (bytes, memoryview)):
        return bytes(value) + b" "
    return value[:-1] + ("0" if value[-1:] != "0" else "1")  # as long as it was: the column's width holds it


def _where(table: sa.Table, row: dict[str, Any]) -> Any:
    return sa.and_(*(c == row[c.name] for c in table.primary_key.columns))


def _key(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    return {c.name: row[c.name] for c in table.primary_key.columns}


def _attack(url: str, table: sa.Table, action: str) -> list[tuple[str, dict, str]]:
    """Make the attack; the findings verify must give, as (rule, subject, field)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        row = _first_row(conn, table)
        about = {"table": table.name, **_key(table, row)}
        if action == "deleted":
            conn.execute(sa.delete(table).where(_where(table, row)))
            expected = [("STATE-ROW", about, "")]
        elif action == "inserted":
            forged = dict(row)
            first = next(iter(table.primary_key.columns)).name
            forged[first] = _changed(row[first]) if isinstance(row[first], str) else row[first] + 1_000_000
            conn.execute(sa.insert(table).values(**forged))
            expected = [("STATE-ROW", {"table": table.name, **_key(table, forged)}, "")]
        else:  # edited: a column the key does not hold, or (a table of keys only) the last key column
            values = [c for c in table.columns if not c.primary_key and row[c.name] is not None]
            if values:
                column = values[0].name
                conn.execute(sa.update(table).where(_where(table, row)).values({column: _changed(row[column])}))
                expected = [("STATE-ROW", about, column)]
            else:
                column = list(table.primary_key.columns)[-1].name
                moved = {**row, column: _changed(row[column])}
                conn.execute(sa.update(table).where(_where(table, row)).values({column: moved[column]}))
                expected = [("STATE-ROW", about, ""), ("STATE-ROW", {"table": table.name, **_key(table, moved)}, "")]
    engine.dispose()
    return expected


@pytest.mark.parametrize("action", ["edited", "inserted", "deleted"])
@pytest.mark.parametrize("table", sorted(TABLES))
def test_a_projection_row_edited_inserted_or_deleted_is_named(table, action, copy):
    expected = _attack(copy, TABLES[table], action)
    code, report = _verify(copy)
    assert code == 3 and report["step"] == "8" and report["refused"] == 0, report
    assert sorted(_named(report), key=repr) == sorted(expected, key=repr)
    # the quick structural check does not look at the projections: it passes
    assert _verify(copy, "--no-replay")[0] == 0


@pytest.mark.parametrize("batch", [1, 3])
def test_equal_batches_pass_whole_and_the_first_batch_that_differs_is_compared_row_by_row(copy, monkeypatch, batch):
    from ledger import replay

    digest = _verify(copy)[1]["state"]["projections_sha256"]
    monkeypatch.setattr(replay, "_BATCH", batch)  # many batches, so that equal ones come before the edit
    assert _verify(copy)[1]["state"]["projections_sha256"] == digest  # the same rows, the same digest
    table = TABLES["entry_refs"]
    engine = sa.create_engine(copy)
    with engine.begin() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
        last = dict(conn.execute(sa.select(table).order_by(*[c.desc() for c in table.primary_key.columns])).mappings().first())
        column = next(c.name for c in table.columns if not c.primary_key and last[c.name] is not None)
        conn.execute(sa.update(table).where(_where(table, last)).values({column: _changed(last[column])}))
    engine.dispose()
    assert count > 3 * batch
    code, report = _verify(copy)
    assert code == 3 and _named(report) == [("STATE-ROW", {"table": "entry_refs", **_key(table, last)}, column)]


def test_an_edited_amount_says_what_the_entries_give_and_what_the_database_holds(copy):
    engine = sa.create_engine(copy)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE projects SET approved_fen = approved_fen + 1 WHERE project = 'A'"))
    engine.dispose()
    code, report = _verify(copy)
    ((finding),) = report["findings"]
    assert code == 3 and finding["subject"] == {"table": "projects", "project": "A"} and finding["field"] == "approved_fen"
    assert (finding["expected"], finding["actual"]) == (str(50 * W), str(50 * W + 1))
    assert "projects row project=A: approved_fen" in finding["message"]
    human = CliRunner().invoke(cli, ["verify", "--db", copy])
    assert human.exit_code == 3
    assert "step 8: the derived state does not follow from the entries: 1 projection row the entries do not give" \
           " (projects 1)" in human.output


@pytest.mark.parametrize("base", ["sqlite"], indirect=True)  # PostgreSQL refuses a value of another type itself
def test_values_of_another_type_stored_by_hand_are_named_not_a_crash(base, copy):
    """SQLite keeps what it is given: text in an amount, a blob in a status, text in a numeric key."""
    _sql(copy, "UPDATE projects SET approved_fen = 'lots' WHERE project = 'A'",
         "UPDATE projects SET status = X'01' WHERE project = 'B'",
         "INSERT INTO decisions SELECT 'x', project, stage, outcome, reason, amount_before_fen, amount_after_fen, "
         "date, panel_size FROM decisions WHERE project = 'A' AND stage = 'initial'")
    code, report = _verify(copy)
    assert code == 3
    named = [(f["subject"], f["field"], f["actual"]) for f in report["findings"]]
    assert named[1:] == [({"table": "projects", "project": "A"}, "approved_fen", "'lots'"),
                         ({"table": "projects", "project": "B"}, "status", "01")]
    assert named[0][:2] == ({"table": "decisions", "seq": "x"}, "") and named[0][2].startswith("seq='x', project='A'")


# -- the attacks, on the demo ledger ----------------------------------------------------------
@pytest.fixture(scope="module", params=[(db, suite) for suite in SUITES for db in ("sqlite", "postgresql")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def demo(request, tmp_path_factory) -> Iterator[tuple[str, str, Path]]:
    """The demo ledger on each database in each suite: the insider's attacks and the auditor's copy
    work alike whether its hashes and signatures are SHA-256 and Ed25519 or SM3 and SM2."""
    from fundledger.demo import run_demo

    backend, suite = request.param
    work = tmp_path_factory.mktemp("replay-demo")
    build = lambda url: run_demo(url, work / "keys", echo=lambda _: None, suite=SUITES[suite])  # noqa: E731
    with built_once(backend, work, build) as built:
        yield built[0], built[1], work / "keys"


@pytest.fixture
def demo_copy(demo, tmp_path) -> Iterator[str]:
    with copied(demo, tmp_path) as url:
        yield url


def _sql(url: str, *statements: str) -> list[Any]:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        out = [conn.execute(sa.text(s)).all() if s.lstrip().upper().startswith("SELECT") else conn.execute(sa.text(s))
               for s in statements]
    engine.dispose()
    return out


def _pay_a_rejected_project(url: str, poster: Path, work: Path) -> tuple[str, int]:
    """The insider's attack: a rejected 2023 project of the high-tech fund set to approved in
    ``projects`` (no entry touched), then a payment for it posted with the office's key, which the
    contracts, reading the tampered row, accept. The project and the payment's seq."""
    ((project, notice),) = _sql(url, "SELECT p.project, n.notice FROM projects p JOIN notices n "
                                     "ON n.fund = p.fund AND n.year = p.year WHERE p.fund = 'chaoyang-hightech' "
                                     "AND p.year = 2023 AND p.status = 'rejected' ORDER BY p.project LIMIT 1")[0]
    _sql(url, f"UPDATE projects SET status = 'approved', amount_fen = {50 * W}, approved_fen = {50 * W}, "
              f"notice = '{notice}' WHERE project = '{project}'")
    pay = work / "pay.jsonl"
    pay.write_text(json.dumps({"kind": "disbursement.pay", "idem": "pay:朝科信拨〔2023〕999", "body": {
        "project": project, "amount_wan": "50", "date": "2023-11-01", "voucher": "朝科信拨〔2023〕999"}}) + "\n")
    posted = CliRunner().invoke(cli, ["post", str(pay), "--key", str(poster), "--db", url])
    assert posted.exit_code == 0, posted.output  # the contracts were fooled
    return project, json.loads(posted.output)["seq"]


def test_a_payment_posted_against_a_tampered_projection_is_named_by_seq_and_rule(demo, demo_copy, tmp_path):
    project, seq = _pay_a_rejected_project(demo_copy, demo[2] / "poster.key", tmp_path)

    code, report = _verify(demo_copy)
    assert code == 3 and report["refused"] == 1
    refused = [f for f in report["findings"] if f["rule"] != "STATE-ROW"]
    assert [(f["rule"], f["severity"], f["subject"]["seq"], f["subject"]["project"]) for f in refused] == [
        ("PAY-REJECTED", "fatal", seq, project)]
    rows = {(f["subject"]["table"], f["field"]) for f in report["findings"] if f["rule"] == "STATE-ROW"}
    assert rows == {("projects", "status"), ("projects", "amount_fen"), ("projects", "approved_fen"),
                    ("projects", "notice"), ("projects", "disbursed_fen"), ("payments", ""), ("entry_refs", "")}
    # the nightly run names both too, and fails
    night = CliRunner().invoke(cli, ["check", "--no-record", "--json", "--out", str(tmp_path / "night"), "--db", demo_copy])
    assert night.exit_code == 1
    findings = json.loads(night.output.splitlines()[-1])["findings"]
    assert ("PAY-REJECTED", seq) in {(f["rule"], f["subject"].get("seq")) for f in findings}
    assert {"table": "projects", "project": project} in [f["subject"] for f in findings if f["rule"] == "STATE-ROW"]


def _rewrite_first(url: str, kind: str, field: str, value: Any) -> int:
    """An insider rewrites one envelope field of the first entry of ``kind``; its seq."""
    import orjson

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        disable_guard(conn)
        seq, data = conn.execute(sa.text("SELECT seq, data FROM entries WHERE kind = :k ORDER BY seq LIMIT 1"),
                                 {"k": kind}).one()
        envelope = orjson.loads(data)
        envelope[field] = value
        conn.execute(sa.text("UPDATE entries SET data = :d WHERE seq = :s"),
                     {"d": orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS), "s": seq})
    engine.dispose()
    return seq


@pytest.mark.parametrize("kind, field, value", [
    ("project.apply", "kind", "no.such.kind"), ("project.apply", "kind", ["project.apply"]), ("project.apply", "idem", ["x"]),
    ("key.enroll", "body", {"key": 5, "name": "x", "role": "poster"}),
    ("key.enroll", "body", {"key": {"alg": "ed25519", "kid": ["x"], "public": "x"}, "name": "x", "role": "poster"})])
def test_an_entry_replay_cannot_read_stops_the_nightly_run_by_its_seq(copy, tmp_path, kind, field, value):
    """The nightly run replays without the chain checks. An entry whose bytes an insider rewrote
    with a kind the ledger does not know, an array where a string belongs, or a core kind's body its
    kind's rules refuse (the contracts' kinds: INPUT-BODY, tested above) stops it with exit 3 naming
    the seq (and pointing at ``verify``, which names the step), never a crash."""
    seq = _rewrite_first(copy, kind, field, value)
    night = CliRunner().invoke(cli, ["check", "--no-record", "--json", "--out", str(tmp_path / "night"), "--db", copy],
                               catch_exceptions=False)
    assert night.exit_code == 3, night.output
    assert f"replay: seq {seq} is not a well-formed entry; run `fundledger verify`" in night.output
    code, report = _verify(copy)
    assert (code, report["step"], report["seq"]) == (3, "3.2", seq)  # the stored hash is the old bytes'


def test_an_entry_that_does_not_follow_the_one_before_stops_the_nightly_run(copy, tmp_path):
    """The replay holds each entry's prev to the hash of the entry before it: an insider who rewrites
    an entry's link stops the nightly run (which has no chain checks) with exit 3 naming the seq; it
    ran on before, the projections being what the entries give."""
    seq = _rewrite_first(copy, "project.apply", "prev", "00" * 32)
    night = CliRunner().invoke(cli, ["check", "--no-record", "--json", "--out", str(tmp_path / "night"), "--db", copy],
                               catch_exceptions=False)
    assert night.exit_code == 3, night.output
    assert f"replay: seq {seq} does not follow seq {seq - 1}" in night.output


def test_the_nightly_run_attests_the_root_its_entries_give_not_a_stored_one(base, copy, tmp_path):
    """The check.run entry names the tree it checked. Its root is the replay's, from the entries'
    bytes, not the stored tree's (the entries' hash column and the Merkle nodes, derived data): an
    insider who zeroed an entry's stored hash stops the run with exit 3, and gets no check.run
    signed over the stored tree's root; put back, the run attests the root ``verify`` computes."""
    night = ["check", "--key", str(base[2] / "checks.key"), "--json", "--out", str(tmp_path / "night"), "--db", copy]
    count = sa.text("SELECT count(*) FROM entries WHERE kind = 'check.run'")
    engine = sa.create_engine(copy)
    with engine.begin() as conn:
        runs = conn.execute(count).scalar_one()
        disable_guard(conn)
        kept = bytes(conn.execute(sa.text("SELECT hash FROM entries WHERE seq = 5")).scalar_one())
        conn.execute(sa.text("UPDATE entries SET hash = :h WHERE seq = 5"), {"h": bytes(32)})
    result = CliRunner().invoke(cli, night, catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "the stored Merkle tree's root at size" in result.output and "The run attests nothing" in result.output
    with engine.begin() as conn:
        assert conn.execute(count).scalar_one() == runs
        conn.execute(sa.text("UPDATE entries SET hash = :h WHERE seq = 5"), {"h": kept})
    engine.dispose()
    before = _verify(copy)[1]
    result = CliRunner().invoke(cli, night, catch_exceptions=False)
    assert result.exit_code == 0, result.output  # the clean fixture ledger: no finding
    assert json.loads(result.output.splitlines()[-1])["root"] == before["root"]
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == runs + 1
    engine.dispose()


@pytest.mark.parametrize("edit", ["an amount", "a key"])
def test_a_value_of_another_type_stops_the_nightly_run_naming_its_row(base, copy, tmp_path, edit):
    """The engines sum and compare the integer columns: text in an amount, or a row whose seq is
    text, stops the nightly run after the comparison with exit 3 naming the row (the engines
    crashed on it before). On PostgreSQL the insider first changes the column's type; every row's
    value is then text, and the first by key is named."""
    night = ["check", "--no-record", "--json", "--out", str(tmp_path / "night"), "--db", copy]
    clean = CliRunner().invoke(cli, [*night[:-3], str(tmp_path / "clean"), "--db", copy])
    assert clean.exit_code == 0, clean.output  # the untouched ledger: every engine runs
    table, column, named = {"an amount": ("projects", "approved_fen", "projects row project=A: approved_fen is "),
                            "a key": ("decisions", "seq", "decisions row seq=")}[edit]
    if base[0] == "postgresql":
        _sql(copy, f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text")
    if edit == "an amount":
        _sql(copy, "UPDATE projects SET approved_fen = 'lots' WHERE project = 'A'")
    else:
        _sql(copy, "INSERT INTO decisions SELECT 'x', project, stage, outcome, reason, amount_before_fen, amount_after_fen, "
                   "date, panel_size FROM decisions WHERE project = 'A' AND stage = 'initial'")
    stopped = CliRunner().invoke(cli, night)
    assert stopped.exit_code == 3, stopped.output
    assert named in stopped.output and "a value of another type where the schema has an integer" in stopped.output
    if base[0] == "sqlite":
        assert ("'lots' in the database" if edit == "an amount" else "decisions row seq=x: in the database") in stopped.output
    assert not (tmp_path / "night" / "findings.json").exists()


def test_a_decision_reason_edited_by_hand_is_named(demo_copy):
    ((seq, reason),) = _sql(demo_copy, "SELECT seq, reason FROM decisions WHERE reason = 'duplicate_support' "
                                       "ORDER BY seq LIMIT 1")[0]
    _sql(demo_copy, f"UPDATE decisions SET reason = 'tax_arrears' WHERE seq = {seq}")
    code, report = _verify(demo_copy)
    assert code == 3
    assert [(f["subject"], f["field"], f["expected"], f["actual"]) for f in report["findings"]] == [
        ({"table": "decisions", "seq": seq}, "reason", "'duplicate_support'", "'tax_arrears'")]


@pytest.mark.parametrize("value, said", [("not json", "is not JSON"), ("12345", "holds '12345', not a list of strings")],
                         ids=["not JSON", "JSON of another shape"])
def test_a_report_reading_a_projection_edited_into_what_is_not_json_names_it(demo_copy, value, said):
    """A report reads the projections; one whose JSON column the insider overwrote (with what does
    not parse, or with a number where the list of policies belongs) is an integrity failure (exit 3)
    naming the row and column, as a posting that read it would be, not a crash."""
    execution = ["report", "execution", "--fund", "chaoyang-hightech", "--year", "2023", "--db", demo_copy]
    assert CliRunner().invoke(cli, execution).exit_code == 0
    _sql(demo_copy, f"UPDATE funds SET policies = '{value}' WHERE fund = 'chaoyang-hightech' AND year = 2023")
    refused = CliRunner().invoke(cli, execution)
    assert refused.exit_code == 3
    assert f"the funds row chaoyang-hightech 2023, column policies {said}" in refused.output
    code, report = _verify(demo_copy)
    assert code == 3 and [(f["subject"], f["field"]) for f in report["findings"]] == [
        ({"table": "funds", "fund": "chaoyang-hightech", "year": 2023}, "policies")]


_HIGHTECH_2023 = "fund = 'chaoyang-hightech' AND year = 2023"
_AWARDED = f"(SELECT min(project) FROM projects WHERE {_HIGHTECH_2023} AND status = 'approved')"
_LAST_DECISION = f"(SELECT max(d.seq) FROM decisions d JOIN projects p ON p.project = d.project WHERE p.{_HIGHTECH_2023})"


_RETYPED = [  # (the report, the table, the column, the value as SQL writes it, the row's key or None for the fund-year)
    ("execution", "projects", "approved_fen", "'lots'", _AWARDED),
    ("notice", "projects", "approved_fen", "'lots'", _AWARDED),
    ("funnel", "projects", "requested_fen", "1.5", _AWARDED),
    ("execution", "funds", "budget_fen", "'lots'", None),
    ("funnel", "decisions", "amount_after_fen", "'lots'", _LAST_DECISION),
    ("execution", "decisions", "amount_after_fen", "'lots'", _LAST_DECISION),  # its sum was 0.0 for the text: silent
    ("execution", "reported", "value", "'lots'",
     "(SELECT min(seq) FROM reported WHERE figure LIKE 'chaoyang-hightech/2023/%')"),
]


# PostgreSQL keeps its column types: there the insider alters the column first (the posting test below)
@pytest.mark.parametrize("demo", [("sqlite", "ed25519-sha256")], indirect=True, ids=["sqlite"])
@pytest.mark.parametrize("report, table, column, value, key", _RETYPED, ids=[f"{c[0]}-{c[1]}.{c[2]}" for c in _RETYPED])
def test_a_report_reading_an_integer_column_edited_into_another_type_names_it(demo_copy, report, table, column, value, key):
    """SQLite keeps whatever an UPDATE gives it. A report that reads text or a fraction where the
    schema has an integer (an amount in fen, a stated figure) stops with exit 3 naming the row and
    column, and ``verify`` names the same one; a sum never counts it as 0, as SQLite's ``sum`` would."""
    command = ["report", report, "--fund", "chaoyang-hightech", "--year", "2023", "--db", demo_copy]
    assert CliRunner().invoke(cli, command).exit_code == 0
    pk = {"projects": "project", "decisions": "seq", "reported": "seq"}.get(table)
    where = _HIGHTECH_2023 if pk is None else f"{pk} = {key}"
    ((row,),) = _sql(demo_copy, f"SELECT {pk or 'fund'} FROM {table} WHERE {where}")[0]
    _sql(demo_copy, f"UPDATE {table} SET {column} = {value} WHERE {where}")
    refused = CliRunner().invoke(cli, command)
    named = "chaoyang-hightech 2023" if pk is None else row
    assert refused.exit_code == 3, refused.output
    assert f"the {table} row {named}, column {column} holds {value}, not an integer" in refused.output  # as SQL writes it
    code, found = _verify(demo_copy)
    subject = {"table": table, "fund": "chaoyang-hightech", "year": 2023} if pk is None else {"table": table, pk: row}
    assert code == 3 and (subject, column) in [(f["subject"], f["field"]) for f in found["findings"]]


def _returned(project: str) -> dict:
    return {"kind": "disbursement.return", "idem": "return:朝科信退〔2023〕998", "body": {
        "project": project, "amount_wan": "1", "date": "2023-12-01", "voucher": "朝科信退〔2023〕998"}}


def _applied(project: str) -> dict:
    from stdnum.cn import uscc

    base = "91110105MA0099998"
    return {"kind": "project.apply", "idem": "apply-2020-opening-99998", "body": {
        "project": "2020-opening-99998", "enterprise": base + uscc.calc_check_digit(base), "enterprise_name": "一家新企业",
        "fund": "chaoyang-finance", "year": 2020, "clause": "opening", "requested_wan": "1", "date": "2020-06-15"}}


def _stated(project: str) -> dict:
    return {"kind": "report.state", "idem": "stated-again", "body": {
        "figure": "chaoyang-hightech/2023/awards", "seed": "a later report", "wording": "安排支持资金1.18亿元",
        "value_wan": "11800", "tolerance_wan": "50"}}


@pytest.mark.parametrize("table, column, key, line", [
    ("projects", "approved_fen", _AWARDED, _returned),  # the project's row, read by key
    ("policies", "version", "(SELECT max(version) FROM policies WHERE policy = 'chaoyang-finance-measures')", _applied),
    ("reported", "tolerance", "(SELECT min(seq) FROM reported WHERE figure = 'chaoyang-hightech/2023/awards')", _stated),
], ids=["a project's amount", "a policy's version", "a stated figure's tolerance"])
def test_a_posting_that_reads_an_integer_edited_into_text_is_refused_naming_it(demo, demo_copy, tmp_path, table, column,
                                                                               key, line):
    """The write-time rules read the projections too: money returned from a project whose approved
    amount the insider overwrote with text, an application under a policy whose version is text,
    or a figure stated again beside a statement whose tolerance is text, is an integrity failure
    naming the row (exit 3), and nothing is appended, not a crash; on
    PostgreSQL the insider first changes the column's type (every value is then text)."""
    ((project,),) = _sql(demo_copy, _AWARDED[1:-1])[0]
    posting = tmp_path / "posting.jsonl"
    posting.write_text(json.dumps(line(project), ensure_ascii=False) + "\n")
    command = ["post", str(posting), "--key", str(demo[2] / "poster.key"), "--db", demo_copy]
    accepted = CliRunner().invoke(cli, [*command, "--dry-run"])
    assert accepted.exit_code == 0, accepted.output
    where = {"projects": f"project = {key}", "policies": f"policy = 'chaoyang-finance-measures' AND version = {key}",
             "reported": f"seq = {key}"}[table]
    name = {"projects": "project", "policies": "policy", "reported": "seq"}[table]
    ((named,),) = _sql(demo_copy, f"SELECT {name} FROM {table} WHERE {where}")[0]
    if demo[0] == "postgresql":
        _sql(demo_copy, f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text")
    _sql(demo_copy, f"UPDATE {table} SET {column} = 'lots' WHERE {where}")
    ((size,),) = _sql(demo_copy, "SELECT count(*) FROM entries")[0]
    refused = CliRunner().invoke(cli, command)
    assert refused.exit_code == 3, refused.output
    assert f"the {table} row {named}" in refused.output and f"column {column} holds '" in refused.output
    if table != "policies" or demo[0] == "sqlite":  # (PostgreSQL's text versions order otherwise: '1' is named)
        assert f"column {column} holds 'lots', not an integer" in refused.output
    assert _sql(demo_copy, "SELECT count(*) FROM entries")[0] == [(size,)]


@pytest.mark.parametrize("reader", ["post", "trail", "report"])
def test_a_policy_document_edited_into_another_shape_is_named(demo, demo_copy, tmp_path, reader):
    """The rules, a trail's stage names and a funnel report read a policy's stored document: one the
    insider replaced with JSON that is no policy document is exit 3 naming the policy (by the
    edge's own check, ``validate_document``), not a crash."""
    posting = tmp_path / "posting.jsonl"
    posting.write_text(json.dumps(_applied(""), ensure_ascii=False) + "\n")
    args = {"post": ["post", str(posting), "--key", str(demo[2] / "poster.key"), "--dry-run"],
            "trail": ["trail", "--fund", "chaoyang-finance", "--year", "2020"],
            "report": ["report", "funnel", "--fund", "chaoyang-finance", "--year", "2020"]}[reader]
    assert CliRunner().invoke(cli, [*args, "--db", demo_copy]).exit_code == 0
    engine = sa.create_engine(demo_copy)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE policies SET document = :d WHERE policy = 'chaoyang-finance-measures'"),
                     {"d": b'{"workflow": {}}'})
    engine.dispose()
    refused = CliRunner().invoke(cli, [*args, "--db", demo_copy])
    assert refused.exit_code == 3, refused.output
    assert "policy chaoyang-finance-measures's document is not a policy document (body.document." in refused.output


def test_a_trail_over_a_lifecycle_body_emptied_by_hand_names_its_seq(demo_copy):
    """The trail checks each envelope as it reads it, and each lifecycle body against its kind's
    edge before it summarises it: a decision's body the insider emptied is exit 3 naming the seq,
    not a crash of its one-line summary."""
    import orjson

    trail = ["trail", "--fund", "chaoyang-hightech", "--year", "2023", "--db", demo_copy]
    assert CliRunner().invoke(cli, trail).exit_code == 0
    engine = sa.create_engine(demo_copy)
    with engine.begin() as conn:
        disable_guard(conn)
        seq, data = conn.execute(sa.text("SELECT e.seq, e.data FROM entries e JOIN entry_refs r ON r.seq = e.seq "
                                         "WHERE r.fund = 'chaoyang-hightech' AND r.year = 2023 AND e.kind = 'review.decide' "
                                         "ORDER BY e.seq LIMIT 1")).one()
        envelope = orjson.loads(data)
        envelope["body"] = {}
        conn.execute(sa.text("UPDATE entries SET data = :d WHERE seq = :s"),
                     {"d": orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS), "s": seq})
    engine.dispose()
    refused = CliRunner().invoke(cli, trail)
    assert refused.exit_code == 3, refused.output
    assert f"seq {seq}: its review.decide body is not one its kind accepts (body." in refused.output


def test_the_untouched_demo_ledger_passes(demo_copy):
    code, report = _verify(demo_copy)
    assert code == 0 and report["state"]["rows"] > 20000 and report["state"]["warnings"] == 26


_LEFT_FOR_THE_COLLECTOR = """
import gc, sys
from contracts.api import CONTRACTS
from ledger import db
from ledger.verify import verify_ledger
engine = db.make_engine(sys.argv[1])
verify_ledger(engine, CONTRACTS)  # the first verify of a process also leaves what loading modules left
gc.collect()
gc.disable()
verified = verify_ledger(engine, CONTRACTS)
print(verified.chain.entries, gc.collect())
"""


def test_a_verify_leaves_next_to_nothing_for_the_cyclic_collector(demo_copy):
    """``ledger/collector.py`` pauses the collector for a verify: that frees nothing late only if
    the chain checks and the replay make no reference cycles as they go. Measured in a process of
    its own (here, what earlier tests left would be counted too), on its second verify, with the
    collector off throughout: a few hundred objects (SQLAlchemy's compiled statements and the
    like); one cycle an entry would leave thousands."""
    import subprocess
    import sys

    ran = subprocess.run([sys.executable, "-c", _LEFT_FOR_THE_COLLECTOR, demo_copy], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, timeout=300)
    assert ran.returncode == 0, ran.stderr
    entries, left = map(int, ran.stdout.split())
    assert entries > 8000 and left < entries / 4, left


def test_the_demo_ledgers_findings_at_posting_are_the_pinned_ones(demo_copy):
    """Every finding the write-time rules give the demo's entries (replayed), as pinned in
    tests/golden/demo/, in either suite, on either database."""
    from ledger.replay import entry_batches, replaying

    engine = sa.create_engine(demo_copy)
    try:
        with replaying(CONTRACTS) as replayer, engine.connect() as conn:
            for batch in entry_batches(conn):
                replayer.feed(batch)
            result = replayer.finish()
    finally:
        engine.dispose()
    assert not result.refused
    matches("demo", "write-time", result.warnings)


# -- what replay re-checks beyond the projections ---------------------------------------------------
def _forge(url: str, signer: Any, items: list[tuple[str, str, dict]], contracts: int | None = 1) -> int:
    """Append a well-chained, validly signed posting straight into the table, bypassing every check
    (an insider with a key and the database); its first seq."""
    from ledger.envelope import seal_posting, utc_now
    from ledger.store import read_head, write_entries

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        head = read_head(conn)
        origin = json.loads(conn.execute(sa.text("SELECT data FROM entries WHERE seq = 0")).scalar())["ledger"]
        sealed = seal_posting(ledger=origin, first_seq=head.seq + 1, prev=head.hash, posting_id=head.posting + 1,
                              at=utc_now(), signer=signer, items=items, contracts=contracts, suite=signer.suite)
        write_entries(conn, sealed, head.size, signer.suite)
    engine.dispose()
    return head.seq + 1


def test_a_body_not_in_its_stored_form_is_refused_at_replay(base, copy):
    from ledger.keys import load_private

    fee = {"fund": "test-fund", "year": 2023, "payee": "评审机构", "service": "评审", "amount_wan": "1"}
    seq = _forge(copy, load_private(base[2] / "poster.key"), [("fee.pay", "forged-fee", fee)])
    code, report = _verify(copy)
    assert code == 3
    assert [(f["rule"], f["subject"]["seq"], f["field"]) for f in report["findings"]] == [("INPUT-BODY", seq, "body")]


def test_a_posting_recording_a_lower_contracts_version_is_caught_by_the_chain(base, copy):
    from ledger.keys import load_private

    seq = _forge(copy, load_private(base[2] / "poster.key"), [("audit.note", "old", {"text": "before the rules"})],
                 contracts=0)
    code, report = _verify(copy)
    assert code == 3 and (report["step"], report["seq"]) == ("3.6", seq) and "contracts version" in report["what"]


def test_a_posting_recording_a_contracts_version_this_release_does_not_know_stops_the_replay(base, copy, monkeypatch):
    """The chain accepts a higher version; only the replay can say it needs a later release (exit 5),
    and says so the same way when it runs beside the stretches, whose chain checks pass."""
    from ledger import segments
    from ledger.keys import load_private

    version = CONTRACTS.version + 1
    seq = _forge(copy, load_private(base[2] / "poster.key"), [("audit.note", "later", {"text": "a later release"})],
                 contracts=version)
    code, report = _verify(copy, "--workers", "1")
    assert code == 5 and report["error"] == (
        f"the posting at seq {seq} was checked by contracts version {version}; this fundledger knows versions up to "
        f"{CONTRACTS.version}: replay it with a release that knows them")
    assert _verify(copy, "--no-replay")[0] == 0
    monkeypatch.setattr(segments, "MIN_ENTRIES", 0)
    assert _verify(copy, "--workers", "2") == (code, report)


def _release_2(monkeypatch) -> None:
    """The next release: contracts version 2, which adds FEE-CAP (a fee may not exceed 2万元)."""
    from contracts import api, engine, rules
    from contracts.rules.base import finding
    from ledger.findings import FATAL

    def fee_cap(state, seq, item):
        if item.body["amount_fen"] <= 2 * W:
            return []
        return [finding("FEE-CAP", item, "a fee above 2万元", field="amount_fen", expected=2 * W,
                        actual=item.body["amount_fen"])]

    monkeypatch.setattr(api, "CONTRACTS_VERSION", 2)
    monkeypatch.setitem(rules.RULES, "FEE-CAP", rules.Rule("FEE-CAP", FATAL, "a fee is at most 2万元", zh="服务费不超过2万元",
                                                           kinds=("fee.pay",), since=2))
    monkeypatch.setitem(engine.CHECKS, "fee.pay", [*engine.CHECKS["fee.pay"], fee_cap])


def _fee(url: str, key: Path, idem: str, wan: str) -> Any:
    posting = key.parent / f"{idem}.jsonl"
    posting.write_text(json.dumps({"kind": "fee.pay", "idem": idem, "body": {
        "fund": "test-fund", "year": 2023, "payee": "评审机构", "service": "评审", "amount_wan": wan}}) + "\n")
    return CliRunner().invoke(cli, ["post", str(posting), "--key", str(key), "--json", "--db", url])


def test_a_rule_added_after_the_fact_is_a_warning_for_the_postings_before_it(base, copy, monkeypatch):
    from ledger.keys import load_private

    poster = base[2] / "poster.key"
    early = json.loads(_fee(copy, poster, "fee-early", "2.5").output)["seq"]  # under version 1: no FEE-CAP yet
    _release_2(monkeypatch)
    code, report = _verify(copy)  # the release with the rule: a warning, not an integrity failure
    assert code == 0
    assert [(f["rule"], f["severity"], f["subject"]["seq"]) for f in report["state"]["rules_added_after"]] == [
        ("FEE-CAP", "warning", early)]
    assert report["state"]["contracts_versions"] == {"1": 43}
    refused = _fee(copy, poster, "fee-late", "3")  # a posting under version 2 is held to it
    assert refused.exit_code == 1 and json.loads(refused.output)["findings"][0]["rule"] == "FEE-CAP"
    # an insider posts it anyway, recorded as version 2 (the rule switched off in their copy of the code)
    forged = _forge(copy, load_private(poster), [("fee.pay", "fee-forged", {
        "fund": "test-fund", "year": 2023, "payee": "评审机构", "service": "评审", "amount_fen": 3 * W})], contracts=2)
    code, report = _verify(copy)
    assert code == 3
    assert [(f["rule"], f["subject"]["seq"]) for f in report["findings"] if f["rule"] != "STATE-ROW"] == [
        ("FEE-CAP", forged)]
    # a ledger posted under version 2 is neither posted to nor replayed by the release before it
    monkeypatch.undo()
    assert _fee(copy, poster, "fee-old-release", "0.5").exit_code == 5
    assert _verify(copy)[0] == 5
    assert _verify(copy, "--no-replay")[0] == 0  # its chain, signatures and keys are still checked


# -- the auditor's own copy: replay --bundle ---------------------------------------------------------
def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _bundle(url: str, keys: Path, out: Path) -> Path:
    exported = _run("export", "--out", str(out), "--key", str(keys / "log.key"), "--db", url)
    assert exported.exit_code == 0, exported.output
    return out


def _report(url: str, which: str, fmt: str, out: Path) -> Any:
    target = out / f"{which}-{abs(hash(url))}.{fmt}"
    made = _run("report", which, "--fund", "chaoyang-hightech", "--year", "2023", "--format", fmt, "--out", str(target),
                "--db", url)
    assert made.exit_code == 0, made.output
    if fmt != "xlsx":
        return target.read_bytes()
    from openpyxl import load_workbook  # the cells; the file's own bytes carry the time it was written

    return [[c.value for c in row] for sheet in load_workbook(target) for row in sheet.iter_rows()]


@pytest.fixture
def targets(tmp_path, pg_url) -> dict[str, str]:
    """An empty SQLite file and an empty PostgreSQL schema to rebuild into."""
    return {"sqlite": f"sqlite:///{tmp_path / 'auditor.db'}", "postgresql": pg_url}


def test_a_replayed_bundle_reproduces_the_reports_the_proofs_and_the_digest(demo, demo_copy, targets, tmp_path):
    """The audit bureau rebuilds the district's database from a bundle alone, on the other database
    than the district's (a SQLite ledger's bundle into PostgreSQL, a PostgreSQL one's into SQLite; the
    nightly test below rebuilds on the same one): the 2023 execution report and funnel equal the
    original's in every format (HTML too), the trail and the proofs too, verify passes, and the
    projections' digest is the original's."""
    bundle = _bundle(demo_copy, demo[2], tmp_path / "bundle")
    vkey = (bundle / "log.vkey").read_text().strip()
    original = _verify(demo_copy)[1]
    reports = [(which, fmt) for which in ("execution", "funnel") for fmt in ("table", "json", "csv", "xlsx", "html")]
    trail = ["trail", "--fund", "chaoyang-hightech", "--year", "2023", "--clause", "9", "--format", "csv"]
    proofs = [("inclusion", "100", "--size", "5000"), ("consistency", "1000", "8000")]

    def outputs(url: str) -> list[Any]:
        return [*(_report(url, which, fmt, tmp_path) for which, fmt in reports), _run(*trail, "--db", url).output,
                *(_run("prove", *proof, "--db", url).output for proof in proofs)]

    want = outputs(demo_copy)
    (url,) = (url for backend, url in targets.items() if backend != demo[0])
    rebuilt = _run("replay", "--bundle", str(bundle), "--log-vkey", vkey, "--json", "--db", url)
    assert rebuilt.exit_code == 0, rebuilt.output
    summary = json.loads(rebuilt.output)
    assert summary["entries"] == original["entries"] - 1  # the bundle ends before its own checkpoint's record
    got = outputs(url)
    for what, mine, theirs in zip([*reports, "trail", *proofs], got, want):
        assert mine == theirs, what
    code, copy_report = _verify(url)
    assert code == 0 and copy_report["root"] == summary["root"] and copy_report["tree_size"] == summary["entries"]
    assert copy_report["state"]["projections_sha256"] == original["state"]["projections_sha256"]


def test_the_nightly_run_on_the_auditors_copy_finds_what_it_finds_on_the_original(demo, demo_copy, targets, tmp_path):
    """Rebuilt on the district's own database, the auditor's copy gives the nightly run the original's
    26 findings and the original's projections digest."""
    bundle = _bundle(demo_copy, demo[2], tmp_path / "bundle")
    url = targets[demo[0]]
    assert _run("replay", "--bundle", str(bundle), "--db", url).exit_code == 0
    runs = []
    for where in (url, demo_copy):
        night = _run("check", "--no-record", "--json", "--out", str(tmp_path / f"night-{len(runs)}"), "--db", where)
        assert night.exit_code == 0, night.output
        runs.append(json.loads(night.output.splitlines()[-1]))
    assert runs[0]["findings"] == runs[1]["findings"] and len(runs[0]["findings"]) == 26
    matches("demo", "nightly", sorted(runs[0]["findings"], key=lambda f: json.dumps(f, sort_keys=True, ensure_ascii=False)))
    assert runs[0]["projections_sha256"] == runs[1]["projections_sha256"] and runs[0]["recorded"] is None


def test_a_bundle_holding_an_entry_the_contracts_refuse_names_it(demo, demo_copy, targets, tmp_path):
    """The tampered ledger's bundle verifies (its chain and signatures are sound), but its replay
    names the payment the contracts refuse, by seq and rule, and says the copy holds it without effect."""
    _, seq = _pay_a_rejected_project(demo_copy, demo[2] / "poster.key", tmp_path)
    bundle = _bundle(demo_copy, demo[2], tmp_path / "bundle")
    assert _run("verify", "--bundle", str(bundle)).exit_code == 0
    url = targets[demo[0]]
    rebuilt = _run("replay", "--bundle", str(bundle), "--json", "--db", url)
    assert rebuilt.exit_code == 3
    report = json.loads(rebuilt.output)
    assert [(f["rule"], f["subject"]["seq"]) for f in report["findings"]] == [("PAY-REJECTED", seq)]
    assert "without their effects" in report["message"] and report["step"] == "replay"
    assert _run("replay", "--bundle", str(bundle), "--db", url).exit_code == 2  # it holds a ledger now: not twice


@pytest.mark.parametrize("line", ["middle", "last"])
def test_a_bundle_that_changes_after_it_is_verified_is_not_replayed_as_verified(env, tmp_path, monkeypatch, line):
    """``replay --bundle`` reads ``entries.jsonl`` twice: to verify it, then to replay it. A file that
    gives other bytes the second time (a share the district serves, another process writing) must not
    be replayed as the bundle verified: an entry changed in the middle is named by the seq after it,
    whose prev no longer holds; the last one by the head's hash. Exit 3, and the copy not marked as
    replayed from the bundle."""
    import ledger.bundle
    from ledger.replay import REPLAYED_FROM_SETTING

    posting = tmp_path / "notes.jsonl"
    posting.write_text("".join(note(f"n{i}", f"note {i}") + "\n" for i in range(20)), encoding="utf-8")
    assert env.run("post", str(posting), "--key", env.key_path("poster")).exit_code == 0
    bundle = tmp_path / "bundle"
    assert env.run("export", "--out", str(bundle), "--key", env.key_path("log")).exit_code == 0
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    seq = len(lines) - 1 if line == "last" else next(i for i, b in enumerate(lines) if b'"note 7"' in b)
    verified = ledger.bundle.verify_bundle

    def verified_then_changed(*args, **kwargs):
        result = verified(*args, **kwargs)
        lines[seq] = lines[seq].replace(b'"note', b'"NOTE')
        (bundle / "entries.jsonl").write_bytes(b"".join(lines))
        return result

    monkeypatch.setattr(ledger.bundle, "verify_bundle", verified_then_changed)
    target = f"sqlite:///{tmp_path / 'auditor.db'}"
    rebuilt = _run("replay", "--bundle", str(bundle), "--db", target)
    assert rebuilt.exit_code == 3
    assert "changed after it was verified" in rebuilt.output and "delete it and replay the bundle again" in rebuilt.output
    if line == "middle":
        assert f"seq {seq + 1} does not follow seq {seq}" in rebuilt.output
    else:
        assert f"replay: {seq + 1} entries, the last with hash" in rebuilt.output
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT value FROM settings WHERE name = :n"), {"n": REPLAYED_FROM_SETTING}).first() is None
    engine.dispose()
    monkeypatch.undo()  # the file as verified, read once more: the copy is whole
    (bundle / "entries.jsonl").write_bytes(b"".join(lines).replace(b'"NOTE', b'"note'))
    again = f"sqlite:///{tmp_path / 'auditor-2.db'}"
    assert _run("replay", "--bundle", str(bundle), "--db", again).exit_code == 0

"""The nightly run: both engines over the same fixture ledgers, on SQLite and PostgreSQL.

A small ledger is built once per database through the write-time path (every stage, a halving, a
rejection, a notice, payments, a fee, a correction, a reported figure that reconciles). Each test
copies it (SQLite's backup API; on PostgreSQL ``CREATE DATABASE … TEMPLATE``), plants one state directly
in the projection tables, bypassing the write-time contracts, and runs Great Expectations and
pandera over the copy. Both must name the same (rule, subject) pairs, and the planted one among
them; on the untouched copy, neither names anything. ``test_every_nightly_rule_is_planted``
requires a plant for every rule file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from checks.frames import run_pandera
from checks.gx_project import GX_DIR, project_files, run_gx
from checks.sqlrules import TABLES, sql_rules
from contracts.api import CONTRACTS
from contracts.figures import FundYear, parse_figure, show
from contracts.rules import NIGHTLY_ONLY, RULES, RULES_DIR, folder_of
from fundledger.cli import cli
from tests.golden import matches
from tests.ledgers import FIGURES, W


def _award(pid: str, clause: str, amount: int, bases: dict[str, int], later: int = 1000) -> list[str]:
    """Statements that add an approved project like A (E1, tagged key) under another clause, with bases."""
    return [f"INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, "
            "amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, "
            f"enterprise_name) SELECT '{pid}', enterprise, fund, year, '{clause}', 'test-policy:{clause}', policy, tags, "
            f"bases, requested_fen, {amount}, status, stages, approvals, {amount}, notice, 0, 0, apply_seq + {later}, "
            "enterprise_name FROM projects WHERE project = 'A'",
            f"INSERT INTO project_tags (project, tag) VALUES ('{pid}', 'key')",
            *(f"INSERT INTO project_bases (project, base, value) VALUES ('{pid}', '{b}', {v})" for b, v in bases.items())]


def _plants() -> dict[str, tuple[dict, list[str]]]:
    """Each rule's planted state (``contracts/rules/<rule>/plant.sql``): the subject both engines must
    name (its ``-- finds:`` line) and the statements that plant it."""
    out = {}
    for rule_id in RULES:
        path = RULES_DIR / folder_of(rule_id) / "plant.sql"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            finds = next(line for line in text.splitlines() if line.startswith("-- finds:"))
            body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
            out[rule_id] = (json.loads(finds.partition(":")[2]), [s.strip() for s in body.split(";\n") if s.strip()])
    return out


PLANTS = _plants()


def _run(conn: sa.Connection, sql: str) -> None:
    conn.execute(sa.text(sql))


def _findings(url: str, out: Path) -> tuple[list, list]:
    gx, _ = run_gx(url, out)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pd = run_pandera(conn)
    finally:
        engine.dispose()
    return gx, pd


def _both(url: str, out: Path, golden: str | None = None) -> tuple[set, set]:
    """Both engines' (rule, subject) pairs; with ``golden``, both engines' whole findings must equal
    the ones pinned under that name (``tests/golden.py``), on either database."""
    gx, pd = _findings(url, out)
    if golden:
        matches("nightly", f"{golden}-gx", gx)
        matches("nightly", f"{golden}-pandera", pd)
    return {(f.rule, f.subject) for f in gx}, {(f.rule, f.subject) for f in pd}


def _plant(url: str, statements: list[str]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for sql in statements:
            _run(conn, sql)
    engine.dispose()


def test_the_clean_ledger_has_no_findings(copy, tmp_path):
    gx, pd = _both(copy, tmp_path, golden="clean")
    assert gx == pd == set()


def test_great_expectations_leaves_the_process_one_thread(copy, tmp_path):
    """GX's hidden progress bars would start tqdm's monitor thread for the rest of the process. A
    process with a second thread checks signatures in fork-server workers, which import the ledger
    again (``ledger.chain.process_pool``): a verify after the nightly checks in the same process
    (the tests, a service) ran about 4× slower."""
    run_gx(copy, tmp_path)
    assert [t.name for t in threading.enumerate() if t is not threading.main_thread()] == []


@pytest.mark.parametrize("rule", sorted(PLANTS))
def test_both_engines_find_the_planted_state(rule, copy, tmp_path):
    subject, statements = PLANTS[rule]
    _plant(copy, statements)
    gx, pd = _both(copy, tmp_path, golden=f"plant-{rule}")
    assert gx == pd, f"only GX: {gx - pd}; only pandera: {pd - gx}"
    found = [dict(s) for r, s in gx if r == rule]
    assert any(subject.items() <= s.items() for s in found), f"{rule}: {subject} not among {found}"


def test_every_way_a_stage_can_be_out_of_order(copy, tmp_path):
    """STAGE-ORDER's four cases, and two orders it accepts; a repeated required stage counts once."""
    def decision(seq: int, project: str, stage: str) -> str:
        return ("INSERT INTO decisions (seq, project, stage, outcome, reason, amount_before_fen, amount_after_fen, date, "
                f"panel_size) VALUES ({seq}, '{project}', '{stage}', 'pass', NULL, {W}, {W}, '2023-08-02', 5)")

    _plant(copy, [decision(99981, "R", "expert"),  # after its rejection
                  decision(99982, "Q", "expert"),  # the required initial review undecided
                  decision(99983, "Q", "initial"),  # after the stage it comes before
                  decision(99984, "C", "extra"),  # the optional stage after the required ones: in order
                  *_award("S", "abs", 10 * W, {}), decision(99985, "S", "initial"),  # in order
                  decision(99986, "S", "initial"),  # decided twice
                  decision(99987, "S", "extra")])  # expert undecided, though initial was decided twice
    gx, pd = _both(copy, tmp_path, golden="stage-order")
    assert gx == pd, f"only GX: {gx - pd}; only pandera: {pd - gx}"
    assert sorted(dict(s)["seq"] for r, s in gx if r == "STAGE-ORDER") == [99981, 99982, 99983, 99986, 99987]


def _by_figure(findings: list, rule: str) -> dict[str, object]:
    return {dict(f.subject)["figure"]: f for f in findings if f.rule == rule}


def _ledger_figure(url: str, figure: str) -> str:
    """The figure as the write-time code (contracts.figures) computes it, shown."""
    fund, year, metric, qualifier = parse_figure(figure)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return show(metric, FundYear(conn, fund, year).value(metric, qualifier))
    finally:
        engine.dispose()


def test_every_reported_metric_is_reconciled_nightly(copy, tmp_path):
    """Every figure of the fixture stated one unit off: both engines name each, with the value
    worked out by hand as the ledger's and the stated one beside it."""
    _plant(copy, ["UPDATE reported SET value = value + tolerance + 1"])
    gx, pd = _findings(copy, tmp_path)
    matches("nightly", "figures-off-by-one-gx", gx)
    matches("nightly", "figures-off-by-one-pandera", pd)
    found = _by_figure(gx, "REPORT-RECONCILE")
    assert found == _by_figure(pd, "REPORT-RECONCILE")
    assert sorted(found) == sorted(FIGURES)
    for figure, value in FIGURES.items():
        metric = figure.split("/")[2]
        assert (found[figure].expected, found[figure].actual) == (show(metric, value), show(metric, value + 1)), figure


def test_a_clause_of_several_awards_counts_each_and_the_largest_award_is_one_award(copy):
    """The write-time figures read counts and sums grouped by status and clause: with every award
    moved into one clause by hand, the clause's figures add up its five projects, and the largest
    award is still B's 80 万元, not a clause's sum; the values (sums of decisions too) are integers
    on both databases (PostgreSQL's sums are numeric)."""
    _plant(copy, ["UPDATE projects SET clause = 'yearcap' WHERE fund = 'test-fund' AND status = 'approved'"])
    engine = sa.create_engine(copy)
    try:
        with engine.connect() as conn:
            fy = FundYear(conn, "test-fund", 2023)
            got = [fy.value(metric, tuple(qualifier)) for metric, *qualifier in (
                ("max_award",), ("clause_projects", "yearcap"), ("clause_awards", "yearcap"), ("clause_projects", "abs"),
                ("clause_awards", "abs"), ("awards",), ("applications",), ("stage_amount", "initial"),
                ("outcome_amount", "initial", "reject"))]
    finally:
        engine.dispose()
    assert got == [80 * W, 5, 280 * W, 0, 0, 280 * W, 7, 330 * W, 30 * W]
    assert {type(v) for v in got} == {int}


def test_a_ledger_changed_by_hand_no_longer_reconciles(copy, tmp_path):
    """The statements stay; the rows behind them change (a negative adjustment makes a negative
    rate). Both engines name exactly the figures that moved, with the write-time code's value."""
    _plant(copy, ["UPDATE spending SET amount_fen = amount_fen + 5 WHERE name = '专家评审费'",
                  "UPDATE funds SET adjust_fen = -adjust_fen WHERE fund = 'other-fund'",
                  "UPDATE decisions SET reason = 'key_industry' WHERE outcome = 'halve'",
                  "DELETE FROM reversals"])  # the wrongly booked expense counts again
    gx, pd = _findings(copy, tmp_path)
    matches("nightly", "changed-by-hand-gx", gx)
    matches("nightly", "changed-by-hand-pandera", pd)
    found = _by_figure(gx, "REPORT-RECONCILE")
    assert found == _by_figure(pd, "REPORT-RECONCILE")
    assert sorted(found) == sorted([
        "other-fund/2023/expense/专家评审费", "test-fund+other-fund/2023/expense/专家评审费",
        "other-fund/2023/adjustments", "other-fund/2023/available", "other-fund/2023/adjustment_rate",
        "test-fund+other-fund/2023/balance", "test-fund+other-fund/2023/execution_rate",
        "test-fund+other-fund/2023/adjustment_rate", "test-fund/2023/outcome_count/expert/halve/non_key_industry",
        "test-fund/2023/outcome_amount/expert/halve/non_key_industry", "test-fund/2023/expense/录错的费用"])
    for figure, f in found.items():
        assert f.expected == _ledger_figure(copy, figure), figure
    assert found["other-fund/2023/adjustment_rate"].expected == "-10.00%"
    assert found["test-fund+other-fund/2023/execution_rate"].expected == "15.42%"  # 293 / 1900


def test_figures_the_ledger_does_not_compute_are_named_nightly(copy, tmp_path):
    """A sum naming a fund never opened, a sum naming a fund twice, a rate over a budget of nothing."""
    reported = "INSERT INTO reported (seq, figure, value, tolerance, seed, fund, year, metric, qualifier) VALUES"
    named = "INSERT INTO reported_funds (seq, idx, fund) VALUES"
    _plant(copy, [f"{reported} (90001, 'test-fund+ghost-fund/2023/budget', 1, 0, 'a report', "
                  "'test-fund+ghost-fund', 2023, 'budget', NULL)",
                  f"{named} (90001, 0, 'test-fund'), (90001, 1, 'ghost-fund')",
                  f"{reported} (90002, 'test-fund+test-fund/2023/budget', 1, 0, 'a report', "
                  "'test-fund+test-fund', 2023, 'budget', NULL)",
                  f"{named} (90002, 0, 'test-fund'), (90002, 1, 'test-fund')",
                  "UPDATE funds SET budget_fen = 0, adjust_fen = 0 WHERE fund = 'other-fund'"])
    gx, pd = _both(copy, tmp_path, golden="figures-not-computed")
    assert gx == pd, f"only GX: {gx - pd}; only pandera: {pd - gx}"
    named = {dict(s)["figure"] for r, s in gx if r == "REPORT-FIGURE"}
    assert named == {"test-fund+ghost-fund/2023/budget", "test-fund+test-fund/2023/budget",
                     "other-fund/2023/adjustment_rate"}


def test_every_rule_has_its_nightly_counterpart_and_its_plant():
    """Every rule of the registry, write-time ones included, has a nightly query (CHECK-ENGINES is the
    comparison of the engines itself) and a planted state, in its folder."""
    assert {r.rule for r in sql_rules()} == RULES.keys() - {"CHECK-ENGINES"}
    assert {r.rule for r in sql_rules()} == PLANTS.keys()
    assert NIGHTLY_ONLY <= RULES.keys()


def test_the_gx_project_is_built_from_the_rule_files():
    """The committed project equals what `python -m checks.gx_project` writes, one expectation per rule file."""
    committed = {str(p.relative_to(GX_DIR)): p.read_text(encoding="utf-8") for p in GX_DIR.rglob("*") if p.is_file()}
    assert committed == project_files()
    suites = [json.loads(committed[k]) for k in committed if k.startswith("expectations/")]
    expectations = [e for s in suites for e in s["expectations"]]
    assert sorted(e["kwargs"]["rule"] for e in expectations) == sorted(r.rule for r in sql_rules())
    for e in expectations:  # the registry's severity, the rule's own query; no value formatted into it
        assert e["meta"]["severity"] == RULES[e["kwargs"]["rule"]].severity
        assert e["kwargs"]["unexpected_rows_query"].count("{") == e["kwargs"]["unexpected_rows_query"].count("{batch}")


def _check(url: str, key: Path, out: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["check", "--key", str(key), "--out", str(out), "--db", url, "--json"],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.output.splitlines()[-1])


def test_check_writes_the_reports_and_attests_the_run(base, copy, tmp_path):
    """Exit 0 with no fatal finding, 1 with one; each run appends a check.run entry signed by the checks key,
    with the digest of the projection rows it checked: on the clean copy, the one verify gives."""
    from ledger.store import Ledger

    key = base[2] / "checks.key"
    code, first = _check(copy, key, tmp_path / "night1")
    assert code == 0 and first["ok"] and first["findings"] == []
    report = (tmp_path / "night1" / "findings.json").read_bytes()
    from openpyxl import load_workbook

    sheets = load_workbook(tmp_path / "night1" / "findings.xlsx")
    assert [c.value for c in sheets["发现"][1]] == ["规则", "规则说明", "严重程度", "对象", "字段", "期望值", "实际值", "差异",
                                                  "说明（英文）"] and sheets["发现"].max_row == 1
    assert dict(sheets["概况"].values)["致命问题 fatal"] == "0"
    assert json.loads(report)["tree_size"] == first["tree_size"]
    assert (tmp_path / "night1" / "findings.csv").read_text(encoding="utf-8").splitlines() == [
        "rule,severity,subject,field,expected,actual,difference,message"]
    assert Path(first["data_docs"]).is_file()
    ledger = Ledger.open(copy, CONTRACTS)
    ((seq, _, entry),) = ledger.entries(kind="check.run")
    assert seq == first["tree_size"] == first["recorded"]["seq"]
    assert entry["body"]["counts"] == {} and entry["body"]["findings_sha256"] == hashlib.sha256(report).hexdigest()
    assert entry["body"]["root"] == first["root"]
    assert entry["body"]["engines"] == {"replay": 0, "great_expectations": 0, "pandera": 0}
    verified = json.loads(CliRunner().invoke(cli, ["verify", "--json", "--db", copy]).output)
    assert entry["body"]["projections_sha256"] == first["projections_sha256"] == verified["state"]["projections_sha256"]

    _plant(copy, PLANTS["SUM-BUDGET"][1])
    code, second = _check(copy, key, tmp_path / "night2")
    assert code == 1 and not second["ok"]
    fatal = [f for f in second["findings"] if f["severity"] == "fatal"]
    assert [(f["rule"], f["subject"], f["field"]) for f in fatal] == [  # the rule it breaks, and the row the entries do not give
        ("STATE-ROW", {"table": "funds", "fund": "test-fund", "year": 2023}, "budget_fen"),
        ("SUM-BUDGET", {"fund": "test-fund", "year": 2023}, "")]
    assert (fatal[0]["expected"], fatal[0]["actual"]) == (str(1000 * W), str(100 * W))
    assert fatal[1]["expected"] == "100万元" and fatal[1]["difference"] == "182万元"
    # the figures the reports state of that budget no longer reconcile either: warnings
    moved = sorted(f["subject"]["figure"] for f in second["findings"] if f["severity"] == "warning")
    assert moved == sorted([*(f"{fund}/2023/{metric}" for fund in ("test-fund", "test-fund+other-fund")
                              for metric in ("budget", "balance", "execution_rate")),
                            "test-fund+other-fund/2023/adjustment_rate"])
    runs = list(ledger.entries(kind="check.run"))
    assert len(runs) == 2 and runs[1][2]["body"]["counts"] == {"SUM-BUDGET": {"fatal": 1}, "STATE-ROW": {"fatal": 1},
                                                               "REPORT-RECONCILE": {"warning": 7}}
    assert runs[1][2]["body"]["projections_sha256"] == second["projections_sha256"] != first["projections_sha256"]
    rows = [[c.value for c in row] for row in load_workbook(tmp_path / "night2" / "findings.xlsx")["发现"].iter_rows(min_row=2)]
    assert ["SUM-BUDGET", "批准额、服务费、其他支出与调出之和不得超过预算、追加与调入之和", "致命", "资金=test-fund 年度=2023",
            None, "100万元", "282万元", "182万元"] in [r[:8] for r in rows] and len(rows) == 9  # an empty cell reads None
    ledger.engine.dispose()
    assert CliRunner().invoke(cli, ["verify", "--no-replay", "--db", copy]).exit_code == 0  # the attestations verify like any entry
    assert CliRunner().invoke(cli, ["verify", "--db", copy]).exit_code == 3  # and the planted budget is not what the entries give


def test_a_run_is_signed_by_a_checks_key_only(base, copy, tmp_path):
    from ledger.store import Ledger

    result = CliRunner().invoke(cli, ["check", "--key", str(base[2] / "poster.key"), "--out", str(tmp_path), "--db", copy])
    assert result.exit_code == 1 and "check.run" in result.output
    ledger = Ledger.open(copy, CONTRACTS)
    assert list(ledger.entries(kind="check.run")) == []
    ledger.engine.dispose()


def test_engines_that_disagree_are_a_fatal_finding(copy, tmp_path, monkeypatch):
    """CHECK-ENGINES: not on the clean ledger; on a run where pandera misses what GX finds."""
    from checks import frames, nightly
    from ledger.store import Ledger

    ledger = Ledger.open(copy, CONTRACTS)
    assert nightly.run_nightly(ledger, tmp_path / "a", None, record=False).findings == ()
    _plant(copy, PLANTS["SUM-BUDGET"][1])
    real = frames.run_pandera
    monkeypatch.setattr(frames, "run_pandera", lambda conn: [f for f in real(conn) if f.rule != "SUM-BUDGET"])
    run = nightly.run_nightly(ledger, tmp_path / "b", None, record=False)
    ledger.engine.dispose()
    assert {(f.rule, f.severity, dict(f.subject)["fund"]) for f in run.findings if f.severity == "fatal"} == {
        ("SUM-BUDGET", "fatal", "test-fund"), ("CHECK-ENGINES", "fatal", "test-fund"), ("STATE-ROW", "fatal", "test-fund")}
    (odd,) = [f for f in run.findings if f.rule == "CHECK-ENGINES"]
    assert odd.field == "SUM-BUDGET" and odd.actual == "Great Expectations"


def _browser_text(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """The page as headless Chromium renders it: its visible text and its links."""
    import subprocess
    from html.parser import HTMLParser

    chromium = shutil.which("chromium")
    assert chromium, "the Data Docs test needs Debian's chromium (apt-get install chromium; .ci/run installs it)"
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip, self.parts, self.links = 0, [], []

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")
            self.links += [v for k, v in attrs if tag == "a" and k == "href"]

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip and data.strip():
                self.parts.append(data.strip())

    parsed = Text()
    parsed.feed(dom)
    return " | ".join(parsed.parts), parsed.links


@pytest.mark.parametrize("base", ["sqlite"], indirect=True)  # the pages do not depend on the database
def test_the_data_docs_in_a_real_browser(base, copy, tmp_path):
    """The run's page lists every rule and shows the planted failure; GX's validation page for the
    funds table, opened from it, shows SUM-BUDGET failed."""
    _plant(copy, PLANTS["SUM-BUDGET"][1])
    code, run = _check(copy, base[2] / "checks.key", tmp_path / "night")
    assert code == 1
    text, links = _browser_text(tmp_path / "night" / "index.html", tmp_path)
    for rule in {r.rule for r in sql_rules()} | {"CHECK-ENGINES", "STATE-ROW"}:
        assert f"| {rule} |" in text, rule
    # the summary first, in Chinese with the English beside it
    assert text.index("致命问题 fatal | 2 | 警告 warnings | 7 |") < text.index("规则 Rules")
    assert f"账本条目数（树大小） tree size | {run['tree_size']} |" in text and "检查时间（UTC） run at |" in text
    assert "| SUM-BUDGET | 致命 fatal | 未通过 failed | 1 | 批准额、服务费、其他支出与调出之和不得超过预算、追加与调入之和 |" in text
    assert "| AMOUNT-HALF | 致命 fatal | 通过 passed | 0 | 减半支持即金额调整为原金额的一半 |" in text
    assert "| SUM-BUDGET | 致命 fatal | 资金=test-fund 年度=2023 | 100万元 | 282万元 | 182万元 | 批准额" in text
    assert "| STATE-ROW | 致命 fatal | 表=funds 资金=test-fund 年度=2023 |" in text
    (funds_page,) = [link for link in links if link.endswith("ledger-funds.html")]
    text, _ = _browser_text(tmp_path / "night" / funds_page, tmp_path)
    assert "Expectation Suite: | ledger-funds" in text and "Status: | Failed" in text
    assert "SUM-BUDGET (fatal): " in text


def _offline_text(page: Path, tmp_path: Path) -> str:
    """The page's visible text once its scripts ran, in headless Chromium with no network at all (no
    name resolves, every connection goes to a closed port): as on an intranet."""
    import re
    import subprocess

    dom = subprocess.run([shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
                          "--virtual-time-budget=10000", f"--user-data-dir={tmp_path / 'offline-chromium'}",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True).stdout
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("base", ["sqlite"], indirect=True)  # the pages do not depend on the database
def test_the_data_docs_work_with_no_network(base, copy, tmp_path):
    """GX's index lists every validation of the run once its scripts ran (bootstrap-table's "Showing
    … of N rows"), with no network; the same index with its CDN addresses lists nothing; the funds
    validation page shows the planted failure; no page or stylesheet loads or links to anything outside."""
    from checks.offline import SOURCES, outside_references

    _plant(copy, PLANTS["SUM-BUDGET"][1])
    assert _check(copy, base[2] / "checks.key", tmp_path / "night")[0] == 1
    site = tmp_path / "night" / "gx" / "uncommitted" / "data_docs" / "local_site"
    validations = sorted(site.glob("validations/*/*/*/*.html"))
    assert len(validations) == len(TABLES)
    index = _offline_text(site / "index.html", tmp_path)
    assert f"Showing 1 to 10 of {len(validations)} rows" in index
    (funds,) = [v for v in validations if v.name == "ledger-funds.html"]
    page = _offline_text(funds, tmp_path)
    assert "Status: Failed" in page and "SUM-BUDGET (fatal):" in page
    with_cdns = (site / "index.html").read_text(encoding="utf-8")
    for address, copy_ in SOURCES.items():
        with_cdns = with_cdns.replace(f"static/vendor/{copy_}", address)
    (site / "index-cdn.html").write_text(with_cdns, encoding="utf-8")
    assert "Showing 1 to" not in _offline_text(site / "index-cdn.html", tmp_path)  # what an intranet saw before
    (site / "index-cdn.html").unlink()
    for path in [*site.rglob("*.html"), *site.rglob("*.css"), tmp_path / "night" / "index.html"]:
        assert outside_references(path.read_text(encoding="utf-8")) == [], path


def test_migrations_0005_and_0006_backfill_what_the_effects_write(copy):
    """Down to 0004 and up again: the rows rebuilt from the entries equal those written at posting time."""
    from ledger import db

    queries = {"payments": "SELECT * FROM payments ORDER BY seq",
               "policy_terms": "SELECT * FROM policy_terms ORDER BY policy, version, term, subject",
               "decisions": "SELECT seq, date, panel_size FROM decisions ORDER BY seq",
               "resolutions": "SELECT * FROM resolutions ORDER BY seq, project",
               "names": "SELECT project, enterprise_name FROM projects ORDER BY project",
               "indicators": "SELECT * FROM indicators ORDER BY seq, idx",
               "bases": "SELECT * FROM project_bases ORDER BY project, base",
               "tags": "SELECT * FROM project_tags ORDER BY project, tag",
               "caps": "SELECT * FROM policy_caps ORDER BY policy, version, clause, idx",
               "tiers": "SELECT * FROM policy_tiers ORDER BY policy, version, clause, idx, tier",
               "reported": "SELECT seq, fund, year, metric, qualifier FROM reported ORDER BY seq",
               "reported_funds": "SELECT * FROM reported_funds ORDER BY seq, idx",
               "spending": "SELECT * FROM spending ORDER BY seq"}
    engine = db.make_engine(copy)

    def snapshot() -> dict[str, list]:
        with engine.connect() as conn:
            return {k: [tuple(r) for r in conn.execute(sa.text(q))] for k, q in queries.items()}

    before = snapshot()
    assert all(before.values()) and len(before["payments"]) == 1 and len(before["spending"]) == 3
    db.apply_migrations_down(engine, "0004")
    db.apply_migrations(engine)
    assert snapshot() == before
    engine.dispose()


def test_a_check_run_body_names_what_was_checked():
    """The check.run body: accepted as a run writes it; each malformed field refused by name."""
    from ledger.kinds import validate_core_body as validate_body

    good = {"suite_version": "nightly-48-rules-0123456789abcdef", "tree_size": 12, "root": "ab" * 32,
            "projections_sha256": "ef" * 32, "counts": {"SUM-BUDGET": {"fatal": 1}, "REPORT-RECONCILE": {"warning": 7}},
            "findings_sha256": "cd" * 32, "engines": {"replay": 0, "great_expectations": 8, "pandera": 8}}
    assert validate_body("check.run", good) == []
    for change, field in (({"tree_size": 0}, "body.tree_size"), ({"root": "AB" * 32}, "body.root"),
                          ({"findings_sha256": "cd"}, "body.findings_sha256"),
                          ({"projections_sha256": "ef" * 31}, "body.projections_sha256"),
                          ({"counts": {"SUM-BUDGET": {"fatal": 0}}}, "body.counts.SUM-BUDGET"),
                          ({"counts": {"SUM-BUDGET": {"info": 1}}}, "body.counts.SUM-BUDGET")):
        assert [f for f, _ in validate_body("check.run", {**good, **change})] == [field], change
    missing = {k: v for k, v in good.items() if k != "engines"}
    assert "body.engines" in [f for f, _ in validate_body("check.run", missing)]


@pytest.mark.parametrize("base", ["postgresql"], indirect=True)
def test_the_database_password_reaches_no_environment_file_log_or_entry(base, copy, tmp_path, caplog):
    """A nightly run over a PostgreSQL role that has a password, given in the URL: the password is not
    in the process environment afterwards (GX took it as its runtime environment, in memory), not in
    any file of the run (Data Docs, validation results, GX's config_variables.yml, findings), not in
    the output, not in a log record, not in the check.run entry. (The test server trusts 127.0.0.1,
    so the password is carried but not demanded: what is tested is where it goes.)"""
    import logging
    import os
    import uuid

    role, password = f"fl_night_{uuid.uuid4().hex[:8]}", f"S3cret-{uuid.uuid4().hex}"
    admin = sa.create_engine(copy, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{password}'"))
        assert conn.execute(sa.text("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = :r"), {"r": role}).scalar()
    try:
        url = sa.make_url(copy).set(username=role, password=password).render_as_string(hide_password=False)
        caplog.set_level(logging.DEBUG)
        result = CliRunner().invoke(cli, ["check", "--key", str(base[2] / "checks.key"), "--out", str(tmp_path / "night"),
                                          "--db", url, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert password not in result.output and password not in caplog.text
        assert [k for k, v in os.environ.items() if password in v] == []
        leaked = [p for p in (tmp_path / "night").rglob("*") if p.is_file() and password.encode() in p.read_bytes()]
        assert leaked == []
        with admin.connect() as conn:
            (data,) = conn.execute(sa.text("SELECT data FROM entries WHERE kind = 'check.run'")).one()
        assert password.encode() not in data
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_suite_version_covers_what_ge_runs(tmp_path, monkeypatch):
    """The version digests the GX project's files (what GX runs) and the pandera engine: a change to
    a query inside an expectation changes it, and so does a change to a rule's pandera check or to a
    helper of contracts/rules/ it calls."""
    import checks.gx_project
    from checks.nightly import ENGINE_SOURCES, suite_version

    before = suite_version()
    project = tmp_path / "checks" / "gx"
    shutil.copytree(GX_DIR, project)
    for name in ENGINE_SOURCES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(GX_DIR.parent.parent / name, tmp_path / name)
    shutil.copytree(GX_DIR.parent.parent / "contracts" / "rules", tmp_path / "contracts" / "rules", dirs_exist_ok=True)
    monkeypatch.setattr(checks.gx_project, "GX_DIR", project)
    assert suite_version() == before
    suite = project / "expectations" / "ledger-projects.json"
    suite.write_text(suite.read_text(encoding="utf-8").replace("approved_fen > min(c.fen)", "approved_fen >= min(c.fen)"),
                     encoding="utf-8")
    assert suite_version() != before
    suite.write_text(suite.read_text(encoding="utf-8").replace("approved_fen >= min(c.fen)", "approved_fen > min(c.fen)"),
                     encoding="utf-8")
    assert suite_version() == before
    for name, old, new in (("cap_ratio/__init__.py", "FRAMES = award_caps.frames(", "FRAMES = award_caps.frames(  "),
                           ("award_caps.py", 'd["approved_fen"] > d[cap]', 'd["approved_fen"] >= d[cap]')):
        source = tmp_path / "contracts" / "rules" / name  # a rule's pandera check, then the helper it calls
        text = source.read_text(encoding="utf-8")
        assert old in text
        source.write_text(text.replace(old, new), encoding="utf-8")
        assert suite_version() != before
        source.write_text(text, encoding="utf-8")
        assert suite_version() == before

"""The seed reports reproduced from the ledger's own entries (examples/, built by examples/build.py).

Loaded once per database. The figures asserted here are the seeds' own words: seed 000 (2023
execution), seed 001 (2024 performance evaluation).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from contracts.api import CONTRACTS
from fundledger.cli import cli
from fundledger.demo import EXAMPLES, run_demo
from tests.support import PG_SERVER, pg_schema_url

HT = ["--fund", "chaoyang-hightech"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory):
    work = tmp_path_factory.mktemp("seeded")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{work / 'seeded.db'}"
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = pg_schema_url(PG_SERVER, schema)
    lines: list[str] = []
    warnings = run_demo(url, work / "keys", echo=lines.append)
    yield url, "\n".join(lines), work / "keys", warnings
    if schema:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _report(url: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["report", *args, "--format", "json", "--db", url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _rows(report: dict, key: str) -> dict[str, dict]:
    return {row[key]: row for row in report["rows"]}


def test_the_nightly_run_finds_what_the_postings_were_warned_of(seeded, tmp_path):
    """Both nightly engines, over the whole demo ledger, name exactly the figures the postings drew
    warnings for (every one a seed disagreeing with itself or another seed), sums over funds,
    rates and named expenses included; nothing else."""
    from checks.nightly import run_nightly
    from ledger.store import Ledger

    url, _, _, warnings = seeded
    ledger = Ledger.open(url, CONTRACTS)
    try:
        run = run_nightly(ledger, tmp_path, None, record=False)
    finally:
        ledger.engine.dispose()
    at_write = sorted((w.rule, dict(w.subject)["figure"]) for w in warnings)
    assert len(at_write) == 26
    assert sorted((f.rule, dict(f.subject).get("figure")) for f in run.findings) == at_write
    assert ("REPORT-RECONCILE", "chaoyang-ipo/2020/expense/企业上市加速器项目") in at_write


def test_the_2023_execution_report_equals_seed_000(seeded):
    url, *_ = seeded
    report = _report(url, "execution", *HT, "--year", "2023")
    rows = _rows(report, "项目")
    assert rows["年度预算"]["金额（万元）"] == "22000"
    assert rows["列支调出"]["金额（万元）"] == "985.5"
    assert rows["下达预算金额"]["金额（万元）"] == "21014.5"
    assert (rows["支持项目合计"]["单位数"], rows["支持项目合计"]["金额（万元）"]) == (203, "11820.1")
    assert rows["第三方专业机构服务费"]["金额（万元）"] == "41.25"
    assert rows["合计安排资金"]["金额（万元）"] == "11861.35"
    per_clause = {k.strip(): (v["单位数"], v["金额（万元）"]) for k, v in rows.items() if k.strip()[:2].startswith("第") and k.strip()[1].isdigit()}
    assert per_clause == {"第5条": (135, "4310"), "第6条": (4, "500"), "第8条": (18, "2250"), "第9条": (27, "3675"),
                          "第10条": (4, "110"), "第13条": (3, "110"), "第17条": (10, "600"), "第22条": (1, "200"),
                          "第24条": (1, "65.1")}
    # seed 000 states a balance of 1782.56 and other expenses of 8356.09, but its eight items, as printed,
    # sum to 8356.10: the ledger keeps the items, shows the report's figures beside its own, and the difference
    assert (rows["结余"]["报告数（万元）"], rows["结余"]["金额（万元）"], rows["结余"]["差异（报告−账本）"]) == ("1782.56", "1782.55", "0.01")
    assert (rows["其他列支费用（含调出）"]["报告数（万元）"], rows["其他列支费用（含调出）"]["金额（万元）"]) == ("8356.09", "8356.1")
    assert all(not r["差异（报告−账本）"] for k, r in rows.items() if k not in ("结余", "其他列支费用（含调出）"))
    assert len(report["notes"]) == 3 and "8356.09" in report["notes"][0]  # the third: seed 003's 202 projects


def test_the_2023_funnel_equals_seed_000_stage_by_stage(seeded):
    url, *_ = seeded
    rows = _report(url, "funnel", *HT, "--year", "2023")["rows"]
    def row(stage_word: str, outcome: str, reason: str = "") -> tuple:
        (r,) = [r for r in rows if stage_word in r["环节"] and r["结果"] == outcome and r["原因"] == reason]
        return r["单位数"], r["金额（万元）"]
    assert [(r["单位数"]) for r in rows if r["环节"] == "申报"] == [336]
    assert row("初审", "通过")[0] == 315
    assert row("专家评审", "通过") == (235, "15015.1")
    assert row("部门联审", "核减（不予支持）", "重复支持") == (26, "-1470")
    assert row("部门联审", "核减（不予支持）", "欠税") == (3, "-70")
    assert row("领导小组", "降档支持", "倒挂（已获人才奖励）") == (1, "-100")
    assert row("领导小组", "核减（不予支持）", "倒挂（已获人才奖励）") == (1, "-200")
    assert row("领导小组", "核减（不予支持）", "非法集资风险（冒烟指数）") == (1, "-100")
    assert row("专题会", "核减（不予支持）", "倒挂（已获人才奖励）") == (1, "-30")
    assert row("专题会", "减半支持", "非重点产业（数字经济3+X）") == (11, "-1225")
    assert row("专题会", "通过") == (203, "11820.1")
    assert all(not r["差异（报告−账本）"] for r in rows)


def test_the_2024_performance_table_equals_seed_001(seeded):
    url, *_ = seeded
    report = _report(url, "performance", *HT, "--year", "2024")
    scores = [(r["三级指标"], r["分值"], r["得分"]) for r in report["rows"]]
    assert scores[0] == ("支持约100-200家企业", 15, "14.55")  # 97 of a target of 100, computed from the ledger
    assert [s[2] for s in scores[1:-1]] == ["15", "10", "10", "15", "15", "10", "10"]
    assert scores[-1] == ("", 100, "99.55")
    rows = _rows(_report(url, "execution", *HT, "--year", "2024"), "项目")
    assert (rows["支持项目合计"]["单位数"], rows["支持项目合计"]["金额（万元）"]) == (97, "11513.2")
    assert rows["合计安排资金"]["金额（万元）"] == rows["年度预算"]["金额（万元）"] == "11559.274"
    assert rows["执行率"]["金额（万元）"] == "100.00%"


def test_demo_reports_and_verifies(seeded):
    url, output, *_ = seeded
    assert "verify: ok" in output and "26 warnings, 1 refused as the seeds require" in output
    assert "合计安排资金" in output and "11861.35" in output
    assert CliRunner().invoke(cli, ["verify", "--db", url]).exit_code == 0


def test_the_trail_behind_a_clause_figure(seeded):
    url, *_ = seeded
    result = CliRunner().invoke(cli, ["trail", *HT, "--year", "2023", "--clause", "24", "--format", "json", "--db", url])
    kinds = [json.loads(line)["kind"] for line in result.output.splitlines()]
    assert kinds == ["project.apply", *["review.decide"] * 5, "approval.resolve", "approval.resolve", "notice.open",
                     "disbursement.pay"]
    assert CliRunner().invoke(cli, ["trail", "--clause", "24", "--db", url]).exit_code == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_formats(seeded, tmp_path, fmt):
    url, *_ = seeded
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["report", "execution", *HT, "--year", "2023", "--format", fmt, "--out", str(out),
                                      "--db", url])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
        assert {r["项目"]: r["金额（万元）"] for r in rows}["合计安排资金"] == "11861.35"
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(out).active
        values = {row[0]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True) if row and row[0]}
        assert values["合计安排资金"] == "11861.35"  # text, exact: never a float


@pytest.mark.parametrize("fmt", ["table", "csv", "xlsx", "html"])
def test_the_public_notice_list(seeded, tmp_path, fmt):
    """公示名单: every project the 2023 notice published, with enterprise, credit code, clause and amount,
    in clause order; the same 203 projects and 11820.1万元 in every format."""
    url, *_ = seeded
    out = tmp_path / f"notice.{fmt}"
    result = CliRunner().invoke(cli, ["report", "notice", *HT, "--year", "2023", "--format", fmt, "--out", str(out),
                                      "--db", url])
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))
        header, body = rows[0], [r for r in rows[1:] if isinstance(r[0], int)]
        records = [dict(zip(header, r)) for r in body]
    elif fmt == "csv":
        records = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    elif fmt == "html":
        page = out.read_text(encoding="utf-8")
        assert "<script" not in page and page.count("<tr>") == 204  # the header and 203 projects
        assert "拟支持项目公示名单" in page and "北京极智嘉科技股份有限公司" in page
        return
    else:
        lines = out.read_text(encoding="utf-8").splitlines()
        assert "拟支持项目公示名单" in lines[0] and len(lines) == 2 + 203
        assert lines[2].split()[:6] == ["1", "北京极智嘉科技股份有限公司", "91110105MA00000012", "2023-5-001", "第5条", "50"]
        return
    from decimal import Decimal

    assert len(records) == 203 and [r["序号"] for r in records][:3] in ([1, 2, 3], ["1", "2", "3"])
    assert sum(Decimal(r["拟支持金额（万元）"]) for r in records) == Decimal("11820.1")  # text cells, exact
    assert records[0]["企业名称"] == "北京极智嘉科技股份有限公司" and records[0]["支持条款"] == "第5条"
    clauses = [int(r["支持条款"][1:-1]) for r in records]
    assert clauses == sorted(clauses)


@pytest.mark.parametrize("which, bars", [("execution", 9), ("funnel", 7)])
def test_html_reports_draw_their_chart_as_svg_and_open_offline(seeded, tmp_path, which, bars):
    """The execution report draws the awards of its nine clauses, the funnel its seven counts, as SVG
    with no scripts and nothing from outside; headless Chromium with no network renders the page
    and takes its screenshot."""
    import re
    import shutil

    from checks.offline import outside_references

    url, *_ = seeded
    out = tmp_path / f"{which}.html"
    assert CliRunner().invoke(cli, ["report", which, *HT, "--year", "2023", "--format", "html", "--out", str(out),
                                    "--db", url]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and outside_references(page) == [] and page.count("<svg") == 1
    assert len(re.findall(r"<rect class='bar'", page)) == bars
    if which == "execution":
        assert "第9条" in page and "3675（27个）" in page and "11861.35" in page
    else:
        assert "部门联审 通过" in page and "203个 · 11820.1万元" in page and "重复支持" in page
    shot = tmp_path / f"{which}.png"
    browser = [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
               f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1000,1400"]
    subprocess.run([*browser, f"--screenshot={shot}", out.as_uri()], capture_output=True, timeout=120, check=True)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1000 and len(png) > 20_000
    dom = subprocess.run([*browser, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    assert len(re.findall(r'<rect class="bar"', dom)) == bars  # the browser parsed the drawing


def test_the_example_data_is_deterministic(tmp_path):
    """Rebuilt elsewhere (never over the committed files other tests read), it is the same bytes."""
    subprocess.run([sys.executable, str(EXAMPLES / "build.py"), str(tmp_path)], check=True, capture_output=True, timeout=120)
    committed = {p.relative_to(EXAMPLES): p.read_bytes() for p in sorted(EXAMPLES.glob("*-*/*.jsonl"))}
    rebuilt = {p.relative_to(tmp_path): p.read_bytes() for p in sorted(tmp_path.glob("*-*/*.jsonl"))}
    assert committed.keys() == rebuilt.keys() and all(committed[p] == rebuilt[p] for p in committed)
    assert Path(EXAMPLES / "README.md").exists()


def test_the_2020_funds_of_seed_002(seeded):
    url, *_ = seeded
    sme = _rows(_report(url, "execution", "--fund", "chaoyang-sme", "--year", "2020"), "项目")
    assert (sme["支持项目合计"]["单位数"], sme["支持项目合计"]["金额（万元）"]) == (136, "7261")
    paid_for_hightech = sme["  5 降低中小型科技企业融资成本项目（由区发改委列支）"]  # a clause of the high-tech measures
    assert (paid_for_hightech["单位数"], paid_for_hightech["金额（万元）"]) == (32, "965")
    assert (sme["  2.1"]["单位数"], sme["  2.1"]["金额（万元）"]) == (27, "2700")
    # 约7885 (±0.5) does not follow from the report's own lines: 7261 + 47 = 7308
    assert (sme["合计安排资金"]["报告数（万元）"], sme["合计安排资金"]["金额（万元）"]) == ("7885", "7308")
    ht = _rows(_report(url, "execution", "--fund", "chaoyang-hightech", "--year", "2020"), "项目")
    assert (ht["支持项目合计"]["单位数"], ht["支持项目合计"]["金额（万元）"]) == (89, "6338.583")
    assert ht["支持项目合计"]["差异（报告−账本）"] == "965 单位数 121"  # the report counts what the SME fund paid
    info = _report(url, "funnel", "--fund", "chaoyang-infoservice", "--year", "2020")["rows"]
    (removed,) = [r for r in info if r["原因"] == "重复支持"]
    assert (removed["单位数"], removed["金额（万元）"], removed["差异（报告−账本）"]) == (1, "-100", "")
    assert [r["单位数"] for r in info if r["环节"] == "申报"] == [91]


def test_the_duplicate_support_rule_on_the_seed_data(seeded, tmp_path):
    """北京大豪科技 holds a 2020 SME award; a 2020 information-services award for it is refused."""
    url, _, keys, _ = seeded
    from ledger.keys import load_private
    from ledger.store import Item, Ledger

    ledger = Ledger.open(url, CONTRACTS)
    applications = list(ledger.entries(kind="project.apply"))  # read to the end: the read transaction closes
    code = next(env["body"]["enterprise"] for _, _, env in applications
                if env["body"]["enterprise_name"] == "北京大豪科技股份有限公司" and env["body"]["fund"] == "chaoyang-sme")
    poster = load_private(keys / "poster.key")
    fy = {"fund": "chaoyang-infoservice", "year": 2020}
    steps = [Item("project.apply", "dup-apply", {**fy, "project": "dup-2020", "enterprise": code, "enterprise_name": "北京大豪科技股份有限公司",
                                                 "clause": "infoservice", "requested_wan": "50",
                                                 "bases": {"district_revenue_2019": 100 * 1_000_000}})]
    for stage in ("initial_review", "expert_review", "joint_review"):
        steps.append(Item("review.decide", f"dup-{stage}", {"project": "dup-2020", "stage": stage, "outcome": "pass",
                                                            "date": "2020-06-01", **({"panel_size": 5} if stage == "expert_review" else {})}))
    steps.append(Item("approval.resolve", "dup-a", {"body": "区产业转型升级领导小组会", "meeting": "m", "resolution": "r", "date": "2020-06-03",
                                                    "awards": [{"project": "dup-2020", "amount_wan": "50"}]}))
    ledger.post(poster, steps)
    from ledger.errors import Rejected

    with pytest.raises(Rejected) as info:
        ledger.post(poster, [Item("approval.resolve", "dup-b", {"body": "区长办公会", "meeting": "m", "resolution": "r", "date": "2020-06-05",
                                                                "awards": [{"project": "dup-2020", "amount_wan": "50"}]})])
    assert [f.rule for f in info.value.findings] == ["DUP-SUPPORT-YEAR"]
    ledger.engine.dispose()


def test_the_finance_overrun_paid_from_the_ipo_fund(seeded):
    """Seed 002: the finance fund spent 21993.8256万 of a 19250万 budget; the IPO fund paid the 2743.8256万."""
    url, *_ = seeded
    finance = _rows(_report(url, "execution", "--fund", "chaoyang-finance", "--year", "2020"), "项目")
    assert finance["调入"]["金额（万元）"] == "2743.8256"
    assert finance["支出合计（不含调出）"]["金额（万元）"] == finance["支出合计（不含调出）"]["报告数（万元）"] == "21993.8256"
    assert (finance["结余"]["金额（万元）"], finance["结余"]["差异（报告−账本）"]) == ("0", "")
    ipo = _rows(_report(url, "execution", "--fund", "chaoyang-ipo", "--year", "2020"), "项目")
    assert ipo["列支调出"]["金额（万元）"] == "2743.8256"
    assert (ipo["结余"]["金额（万元）"], ipo["结余"]["报告数（万元）"]) == ("1211.8744", "1211.8744")
    assert ipo["支出合计（不含调出）"]["金额（万元）"] == "3044.3"
    # the IPO report counts its two service contracts among its "14 projects"; the ledger has 12 awards
    assert ipo["支持项目合计"]["差异（报告−账本）"] == "单位数 14"


def test_the_culture_zone_fund_and_its_two_totals(seeded):
    """Seed 002's culture-zone report states 9970万 and, lines later, 8889万 for the same 176 projects."""
    url, *_ = seeded
    report = _report(url, "execution", "--fund", "chaoyang-culture-zone", "--year", "2020")
    rows = _rows(report, "项目")
    assert (rows["支持项目合计"]["单位数"], rows["支持项目合计"]["金额（万元）"]) == (176, "8889")  # the sum of its eleven lines
    assert rows["支持项目合计"]["差异（报告−账本）"] == "1081"  # the first statement, 9970, does not reconcile
    assert [n for n in report["notes"] if "9970" in n]


def test_the_culture_and_commerce_funds_of_2020(seeded):
    url, *_ = seeded
    culture = _rows(_report(url, "execution", "--fund", "chaoyang-culture", "--year", "2020"), "项目")
    assert (culture["支持项目合计"]["单位数"], culture["支持项目合计"]["金额（万元）"]) == (120, "4409")
    assert [culture[f"  第{c}条"]["单位数"] for c in range(1, 9)] == [17, 36, 7, 3, 12, 1, 18, 26]
    assert culture["支出合计（不含调出）"]["金额（万元）"] == culture["支出合计（不含调出）"]["报告数（万元）"] == "4979.068"
    assert (culture["结余"]["金额（万元）"], culture["结余"]["差异（报告−账本）"]) == ("20.932", "")
    # 4979.068 / 5000 = 99.58%; the report's "99.6%" is within half a unit of its last digit
    assert (culture["执行率"]["金额（万元）"], culture["执行率"]["报告数（万元）"]) == ("99.58%", "99.60%")
    funnel = _report(url, "funnel", "--fund", "chaoyang-culture", "--year", "2020")["rows"]
    assert [r["单位数"] for r in funnel if r["环节"] == "申报"] == [298]
    commerce = _rows(_report(url, "execution", "--fund", "chaoyang-commerce", "--year", "2020"), "项目")
    assert [commerce[f"  第{c}条"]["单位数"] for c in range(1, 6)] == [14, 63, 12, 72, 2]
    assert commerce["结余"]["金额（万元）"] == "0"  # 约2亿 of awards booked as 19435 so that 约5565 of other fits 2.5亿


def test_the_renovation_approvals_over_budget_are_refused(seeded):
    """Seed 002: 7.4061亿 approved against a budget of 7.3609亿. SUM-BUDGET refuses the posting whole."""
    url, output, *_ = seeded
    assert "02-approvals.refused.jsonl: refused, SUM-BUDGET: chaoyang-renovation 2020 would use 74061万元 of 73609万元" in output
    rows = _rows(_report(url, "execution", "--fund", "chaoyang-renovation", "--year", "2020"), "项目")
    assert (rows["其他列支费用（含调出）"]["金额（万元）"], rows["其他列支费用（含调出）"]["报告数（万元）"]) == ("0", "74061")
    assert rows["结余"]["金额（万元）"] == "73609"


def test_sums_over_funds(seeded):
    """The major investment projects table and the district's 2020 summary, as figures over several funds."""
    url, *_ = seeded
    invest = "+".join(f"chaoyang-invest-{p}" for p in ("liangmahe", "wenyuhe-park", "water-network", "refuse-stations",
                                                       "cbd-traffic"))
    rows = _rows(_report(url, "execution", "--fund", invest, "--year", "2020"), "项目")
    assert (rows["年度预算"]["金额（万元）"], rows["下达预算金额"]["金额（万元）"]) == ("77105", "62919.5")
    assert rows["支出合计（不含调出）"]["金额（万元）"] == rows["支出合计（不含调出）"]["报告数（万元）"] == "51192.4"
    assert (rows["执行率"]["金额（万元）"], rows["执行率"]["报告数（万元）"]) == ("81.36%", "81.40%")
    one = _rows(_report(url, "execution", "--fund", "chaoyang-invest-liangmahe", "--year", "2020"), "项目")
    assert (one["执行率"]["金额（万元）"], one["执行率"]["报告数（万元）"]) == ("19.18%", "19.20%")
    district = _report(url, "execution", "--fund", "chaoyang-commerce+chaoyang-finance+chaoyang-hightech+chaoyang-infoservice"
                       "+chaoyang-culture-zone+chaoyang-culture+chaoyang-sme+chaoyang-ipo", "--year", "2020")
    rows = _rows(district, "项目")
    assert rows["年度预算"]["金额（万元）"] == rows["年度预算"]["报告数（万元）"] == "84750"  # 8.475亿
    assert (rows["支持项目合计"]["单位数"], rows["支持项目合计"]["差异（报告−账本）"].split()[-1]) == (745, "758")
    result = CliRunner().invoke(cli, ["report", "execution", "--fund", "chaoyang-sme+no-such-fund", "--year", "2020",
                                      "--db", url])
    assert result.exit_code == 2 and "no-such-fund 2020 is not in the ledger" in result.output


def test_the_department_budget_of_seed_003(seeded):
    url, *_ = seeded
    both = _rows(_report(url, "execution", "--fund", "chaoyang-zgc-dept-basic+chaoyang-zgc-dept-projects", "--year", "2023"),
                 "项目")
    assert both["下达预算金额"]["金额（万元）"] == both["下达预算金额"]["报告数（万元）"] == "29300.48"
    assert (both["结余"]["金额（万元）"], both["执行率"]["金额（万元）"]) == ("0", "100.00%")
    projects = _report(url, "execution", "--fund", "chaoyang-zgc-dept-projects", "--year", "2023")
    # "全年项目支出49个，支出资金26,667.28万元" against its own 27209.13 of project spending
    assert _rows(projects, "项目")["支出合计（不含调出）"]["金额（万元）"] == "27209.13"
    assert [n for n in projects["notes"] if "spent = 26667.28" in n and "(difference -541.85)" in n]
    notes = _report(url, "execution", *HT, "--year", "2023")["notes"]  # seed 003's 202 projects against seed 000's 203
    assert [n for n in notes if n.startswith("seed 003") and "projects = 202" in n and "(difference -1)" in n]

"""Spreadsheet postings: CSV and XLSX with the Chinese headers, exact decimals, the dates such sheets
hold; a bad cell named by sheet, row and column, and nothing appended. Sheets as offices keep them:
title rows (merged) above the headers, a 序号 column, a 合计 row checked and never posted, a footer;
decision and approval sheets; workbooks written by openpyxl and by LibreOffice, CSV in UTF-8 and GB18030."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts.api import CONTRACTS
from fundledger.cli import cli
from ledger.store import Ledger
from tests.ledgers import build_fixture_ledger, code

W = 1_000_000


@pytest.fixture
def ledger_url(tmp_path) -> str:
    """Projects B (80万) and C (50万) approved, their notice closed on 2023-10-07, not yet paid."""
    url = f"sqlite:///{tmp_path / 'sheets.db'}"
    build_fixture_ledger(url, tmp_path)
    return url


def _post(url: str, tmp_path: Path, path: Path, fmt: str, kind: str = "disbursement.pay", *extra: str):
    return CliRunner().invoke(cli, ["post", str(path), "--format", fmt, "--kind", kind, "--key", str(tmp_path / "poster.key"),
                                    "--db", url, "--json", *extra], catch_exceptions=False)


def _disbursed(url: str) -> dict[str, int]:
    ledger = Ledger.open(url, CONTRACTS)
    with ledger.engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("SELECT project, disbursed_fen FROM projects WHERE project IN ('B', 'C')").all())
    ledger.engine.dispose()
    return rows


def test_a_csv_of_payments(ledger_url, tmp_path):
    sheet = tmp_path / "拨付明细.csv"
    sheet.write_text("凭证号,企业名称,项目编号,拨付日期,拨付金额（万元）\n"
                     "朝科信拨〔2023〕001,企业二,B,2023/10/20,\"80.000000\"\n"
                     "朝科信拨〔2023〕002,企业一,C,2023年10月21日,\"49.99\"\n"
                     ",,,,\n", encoding="utf-8-sig")
    result = _post(ledger_url, tmp_path, sheet, "csv")
    assert result.exit_code == 0, result.output
    receipts = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(r["idem"], r["status"]) for r in receipts] == [("pay:朝科信拨〔2023〕001", "appended"),
                                                             ("pay:朝科信拨〔2023〕002", "appended")]
    assert _disbursed(ledger_url) == {"B": 80 * W, "C": 49_990_000}
    again = _post(ledger_url, tmp_path, sheet, "csv")  # the same sheet again: nothing booked twice
    assert {json.loads(line)["status"] for line in again.output.splitlines() if line.startswith("{")} == {"duplicate"}


def test_an_xlsx_with_date_cells_and_number_cells(ledger_url, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "拨付明细"
    ws.append(["项目编号", "拨付金额（元）", "拨付日期", "凭证号"])
    ws.append(["B", 800000.0, datetime(2023, 10, 20), 20231001])  # a voucher typed as a number
    ws.append(["C", 499999.99, "20231021", "V-2"])
    path = tmp_path / "pay.xlsx"
    book.save(path)
    result = _post(ledger_url, tmp_path, path, "xlsx")
    assert result.exit_code == 0, result.output
    assert "pay:20231001" in result.output
    assert _disbursed(ledger_url) == {"B": 80 * W, "C": 49_999_999}  # 499999.99 元, exactly


def test_bad_cells_are_named_and_nothing_is_appended(ledger_url, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "拨付明细"
    ws.append(["项目编号", "拨付金额（万元）", "拨付日期", "凭证号"])
    ws.append(["B", "80", "2023-13-01", "V1"])  # no 13th month
    ws.append(["C", "12.3456789", "2023-10-21", "V2"])  # more precise than a fen
    ws.append(["C", "十万", "2023-10-21", "V3"])
    ws.append(["C", "1", "2023-10-21", None])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    result = _post(ledger_url, tmp_path, path, "xlsx")
    assert result.exit_code == 2
    findings = json.loads(result.output.splitlines()[-1])["findings"]
    assert [(f["rule"], f["field"]) for f in findings] == [
        ("INPUT-CELL", "拨付明细!C2"), ("INPUT-CELL", "拨付明细!B3"), ("INPUT-CELL", "拨付明细!B4"), ("INPUT-CELL", "拨付明细!D5")]
    assert findings[0]["subject"] == {"sheet": "拨付明细", "row": 2, "cell": "拨付明细!C2"}
    assert _disbursed(ledger_url) == {"B": 0, "C": 0}


def test_a_missing_column_and_the_contracts_on_sheet_rows(ledger_url, tmp_path):
    sheet = tmp_path / "pay.csv"
    sheet.write_text("项目编号,拨付日期,凭证号\nB,2023-10-20,V1\n", encoding="utf-8")
    result = _post(ledger_url, tmp_path, sheet, "csv")
    assert result.exit_code == 2 and "拨付金额（万元） or 拨付金额（元）" in result.output
    # a row the contracts refuse (paid before its notice ended) names the sheet's row as the line
    early = tmp_path / "early.csv"
    early.write_text("项目编号,拨付金额（万元）,拨付日期,凭证号\nB,80,2023-10-20,V1\nC,50,2023-09-30,V2\n",
                     encoding="gb18030")  # a sheet saved as CSV on a Chinese Windows
    result = _post(ledger_url, tmp_path, early, "csv")
    assert result.exit_code == 1
    (finding,) = json.loads(result.output.splitlines()[-1])["findings"]
    assert finding["rule"] == "STAGE-NOTICE" and finding["subject"]["line"] == 3
    assert _disbursed(ledger_url) == {"B": 0, "C": 0}


def test_applications_from_a_sheet(ledger_url, tmp_path):
    sheet = tmp_path / "申报.csv"
    sheet.write_text("项目编号,统一社会信用代码,企业名称,资金代码,年度,条款,申请金额（万元）\n"
                     f"X1,{code(10)},企业十,test-fund,2023,abs,\"40\"\n", encoding="utf-8")
    result = _post(ledger_url, tmp_path, sheet, "csv", "project.apply")
    assert result.exit_code == 0, result.output
    (receipt,) = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert (receipt["idem"], receipt["status"]) == ("apply:X1", "appended")


def test_the_readme_gives_each_sheet_kind_its_columns():
    from contracts.sheets import SHEET_KINDS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for kind, spec in SHEET_KINDS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| rows of `{kind}` |"))
        for column in spec.columns:
            assert " or ".join(column.headers) in row, (kind, column.headers)


def _office_book(path: Path, total: str, extra_rows: tuple = ()) -> Path:
    """A payments sheet as an office keeps it: a merged title row and a blank one above the headers,
    序号 and 备注 columns, a 合计 row, a footer."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "拨付明细"
    ws.append(["2023年度朝阳区高新技术产业发展引导资金拨付明细表"])
    ws.merge_cells("A1:F1")
    ws.append([None])
    ws.append(["序号", "项目编号", "凭证号", "拨付日期", "拨付金额（万元）", "备注"])
    ws.append([1, "B", "朝科信拨〔2023〕101", datetime(2023, 10, 20), "80", "首笔"])
    ws.append([2, "C", "朝科信拨〔2023〕102", "2023年10月21日", 49.99, None])
    for row in extra_rows:
        ws.append(row)
    ws.append(["合计", None, None, None, total, None])
    ws.append(["制表人：张三", None, None, "复核：李四"])
    book.save(path)
    return path


def test_a_sheet_as_an_office_keeps_it(ledger_url, tmp_path):
    """The header row found under the title rows; 序号 and 备注 ignored; the 合计 row checked against
    the rows above it and not posted; the footer ignored."""
    result = _post(ledger_url, tmp_path, _office_book(tmp_path / "明细.xlsx", "129.99"), "xlsx")
    assert result.exit_code == 0, result.output
    receipts = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [r["idem"] for r in receipts] == ["pay:朝科信拨〔2023〕101", "pay:朝科信拨〔2023〕102"]  # not the 合计 row
    assert _disbursed(ledger_url) == {"B": 80 * W, "C": 49_990_000}


def test_a_total_that_is_not_the_sum_of_its_rows_is_named(ledger_url, tmp_path):
    result = _post(ledger_url, tmp_path, _office_book(tmp_path / "明细.xlsx", "130"), "xlsx")
    assert result.exit_code == 2
    (finding,) = json.loads(result.output.splitlines()[-1])["findings"]
    assert (finding["rule"], finding["field"], finding["expected"], finding["actual"], finding["difference"]) == (
        "INPUT-TOTAL", "拨付明细!E6", "129.99万元", "130万元", "0.01万元")
    assert "the 合计 row gives 130万元" in finding["message"] and "sum to 129.99万元" in finding["message"]
    assert _disbursed(ledger_url) == {"B": 0, "C": 0}
    # an amount below the total row is refused too: the total comes last
    book = _office_book(tmp_path / "after.xlsx", "129.99")
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb.active.append([3, "B", "V9", "2023-10-22", "1"])
    wb.save(book)
    result = _post(ledger_url, tmp_path, book, "xlsx")
    assert result.exit_code == 2
    assert [f["rule"] for f in json.loads(result.output.splitlines()[-1])["findings"]] == ["INPUT-TOTAL"]


def test_a_workbook_libreoffice_wrote(ledger_url, tmp_path):
    """The office's workbook saved again by LibreOffice (its own XLSX: shared strings, a date as a
    number with a date format, the merged title): read the same."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice, "this test needs Debian's LibreOffice (apt-get install libreoffice-calc-nogui; .ci/run installs it)"
    source = _office_book(tmp_path / "office.xlsx", "129.99")
    out = tmp_path / "libreoffice"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(out), str(source)], capture_output=True, timeout=180, check=True)
    converted = out / "office.xlsx"
    assert converted.read_bytes() != source.read_bytes()  # LibreOffice wrote it, not openpyxl
    result = _post(ledger_url, tmp_path, converted, "xlsx")
    assert result.exit_code == 0, result.output
    assert _disbursed(ledger_url) == {"B": 80 * W, "C": 49_990_000}


def test_a_gb18030_csv_with_a_title_and_a_total(ledger_url, tmp_path):
    sheet = tmp_path / "拨付.csv"
    sheet.write_text("2023年度拨付明细表,,,,\n序号,项目编号,拨付金额（元）,拨付日期,凭证号\n"
                     "1,B,\"800,000.00\",2023/10/20,V1\n2,C,500000,2023/10/21,V2\n总计,,\"1,300,000.00\",,\n",
                     encoding="gb18030")
    result = _post(ledger_url, tmp_path, sheet, "csv")
    assert result.exit_code == 0, result.output
    assert _disbursed(ledger_url) == {"B": 80 * W, "C": 50 * W}


def test_a_stage_s_decisions_and_a_meeting_s_approvals_from_sheets(ledger_url, tmp_path):
    """Decision sheets name the stage and the outcome as the office writes them (初审, 核减, 重复支持);
    an approval sheet is one resolution: one approval.resolve with every row an award."""
    from openpyxl import Workbook

    decisions = tmp_path / "评审.xlsx"
    book = Workbook()
    ws = book.active
    ws.append(["2023年度项目评审结果"])
    ws.append(["序号", "项目编号", "评审环节", "结果", "原因", "调整后金额（万元）", "评审日期", "专家人数"])
    ws.append([1, "Q", "初审", "通过", None, None, "2023-08-01", None])
    ws.append([2, "Q", "专家评审", "核减", "重复支持", "15", "2023-08-10", 5])
    book.save(decisions)
    result = _post(ledger_url, tmp_path, decisions, "xlsx", "review.decide")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["idem"] for line in result.output.splitlines() if line.startswith("{")] == [
        "decide:Q:initial", "decide:Q:expert"]
    approvals = tmp_path / "审批.xlsx"
    for body, resolution in (("body-a", "2023-12"), ("body-b", "35")):
        book = Workbook()
        ws = book.active
        ws.append([f"{body}审议通过项目清单"])
        ws.append(["序号", "审批机构", "会议", "决议文号", "审批日期", "项目编号", "批准金额（万元）"])
        ws.append([1, body, f"{body} 2023年第12次会议", resolution, "2023-09-01", "Q", "15"])
        ws.append(["合计", None, None, None, None, None, "15"])
        book.save(approvals)
        result = _post(ledger_url, tmp_path, approvals, "xlsx", "approval.resolve")
        assert result.exit_code == 0, result.output
        (receipt,) = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
        assert receipt["idem"] == f"resolve:{body}:{resolution}"
    ledger = Ledger.open(ledger_url, CONTRACTS)
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT stage, outcome, reason, amount_after_fen FROM decisions WHERE project = 'Q' "
                                    "ORDER BY seq").all() == [("initial", "pass", None, 20 * W),
                                                              ("expert", "reduce", "duplicate_support", 15 * W)]
        assert conn.exec_driver_sql("SELECT status, approved_fen FROM projects WHERE project = 'Q'").one() == (
            "approved", 15 * W)
    ledger.engine.dispose()


def test_an_approval_sheet_is_one_resolution(ledger_url, tmp_path):
    sheet = tmp_path / "审批.csv"
    sheet.write_text("审批机构,会议,决议文号,审批日期,项目编号,批准金额（万元）\n"
                     "body-a,m1,r1,2023-09-01,Q,10\nbody-a,m1,r2,2023-09-01,H,10\n", encoding="utf-8")
    result = _post(ledger_url, tmp_path, sheet, "csv", "approval.resolve")
    assert result.exit_code == 2
    (finding,) = json.loads(result.output.splitlines()[-1])["findings"]
    assert finding["rule"] == "INPUT-CELL" and "a sheet is one resolution" in finding["message"]
    decide = tmp_path / "评审.csv"
    decide.write_text("项目编号,评审环节,结果,评审日期\nQ,初审,批准,2023-08-01\n", encoding="utf-8")
    result = _post(ledger_url, tmp_path, decide, "csv", "review.decide")
    assert result.exit_code == 2 and "not a decision" in result.output

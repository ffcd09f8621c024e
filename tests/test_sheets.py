"""Spreadsheet postings: CSV and XLSX with the Chinese headers, exact decimals, the dates such sheets
hold; a bad cell named by sheet, row and column, and nothing appended."""

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
    for kind, (columns, _) in SHEET_KINDS.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| rows of `{kind}` |"))
        for column in columns:
            assert " or ".join(column.headers) in row, (kind, column.headers)

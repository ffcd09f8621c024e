"""Postings from spreadsheets: CSV and XLSX with the Chinese headers fund offices use.

``fundledger post FILE --format csv|xlsx --kind KIND [--sheet NAME]``: every data row of the sheet is
one entry of KIND; the whole sheet is one posting (all or nothing). The first row holds the
headers; their order does not matter, other columns are ignored, empty rows are skipped.

=====================  ==========================================  ===============================
kind                   columns (required; optional in brackets)   idem
=====================  ==========================================  ===============================
disbursement.pay       项目编号, 拨付金额（万元） or 拨付金额（元）,   ``pay:<凭证号>``
                       拨付日期, 凭证号
disbursement.return    项目编号, 退回金额（万元） or 退回金额（元）,   ``return:<凭证号>``
                       退回日期, 凭证号
project.apply          项目编号, 统一社会信用代码, 企业名称, 资金代码,  ``apply:<项目编号>``
                       年度, 条款, 申请金额（万元） or 申请金额（元）,
                       [申报日期], [项目内容]
fee.pay                资金代码, 年度, 收款单位, 服务内容,             ``fee:<凭证号>``
                       金额（万元） or 金额（元）, 凭证号, [支付日期]
expense.other          资金代码, 年度, 事项, 金额（万元） or 金额（元）,  ``expense:<凭证号>``
                       凭证号, [支付日期]
=====================  ==========================================  ===============================

Cells: amounts are decimal strings read exactly (``1,234.5`` and a leading ``¥`` are accepted; a
figure more precise than a fen is refused); an XLSX number cell is read as the shortest decimal
that is that number (what Excel shows), never through arithmetic. Dates: ``2023-10-20``,
``2023/10/20``, ``2023.10.20``, ``2023年10月20日``, ``20231020``, and XLSX date cells. A bad cell is an
``INPUT-CELL`` finding naming the sheet, the row and the column (``拨付明细!C5``), a missing column an
``INPUT-HEADER`` finding; nothing is appended unless every cell is good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from contracts.money import MoneyError, parse_money
from ledger.errors import InputError
from ledger.findings import FATAL, Finding, subject
from ledger.store import Item

__all__ = ["SHEET_KINDS", "read_sheet"]


@dataclass(frozen=True, slots=True)
class Column:
    """A sheet column: its header(s) (the first is the 万元 one where an amount has two units), the
    body field it fills, and how its cell is read."""

    headers: tuple[str, ...]
    field: str
    read: str  # text | int | date | money
    required: bool = True


def _money(header: str, field: str, required: bool = True) -> Column:
    return Column((f"{header}（万元）", f"{header}（元）"), field, "money", required)


SHEET_KINDS: dict[str, tuple[tuple[Column, ...], Callable[[dict[str, Any]], str]]] = {
    "disbursement.pay": ((Column(("项目编号",), "project", "text"), _money("拨付金额", "amount"),
                          Column(("拨付日期",), "date", "date"), Column(("凭证号",), "voucher", "text")),
                         lambda b: f"pay:{b['voucher']}"),
    "disbursement.return": ((Column(("项目编号",), "project", "text"), _money("退回金额", "amount"),
                             Column(("退回日期",), "date", "date"), Column(("凭证号",), "voucher", "text")),
                            lambda b: f"return:{b['voucher']}"),
    "project.apply": ((Column(("项目编号",), "project", "text"), Column(("统一社会信用代码",), "enterprise", "text"),
                       Column(("企业名称",), "enterprise_name", "text"), Column(("资金代码",), "fund", "text"),
                       Column(("年度",), "year", "int"), Column(("条款",), "clause", "text"),
                       _money("申请金额", "requested"), Column(("申报日期",), "date", "date", False),
                       Column(("项目内容",), "content", "text", False)),
                      lambda b: f"apply:{b['project']}"),
    "fee.pay": ((Column(("资金代码",), "fund", "text"), Column(("年度",), "year", "int"),
                 Column(("收款单位",), "payee", "text"), Column(("服务内容",), "service", "text"),
                 _money("金额", "amount"), Column(("凭证号",), "document", "text"),
                 Column(("支付日期",), "date", "date", False)),
                lambda b: f"fee:{b['document']}"),
    "expense.other": ((Column(("资金代码",), "fund", "text"), Column(("年度",), "year", "int"),
                       Column(("事项",), "item", "text"), _money("金额", "amount"), Column(("凭证号",), "document", "text"),
                       Column(("支付日期",), "date", "date", False)),
                      lambda b: f"expense:{b['document']}"),
}

_DATE = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed into a number cell: 20230001.0 is 20230001
    return str(value).strip()


def _read_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    m = _DATE.match(text) or _COMPACT.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date (2023-10-20, 2023/10/20, 2023年10月20日, 20231020)")
    y, mo, d = (int(g) for g in m.groups())
    return date(y, mo, d).isoformat()


def _read_amount(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, float):
        text = repr(value)  # the shortest decimal that is this number: what the cell shows
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
    elif isinstance(value, int):
        text = str(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥").strip()
    if not _AMOUNT.match(text):
        raise ValueError(f"{str(value)!r} is not a decimal amount")
    try:
        parse_money(text, unit)  # exact to the fen, or refused here, naming the cell
    except MoneyError as e:
        raise ValueError(str(e)) from None
    return text


def _read_int(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValueError(f"{text!r} is not a year")
    return int(text)


def _rows_csv(path: Path) -> tuple[str, list[list[Any]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # what a spreadsheet on a Chinese Windows saves as "CSV"
    return path.stem, list(csv.reader(io.StringIO(text)))


def _rows_xlsx(path: Path, sheet: str | None) -> tuple[str, list[list[Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except KeyError:
        raise InputError(f"{path}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})") from None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    return ws.title, rows


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def read_sheet(path: Path, fmt: str, kind: str, sheet: str | None = None) -> list[Item]:
    """Every data row of the sheet as an entry of ``kind``; InputError with every bad cell."""
    if kind not in SHEET_KINDS:
        raise InputError(f"--kind {kind}: a sheet can hold {', '.join(SHEET_KINDS)}")
    try:
        title, rows = _rows_csv(path) if fmt == "csv" else _rows_xlsx(path, sheet)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot be read as {fmt.upper()} ({e}); nothing was appended") from None
    columns, idem_of = SHEET_KINDS[kind]
    findings: list[Finding] = []

    def problem(rule: str, where: str, message: str, row: int | None = None) -> None:
        findings.append(Finding(rule=rule, severity=FATAL, message=message, field=where,
                                subject=subject(sheet=title, row=row, cell=where if row else None)))

    header = [_text(h) if h is not None else "" for h in (rows[0] if rows else [])]
    at: dict[str, tuple[int, str]] = {}  # field -> (column index, header found)
    for c in columns:
        found = [(header.index(h), h) for h in c.headers if h in header]
        if len(found) > 1:
            problem("INPUT-HEADER", "/".join(c.headers), f"give one of {' or '.join(c.headers)}, not both")
        elif found:
            at[c.field] = found[0]
        elif c.required:
            problem("INPUT-HEADER", c.headers[0], f"sheet {title} has no column {' or '.join(c.headers)}")
    items: list[Item] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(v is None or _text(v) == "" for v in row):
            continue
        body: dict[str, Any] = {}
        bad = len(findings)
        for c in columns:
            if c.field not in at:
                continue
            index, head = at[c.field]
            value = row[index] if index < len(row) else None
            cell = f"{title}!{_col(index)}{number}"
            if value is None or _text(value) == "":
                if c.required:
                    problem("INPUT-CELL", cell, f"{head} is empty", number)
                continue
            try:
                if c.read == "money":
                    unit = "wan" if head.endswith("（万元）") else "yuan"
                    body[f"{c.field}_{unit}"] = _read_amount(value, unit)
                elif c.read == "date":
                    body[c.field] = _read_date(value)
                elif c.read == "int":
                    body[c.field] = _read_int(value)
                else:
                    body[c.field] = _text(value)
            except ValueError as e:
                problem("INPUT-CELL", cell, f"{head}: {e}", number)
        if len(findings) == bad and not any(f.rule == "INPUT-HEADER" for f in findings):
            items.append(Item(kind, idem_of(body), body, line=number))
    if not items and not findings:
        problem("INPUT-EMPTY", "", f"sheet {title} has no data rows")
    if findings:
        n = len(findings)
        raise InputError(f"{path}: {n} problem{'s' if n > 1 else ''}; nothing was appended", tuple(findings))
    return items

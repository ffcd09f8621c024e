"""Postings from spreadsheets, as fund offices keep them: CSV and XLSX with Chinese headers.

``fundledger post FILE --format csv|xlsx --kind KIND [--sheet NAME]``: the whole sheet is one posting
(all or nothing). The header row is found by its headers wherever it is: title rows above it
(``2023年度拨付明细表``, merged across the columns or not) are skipped; the headers' order does not
matter, other columns (``序号``, remarks) are ignored, empty rows are skipped. A ``合计`` (or ``总计``)
row ends the data: it is never posted, and every amount it gives must equal the sum of the rows above
it (``INPUT-TOTAL`` names both figures); rows below it may only be a footer (signatures, notes), a row
with an amount there is refused.

=====================  ====================================================  =================================
kind                   columns (required; optional in brackets)             idem
=====================  ====================================================  =================================
disbursement.pay       项目编号, 拨付金额（万元|元）, 拨付日期, 凭证号          ``pay:<凭证号>``
disbursement.return    项目编号, 退回金额（万元|元）, 退回日期, 凭证号          ``return:<凭证号>``
project.apply          项目编号, 统一社会信用代码, 企业名称, 资金代码, 年度,    ``apply:<项目编号>``
                       条款, 申请金额（万元|元）, [申报日期], [项目内容]
review.decide          项目编号, 评审环节, 结果, [原因], [调整后金额（万元|元）],  ``decide:<项目编号>:<评审环节>``
                       评审日期, [专家人数]
approval.resolve       审批机构, 会议, 决议文号, 审批日期, 项目编号,             ``resolve:<审批机构>:<决议文号>``
                       批准金额（万元|元）: one entry for the whole sheet
fee.pay                资金代码, 年度, 收款单位, 服务内容, 金额（万元|元）,      ``fee:<凭证号>``
                       凭证号, [支付日期]
expense.other          资金代码, 年度, 事项, 金额（万元|元）, 凭证号,            ``expense:<凭证号>``
                       [支付日期]
=====================  ====================================================  =================================

A decision's 结果 is 通过, 不予支持, 核减, 减半 or 降档 (or the code: pass, reject, reduce, halve,
downgrade); its 原因 a reason's Chinese name or code (``contracts/names.py``); its 评审环节 the stage's
name in the project's workflow or its id (the CLI resolves names with the policies in the ledger).
An approval sheet is one resolution: its 审批机构, 会议, 决议文号 and 审批日期 are the same on every row.

Cells: amounts are decimal strings read exactly (``1,234.5`` and a leading ``¥`` are accepted; a
figure more precise than a fen is refused); an XLSX number cell is read as the shortest decimal
that is that number (what Excel shows), never through arithmetic. Dates: ``2023-10-20``,
``2023/10/20``, ``2023.10.20``, ``2023年10月20日``, ``20231020``, and XLSX date cells. A bad cell is an
``INPUT-CELL`` finding naming the sheet, the row and the column (``拨付明细!C5``), a missing column an
``INPUT-HEADER`` finding; nothing is appended unless every cell is good. CSV is UTF-8 (with or
without BOM) or GB18030.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from contracts.kinds import KINDS, Column, SheetKind
from contracts.money import MoneyError, parse_money, wan
from contracts.names import OUTCOMES, REASONS
from ledger.errors import InputError
from ledger.findings import FATAL, Finding, subject
from ledger.store import Item

__all__ = ["SHEET_KINDS", "SheetKind", "read_sheet"]

Stages = Callable[[str, str, str], str]  # (project, stage as written, date) -> the stage's id


# the kinds a sheet can hold, and their columns: their declarations' (contracts/kinds.py)
SHEET_KINDS: dict[str, SheetKind] = {name: kind.sheet for name, kind in KINDS.items() if kind.sheet is not None}
_RESOLUTION = ("body", "meeting", "resolution", "date")  # an approval sheet's fields, the same on every row

# 结果: the words a decision sheet uses, and the codes themselves
_OUTCOME_WORDS = {**{code: code for code in OUTCOMES}, **{name: code for code, name in OUTCOMES.items()},
                  "不予支持": "reject", "核减": "reduce", "减半": "halve", "降档": "downgrade"}
_REASON_WORDS = {name: code for code, name in REASONS.items()}
_TOTALS = ("合计", "总计")
_DATE = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_HEADER_SEARCH = 20  # rows scanned for the header row


def _text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed into a number cell: 20230001.0 is 20230001
    return str(value).strip()


def _read_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text_of(value)
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


def _read_int(value: Any, digits: int = 6) -> int:
    text = _text_of(value)
    if not re.fullmatch(rf"\d{{1,{digits}}}", text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def _read_year(value: Any) -> int:
    text = _text_of(value)
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text!r} is not a year")
    return int(text)


def _read_outcome(value: Any) -> str:
    text = _text_of(value)
    if text not in _OUTCOME_WORDS:
        raise ValueError(f"{text!r} is not a decision: 通过, 不予支持, 核减, 减半 or 降档")
    return _OUTCOME_WORDS[text]


def _read(c: Column, value: Any, head: str) -> tuple[str, Any]:
    """The body field and value a cell gives."""
    if c.read == "money":
        unit = "wan" if head.endswith("（万元）") else "yuan"
        return f"{c.field}_{unit}", _read_amount(value, unit)
    reader = {"date": _read_date, "int": _read_int, "year": _read_year, "outcome": _read_outcome,
              "reason": lambda v: _REASON_WORDS.get(_text_of(v), _text_of(v))}.get(c.read, _text_of)
    return c.field, reader(value)


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
    rows = [list(r) for r in ws.iter_rows(values_only=True)]  # a merged title's text is in its first cell
    book.close()
    return ws.title, rows


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _blank(value: Any) -> bool:
    return value is None or _text_of(value) == ""


def _header_row(rows: list[list[Any]], columns: tuple[Column, ...]) -> int:
    """The row holding the headers: the first with one header of every required column; else the
    first with the most of them (whose missing columns are then named)."""
    def found(row: list[Any]) -> int:
        cells = {_text_of(v) for v in row if not _blank(v)}
        return sum(1 for c in columns if c.required and cells & set(c.headers))
    required = sum(1 for c in columns if c.required)
    scores = [found(r) for r in rows[:_HEADER_SEARCH]]
    for i, score in enumerate(scores):
        if score == required:
            return i
    return max(range(len(scores)), key=lambda i: (scores[i], -i)) if scores else 0


def read_sheet(path: Path, fmt: str, kind: str, sheet: str | None = None, stages: Stages | None = None) -> list[Item]:
    """The sheet's entries of ``kind`` (one a data row, or one for the whole sheet); InputError with
    every bad cell. ``stages`` names a decision's stage by its id (``contracts.summaries.StageIds``)."""
    if kind not in SHEET_KINDS:
        raise InputError(f"--kind {kind}: a sheet can hold {', '.join(SHEET_KINDS)}")
    try:
        title, rows = _rows_csv(path) if fmt == "csv" else _rows_xlsx(path, sheet)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot be read as {fmt.upper()} ({e}); nothing was appended") from None
    spec = SHEET_KINDS[kind]
    findings: list[Finding] = []

    def problem(rule: str, where: str, message: str, row: int | None = None, **figures: str) -> None:
        findings.append(Finding(rule=rule, severity=FATAL, message=message, field=where,
                                subject=subject(sheet=title, row=row, cell=where if row else None), **figures))

    top = _header_row(rows, spec.columns)
    header = [_text_of(h) if h is not None else "" for h in (rows[top] if rows else [])]
    at: dict[str, tuple[int, str]] = {}  # field -> (column index, header found)
    for c in spec.columns:
        present = [(header.index(h), h) for h in c.headers if h in header]
        if len(present) > 1:
            problem("INPUT-HEADER", "/".join(c.headers), f"give one of {' or '.join(c.headers)}, not both")
        elif present:
            at[c.field] = present[0]
        elif c.required:
            problem("INPUT-HEADER", c.headers[0], f"sheet {title} has no column {' or '.join(c.headers)}")
    bodies: list[tuple[int, dict[str, Any]]] = []
    sums: dict[str, int] = {}  # money field -> the rows' sum in fen
    total_at: int | None = None
    for number, row in enumerate(rows[top + 1:], start=top + 2):
        if all(_blank(v) for v in row):
            continue
        cells = [_text_of(v).replace(" ", "").replace("\u3000", "") for v in row if not _blank(v)]
        money = [c for c in spec.columns if c.read == "money" and c.field in at and at[c.field][0] < len(row)
                 and not _blank(row[at[c.field][0]])]
        if total_at is not None:  # below the total: a footer, never an amount
            if money:
                problem("INPUT-TOTAL", f"{title}!{_col(at[money[0].field][0])}{number}",
                        f"an amount below the {cells[0] if cells else '合计'} row of row {total_at}: the total comes last",
                        number)
            continue
        if cells and cells[0] in _TOTALS:
            total_at = number
            for c in money:
                index, head = at[c.field]
                cell = f"{title}!{_col(index)}{number}"
                unit = "wan" if head.endswith("（万元）") else "yuan"
                try:
                    stated = parse_money(_read_amount(row[index], unit), unit)
                except ValueError as e:
                    problem("INPUT-CELL", cell, f"{head}: {e}", number)
                    continue
                if stated != sums.get(c.field, 0):
                    problem("INPUT-TOTAL", cell, f"the {cells[0]} row gives {wan(stated)} for {head}; "
                            f"the rows above it sum to {wan(sums.get(c.field, 0))}", number,
                            expected=wan(sums.get(c.field, 0)), actual=wan(stated),
                            difference=wan(stated - sums.get(c.field, 0)))
            continue
        body: dict[str, Any] = {}
        bad = len(findings)
        for c in spec.columns:
            if c.field not in at:
                continue
            index, head = at[c.field]
            value = row[index] if index < len(row) else None
            cell = f"{title}!{_col(index)}{number}"
            if _blank(value):
                if c.required:
                    problem("INPUT-CELL", cell, f"{head} is empty", number)
                continue
            try:
                field, read = _read(c, value, head)
            except ValueError as e:
                problem("INPUT-CELL", cell, f"{head}: {e}", number)
                continue
            body[field] = read
            if c.read == "money":
                sums[c.field] = sums.get(c.field, 0) + parse_money(read, field.rsplit("_", 1)[1])
        if len(findings) == bad:
            if kind == "review.decide" and stages is not None:
                body["stage"] = stages(body["project"], body["stage"], body["date"])
            bodies.append((number, body))
    if any(f.rule == "INPUT-HEADER" for f in findings):
        bodies = []
    items = _whole(spec, bodies, title, problem) if spec.whole else [
        Item(kind, spec.idem(body), body, line=number) for number, body in bodies]
    if not items and not findings:
        problem("INPUT-EMPTY", "", f"sheet {title} has no data rows")
    if findings:
        n = len(findings)
        raise InputError(f"{path}: {n} problem{'s' if n > 1 else ''}; nothing was appended", tuple(findings))
    return items


def _whole(spec: SheetKind, bodies: list[tuple[int, dict[str, Any]]], title: str,
           problem: Callable[..., None]) -> list[Item]:
    """An approval sheet: one ``approval.resolve`` whose awards are the rows; the resolution's own
    fields must be the same on every row."""
    if not bodies:
        return []
    first = bodies[0][1]
    for number, body in bodies[1:]:
        for field in _RESOLUTION:
            if body[field] != first[field]:
                problem("INPUT-CELL", f"{title}!row {number}", f"{field} {body[field]!r} differs from row "
                        f"{bodies[0][0]}'s {first[field]!r}: a sheet is one resolution", number)
    resolution = {field: first[field] for field in _RESOLUTION}
    awards = [{"project": b["project"], **{k: v for k, v in b.items() if k.startswith("amount_")}} for _, b in bodies]
    body = {**resolution, "awards": awards}
    return [Item("approval.resolve", SHEET_KINDS["approval.resolve"].idem(body), body, line=bodies[0][0])]

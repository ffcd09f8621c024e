"""The reports the seeds publish, computed from the ledger: execution, funnel, performance, and the
public notice list (公示名单).

Each report is a list of rows (label, figures) built from ``contracts/figures/``; one renderer
writes it as a table (Chinese labels, 万元 at the seeds' precision: exact, trailing zeros
dropped), JSON, CSV, XLSX or HTML (a page with its chart as SVG and no scripts,
``contracts/html.py``). Every figure of a row names the figure it comes from, so
``fundledger trail --fund F --year Y [--clause N]`` lists the entries behind it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, text

from contracts.figures import FundYear, count_figure, parse_figure, show
from contracts.html import Chart, page
from contracts.money import fen_to_wan
from contracts.names import OUTCOMES, reason_name
from contracts.state import stored_column, stored_document, stored_ints, stored_json
from ledger.trail import display_width

__all__ = ["Report", "execution_report", "funnel_report", "notice_report", "performance_report", "render"]


@dataclass
class Report:
    """A report: its title, columns and rows (the last column, ``figure``, names a row's figure and is
    not shown in a table), notes, and the chart its HTML draws."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart: Chart | None = None


def _fund_name(conn: Connection, fund: str, year: int) -> str:
    """The fund-year's name; for ``a+b+…`` (a sum over funds) the names joined with 、."""
    names = []
    for code in fund.split("+"):
        row = conn.execute(text("SELECT name FROM funds WHERE fund = :f AND year = :y"), {"f": code, "y": year}).first()
        if row is None:
            from ledger.errors import InputError

            raise InputError(f"{code} {year} is not in the ledger (no fund.open)")
        names.append(row[0])
    return "、".join(names)


def _policies(fy: FundYear) -> list[str]:
    policies = fy.fund.get("policies") or "[]" if fy.fund else "[]"  # a sum over funds has none
    return stored_column("policies", policies, lambda: f"the funds row {fy.fund_code} {fy.year}, column policies")


def _document(conn: Connection, policy: str, year: int) -> dict[str, Any] | None:
    row = conn.execute(text("SELECT document FROM policies WHERE policy = :p AND effective_from <= :d "
                            "ORDER BY version DESC LIMIT 1"), {"p": policy, "d": f"{year}-12-31"}).first()
    return stored_document(row[0], lambda: f"policy {policy}'s document") if row else None


def _clause_title(conn: Connection, policy: str, clause: str, year: int) -> str:
    doc = _document(conn, policy, year) or {"clauses": []}
    return next((c.get("title", "") for c in doc["clauses"] if c["id"] == clause), "")


def _stage_names(conn: Connection, fy: FundYear) -> list[tuple[str, str]]:
    """The workflow stages of the fund-year's policy, in order, with their names."""
    ids = _policies(fy)
    if not ids:
        return []
    doc = _document(conn, ids[0], fy.year)
    return [(s["id"], s.get("name", s["id"])) for s in doc["workflow"]["stages"]] if doc else []


def _with_reported(conn: Connection, r: Report, fy: FundYear, count_col: int) -> Report:
    """Add what the reports state for each row's figure, and the difference, beside the ledger's."""
    stated: dict[str, int] = {}
    for row in _reported(conn, fy, "seq, figure, value"):
        stated.setdefault(row["figure"], row["value"])
    rows = []
    for row in r.rows:
        figure = row[-1]
        said, diff = "", ""
        if figure in stated:
            metric, qualifier = parse_figure(figure)[2:]
            ours = fy.value(metric, qualifier)
            sign = "-" if metric == "outcome_amount" else ""  # what a decision took away, as the row shows it
            said = sign + show(metric, stated[figure])
            diff = "" if ours == stated[figure] else show(metric, stated[figure] - ours)
        counted = count_figure(figure)
        if counted in stated and str(row[count_col]) != str(stated[counted]):
            diff = (diff + " " if diff else "") + f"单位数 {stated[counted]}"
        rows.append((*row[:-1], said, diff, figure))
    r.columns = (*r.columns[:-1], "报告数（万元）", "差异（报告−账本）", "figure")
    r.rows = rows
    return r


def execution_report(conn: Connection, fund: str, year: int) -> Report:
    name = _fund_name(conn, fund, year)
    fy = FundYear(conn, fund, year)
    v = fy.value
    r = Report(title=f"{name}（{fund} {year}）预算执行情况", columns=("项目", "单位数", "金额（万元）", "figure"))
    r.rows.append(("年度预算", "", fen_to_wan(v("budget")), f"{fund}/{year}/budget"))
    if v("adjustments"):
        r.rows.append(("预算调整（追加/核减）", "", fen_to_wan(v("adjustments")), f"{fund}/{year}/adjustments"))
    if v("transfers_in"):
        r.rows.append(("调入", "", fen_to_wan(v("transfers_in")), f"{fund}/{year}/transfers_in"))
    if v("transfers_out"):
        r.rows.append(("列支调出", "", fen_to_wan(v("transfers_out")), f"{fund}/{year}/transfers_out"))
    if v("available") != v("budget"):
        r.rows.append(("下达预算金额", "", fen_to_wan(v("available")), f"{fund}/{year}/available"))
    if "+" in fund:  # a sum over funds: one line per fund (their clauses are each policy's own)
        for code in fund.split("+"):
            one = FundYear(conn, code, year)
            r.rows.append((f"  {code}", one.value("projects"), fen_to_wan(one.value("awards")), f"{code}/{year}/awards"))
    else:
        clauses = sorted({p["clause"] for p in fy.awarded}, key=_clause_order)
        own = _policies(fy)[:1]
        for clause in clauses:
            policy = next(p["policy"] for p in fy.awarded if p["clause"] == clause)
            if policy in own:
                label = f"第{clause}条" if clause.isdigit() else clause
            else:  # a clause of another policy this fund pays for (the SME fund's high-tech financing-cost projects)
                label = f"{clause} {_clause_title(conn, policy, clause, year)}"
            r.rows.append((f"  {label}", v("clause_projects", (clause,)), fen_to_wan(v("clause_awards", (clause,))),
                           f"{fund}/{year}/clause_awards/{clause}"))
    drawn = [row for row in r.rows if row[0].startswith("  ")]  # the clauses (or the funds of a sum)
    r.chart = Chart("支持项目金额（万元）" + ("：按资金" if "+" in fund else "：按条款"),
                    tuple((row[0].strip(), fy_awards(conn, row[-1]), f"{row[2]}（{row[1]}个）") for row in drawn))
    r.rows.append(("支持项目合计", v("projects"), fen_to_wan(v("awards")), f"{fund}/{year}/awards"))
    r.rows.append(("第三方专业机构服务费", "", fen_to_wan(v("fees")), f"{fund}/{year}/fees"))
    r.rows.append(("合计安排资金", "", fen_to_wan(v("arranged")), f"{fund}/{year}/arranged"))
    r.rows.append(("其他列支费用（含调出）", "", fen_to_wan(v("other")), f"{fund}/{year}/other"))
    r.rows.append(("支出合计（不含调出）", "", fen_to_wan(v("spent")), f"{fund}/{year}/spent"))
    r.rows.append(("结余", "", fen_to_wan(v("balance")), f"{fund}/{year}/balance"))
    r.rows.append(("执行率", "", show("execution_rate", v("execution_rate")), f"{fund}/{year}/execution_rate"))
    r.notes += _reconciliation_notes(conn, fy)
    return _with_reported(conn, r, fy, count_col=1)


def funnel_report(conn: Connection, fund: str, year: int) -> Report:
    """Applications, then each stage of the workflow: what it removed, lowered or halved (by outcome and
    reason, named in Chinese; the figure keeps the reason's code) and what passed."""
    name = _fund_name(conn, fund, year)
    fy = FundYear(conn, fund, year)
    r = Report(title=f"{name}（{fund} {year}）评审漏斗", columns=("环节", "结果", "原因", "单位数", "金额（万元）", "figure"))
    requested = sum(p["requested_fen"] for p in fy.projects)
    r.rows.append(("申报", "", "", len(fy.projects), fen_to_wan(requested), f"{fund}/{year}/applications"))
    for stage, label in _stage_names(conn, fy):
        mine = [d for d in fy.decisions if d["stage"] == stage]
        if not mine:
            continue
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for d in mine:
            if d["outcome"] != "pass":
                groups.setdefault((d["outcome"], d["reason"] or ""), []).append(d)
        for (outcome, reason), ds in sorted(groups.items()):
            r.rows.append((label, OUTCOMES.get(outcome, outcome), reason_name(reason), len(ds),
                           "-" + fen_to_wan(sum(d["amount_before_fen"] - d["amount_after_fen"] for d in ds)),
                           f"{fund}/{year}/outcome_amount/{stage}/{outcome}/{reason}"))
        r.rows.append((label, "通过", "", fy.value("stage_passed", (stage,)), fen_to_wan(fy.value("stage_amount", (stage,))),
                       f"{fund}/{year}/stage_amount/{stage}"))
    r.rows.append(("最终支持", "", "", fy.value("projects"), fen_to_wan(fy.value("awards")), f"{fund}/{year}/awards"))
    counts = [row for row in r.rows if row[1] in ("", "通过")]  # applications, what passed each stage, the awards
    r.chart = Chart("评审漏斗（单位数）", tuple((row[0] if row[1] != "通过" else f"{row[0]} 通过", int(row[3]),
                                          f"{row[3]}个 · {row[4]}万元") for row in counts))
    return _with_reported(conn, r, fy, count_col=3)


def notice_report(conn: Connection, fund: str, year: int) -> Report:
    """The public notice list (公示名单): every project the fund-year's notices published, with its
    enterprise, clause and amount; one withdrawn after an objection upheld says so."""
    name = _fund_name(conn, fund, year)
    r = Report(title=f"{name}（{fund} {year}）拟支持项目公示名单",
               columns=("序号", "企业名称", "统一社会信用代码", "项目编号", "支持条款", "拟支持金额（万元）", "公示", "figure"))
    rows = conn.execute(text("SELECT p.project, p.enterprise, p.enterprise_name, p.clause, p.status, p.approved_fen, "
                             "p.notice, n.start, n.end_date FROM projects p JOIN notices n ON n.notice = p.notice "
                             "WHERE p.fund = :f AND p.year = :y"), {"f": fund, "y": year}).all()
    for row in rows:
        stored_ints("projects", row._asdict(), ("project",))
    rows = sorted(rows, key=lambda p: (p.notice, _clause_order(p.clause), p.project))
    for i, p in enumerate(rows, 1):
        amount = fen_to_wan(p.approved_fen) if p.status != "rejected" else "撤销（异议成立）"
        clause = f"第{p.clause}条" if p.clause.isdigit() else p.clause
        r.rows.append((i, p.enterprise_name, p.enterprise, p.project, clause, amount,
                       f"{p.notice}（{p.start}至{p.end_date}）", f"{fund}/{year}/notice/{p.project}"))
    if not rows:
        r.notes.append("no notice.open entry publishes a project of this fund-year")
    return r


def _clause_order(clause: str) -> list[tuple[int, int, str]]:
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in clause.split(".")]


def fy_awards(conn: Connection, figure: str) -> int:
    """The value of an awards figure (``fund/year/awards`` or ``…/clause_awards/<clause>``), in fen."""
    fund, year, metric, *qualifier = figure.split("/")
    return FundYear(conn, fund, int(year)).value(metric, tuple(qualifier)) or 0



def performance_report(conn: Connection, fund: str, year: int) -> Report:
    from contracts.performance import score_table

    name = _fund_name(conn, fund, year)
    row = conn.execute(text("SELECT e.data FROM entry_refs r JOIN entries e ON e.seq = r.seq WHERE r.fund = :f AND r.year = :y "
                            "AND e.kind = 'performance.indicators' ORDER BY r.seq DESC LIMIT 1"), {"f": fund, "y": year}).first()
    r = Report(title=f"{name}（{fund} {year}）绩效评价", columns=("一级指标", "二级指标", "三级指标", "年度指标值",
                                                                  "实际完成值", "分值", "得分", "来源"))
    if row is None:
        r.notes.append("no performance.indicators entry for this fund-year")
        return r
    table = score_table(conn, stored_json(row[0], lambda: "a performance.indicators entry")["body"])
    for x in table.rows:
        r.rows.append((x.level1, x.level2, x.name, x.target, x.actual, x.weight, str(x.score),
                       "账本计算" if x.source == "ledger" else "评价报告"))
    r.rows.append(("总分", "", "", "", "", table.weights, str(table.total), ""))
    if table.total_stated is not None and table.total_stated != table.total:
        r.notes.append(f"the evaluation states a total of {table.total_stated}; the ledger gives {table.total}")
    return r


def _reconciliation_notes(conn: Connection, fy: FundYear) -> list[str]:
    """Reported figures of this fund-year that differ from the ledger's own."""
    notes = []
    for row in _reported(conn, fy, "seq, figure, value, tolerance, seed"):
        metric, qualifier = parse_figure(row["figure"])[2:]
        ours = fy.value(metric, qualifier)
        if ours is not None and abs(ours - row["value"]) > row["tolerance"]:
            notes.append(f"{row['seed']} states {row['figure']} = {show(metric, row['value'])}; the ledger's entries give "
                         f"{show(metric, ours)} (difference {show(metric, row['value'] - ours)})")
    return notes


def _reported(conn: Connection, fy: FundYear, columns: str) -> list[dict[str, Any]]:
    """The figures the reports state for the fund-year, in seq order, their integers checked."""
    rows = conn.execute(text(f"SELECT {columns} FROM reported WHERE figure LIKE :p ORDER BY seq"),
                        {"p": f"{fy.fund_code}/{fy.year}/%"}).mappings()
    return [stored_ints("reported", row, ("seq",)) for row in map(dict, rows)]


def render(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        keep = [i for i, c in enumerate(report.columns) if c != "figure"]
        return page(report.title, [report.columns[i] for i in keep], [[row[i] for i in keep] for row in report.rows],
                    report.notes, report.chart)
    if fmt == "json":
        return orjson.dumps({"title": report.title, "columns": list(report.columns),
                             "rows": [dict(zip(report.columns, row)) for row in report.rows], "notes": report.notes},
                            option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(report.columns)
        w.writerows(report.rows)
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "report"
        ws.append([report.title])
        ws.append(list(report.columns))
        for row in report.rows:  # amounts stay text: exact 万元 strings, never floats
            ws.append(list(row))
        for note in report.notes:
            ws.append([note])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    shown = [c for c in report.columns if c != "figure"]
    keep = [i for i, c in enumerate(report.columns) if c != "figure"]
    rows = [[str(row[i]) for i in keep] for row in report.rows]
    widths = [max(_width(c), *(_width(r[j]) for r in rows)) if rows else _width(c) for j, c in enumerate(shown)]
    lines = [report.title, "  ".join(_pad(c, w) for c, w in zip(shown, widths))]
    lines += ["  ".join(_pad(v, w) for v, w in zip(r, widths)) for r in rows]
    lines += [f"note: {n}" for n in report.notes]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _width(text: Any) -> int:
    return display_width(str(text))


def _pad(text: Any, width: int) -> str:
    text = str(text)
    return text + " " * (width - display_width(text))



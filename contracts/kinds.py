"""Every kind of the fund lifecycle, declared once: its body's fields, its write-time check, its
effect on the projections, whether a correction may reverse it, its sheet columns and its line in
the audit trail.

Everything else is found from here: the edge's pandera schemas (``contracts/schemas.py``), the
kinds' checks (``contracts/rules/by_kind.py``, the function named ``check``), the effects
(``contracts/engine.py``, the function named ``effect``; ``undo``: a correction runs it again with
the sign -1), the kinds a correction may reverse (``reversible``; rule ``CORR-TARGET``), the sheet
columns of ``post --format csv|xlsx`` (``contracts/sheets.py``), the trail's Chinese summary
(``contracts/summaries.py``) and the kinds the ledger is told the contracts own (``contracts/api.py``).
Adding a kind is one declaration here and the two functions it names; the engine and the checks
refuse to load if a name is missing.

Importing this module is cheap: it loads no database or data-frame library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contracts.fields import (
    AT_LEAST_ONE,
    NONNEG,
    OUTCOMES,
    POS,
    TEXT,
    YEAR,
    Field,
    is_awards,
    is_bases,
    is_dates,
    is_indicator,
    is_objections,
    is_score,
    is_scores,
    is_str_list,
)
from contracts.money import wan
from contracts.names import OUTCOMES as OUTCOME_NAMES
from contracts.names import reason_name

__all__ = ["KINDS", "Column", "Kind", "SheetKind"]


@dataclass(frozen=True, slots=True)
class Column:
    """A sheet column: its header(s) (the first is the 万元 one where an amount has two units), the
    body field it fills, and how its cell is read."""

    headers: tuple[str, ...]
    field: str
    read: str  # text | int | year | date | money | outcome | reason
    required: bool = True


@dataclass(frozen=True, slots=True)
class SheetKind:
    """What a sheet of one kind holds: its columns, each row's idem, and whether the whole sheet is
    one entry (``whole``: an approval's list of awards) rather than one entry a row."""

    columns: tuple[Column, ...]
    idem: Callable[[dict[str, Any]], str]
    whole: bool = False


def _money(header: str, field: str, required: bool = True) -> Column:
    return Column((f"{header}（万元）", f"{header}（元）"), field, "money", required)


def _text(*headers: str, field: str, required: bool = True) -> Column:
    return Column(headers, field, "text", required)


def _money(header: str, field: str, required: bool = True) -> Column:
    return Column((f"{header}（万元）", f"{header}（元）"), field, "money", required)


def _text(*headers: str, field: str, required: bool = True) -> Column:
    return Column(headers, field, "text", required)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of entry the contracts own.

    Attributes:
      name: the kind (``review.decide``).
      fields: its body's fields, as stored (amounts ``X_fen``; the edge takes ``X_wan``/``X_yuan`` too).
      check: the function of ``contracts/rules/by_kind.py`` that holds an entry to the rules.
      effect: the function of ``contracts/engine.py`` that applies it to the projections.
      reversible: a ``correction.reverse`` may undo it.
      undo: a correction undoes it by running its effect with the sign -1 (else the engine's
        ``correction_reverse`` does it by hand).
      sheet: its columns in a sheet (CSV/XLSX), if it can be posted as one.
      summary: its line in the audit trail, in Chinese: ``(describer, body) -> str``.
    """

    name: str
    fields: dict[str, Field]
    check: str
    effect: str
    summary: Callable[[Any, dict[str, Any]], str]
    reversible: bool = False
    undo: bool = False
    sheet: SheetKind | None = None


def _decided(d: Any, b: dict[str, Any]) -> str:
    line = f"{d.stage_name(b['project'], b['stage'], b['date'])} {OUTCOME_NAMES.get(b['outcome'], b['outcome'])}"
    if b.get("amount_after_fen") is not None and b["outcome"] not in ("pass", "reject"):
        line += f" → {wan(b['amount_after_fen'])}"
    return line + (f"（{reason_name(b['reason'])}）" if b.get("reason") else "")


def _resolved(d: Any, b: dict[str, Any]) -> str:
    awards = b["awards"]
    total = f"{len(awards)}个项目，共{wan(sum(a['amount_fen'] for a in awards))}"
    mine = [a for a in awards if a["project"] == d.project]
    if len(awards) == 1 or mine:
        amount = wan((mine or awards)[0]["amount_fen"])
        return f"{b['body']} 批准 {amount}" + (f"（本决议{total}）" if len(awards) > 1 else "")
    return f"{b['body']} 批准 {total}"


def _closed(d: Any, b: dict[str, Any]) -> str:
    objections = b.get("objections") or []
    if not objections:
        return "公示期满，无异议"
    shown = {"dismissed": "不成立", "upheld": "成立", "pending": "待处理"}
    return "公示期满，异议：" + "；".join(f"{o['project']} {shown.get(o['outcome'], o['outcome'])}" for o in objections)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("fund.open",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR), "name": Field("str", checks=TEXT),
                 "office": Field("str", checks=TEXT), "budget_fen": Field("money", checks=NONNEG),
                 "policies": Field("list", False, (("policy ids", is_str_list),))},
         check="fund_open",
         effect="fund_open",
         summary=lambda d, b: f"设立资金 {b['name']}，预算{wan(b['budget_fen'])}"),
    Kind("budget.adjust",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR),
                 "delta_fen": Field("money", checks=(("not zero", lambda v: v != 0),)),
                 "reason": Field("str", checks=TEXT), "document": Field("str", checks=TEXT)},
         check="budget_adjust",
         effect="budget_adjust",
         reversible=True,
         undo=True,
         summary=lambda d, b: f"{'追加' if b['delta_fen'] > 0 else '核减'}预算 {wan(abs(b['delta_fen']))}（{b['reason']}）"),
    Kind("budget.transfer",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR), "to": Field("str", checks=TEXT),
                 "to_year": Field("int", False, YEAR), "amount_fen": Field("money", checks=POS),
                 "reason": Field("str", checks=TEXT), "document": Field("str", False, TEXT)},
         check="spend",
         effect="budget_transfer",
         reversible=True,
         undo=True,
         summary=lambda d, b: f"列支调出 {wan(b['amount_fen'])} → {b['to']}"),
    Kind("policy.publish",
         fields={"policy": Field("code"), "version": Field("int", checks=AT_LEAST_ONE),
                 "document": Field("dict")},
         check="policy_publish",
         effect="policy_publish",
         summary=lambda d, b: f"发布政策 {b['document'].get('title', b['policy'])} 第{b['version']}版"),
    Kind("project.apply",
         fields={"project": Field("str", checks=TEXT), "enterprise": Field("str"), "enterprise_name": Field("str", checks=TEXT),
                 "fund": Field("code"), "year": Field("int", checks=YEAR), "clause": Field("str", checks=TEXT),
                 "requested_fen": Field("money", checks=NONNEG), "policy": Field("code", False),
                 "content": Field("str", False, TEXT), "bases": Field("dict", False, (("base name -> integer ≥ 0", is_bases),)),
                 "tags": Field("list", False, (("strings", is_str_list),)), "date": Field("date", False)},
         check="project_apply",
         effect="project_apply",
         reversible=True,
         sheet=SheetKind(
             (_text("项目编号", field="project"), _text("统一社会信用代码", field="enterprise"),
              _text("企业名称", field="enterprise_name"), _text("资金代码", field="fund"), Column(("年度",), "year", "year"),
              _text("条款", field="clause"), _money("申请金额", "requested"), Column(("申报日期",), "date", "date", False),
              _text("项目内容", field="content", required=False)), lambda b: f"apply:{b['project']}"),
         summary=lambda d, b: f"申报 {wan(b['requested_fen'])} · {b['enterprise_name']} · 第{b['clause']}条"),
    Kind("review.decide",
         fields={"project": Field("str", checks=TEXT), "stage": Field("str", checks=TEXT),
                 "outcome": Field("str", checks=((" | ".join(OUTCOMES), lambda v: v in OUTCOMES),)),
                 "reason": Field("str", False, TEXT), "amount_after_fen": Field("money", False, NONNEG),
                 "date": Field("date"), "panel_size": Field("int", False, AT_LEAST_ONE),
                 "scores": Field("list", False, (("integers 0-100", is_scores),))},
         check="review_decide",
         effect="review_decide",
         reversible=True,
         sheet=SheetKind(
             (_text("项目编号", field="project"), _text("评审环节", field="stage"), Column(("结果",), "outcome", "outcome"),
              Column(("原因",), "reason", "reason", False), _money("调整后金额", "amount_after", False),
              Column(("评审日期",), "date", "date"), Column(("专家人数",), "panel_size", "int", False)),
             lambda b: f"decide:{b['project']}:{b['stage']}"),
         summary=_decided),
    Kind("approval.resolve",
         fields={"body": Field("str", checks=TEXT), "meeting": Field("str", checks=TEXT),
                 "resolution": Field("str", checks=TEXT), "date": Field("date"),
                 "awards": Field("list", checks=(("[{project, amount_fen}], not empty", is_awards),))},
         check="approval_resolve",
         effect="approval_resolve",
         reversible=True,
         undo=True,
         sheet=SheetKind(
             (_text("审批机构", field="body"), _text("会议", field="meeting"), _text("决议文号", field="resolution"),
              Column(("审批日期",), "date", "date"), _text("项目编号", field="project"), _money("批准金额", "amount")),
             lambda b: f"resolve:{b['body']}:{b['resolution']}", whole=True),
         summary=_resolved),
    Kind("notice.open",
         fields={"notice": Field("str", checks=TEXT), "fund": Field("code"), "year": Field("int", checks=YEAR),
                 "projects": Field("list", checks=(("project ids, not empty", lambda v: bool(v) and is_str_list(v)),)),
                 "start": Field("date"), "working_days": Field("int", checks=POS)},
         check="notice_open",
         effect="notice_open",
         summary=lambda d, b: f"公示 {len(b['projects'])}个项目，{b['working_days']}个工作日"),
    Kind("notice.close",
         fields={"notice": Field("str", checks=TEXT), "date": Field("date"),
                 "objections": Field("list", False, (("[{project, outcome, note?}]", is_objections),))},
         check="notice_close",
         effect="notice_close",
         summary=_closed),
    Kind("disbursement.pay",
         fields={"project": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date"),
                 "voucher": Field("str", checks=TEXT)},
         check="disbursement_pay",
         effect="disbursement_pay",
         reversible=True,
         undo=True,
         sheet=SheetKind(
             (_text("项目编号", field="project"), _money("拨付金额", "amount"), Column(("拨付日期",), "date", "date"),
              _text("凭证号", field="voucher")), lambda b: f"pay:{b['voucher']}"),
         summary=lambda d, b: f"拨付 {wan(b['amount_fen'])} 凭证号 {b['voucher']}"),
    Kind("disbursement.return",
         fields={"project": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date"),
                 "voucher": Field("str", checks=TEXT)},
         check="disbursement_return",
         effect="disbursement_return",
         reversible=True,
         undo=True,
         sheet=SheetKind(
             (_text("项目编号", field="project"), _money("退回金额", "amount"), Column(("退回日期",), "date", "date"),
              _text("凭证号", field="voucher")), lambda b: f"return:{b['voucher']}"),
         summary=lambda d, b: f"退回财政 {wan(b['amount_fen'])} 凭证号 {b['voucher']}"),
    Kind("fee.pay",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR), "payee": Field("str", checks=TEXT),
                 "service": Field("str", checks=TEXT), "amount_fen": Field("money", checks=POS), "date": Field("date", False),
                 "document": Field("str", False, TEXT)},
         check="spend",
         effect="fee_pay",
         reversible=True,
         undo=True,
         sheet=SheetKind(
             (_text("资金代码", field="fund"), Column(("年度",), "year", "year"), _text("收款单位", field="payee"),
              _text("服务内容", field="service"), _money("金额", "amount"), _text("凭证号", field="document"),
              Column(("支付日期",), "date", "date", False)), lambda b: f"fee:{b['document']}"),
         summary=lambda d, b: f"第三方服务费 {wan(b['amount_fen'])} → {b['payee']}（{b['service']}）"),
    Kind("expense.other",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR), "item": Field("str", checks=TEXT),
                 "amount_fen": Field("money", checks=POS), "date": Field("date", False), "document": Field("str", False, TEXT)},
         check="spend",
         effect="expense_other",
         reversible=True,
         undo=True,
         sheet=SheetKind(
             (_text("资金代码", field="fund"), Column(("年度",), "year", "year"), _text("事项", field="item"),
              _money("金额", "amount"), _text("凭证号", field="document"), Column(("支付日期",), "date", "date", False)),
             lambda b: f"expense:{b['document']}"),
         summary=lambda d, b: f"其他支出 {wan(b['amount_fen'])}：{b['item']}"),
    Kind("correction.reverse",
         fields={"seq": Field("int", checks=NONNEG), "reason": Field("str", checks=TEXT)},
         check="correction_reverse",
         effect="correction_reverse",
         summary=lambda d, b: f"冲正 第{b['seq']}条（{b['reason']}）"),
    Kind("report.state",
         fields={"seed": Field("str", checks=TEXT), "wording": Field("str", checks=TEXT), "figure": Field("str", checks=TEXT),
                 "value_fen": Field("money", False), "count": Field("int", False, NONNEG), "permyriad": Field("int", False, NONNEG),
                 "tolerance_fen": Field("money", False, NONNEG), "tolerance": Field("int", False, NONNEG)},
         check="report_state",
         effect="report_state",
         summary=lambda d, b: f"报告数 {b['figure']}（{b['seed']}）"),
    Kind("performance.indicators",
         fields={"fund": Field("code"), "year": Field("int", checks=YEAR), "seed": Field("str", checks=TEXT),
                 "indicators": Field("list", checks=(("[{name, weight, measure, …}], not empty", lambda v: bool(v) and all(is_indicator(x) for x in v)),)),
                 "total_stated": Field("str", False, (*TEXT, ("a number, as 99.55", is_score)))},
         check="performance_indicators",
         effect="performance_indicators",
         summary=lambda d, b: f"绩效评价表 {len(b['indicators'])}项指标（{b['seed']}）"),
    Kind("calendar.publish",
         fields={"year": Field("int", checks=YEAR), "version": Field("int", checks=AT_LEAST_ONE),
                 "holidays": Field("list", checks=(("dates YYYY-MM-DD, each once", is_dates),)),
                 "workdays": Field("list", checks=(("dates YYYY-MM-DD, each once", is_dates),)),
                 "document": Field("str", checks=TEXT)},
         check="calendar_publish",
         effect="calendar_publish",
         summary=lambda d, b: f"发布{b['year']}年工作日历 第{b['version']}版：假日{len(b['holidays'])}天，"
                                         f"调休上班{len(b['workdays'])}天"),
)}

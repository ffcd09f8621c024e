"""What the nightly run writes for people: the run's page (``index.html``) and the auditors'
working paper (``findings.xlsx``), in Chinese with the English beside it.

The page has no scripts (it reads offline as it is): a summary at the top (fatal and warning
counts, what was checked, when), every rule with its status and its statement in Chinese and
English, every finding with its subject in Chinese, and links to GX's validation pages. The
workbook has the findings under Chinese headers, every value as text (amounts as the exact 万元
strings, never floats), and a sheet with the summary.
"""

from __future__ import annotations

import io
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

from checks.sqlrules import sql_rules
from contracts.names import SEVERITIES, subject_text
from contracts.rules import RULES
from ledger.findings import FATAL, WARNING, Finding
from ledger.replay import STATE_ROW, STATE_ROW_MESSAGE, STATE_ROW_ZH

__all__ = ["findings_xlsx", "index_html", "rule_zh"]

_STATUS = {True: "未通过 failed", False: "通过 passed"}
FINDING_COLUMNS = ("规则", "规则说明", "严重程度", "对象", "字段", "期望值", "实际值", "差异", "说明（英文）")


def rule_zh(rule: str) -> str:
    """A rule's statement in Chinese (empty for a rule of the ledger's edge that has none)."""
    if rule == STATE_ROW:
        return STATE_ROW_ZH
    return RULES[rule].zh if rule in RULES else ""


def _summary(report: dict[str, Any], findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    counts = Counter(f.severity for f in findings)
    engines = report["engines"]
    return [("账本 ledger", report["origin"]), ("检查时间（UTC） run at", report["ran_at"]),
            ("致命问题 fatal", str(counts[FATAL])), ("警告 warnings", str(counts[WARNING])),
            ("账本条目数（树大小） tree size", str(report["tree_size"])), ("根哈希 root", report["root"]),
            ("投影数据摘要 projections SHA-256", report["projections_sha256"]),
            ("规则集 suite", report["suite_version"]),
            ("各检查的发现数 by check", f"重放对比 replay {engines['replay']} · Great Expectations "
                                      f"{engines['great_expectations']} · pandera {engines['pandera']}")]


def index_html(report: dict[str, Any], findings: tuple[Finding, ...], docs: Path, out: Path) -> str:
    """The run's page: the summary, every rule with its count, every finding, GX's pages."""
    found = Counter(f.rule for f in findings)
    rules = [(r.rule, r.severity, f"contracts/rules/{r.name}/nightly.sql", r.what) for r in sql_rules()]
    rules.append(("CHECK-ENGINES", RULES["CHECK-ENGINES"].severity, "checks/nightly.py", RULES["CHECK-ENGINES"].message))
    rules.append((STATE_ROW, FATAL, "ledger/replay.py", STATE_ROW_MESSAGE))
    pages = sorted(docs.parent.glob("validations/*/*/*/*.html"))
    summary = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _summary(report, findings))
    rows = "".join(f"<tr class='{'failed' if found[r] else 'passed'}'><td>{escape(r)}</td>"
                   f"<td>{SEVERITIES[sev]} {sev}</td><td>{_STATUS[bool(found[r])]}</td><td>{found[r]}</td>"
                   f"<td>{escape(rule_zh(r))}</td><td>{escape(what)}</td><td>{escape(src)}</td></tr>"
                   for r, sev, src, what in rules)
    items = "".join(f"<tr><td>{escape(f.rule)}</td><td>{SEVERITIES[f.severity]} {f.severity}</td>"
                    f"<td>{escape(subject_text(f.subject))}</td><td>{escape(f.expected or '')}</td>"
                    f"<td>{escape(f.actual or '')}</td><td>{escape(f.difference or '')}</td>"
                    f"<td>{escape(rule_zh(f.rule))}</td><td>{escape(f.message)}</td></tr>" for f in findings)
    links = "".join(f"<li><a href='{escape(str(p.relative_to(out)))}'>{escape(p.stem)}</a></li>" for p in pages)
    return (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>夜间检查 fundledger nightly checks</title>"
            f"<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:4px;text-align:left}}"
            f"table{{border-collapse:collapse}}.failed{{background:#fdd}}</style></head><body>"
            f"<h1>夜间检查 Nightly checks: {escape(report['origin'])}</h1>"
            f"<table id='summary'>{summary}</table>"
            f"<h2>规则 Rules</h2><table id='rules'><tr><th>规则 rule</th><th>严重程度 severity</th><th>状态 status</th>"
            f"<th>发现 findings</th><th>规则说明</th><th>what</th><th>来源 source</th></tr>{rows}</table>"
            f"<h2>发现 Findings</h2><table id='findings'><tr><th>规则 rule</th><th>严重程度 severity</th>"
            f"<th>对象 subject</th><th>期望值 expected</th><th>实际值 actual</th><th>差异 difference</th>"
            f"<th>规则说明</th><th>message</th></tr>{items}</table>"
            f"<h2>Great Expectations 验证结果 validation results (Data Docs)</h2><ul>{links}</ul></body></html>\n")


def findings_xlsx(report: dict[str, Any], findings: tuple[Finding, ...]) -> bytes:
    """The findings as a working paper (审计底稿): a sheet of findings under Chinese headers, a sheet
    with the summary; every cell text."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "发现"
    sheet.append(FINDING_COLUMNS)
    for f in findings:
        sheet.append([f.rule, rule_zh(f.rule), SEVERITIES[f.severity], subject_text(f.subject), f.field,
                      f.expected or "", f.actual or "", f.difference or "", f.message])
    summary = wb.create_sheet("概况")
    for name, value in _summary(report, findings):
        summary.append([name, value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""A report as one HTML page that needs nothing else: its table, its notes, and its chart drawn as
SVG. No scripts, no fonts, styles or images from anywhere: it opens on an intranet as it is, and
prints.

A chart is horizontal bars, one per row it draws (the awards by clause, the projects through each
review stage), each bar as long as its value against the largest, labelled with the row's words and
the figure as the report shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any, Sequence

from ledger.trail import cut, display_width

__all__ = ["Chart", "page"]

_WIDTH, _LABEL, _BAR, _ROW = 860, 300, 440, 26


@dataclass(frozen=True)
class Chart:
    """What a report draws: a title and its bars, each (label, value to scale by, value as shown)."""

    title: str
    bars: tuple[tuple[str, int, str], ...]


def _fit(label: str, columns: int = 44) -> str:
    """A label that fits left of the bars: a parenthesis dropped first, then the end cut off."""
    if display_width(label) > columns:
        label = re.sub(r"（[^）]*）", "", label)
    return cut(label, columns)


def _svg(chart: Chart) -> str:
    top = max((value for _, value, _ in chart.bars), default=0) or 1
    height = 40 + _ROW * len(chart.bars)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' class='chart' width='{_WIDTH}' height='{height}' "
             f"viewBox='0 0 {_WIDTH} {height}' role='img' aria-label='{escape(chart.title)}'>",
             f"<title>{escape(chart.title)}</title>",
             f"<text x='0' y='18' class='chart-title'>{escape(chart.title)}</text>"]
    for i, (label, value, shown) in enumerate(chart.bars):
        y = 32 + i * _ROW
        length = max(1, round(_BAR * max(value, 0) / top))
        parts += [f"<text x='{_LABEL - 8}' y='{y + 15}' text-anchor='end'>{escape(_fit(label))}</text>",
                  f"<rect class='bar' x='{_LABEL}' y='{y + 2}' width='{length}' height='{_ROW - 8}'/>",
                  f"<text x='{_LABEL + length + 6}' y='{y + 15}'>{escape(shown)}</text>"]
    parts.append("</svg>")
    return "".join(parts)


def page(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], notes: Sequence[str],
         chart: Chart | None) -> bytes:
    """The whole page, UTF-8."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    notes_html = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>{escape(title)}</title><style>"
            "body{font-family:'Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;"
            "margin:2em;color:#222}"
            "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:3px 8px;text-align:left}"
            "th{background:#eef2f7}td:nth-child(n+2){font-variant-numeric:tabular-nums}"
            ".chart{font-size:13px;margin:1em 0}.chart-title{font-weight:bold;font-size:15px}.bar{fill:#3b6ea5}"
            "@media print{body{margin:0}}</style></head><body>"
            f"<h1>{escape(title)}</h1>" + (_svg(chart) if chart and chart.bars else "") +
            f"<table><tr>{head}</tr>{body}</table>" + (f"<ul class='notes'>{notes_html}</ul>" if notes else "") +
            "</body></html>\n").encode("utf-8")

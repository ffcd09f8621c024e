"""Rendering an audit trail: entries in seq order with poster, time and hash, as table, JSON or CSV.

``describe`` (passed in by whoever renders it: the CLI gives ``contracts.summaries.Describer``) says
what each entry did, ``(business date, one line)``; the table shows that line and the business date
beside the posting time, and JSON and CSV carry them beside the full body.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator

import orjson

__all__ = ["cut", "display_width", "render_trail"]

Describe = Callable[[dict[str, Any]], tuple[str | None, str]]
_CSV_COLUMNS = ("seq", "date", "at", "kind", "idem", "posting", "key", "poster", "hash", "summary", "body")


def _record(seq: int, h: bytes, env: dict[str, Any], names: dict[str, str], describe: Describe) -> dict[str, Any]:
    kid = env["posting"]["key"]
    business_date, summary = describe(env)
    return {"seq": seq, "date": business_date, "at": env["at"], "kind": env["kind"], "idem": env["idem"],
            "posting": env["posting"]["id"], "key": kid, "poster": names.get(kid, "?"), "hash": h.hex(),
            "summary": summary, "body": env["body"]}


def render_trail(rows: Iterable[tuple[int, bytes, dict[str, Any]]], names: dict[str, str], fmt: str,
                 describe: Describe) -> Iterator[str]:
    """Yield the rendered trail in chunks (it may be long: nothing is held in memory)."""
    if fmt == "json":
        for seq, h, env in rows:
            yield orjson.dumps(_record(seq, h, env, names, describe)).decode() + "\n"
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for seq, h, env in rows:
            rec = _record(seq, h, env, names, describe)
            rec["body"] = orjson.dumps(rec["body"], option=orjson.OPT_SORT_KEYS).decode()
            writer.writerow(["" if rec[c] is None else rec[c] for c in _CSV_COLUMNS])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()
    else:
        yield f"{'seq':>6}  {_pad('业务日期', 10)}  {'at (UTC)':<27} {'kind':<19} {_pad('poster', 16)} {'hash':<16}  摘要\n"
        n = 0
        for seq, h, env in rows:
            rec = _record(seq, h, env, names, describe)
            yield (f"{seq:>6}  {rec['date'] or '—':<10}  {rec['at']:<27} {rec['kind']:<19} {_pad(rec['poster'], 16)} "
                   f"{rec['hash'][:16]}  {rec['summary']}\n")
            n += 1
        yield f"({n} entr{'y' if n == 1 else 'ies'})\n"


def display_width(text: str) -> int:
    """Columns on a terminal or a page in a fixed grid: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def cut(text: str, columns: int) -> str:
    """``text`` as it is if it fits in ``columns``, else cut short with …"""
    if display_width(text) <= columns:
        return text
    while display_width(text) > columns - 1:
        text = text[:-1]
    return text + "…"


def _pad(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (with …) or padded to them."""
    text = cut(text, width)
    return text + " " * (width - display_width(text))

"""Rendering an audit trail: entries in seq order with poster, time, hash, as table, JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Iterator

import orjson

__all__ = ["render_trail"]

_CSV_COLUMNS = ("seq", "at", "kind", "idem", "posting", "key", "poster", "hash", "body")


def _record(seq: int, h: bytes, env: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    kid = env["posting"]["key"]
    return {"seq": seq, "at": env["at"], "kind": env["kind"], "idem": env["idem"], "posting": env["posting"]["id"],
            "key": kid, "poster": names.get(kid, "?"), "hash": h.hex(), "body": env["body"]}


def render_trail(rows: Iterable[tuple[int, bytes, dict[str, Any]]], names: dict[str, str], fmt: str) -> Iterator[str]:
    """Yield the rendered trail in chunks (it may be long: nothing is held in memory)."""
    if fmt == "json":
        for seq, h, env in rows:
            yield orjson.dumps(_record(seq, h, env, names)).decode() + "\n"
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_CSV_COLUMNS)
        for seq, h, env in rows:
            rec = _record(seq, h, env, names)
            rec["body"] = orjson.dumps(rec["body"], option=orjson.OPT_SORT_KEYS).decode()
            writer.writerow([rec[c] for c in _CSV_COLUMNS])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()
    else:
        yield f"{'seq':>6}  {'at (UTC)':<27} {'kind':<16} {'idem':<24} {'poster':<16} {'hash':<16}  body\n"
        n = 0
        for seq, h, env in rows:
            rec = _record(seq, h, env, names)
            body = orjson.dumps(rec["body"], option=orjson.OPT_SORT_KEYS).decode()
            if len(body) > 60:
                body = body[:57] + "..."
            yield (f"{seq:>6}  {rec['at']:<27} {rec['kind']:<16} {_cut(rec['idem'], 24):<24} "
                   f"{_cut(rec['poster'], 16):<16} {rec['hash'][:16]}  {body}\n")
            n += 1
        yield f"({n} entr{'y' if n == 1 else 'ies'})\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

"""The projections the write-time rules read, through primary keys and indexes only.

Every read here is a point or index-range look-up of what one entry touches (a fund-year, a
project, an enterprise's awards in a few years); nothing rescans history. The effects of an entry
are applied by ``contracts/engine.py`` in the posting's own transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, text

__all__ = ["State"]


@dataclass
class State:
    conn: Connection

    def one(self, sql: str, **params: Any) -> dict[str, Any] | None:
        row = self.conn.execute(text(sql), params).mappings().first()
        return dict(row) if row else None

    def run(self, sql: str, **params: Any) -> None:
        self.conn.execute(text(sql), params)

    def fund(self, fund: str, year: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM funds WHERE fund = :f AND year = :y", f=fund, y=year)

    def project(self, project: str) -> dict[str, Any] | None:
        row = self.one("SELECT * FROM projects WHERE project = :p", p=project)
        if row:
            for key in ("tags", "bases", "stages"):
                row[key] = json.loads(row[key])
        return row

    def enterprise(self, code: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM enterprises WHERE code = :c", c=code)

    def policy(self, policy: str, on: str | None) -> tuple[int, dict[str, Any]] | None:
        """The version of ``policy`` in force on business date ``on`` (the latest, if no date)."""
        sql = "SELECT version, document FROM policies WHERE policy = :p"
        if on is not None:
            sql += " AND effective_from <= :d"
        row = self.one(sql + " ORDER BY version DESC LIMIT 1", p=policy, d=on)
        return (row["version"], orjson.loads(row["document"])) if row else None

    def latest_policy_version(self, policy: str) -> int:
        row = self.one("SELECT max(version) AS v FROM policies WHERE policy = :p", p=policy)
        return (row or {}).get("v") or 0

    def awards(self, enterprise: str, first_year: int, last_year: int) -> list[dict[str, Any]]:
        """The enterprise's finally approved projects in a range of years (index: enterprise, year)."""
        rows = self.conn.execute(text(
            "SELECT project, fund, year, clause, content, policy, approved_fen FROM projects "
            "WHERE enterprise = :e AND year BETWEEN :a AND :b AND status = 'approved'"),
            {"e": enterprise, "a": first_year, "b": last_year}).mappings().all()
        return [dict(r) for r in rows]

    def notice(self, notice: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM notices WHERE notice = :n", n=notice)

    def entry(self, seq: int) -> dict[str, Any] | None:
        row = self.one("SELECT data FROM entries WHERE seq = :s", s=seq)
        return orjson.loads(row["data"]) if row else None

    def reversed_by(self, seq: int) -> int | None:
        row = self.one("SELECT seq FROM reversals WHERE target_seq = :s", s=seq)
        return row["seq"] if row else None

    def last_decision(self, project: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM decisions WHERE project = :p ORDER BY seq DESC LIMIT 1", p=project)

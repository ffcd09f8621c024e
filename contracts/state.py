"""The projections the write-time rules read and the effects write, for one posting.

Reads are point or index-range look-ups of what one entry touches (a fund-year, a project, an
enterprise's awards in a few years); nothing rescans history. Rows are read once per posting and
kept in memory; the effects change them there, so the entries of one posting see each other; and
:meth:`State.flush` writes every new row and every changed column back with one driver-level
statement per table and set of columns, in the posting's own transaction (a column left as it
was is not written: SQLite would otherwise rewrite the indexes that hold it).

The rows by key (:class:`Rows`) outlive the posting in a process that posts again to the same
database (``post --stream``, a replay): ``contracts.engine`` hands them to the next posting only if
the entry just before it is the last entry of the posting that left them (seq, idem, kind and body)
and the entry before that posting still has its hash: the same ledger, that posting committed, and
no posting of another writer since.
"""

from __future__ import annotations

import re
from datetime import date
from operator import itemgetter
from typing import Any, Callable, Iterator

import orjson
from sqlalchemy import Connection

from contracts.fields import is_bases, is_str_list
from contracts.workdays import WorkingDays
from ledger.db import insert_rows
from ledger.errors import IntegrityError

__all__ = ["Rows", "State", "stored_column", "stored_document", "stored_ints", "stored_json"]

_NAMED = re.compile(r":([a-z_][a-z0-9_]*)")
_COLUMNS = {
    "funds": ("fund", "year", "name", "office", "policies", "budget_fen", "adjust_fen", "transfer_in_fen",
              "transfer_out_fen", "approved_fen", "fees_fen", "other_fen", "opened_seq"),
    "projects": ("project", "enterprise", "fund", "year", "clause", "content", "policy", "tags", "bases", "requested_fen",
                 "amount_fen", "status", "stages", "approvals", "approved_fen", "notice", "disbursed_fen", "returned_fen",
                 "apply_seq", "enterprise_name"),
    "enterprises": ("code", "name", "first_seq"),
    "notices": ("notice", "fund", "year", "start", "working_days", "end_date", "state", "open_seq"),
    "decisions": ("seq", "project", "stage", "outcome", "reason", "amount_before_fen", "amount_after_fen", "date",
                  "panel_size"),
    "reported": ("seq", "figure", "value", "tolerance", "seed", "fund", "year", "metric", "qualifier"),
    "payments": ("seq", "project", "kind", "amount_fen", "date"),
    "spending": ("seq", "fund", "year", "kind", "name", "amount_fen"),
    "reported_funds": ("seq", "idx", "fund"),
    "resolutions": ("seq", "project", "body", "date", "amount_fen"),
    "indicators": ("seq", "idx", "fund", "year", "measure", "target_value", "weight", "score_rule", "stated_e4",
                   "total_stated_e4"),
    "policy_terms": ("policy", "version", "term", "subject", "value"),
    "project_bases": ("project", "base", "value"),
    "project_tags": ("project", "tag"),
    "policy_caps": ("policy", "version", "clause", "idx", "shape", "base", "rate_num", "rate_den", "max_fen", "min_base_fen",
                    "unit_fen", "award_fen"),
    "policy_tiers": ("policy", "version", "clause", "idx", "tier", "min_value", "award_fen", "rate_num", "rate_den"),
    "entry_refs": ("seq", "idx", "fund", "year", "project"),
    "policies": ("policy", "version", "effective_from", "seq", "document"),
    "reversals": ("target_seq", "seq"),
    "calendars": ("year", "version", "seq", "document"),
    "calendar_days": ("year", "version", "day", "working", "weekday"),
}
_VALUES = {t: itemgetter(*columns) for t, columns in _COLUMNS.items()}  # a row's values in its table's column order
_KEYS = {"funds": ("fund", "year"), "projects": ("project",), "enterprises": ("code",), "notices": ("notice",)}
_JSON = {"projects": ("tags", "bases", "stages"), "funds": ("policies",)}


def stored_json(value: Any, what: Callable[[], str]) -> Any:
    """A JSON column as stored; one that does not parse was written by hand (posting writes JSON):
    an integrity failure for ``verify`` to name, not a crash of the posting or the report that read
    it. ``what`` names it, called only then (every row a posting reads passes here)."""
    try:
        return orjson.loads(value)
    except (orjson.JSONDecodeError, TypeError):
        raise IntegrityError(f"{what()} is not JSON: the database was edited by hand; run `fundledger verify`") from None


def stored_document(value: Any, what: Callable[[], str]) -> dict[str, Any]:
    """A policy document as stored: it parses and is a policy document (the edge's own check,
    ``contracts.catalogue.validate_document``); anything else was written by hand."""
    from contracts.catalogue import validate_document

    document = stored_json(value, what)
    problems = validate_document(document)
    if problems:
        field, message = problems[0]
        raise IntegrityError(f"{what()} is not a policy document ({field}: {message}): the database was edited by "
                             "hand; run `fundledger verify`")
    return document


# what each JSON column of the projections holds (the edge's own tests of the body field it comes from)
_SHAPES = {"tags": (list, is_str_list, "a list of strings"), "stages": (list, is_str_list, "a list of strings"),
           "policies": (list, is_str_list, "a list of strings"),
           "bases": (dict, is_bases, "an object of base names and integers ≥ 0")}


def stored_column(column: str, value: Any, what: Callable[[], str]) -> Any:
    """A JSON column of the projections as stored, decoded: it parses (``stored_json``) and has its
    shape (``_SHAPES``): a number where a list belongs was written by hand too."""
    decoded = stored_json(value, what)
    kind, test, shape = _SHAPES[column]
    if type(decoded) is not kind or not test(decoded):
        raise IntegrityError(f"{what()} holds {value!r}, not {shape}: the database was edited by hand; "
                             "run `fundledger verify`")
    return decoded


_INTEGERS = {  # the integer columns of each projection (amounts in fen, seqs, years, counts), as the models
    # declare them (tests/test_migrations.py holds the two equal): contracts.models is not imported here,
    # since it loads SQLAlchemy's ORM (~90 ms) on every lifecycle posting
    "calendar_days": ("year", "version", "working", "weekday"),
    "calendars": ("year", "version", "seq"),
    "decisions": ("seq", "amount_before_fen", "amount_after_fen", "panel_size"),
    "enterprises": ("first_seq",),
    "entry_refs": ("seq", "idx", "year"),
    "funds": ("year", "budget_fen", "adjust_fen", "transfer_in_fen", "transfer_out_fen", "approved_fen", "fees_fen", "other_fen", "opened_seq"),
    "indicators": ("seq", "idx", "year", "target_value", "weight", "stated_e4", "total_stated_e4"),
    "notices": ("year", "working_days", "open_seq"),
    "payments": ("seq", "amount_fen"),
    "policies": ("version", "seq"),
    "policy_caps": ("version", "idx", "rate_num", "rate_den", "max_fen", "min_base_fen", "unit_fen", "award_fen"),
    "policy_terms": ("version", "value"),
    "policy_tiers": ("version", "idx", "tier", "min_value", "award_fen", "rate_num", "rate_den"),
    "project_bases": ("value",),
    "project_tags": (),
    "projects": ("year", "requested_fen", "amount_fen", "approvals", "approved_fen", "disbursed_fen", "returned_fen", "apply_seq"),
    "reported": ("seq", "value", "tolerance", "year"),
    "reported_funds": ("seq", "idx"),
    "resolutions": ("seq", "amount_fen"),
    "reversals": ("target_seq", "seq"),
    "spending": ("seq", "year", "amount_fen"),
}


def stored_ints(table: str, row: dict[str, Any], key: tuple[str, ...]) -> dict[str, Any]:
    """A projection row as stored, its integer columns checked: an integer or NULL. Anything else
    (SQLite keeps whatever an UPDATE gives it; on PostgreSQL a column's type can be altered) was
    written by hand: an integrity failure for ``verify`` to name (the row by its ``key`` columns),
    not a crash or a figure summed with it. Returns the row."""
    for column in _INTEGERS[table]:
        value = row.get(column)
        if value is not None and type(value) is not int:
            raise IntegrityError(f"the {table} row {' '.join(str(row.get(k)) for k in key)}, column {column} holds "
                                 f"{value!r}, not an integer: the database was edited by hand; run `fundledger verify`")
    return row


def _stored_day(row: dict[str, Any]) -> date:
    """A calendar day as stored: an ISO date (``calendar.publish`` wrote it), else written by hand."""
    try:
        return date.fromisoformat(row["day"])
    except (TypeError, ValueError):
        raise IntegrityError(f"the calendar_days row {row['year']} {row['version']} {row['day']!r}, column day is not a "
                             "date: the database was edited by hand; run `fundledger verify`") from None


class Rows:
    """The keyed rows of the projections as a posting left them in the database.

    Attributes:
      current: by table and key, each row as the effects use it (JSON columns decoded), or None
        where the database has no such row.
      stored: the same rows as the database holds them (what :meth:`State.flush` compares with).
      holdings: by enterprise, the keys of all its projects in the database (:meth:`State.awards`).
      policies, calendars: the policy version in force by (policy, date), the calendar by year.
    """

    __slots__ = ("current", "stored", "holdings", "policies", "calendars")

    def __init__(self) -> None:
        self.current: dict[str, dict[tuple, dict[str, Any] | None]] = {t: {} for t in _KEYS}
        self.stored: dict[str, dict[tuple, dict[str, Any]]] = {t: {} for t in _KEYS}
        self.holdings: dict[str, set[tuple]] = {}
        self.policies: dict[tuple, tuple[int, dict[str, Any]] | None] = {}
        self.calendars: dict[int, WorkingDays | None] = {}

    def size(self) -> int:
        return sum(len(rows) for rows in self.current.values())


class State:
    def __init__(self, conn: Connection, rows: Rows | None = None) -> None:
        self.conn = conn
        self._cursor = conn.connection.dbapi_connection.cursor()  # the same transaction
        self._pg = conn.dialect.name == "postgresql"
        self._sql: dict[str, str] = {}
        self.rows = rows or Rows()
        self._rows = self.rows.current
        self._stored = self.rows.stored
        self._holdings = self.rows.holdings
        self._new: dict[str, set[tuple]] = {t: set() for t in _KEYS}
        self._dirty: dict[str, set[tuple]] = {t: set() for t in _KEYS}
        self._inserts: dict[str, list[dict[str, Any]]] = {t: [] for t in _COLUMNS if t not in _KEYS}
        self._deleted_decisions: set[int] = set()
        self._policies = self.rows.policies
        self._calendars = self.rows.calendars

    # -- the driver, with named parameters --------------------------------------------------
    def _driver_sql(self, sql: str) -> str:
        if sql not in self._sql:
            self._sql[sql] = _NAMED.sub(r"%(\1)s", sql) if self._pg else sql
        return self._sql[sql]

    def query(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        if self._pg:  # planned for these values and the table as it is now: never a plan cached while it was small
            self._cursor.execute(self._driver_sql(sql), params, prepare=False)
        else:
            self._cursor.execute(self._driver_sql(sql), params)
        names = [d[0] for d in self._cursor.description]
        return [dict(zip(names, row)) for row in self._cursor.fetchall()]

    # -- rows by key, cached --------------------------------------------------------------------
    def prefetch(self, items: Any) -> None:
        """Read every project, enterprise and fund-year the posting names with one query per table,
        and every project of the enterprises its approvals award (what the rules across an
        enterprise's awards read, :meth:`awards`), instead of one look-up per entry."""
        items = list(items)
        projects, enterprises, funds = set(), set(), set()
        for item in items:
            b = item.body
            if "project" in b:
                projects.add(b["project"])
            projects.update(a["project"] for a in b.get("awards", ()))
            projects.update(b.get("projects", ()) if item.kind == "notice.open" else ())
            if "enterprise" in b:
                enterprises.add(b["enterprise"])
            if "fund" in b and "year" in b:
                funds.add((b["fund"], b["year"]))
        self._load("projects", "project", sorted(projects))
        self._load("enterprises", "code", sorted(enterprises))
        for fund, year in funds:
            self.fund(fund, year)
        cache = self._rows["projects"]
        awarded = {row["enterprise"] for item in items if item.kind == "approval.resolve"
                   for a in item.body.get("awards", ()) if (row := cache.get((a.get("project"),))) is not None}
        self._load_holdings(sorted(awarded))

    def _select_in(self, table: str, column: str, keys: list[Any]) -> Iterator[dict[str, Any]]:
        """The rows of ``table`` whose ``column`` is among ``keys``, 500 keys a query: one array
        parameter on PostgreSQL (psycopg parses a statement of 500 placeholders for milliseconds
        each time), a placeholder per key on SQLite."""
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            if self._pg:
                yield from self.query(f"SELECT * FROM {table} WHERE {column} = ANY(:keys)", keys=chunk)
            else:
                marks = ", ".join(f":k{j}" for j in range(len(chunk)))
                yield from self.query(f"SELECT * FROM {table} WHERE {column} IN ({marks})",
                                      **{f"k{j}": k for j, k in enumerate(chunk)})

    def _load(self, table: str, column: str, keys: list[Any]) -> None:
        cache = self._rows[table]
        keys = [k for k in keys if (k,) not in cache]
        for row in self._select_in(table, column, keys):
            cache[(row[column],)] = self._decode(table, row)
        for k in keys:
            cache.setdefault((k,), None)

    def _load_holdings(self, enterprises: list[str]) -> None:
        """Every stored project of each of ``enterprises`` (rows this posting holds already win)."""
        cache = self._rows["projects"]
        enterprises = [e for e in enterprises if e not in self._holdings]
        for e in enterprises:
            self._holdings[e] = set()
        for row in self._select_in("projects", "enterprise", enterprises):
            key = (row["project"],)
            if cache.get(key) is None:
                cache[key] = self._decode("projects", row)
            self._holdings[row["enterprise"]].add(key)

    def _get(self, table: str, *key: Any) -> dict[str, Any] | None:
        cache = self._rows[table]
        if key not in cache:
            where = " AND ".join(f"{k} = :{k}" for k in _KEYS[table])
            rows = self.query(f"SELECT * FROM {table} WHERE {where}", **dict(zip(_KEYS[table], key)))
            cache[key] = self._decode(table, rows[0]) if rows else None
        return cache[key]

    def _decode(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """The row as the effects use it (JSON columns decoded); what the database holds is kept."""
        key = tuple(row[k] for k in _KEYS[table])
        stored_ints(table, row, _KEYS[table])
        self._stored[table][key] = dict(row)
        for column in _JSON.get(table, ()):
            row[column] = stored_column(column, row[column], lambda c=column: f"the {table} row {' '.join(map(str, key))}, column {c}")
        return row

    def add(self, table: str, row: dict[str, Any]) -> None:
        key = tuple(row[k] for k in _KEYS[table])
        self._rows[table][key] = row
        self._new[table].add(key)

    def touch(self, table: str, row: dict[str, Any]) -> None:
        """Mark a row read by :meth:`fund` / :meth:`project` … as changed (it is written back on flush)."""
        key = tuple(row[k] for k in _KEYS[table])
        if key not in self._new[table]:
            self._dirty[table].add(key)

    def fund(self, fund: str, year: int) -> dict[str, Any] | None:
        return self._get("funds", fund, year)

    def project(self, project: str) -> dict[str, Any] | None:
        return self._get("projects", project)

    def enterprise(self, code: str) -> dict[str, Any] | None:
        return self._get("enterprises", code)

    def notice(self, notice: str) -> dict[str, Any] | None:
        return self._get("notices", notice)

    # -- policies --------------------------------------------------------------------------------
    def policy(self, policy: str, on: str | None) -> tuple[int, dict[str, Any]] | None:
        """The version of ``policy`` in force on business date ``on`` (the latest, if no date)."""
        key = (policy, on)
        if key not in self._policies:
            sql = "SELECT policy, version, document FROM policies WHERE policy = :p"
            if on is not None:
                sql += " AND effective_from <= :d"
            rows = [stored_ints("policies", r, ("policy", "version"))
                    for r in self.query(sql + " ORDER BY version DESC LIMIT 1", p=policy, d=on)]
            found = (rows[0]["version"], stored_document(rows[0]["document"], lambda: f"policy {policy}'s document")) \
                if rows else None
            for row in self._inserts["policies"]:  # published earlier in this posting
                if row["policy"] == policy and (on is None or row["effective_from"] <= on) \
                        and (found is None or row["version"] > found[0]):
                    found = (row["version"], orjson.loads(row["document"]))
            self._policies[key] = found
        return self._policies[key]

    def latest_policy_version(self, policy: str) -> int:
        rows = self.query("SELECT policy, version FROM policies WHERE policy = :p ORDER BY version DESC LIMIT 1", p=policy)
        pending = [r["version"] for r in self._inserts["policies"] if r["policy"] == policy]
        return max([*(stored_ints("policies", r, ("policy", "version"))["version"] for r in rows), 0, *pending])

    def add_policy(self, row: dict[str, Any]) -> None:
        self._inserts["policies"].append(row)
        self._policies.clear()

    # -- the working-day calendars -----------------------------------------------------------------
    def calendar(self, year: int) -> WorkingDays | None:
        """The latest calendar published for ``year`` (this posting's included), or None."""
        if year not in self._calendars:
            version = self.latest_calendar_version(year)
            if not version:
                self._calendars[year] = None
            else:
                days = [r for r in self._inserts["calendar_days"] if r["year"] == year and r["version"] == version] \
                    or [stored_ints("calendar_days", r, ("year", "version", "day")) for r in self.query(
                        "SELECT year, version, day, working FROM calendar_days WHERE year = :y AND version = :v", y=year, v=version)]
                self._calendars[year] = WorkingDays(
                    year=year, holidays=frozenset(_stored_day(r) for r in days if not r["working"]),
                    workdays=frozenset(_stored_day(r) for r in days if r["working"]))
        return self._calendars[year]

    def latest_calendar_version(self, year: int) -> int:
        rows = self.query("SELECT year, version FROM calendars WHERE year = :y ORDER BY version DESC LIMIT 1", y=year)
        pending = [r["version"] for r in self._inserts["calendars"] if r["year"] == year]
        return max([*(stored_ints("calendars", r, ("year", "version"))["version"] for r in rows), 0, *pending])

    # -- index-range reads ------------------------------------------------------------------------
    def awards(self, enterprise: str, first_year: int, last_year: int) -> list[dict[str, Any]]:
        """The enterprise's finally approved projects in a range of years, by year and project id:
        from all of its projects, read once (:meth:`prefetch` reads those of the enterprises a
        posting's approvals award)."""
        if enterprise not in self._holdings:
            self._load_holdings([enterprise])
        cache = self._rows["projects"]
        found = {key: cache[key] for key in self._holdings[enterprise]}
        for key in self._new["projects"]:
            if cache[key]["enterprise"] == enterprise:
                found[key] = cache[key]
        return sorted((r for r in found.values() if first_year <= r["year"] <= last_year and r["status"] == "approved"),
                      key=lambda r: (r["year"], r["project"]))

    def last_decision(self, project: str) -> dict[str, Any] | None:
        """The project's latest decision: this posting's, else the stored one (read only when asked)."""
        pending = [r for r in self._inserts["decisions"] if r["project"] == project]
        if pending:
            return pending[-1]
        # the latest stored one this posting has not reversed: one more than it reversed is enough
        rows = self.query("SELECT * FROM decisions WHERE project = :p ORDER BY seq DESC LIMIT :n", p=project,
                          n=1 + len(self._deleted_decisions))
        rows = [r for r in rows if r["seq"] not in self._deleted_decisions]
        return stored_ints("decisions", rows[0], ("seq",)) if rows else None

    def add_decision(self, row: dict[str, Any]) -> None:
        self._inserts["decisions"].append(row)

    def drop_decision(self, seq: int) -> None:
        pending = self._inserts["decisions"]
        if any(r["seq"] == seq for r in pending):
            pending[:] = [r for r in pending if r["seq"] != seq]
        else:
            self._deleted_decisions.add(seq)

    def entry(self, seq: int) -> dict[str, Any] | None:
        rows = self.query("SELECT data FROM entries WHERE seq = :s", s=seq)
        return stored_json(rows[0]["data"], lambda: f"the entry at seq {seq}") if rows else None

    def reversed_by(self, seq: int) -> int | None:
        for row in self._inserts["reversals"]:
            if row["target_seq"] == seq:
                return row["seq"]
        rows = self.query("SELECT target_seq, seq FROM reversals WHERE target_seq = :s", s=seq)
        return stored_ints("reversals", rows[0], ("target_seq",))["seq"] if rows else None

    def add_reversal(self, target: int, seq: int) -> None:
        self._inserts["reversals"].append({"target_seq": target, "seq": seq})

    # -- write back ---------------------------------------------------------------------------------
    def _encode(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        for column in _JSON.get(table, ()):
            out[column] = orjson.dumps(out[column]).decode()
        return out

    def flush(self) -> None:
        """Write every new and changed row back: the inserts by ``ledger.db.insert_rows``, one
        executemany per table and set of columns changed for the updates."""
        for table, keys in self._new.items():
            if keys:
                rows = {k: self._encode(table, self._rows[table][k]) for k in keys}
                self._insert(table, list(rows.values()))
                self._stored[table].update(rows)
        for key in self._new["projects"]:
            held = self._holdings.get(self._rows["projects"][key]["enterprise"])
            if held is not None:
                held.add(key)
        for table, keys in self._dirty.items():
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            columns = tuple(c for c in _COLUMNS[table] if c not in _KEYS[table])
            for k in keys:
                row, stored = self._encode(table, self._rows[table][k]), self._stored[table].get(k, {})
                changed = tuple(c for c in columns if c not in stored or row[c] != stored[c])
                if changed:
                    by_columns.setdefault(changed, []).append(row)
                    self._stored[table][k] = row
            where = " AND ".join(f"{k} = :{k}" for k in _KEYS[table])
            for changed, rows in by_columns.items():
                sql = f"UPDATE {table} SET {', '.join(f'{c} = :{c}' for c in changed)} WHERE {where}"
                self._cursor.executemany(self._driver_sql(sql), rows)
        if self._deleted_decisions:
            self._cursor.executemany(self._driver_sql("DELETE FROM decisions WHERE seq = :seq"),
                                     [{"seq": s} for s in sorted(self._deleted_decisions)])
        for table, rows in self._inserts.items():
            self._insert(table, rows)
        # what is written is now stored: a later flush (after more entries) writes only what follows
        for table in self._new:
            self._new[table].clear()
            self._dirty[table].clear()
        self._deleted_decisions.clear()
        for rows in self._inserts.values():
            rows.clear()

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        insert_rows(self._cursor, self._pg, table, _COLUMNS[table], list(map(_VALUES[table], rows)))

    def add_row(self, table: str, row: dict[str, Any]) -> None:
        """Queue an insert into an append-only projection (reported figures, entry references)."""
        self._inserts[table].append(row)
        if table == "calendars":
            self._calendars.pop(row["year"], None)

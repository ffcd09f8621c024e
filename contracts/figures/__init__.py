"""The ledger's own figures for a fund-year, computed from the projections.

A figure is named ``<fund>/<year>/<metric>[/<qualifier>…]``, where ``<fund>`` may be several
codes joined by ``+`` for a figure summed over funds (the seeds' district totals: their budgets,
projects and money add up; a transfer between two of them counts out of one and into the other,
and a project is counted once, in the fund that holds it); its value is an integer: fen for
amounts, a count, or a rate in permyriad (1/10,000; 100% = 10000). The reports
(``contracts/reports.py``) and the reconciliation of ``report.state`` entries read the same
figures, so what a report prints is what the reconciliation compares.

Every query is an index range over one fund-year (``projects (fund, year)``, ``decisions
(project)``, ``funds`` by key): figures never rescan history.

One definition per engine: this module (write time, the reports), ``frames.py`` beside it (the
pandera engine) and the nightly query of ``contracts/rules/report_reconcile/`` (the SQL engine).
Changing a figure is one edit in each; the nightly tests state every metric in the fixture ledger
and require all three to agree.

=====================================  =================================================================
metric                                 value
=====================================  =================================================================
``budget``                             the fund-year's budget (fen)
``adjustments``                        additions less cuts
``transfers_in`` / ``transfers_out``   transfers from and to other funds or purposes
``available``                          budget + adjustments + transfers in − transfers out
``applications``                       projects applied for (count)
``projects``                           projects awarded: finally approved, not withdrawn (count)
``awards``                             their approved amounts (fen)
``fees``                               third-party fees (fen)
``arranged``                           awards + fees (the seeds' 合计安排资金)
``other``                              other expenses + transfers out (the seeds' 其他…列支的费用)
``spent``                              awards + fees + other expenses, transfers out not counted
                                       (the seeds' 全年支出合计, 申请并拨付资金)
``balance``                            budget + adjustments + transfers in − arranged − other
``execution_rate``                     (budget + adjustments + transfers in − balance) / the same, in
                                       permyriad rounded half up (91.8975% → 9190)
``adjustment_rate``                    adjustments / budget, in permyriad rounded half up (the seeds'
                                       预决算增幅: 131.49 on 1959.86 → 671)
``clause_projects/<clause>``           projects awarded under a clause
``clause_awards/<clause>``             their approved amounts
``stage_passed/<stage>``               projects through a review stage (count) …
``stage_amount/<stage>``               … and their amount after it
``outcome_count/<stage>/<outcome>[/<reason>]``   decisions of an outcome at a stage
``outcome_amount/<stage>/<outcome>[/<reason>]``  the amounts they took away (before − after)
``expense/<item>``                     other expenses with that item name
``fee/<payee>``                        fees paid to a payee
``max_award``                          the largest award (fen)
=====================================  =================================================================
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from sqlalchemy import Connection, bindparam, text

from contracts.money import fen_to_wan
from contracts.state import stored_ints
from ledger.errors import IntegrityError

__all__ = ["COUNTS", "COUNT_OF", "RATES", "FundYear", "count_figure", "parse_figure", "reported_funds", "show",
           "spending_row", "trail_seqs"]


COUNTS = frozenset({"applications", "projects", "clause_projects", "stage_passed", "outcome_count"})
RATES = frozenset({"execution_rate", "adjustment_rate"})
# the count that goes with an amount, for the reports' 单位数 column
COUNT_OF = {"awards": "projects", "clause_awards": "clause_projects", "stage_amount": "stage_passed",
            "outcome_amount": "outcome_count"}


def show(metric: str, value: int | None, unit: bool = False) -> str:
    """A figure's value as the seeds print it: a count, a rate (permyriad → %), or 万元 exact to the fen."""
    if value is None:
        return ""
    if metric in RATES:
        return f"{Decimal(value) / 100:.2f}%"
    if metric in COUNTS:
        return str(value)
    return fen_to_wan(value) + ("万元" if unit else "")


def _permyriad(part: int, whole: int) -> int | None:
    """part / whole in permyriad, exact, then rounded half up (away from zero for a cut)."""
    if not whole:
        return None
    rate = abs(Fraction(part, whole)) * 10000
    return int(rate + Fraction(1, 2)) * (-1 if part * whole < 0 else 1)


def count_figure(name: str) -> str | None:
    """The count figure that goes with an amount figure (``…/clause_awards/5`` → ``…/clause_projects/5``)."""
    parts = name.split("/")
    if len(parts) < 3 or parts[2] not in COUNT_OF:
        return None
    return "/".join([*parts[:2], COUNT_OF[parts[2]], *parts[3:]])


def parse_figure(name: str) -> tuple[str, int, str, tuple[str, ...]]:
    parts = name.split("/")
    if len(parts) < 3 or not parts[1].isdigit():
        raise ValueError(f"a figure is <fund>/<year>/<metric>[/…], not {name!r}")
    return parts[0], int(parts[1]), parts[2], tuple(parts[3:])


def reported_funds(seq: int, figure: str) -> list[dict[str, Any]]:
    """The ``reported_funds`` rows of a reported figure: the fund it names, or each fund of a sum, in order."""
    try:
        fund = parse_figure(figure)[0]
    except ValueError:  # REPORT-FIGURE refuses such a figure at write time; none is stored
        return []
    return [{"seq": seq, "idx": i, "fund": code} for i, code in enumerate(fund.split("+"))]


def spending_row(seq: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The ``spending`` row of a ``fee.pay`` (by payee) or ``expense.other`` (by item)."""
    fee = kind == "fee.pay"
    return {"seq": seq, "fund": body["fund"], "year": body["year"], "kind": "fee" if fee else "expense",
            "name": body["payee"] if fee else body["item"], "amount_fen": body["amount_fen"]}


_PROJECTS = "SELECT * FROM projects WHERE fund IN :f AND year = :y"
_DECISIONS = ("SELECT d.* FROM decisions d JOIN projects p ON p.project = d.project WHERE p.fund IN :f AND p.year = :y "
              "ORDER BY d.seq")


class FundYear:
    """The figures of one fund-year, read on demand through the indexes. A figure of projects or
    decisions reads their counts and sums grouped in SQL (one query each, a few rows: by status and
    clause, by stage, outcome and reason), not the rows themselves; the reports' lists of rows are
    read apart (``projects``, ``awarded``, ``decisions``)."""

    def __init__(self, conn: Connection, fund: str, year: int) -> None:
        self.conn, self.fund_code, self.year = conn, fund, year
        self.codes = fund.split("+")
        self._fund: dict[str, Any] | None = None
        self._projects: list[dict[str, Any]] | None = None
        self._decisions: list[dict[str, Any]] | None = None
        self._project_groups: list[tuple[str, str, int, int, int]] | None = None
        self._decision_groups: list[tuple[str, str, str | None, int, int, int]] | None = None

    def _execute(self, sql: str, **params: Any) -> Any:
        query = text(sql).bindparams(bindparam("f", expanding=True))
        return self.conn.execute(query, {"f": self.codes, "y": self.year, **params})

    def _rows(self, sql: str, table: str, key: tuple[str, ...], **params: Any) -> list[dict[str, Any]]:
        """The rows of projection ``table`` the query gives, their integer columns checked (``stored_ints``)."""
        return [stored_ints(table, row, key) for row in map(dict, self._execute(sql, **params).mappings())]

    def _whole(self, value: Any, table: str, key: tuple[str, ...], rows: str, **params: Any) -> int:
        """A count, sum or largest of ``table``'s integer column as an ``int`` (PostgreSQL's sums are
        numeric). Anything else comes of a value written by hand (SQLite sums text as 0.0): the rows
        the query ``rows`` gives are read, and the first such row named."""
        if type(value) is int:
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        self._rows(rows, table, key, **params)
        raise IntegrityError(f"the {table} rows of {self.fund_code} {self.year} add up to {value!r}, not an integer: "
                             "the database was edited by hand; run `fundledger verify`")

    @property
    def fund(self) -> dict[str, Any] | None:
        """The fund-year's row; for ``a+b+…`` the sums of the funds' amounts (None unless all are open)."""
        if self._fund is None:
            rows = self._rows("SELECT * FROM funds WHERE fund IN :f AND year = :y", "funds", ("fund", "year"))
            if len(rows) == len(set(self.codes)) == len(self.codes):
                self._fund = rows[0] if len(rows) == 1 else {
                    k: sum(r[k] for r in rows) for k in rows[0] if k.endswith("_fen")}
        return self._fund

    @property
    def projects(self) -> list[dict[str, Any]]:
        if self._projects is None:
            self._projects = self._rows(_PROJECTS, "projects", ("project",))
        return self._projects

    @property
    def awarded(self) -> list[dict[str, Any]]:
        return [p for p in self.projects if p["status"] == "approved"]

    @property
    def decisions(self) -> list[dict[str, Any]]:
        if self._decisions is None:
            self._decisions = self._rows(_DECISIONS, "decisions", ("seq",))
        return self._decisions

    def _projects_by(self) -> list[tuple[str, str, int, int, int]]:
        """(status, clause, how many, the sum and the largest of their approved amounts) of the
        fund-year's projects (sums as integers: PostgreSQL's are numeric)."""
        if self._project_groups is None:
            whole = partial(self._whole, table="projects", key=("project",), rows=_PROJECTS)
            self._project_groups = [(status, clause, whole(n), whole(total), whole(largest))
                                    for status, clause, n, total, largest in self._execute(
                "SELECT status, clause, count(*), sum(approved_fen), max(approved_fen) FROM projects "
                "WHERE fund IN :f AND year = :y GROUP BY status, clause")]
        return self._project_groups

    def _decisions_by(self) -> list[tuple[str, str, str | None, int, int, int]]:
        """(stage, outcome, reason, how many, the sums of their amounts before and after) of the
        decisions on the fund-year's projects."""
        if self._decision_groups is None:
            whole = partial(self._whole, table="decisions", key=("seq",), rows=_DECISIONS)
            self._decision_groups = [(stage, outcome, reason, whole(n), whole(before), whole(after))
                                     for stage, outcome, reason, n, before, after in self._execute(
                "SELECT d.stage, d.outcome, d.reason, count(*), sum(d.amount_before_fen), sum(d.amount_after_fen) "
                "FROM decisions d JOIN projects p ON p.project = d.project WHERE p.fund IN :f AND p.year = :y "
                "GROUP BY d.stage, d.outcome, d.reason")]
        return self._decision_groups

    def _awards(self, clause: str | None = None) -> tuple[int, int, int]:
        """(how many projects are awarded, their approved amounts, the largest), of one clause if given."""
        mine = [g for g in self._projects_by() if g[0] == "approved" and (clause is None or g[1] == clause)]
        return sum(g[2] for g in mine), sum(g[3] for g in mine), max((g[4] for g in mine), default=0)

    def value(self, metric: str, qualifier: tuple[str, ...] = ()) -> int | None:
        f = self.fund
        if f is None:
            return None
        inflow = f["budget_fen"] + f["adjust_fen"] + f["transfer_in_fen"]
        other = f["other_fen"] + f["transfer_out_fen"]
        of_the_fund = {
            "budget": f["budget_fen"], "adjustments": f["adjust_fen"], "transfers_in": f["transfer_in_fen"],
            "transfers_out": f["transfer_out_fen"], "available": inflow - f["transfer_out_fen"], "fees": f["fees_fen"],
            "other": other,
        }
        if metric in of_the_fund:
            return of_the_fund[metric]
        if metric == "adjustment_rate":
            return _permyriad(f["adjust_fen"], f["budget_fen"])
        if metric == "applications":
            return sum(g[2] for g in self._projects_by())
        if metric in ("projects", "awards", "max_award", "arranged", "balance", "spent", "execution_rate"):
            count, awards, largest = self._awards()
            arranged = awards + f["fees_fen"]
            if metric == "execution_rate":
                return _permyriad(arranged + other, inflow)
            return {"projects": count, "awards": awards, "max_award": largest, "arranged": arranged,
                    "balance": inflow - arranged - other, "spent": arranged + f["other_fen"]}[metric]
        if metric in ("clause_projects", "clause_awards") and len(qualifier) == 1:
            count, awards, _ = self._awards(qualifier[0])
            return count if metric == "clause_projects" else awards
        if metric in ("stage_passed", "stage_amount") and len(qualifier) == 1:
            mine = [g for g in self._decisions_by() if g[0] == qualifier[0] and g[1] != "reject"]
            return sum(g[3] for g in mine) if metric == "stage_passed" else sum(g[5] for g in mine)
        if metric in ("outcome_count", "outcome_amount") and len(qualifier) in (2, 3):
            mine = [g for g in self._decisions_by() if g[0] == qualifier[0] and g[1] == qualifier[1]
                    and (len(qualifier) == 2 or g[2] == qualifier[2])]
            return sum(g[3] for g in mine) if metric == "outcome_count" else sum(g[4] - g[5] for g in mine)
        if metric in ("expense", "fee") and len(qualifier) == 1:
            where = ("FROM spending s WHERE s.fund IN :f AND s.year = :y AND s.kind = :k AND s.name = :n "
                     # a reversed one does not count (by key, no scan)
                     "AND NOT EXISTS (SELECT 1 FROM reversals r WHERE r.target_seq = s.seq)")
            fen = self._execute(f"SELECT sum(s.amount_fen) {where}", k=metric, n=qualifier[0]).scalar()
            return 0 if fen is None else self._whole(fen, "spending", ("seq",), f"SELECT s.* {where}", k=metric, n=qualifier[0])
        return None


def trail_seqs(conn: Connection, *, fund: str | None = None, year: int | None = None, clause: str | None = None,
               project: str | None = None, enterprise: str | None = None) -> list[int]:
    """The seqs of the entries behind a fund-year, a clause's figure, a project or an enterprise."""
    joins, where, params = [], [], {}
    if clause is not None or enterprise is not None:
        joins.append("JOIN projects p ON p.project = r.project")
    for column, value, table in (("fund", fund, "r"), ("year", year, "r"), ("project", project, "r"),
                                 ("clause", clause, "p"), ("enterprise", enterprise, "p")):
        if value is not None:
            where.append(f"{table}.{column} = :{column}")
            params[column] = value
    sql = f"SELECT DISTINCT r.seq FROM entry_refs r {' '.join(joins)} WHERE {' AND '.join(where)} ORDER BY r.seq"
    return [row[0] for row in conn.execute(text(sql), params)]

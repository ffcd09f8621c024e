"""The write-time contracts, run by ``ledger.store.apply_posting`` inside the posting's transaction,
at posting and at replay alike (``contracts.api.FundContracts.apply``).

For each entry of a posting, in order: the kind's checks (``contracts/rules/by_kind.py``) on the state as
of the entries before it, then, if none of its findings is fatal, its effect on the projections
(in memory, ``contracts/state.py``). The changed rows are then written back in the transaction;
a posting the ledger refuses is rolled back with it, so it leaves neither entries nor projections
behind. A fatal finding of a rule newer than the version the posting is held to is a warning (the
rule was added after the fact): it neither refuses the posting nor holds back the entry's effect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

import orjson
from sqlalchemy import Connection, text

from contracts.figures import parse_figure, reported_funds, spending_row
from contracts.kinds import KINDS
from contracts.performance import indicator_rows
from contracts.rules import RULES
from contracts.rules.by_kind import CHECKS
from contracts.rules.report_figure import stated
from contracts.schemas import prepare
from contracts.state import Rows, State
from contracts.terms import policy_caps, policy_terms
from contracts.workdays import add_working_days
from ledger.canonical import canonical
from ledger.findings import FATAL, WARNING, Finding, worst

__all__ = ["KINDS", "prepare", "run"]

def run(conn: Connection, first_seq: int, items: Sequence[Any], version: int, prev: bytes) -> list[Finding]:
    """Check and apply the entries of one posting held to contracts ``version``; the findings.
    ``prev`` is the hash of the entry before the posting."""
    state = State(conn, _carried(conn, first_seq))
    state.prefetch(item for item in items if item.kind in KINDS)
    findings: list[Finding] = []
    for offset, item in enumerate(items):
        if item.kind not in KINDS:
            continue
        seq = first_seq + offset
        mine = [_held_to(f, version) for check in CHECKS[item.kind] for f in check(state, seq, item)]
        findings += mine
        if worst(mine) != FATAL:
            EFFECTS[item.kind](state, seq, item.body)
            _record_refs(state, seq, item)
    state.flush()
    _carry(conn, state.rows, first_seq, prev, items)
    return findings


# -- the rows one posting leaves for the next ------------------------------------------------------
_CARRY_ROWS = 50_000  # rows kept at most (a district's projects for years); beyond, the next posting reads afresh


@dataclass(frozen=True, slots=True)
class _Left:
    """What a posting left for the next: its rows, and the entries that say whether they still hold."""

    database: str
    before: tuple[int, bytes]  # the seq and hash of the entry before that posting
    last: tuple[int, str, str, bytes]  # the seq, idem, kind and canonical body of its last entry
    rows: Rows


_left: list[_Left] = []  # what the last posting of this process left, if anything
_left_lock = threading.Lock()


def _carried(conn: Connection, first_seq: int) -> Rows | None:
    """The rows the last posting of this process left, if they are the database's now: that
    posting's last entry is the entry just before this posting (by seq, idem, kind and body) and
    the entry before it still has the hash it had: the same ledger, that posting committed, nothing
    posted since. Else None: the rows are read afresh."""
    with _left_lock:
        left = _left.pop() if _left else None
    if left is None or left.database != str(conn.engine.url) or left.last[0] != first_seq - 1:
        return None
    found = {row.seq: row for row in conn.execute(_ENTRIES_AT, {"a": left.before[0], "b": left.last[0]})}
    before, last = found.get(left.before[0]), found.get(left.last[0])
    if before is None or last is None or bytes(before.hash) != left.before[1]:
        return None
    stored = orjson.loads(last.data)
    if (last.idem, stored["kind"], canonical(stored["body"])) != left.last[1:]:
        return None
    return left.rows


def _carry(conn: Connection, rows: Rows, first_seq: int, prev: bytes, items: Sequence[Any]) -> None:
    """Leave this posting's rows for the next posting of this process to the same database."""
    with _left_lock:
        _left.clear()
        if rows.size() <= _CARRY_ROWS:
            last = items[-1]
            _left.append(_Left(database=str(conn.engine.url), before=(first_seq - 1, bytes(prev)),
                               last=(first_seq + len(items) - 1, last.idem, last.kind, canonical(last.body)), rows=rows))


_ENTRIES_AT = text("SELECT seq, hash, idem, data FROM entries WHERE seq IN (:a, :b)")


def _held_to(f: Finding, version: int) -> Finding:
    """A fatal finding of a rule the posting's version did not have is reported, not held against it."""
    since = RULES[f.rule].since
    if f.severity != FATAL or since <= version:
        return f
    return Finding(rule=f.rule, severity=WARNING, subject=f.subject, field=f.field, expected=f.expected,
                   actual=f.actual, difference=f.difference,
                   message=f"{f.message} (rule added in contracts version {since}, after this posting's {version})")


# -- effects on the projections (in memory; State.flush writes them back) ----------------------
def _record_refs(state: State, seq: int, item: Any) -> None:
    """Which fund-year (and project) an entry belongs to: the trail behind a figure."""
    b = item.body
    project = b.get("project")
    projects = [project] if project else [a["project"] for a in b.get("awards", ())] or list(b.get("projects", ()))
    fund, year = b.get("fund"), b.get("year")
    if fund is None and projects:
        p = state.project(projects[0])
        fund, year = (p["fund"], p["year"]) if p else (None, None)
    if fund is None and item.kind == "notice.close":
        n = state.notice(b["notice"])
        fund, year = n["fund"], n["year"]
    refs = [pid for pid in projects or [None] if fund is not None or pid is not None]
    for idx, pid in enumerate(refs):
        state.add_row("entry_refs", {"seq": seq, "idx": idx, "fund": fund, "year": year, "project": pid})


def report_state(state: State, seq: int, b: dict[str, Any]) -> None:
    value, tolerance = stated(b)  # REPORT-FIGURE has refused a body that does not state one value
    fund, year, metric, qualifier = parse_figure(b["figure"])  # REPORT-FIGURE has refused one that does not parse
    state.add_row("reported", {"seq": seq, "figure": b["figure"], "value": value, "tolerance": tolerance, "seed": b["seed"],
                               "fund": fund, "year": year, "metric": metric, "qualifier": "/".join(qualifier) or None})
    for row in reported_funds(seq, b["figure"]):
        state.add_row("reported_funds", row)


def performance_indicators(state: State, seq: int, b: dict[str, Any]) -> None:
    """The table's rows, for the nightly run; reports score it from the ledger whenever they show it."""
    for row in indicator_rows(seq, b):
        state.add_row("indicators", row)


def _fund_delta(state: State, fund: str, year: int, column: str, delta: int) -> None:
    row = state.fund(fund, year)
    if row is not None:  # a transfer to a purpose outside the funds has no row to change
        row[column] += delta
        state.touch("funds", row)


def fund_open(state: State, seq: int, b: dict[str, Any]) -> None:
    state.add("funds", {"fund": b["fund"], "year": b["year"], "name": b["name"], "office": b["office"],
                        "policies": b.get("policies") or [], "budget_fen": b["budget_fen"], "adjust_fen": 0,
                        "transfer_in_fen": 0, "transfer_out_fen": 0, "approved_fen": 0, "fees_fen": 0, "other_fen": 0,
                        "opened_seq": seq})


def budget_adjust(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "adjust_fen", sign * b["delta_fen"])


def budget_transfer(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "transfer_out_fen", sign * b["amount_fen"])
    _fund_delta(state, b["to"], b.get("to_year", b["year"]), "transfer_in_fen", sign * b["amount_fen"])


def policy_publish(state: State, seq: int, b: dict[str, Any]) -> None:
    state.add_policy({"policy": b["policy"], "version": b["version"], "effective_from": b["document"]["effective_from"],
                      "seq": seq, "document": canonical(b["document"])})
    for row in policy_terms(b["policy"], b["version"], b["document"]):
        state.add_row("policy_terms", row)
    caps, tiers = policy_caps(b["policy"], b["version"], b["document"])
    for row in caps:
        state.add_row("policy_caps", row)
    for row in tiers:
        state.add_row("policy_tiers", row)


def project_apply(state: State, seq: int, b: dict[str, Any]) -> None:
    policy = b.get("policy") or state.fund(b["fund"], b["year"])["policies"][0]
    if state.enterprise(b["enterprise"]) is None:
        state.add("enterprises", {"code": b["enterprise"], "name": b["enterprise_name"], "first_seq": seq})
    state.add("projects", {"project": b["project"], "enterprise": b["enterprise"], "fund": b["fund"], "year": b["year"],
                           "clause": b["clause"], "content": b.get("content") or f"{policy}:{b['clause']}", "policy": policy,
                           "tags": b.get("tags") or [], "bases": b.get("bases") or {}, "requested_fen": b["requested_fen"],
                           "amount_fen": b["requested_fen"], "status": "applied", "stages": [], "approvals": 0,
                           "approved_fen": 0, "notice": None, "disbursed_fen": 0, "returned_fen": 0, "apply_seq": seq,
                           "enterprise_name": b["enterprise_name"]})
    for base, value in (b.get("bases") or {}).items():
        state.add_row("project_bases", {"project": b["project"], "base": base, "value": value})
    for tag in dict.fromkeys(b.get("tags") or []):
        state.add_row("project_tags", {"project": b["project"], "tag": tag})


def review_decide(state: State, seq: int, b: dict[str, Any]) -> None:
    p = state.project(b["project"])
    after = 0 if b["outcome"] == "reject" else b.get("amount_after_fen", p["amount_fen"])
    state.add_decision({"seq": seq, "project": p["project"], "stage": b["stage"], "outcome": b["outcome"],
                        "reason": b.get("reason"), "amount_before_fen": p["amount_fen"], "amount_after_fen": after,
                        "date": b["date"], "panel_size": b.get("panel_size")})
    p["amount_fen"], p["stages"] = after, [*p["stages"], b["stage"]]
    if b["outcome"] == "reject":
        p["status"] = "rejected"
    state.touch("projects", p)


def approval_resolve(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    for award in b["awards"]:
        if sign > 0:  # a reversed resolution stays; the nightly rules skip it through reversals
            state.add_row("resolutions", {"seq": seq, "project": award["project"], "body": b["body"], "date": b["date"],
                                          "amount_fen": award["amount_fen"]})
        p = state.project(award["project"])
        final = len(state.policy(p["policy"], b["date"])[1]["workflow"]["approvals"])
        if sign > 0:
            count = p["approvals"] + 1
            approved = award["amount_fen"] if count == final else p["approved_fen"]
        else:
            count = p["approvals"] - 1
            approved = 0 if p["approvals"] == final else p["approved_fen"]
        _fund_delta(state, p["fund"], p["year"], "approved_fen", approved - p["approved_fen"])
        p["approvals"], p["approved_fen"] = count, approved
        p["status"] = "approved" if count == final else ("approving" if count else "applied")
        state.touch("projects", p)


def notice_open(state: State, seq: int, b: dict[str, Any]) -> None:
    end = add_working_days(date.fromisoformat(b["start"]), b["working_days"], state.calendar).isoformat()
    state.add("notices", {"notice": b["notice"], "fund": b["fund"], "year": b["year"], "start": b["start"],
                          "working_days": b["working_days"], "end_date": end, "state": "open", "open_seq": seq})
    for pid in b["projects"]:
        p = state.project(pid)
        p["notice"] = b["notice"]
        state.touch("projects", p)


def notice_close(state: State, seq: int, b: dict[str, Any]) -> None:
    pending = False
    for o in b.get("objections") or []:
        p = state.project(o["project"])
        if o["outcome"] == "upheld":  # the objection stands: the award is withdrawn
            _fund_delta(state, p["fund"], p["year"], "approved_fen", -p["approved_fen"])
            p["status"], p["approved_fen"] = "rejected", 0
        elif o["outcome"] == "pending":
            pending, p["status"] = True, "objection"
        state.touch("projects", p)
    n = state.notice(b["notice"])
    n["state"] = "objection" if pending else "closed"
    state.touch("notices", n)


def _project_delta(state: State, project: str, column: str, delta: int) -> None:
    p = state.project(project)
    p[column] += delta
    state.touch("projects", p)


def disbursement_pay(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _project_delta(state, b["project"], "disbursed_fen", sign * b["amount_fen"])
    if sign > 0:  # a reversed payment stays in payments; the nightly rules skip it through reversals
        state.add_row("payments", {"seq": seq, "project": b["project"], "kind": "pay", "amount_fen": b["amount_fen"],
                                   "date": b["date"]})


def disbursement_return(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _project_delta(state, b["project"], "returned_fen", sign * b["amount_fen"])
    if sign > 0:
        state.add_row("payments", {"seq": seq, "project": b["project"], "kind": "return", "amount_fen": b["amount_fen"],
                                   "date": b["date"]})


def fee_pay(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "fees_fen", sign * b["amount_fen"])
    if sign > 0:  # a reversed fee stays in spending; the figures skip it through reversals
        state.add_row("spending", spending_row(seq, "fee.pay", b))


def expense_other(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "other_fen", sign * b["amount_fen"])
    if sign > 0:
        state.add_row("spending", spending_row(seq, "expense.other", b))


def calendar_publish(state: State, seq: int, b: dict[str, Any]) -> None:
    state.add_row("calendars", {"year": b["year"], "version": b["version"], "seq": seq, "document": b["document"]})
    for working, days in ((0, b["holidays"]), (1, b["workdays"])):
        for day in days:
            state.add_row("calendar_days", {"year": b["year"], "version": b["version"], "day": day, "working": working,
                                            "weekday": date.fromisoformat(day).weekday()})


def correction_reverse(state: State, seq: int, b: dict[str, Any]) -> None:
    env = state.entry(b["seq"])
    kind, body = env["kind"], env["body"]
    if kind == "review.decide":
        last = state.last_decision(body["project"])
        p = state.project(body["project"])
        state.drop_decision(last["seq"])
        p["amount_fen"], p["status"] = last["amount_before_fen"], "applied"
        p["stages"] = [s for s in p["stages"] if s != body["stage"]]
        state.touch("projects", p)
    elif kind == "project.apply":
        p = state.project(body["project"])
        p["status"] = "withdrawn"
        state.touch("projects", p)
    else:
        UNDO[kind](state, seq, body, -1)
    state.add_reversal(b["seq"], seq)


# each kind's effect, as its declaration names it (contracts/kinds.py); a correction of a kind whose
# declaration says ``undo`` runs its effect again with the sign -1
EFFECTS: dict[str, Callable[..., None]] = {name: globals()[kind.effect] for name, kind in KINDS.items()}
UNDO = {name: EFFECTS[name] for name, kind in KINDS.items() if kind.undo}

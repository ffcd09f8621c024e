"""The write-time contracts, run by ``ledger.store`` inside the posting's transaction.

For each entry of a posting, in order: the kind's checks (``contracts/rules.py``) on the state as
of the entries before it, then, if none of its findings is fatal, its effect on the projections.
The ledger rolls the whole transaction back if any finding is fatal, so a rejected posting leaves
neither entries nor projections behind.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Sequence

from sqlalchemy import Connection

from contracts.rules import CHECKS
from contracts.schemas import KIND_FIELDS, prepare
from contracts.state import State
from contracts.workdays import add_working_days
from ledger.canonical import canonical
from ledger.findings import FATAL, Finding

__all__ = ["KINDS", "prepare", "run"]

KINDS = frozenset(KIND_FIELDS)


def run(conn: Connection, first_seq: int, items: Sequence[Any]) -> list[Finding]:
    state = State(conn)
    findings: list[Finding] = []
    for offset, item in enumerate(items):
        if item.kind not in KINDS:
            continue
        seq = first_seq + offset
        mine = [f for check in CHECKS[item.kind] for f in check(state, seq, item)]
        findings += mine
        if not any(f.severity == FATAL for f in mine):
            EFFECTS[item.kind](state, seq, item.body)
    return findings


# -- effects on the projections ---------------------------------------------------------------
def _fund_delta(state: State, fund: str, year: int, column: str, delta: int) -> None:
    state.run(f"UPDATE funds SET {column} = {column} + :d WHERE fund = :f AND year = :y", d=delta, f=fund, y=year)


def fund_open(state: State, seq: int, b: dict[str, Any]) -> None:
    state.run("INSERT INTO funds (fund, year, name, office, policies, budget_fen, adjust_fen, transfer_in_fen, "
              "transfer_out_fen, approved_fen, fees_fen, other_fen, opened_seq) VALUES "
              "(:f, :y, :n, :o, :p, :b, 0, 0, 0, 0, 0, 0, :s)",
              f=b["fund"], y=b["year"], n=b["name"], o=b["office"], p=json.dumps(b.get("policies", [])), b=b["budget_fen"], s=seq)


def budget_adjust(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "adjust_fen", sign * b["delta_fen"])


def budget_transfer(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "transfer_out_fen", sign * b["amount_fen"])
    _fund_delta(state, b["to"], b.get("to_year", b["year"]), "transfer_in_fen", sign * b["amount_fen"])  # if a fund


def policy_publish(state: State, seq: int, b: dict[str, Any]) -> None:
    state.run("INSERT INTO policies (policy, version, effective_from, seq, document) VALUES (:p, :v, :e, :s, :d)",
              p=b["policy"], v=b["version"], e=b["document"]["effective_from"], s=seq, d=canonical(b["document"]))


def project_apply(state: State, seq: int, b: dict[str, Any]) -> None:
    fund = state.fund(b["fund"], b["year"])
    policy = b.get("policy") or json.loads(fund["policies"])[0]
    if state.enterprise(b["enterprise"]) is None:
        state.run("INSERT INTO enterprises (code, name, first_seq) VALUES (:c, :n, :s)", c=b["enterprise"],
                  n=b["enterprise_name"], s=seq)
    state.run("INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, "
              "amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq) VALUES "
              "(:p, :e, :f, :y, :c, :ct, :pol, :t, :b, :r, :r, 'applied', '[]', 0, 0, NULL, 0, 0, :s)",
              p=b["project"], e=b["enterprise"], f=b["fund"], y=b["year"], c=b["clause"],
              ct=b.get("content") or f"{policy}:{b['clause']}", pol=policy, t=json.dumps(b.get("tags", [])),
              b=json.dumps(b.get("bases", {})), r=b["requested_fen"], s=seq)


def review_decide(state: State, seq: int, b: dict[str, Any]) -> None:
    p = state.project(b["project"])
    after = 0 if b["outcome"] == "reject" else b.get("amount_after_fen", p["amount_fen"])
    state.run("INSERT INTO decisions (seq, project, stage, outcome, amount_before_fen, amount_after_fen) "
              "VALUES (:s, :p, :st, :o, :b, :a)", s=seq, p=p["project"], st=b["stage"], o=b["outcome"], b=p["amount_fen"], a=after)
    state.run("UPDATE projects SET amount_fen = :a, status = :st, stages = :sg WHERE project = :p", a=after,
              st="rejected" if b["outcome"] == "reject" else p["status"], sg=json.dumps([*p["stages"], b["stage"]]), p=p["project"])


def _final(state: State, p: dict[str, Any], on: str) -> int:
    return len(state.policy(p["policy"], on)[1]["workflow"]["approvals"])


def approval_resolve(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    for award in b["awards"]:
        p = state.project(award["project"])
        final = _final(state, p, b["date"])
        if sign > 0:
            count = p["approvals"] + 1
            approved = award["amount_fen"] if count == final else p["approved_fen"]
        else:
            count = p["approvals"] - 1
            approved = 0 if p["approvals"] == final else p["approved_fen"]
        status = "approved" if count == final else ("approving" if count else "applied")
        if count == final or p["approvals"] == final:
            _fund_delta(state, p["fund"], p["year"], "approved_fen", approved - p["approved_fen"])
        state.run("UPDATE projects SET approvals = :c, status = :st, approved_fen = :a WHERE project = :p",
                  c=count, st=status, a=approved, p=p["project"])


def notice_open(state: State, seq: int, b: dict[str, Any]) -> None:
    end = add_working_days(date.fromisoformat(b["start"]), b["working_days"]).isoformat()
    state.run("INSERT INTO notices (notice, fund, year, start, working_days, end_date, state, open_seq) "
              "VALUES (:n, :f, :y, :s, :w, :e, 'open', :q)", n=b["notice"], f=b["fund"], y=b["year"], s=b["start"],
              w=b["working_days"], e=end, q=seq)
    for pid in b["projects"]:
        state.run("UPDATE projects SET notice = :n WHERE project = :p", n=b["notice"], p=pid)


def notice_close(state: State, seq: int, b: dict[str, Any]) -> None:
    pending = False
    for o in b.get("objections", []):
        if o["outcome"] == "upheld":  # the objection stands: the award is withdrawn
            p = state.project(o["project"])
            _fund_delta(state, p["fund"], p["year"], "approved_fen", -p["approved_fen"])
            state.run("UPDATE projects SET status = 'rejected', approved_fen = 0 WHERE project = :p", p=p["project"])
        elif o["outcome"] == "pending":
            pending = True
            state.run("UPDATE projects SET status = 'objection' WHERE project = :p", p=o["project"])
    state.run("UPDATE notices SET state = :s WHERE notice = :n", s="objection" if pending else "closed", n=b["notice"])


def disbursement_pay(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    state.run("UPDATE projects SET disbursed_fen = disbursed_fen + :a WHERE project = :p", a=sign * b["amount_fen"], p=b["project"])


def disbursement_return(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    state.run("UPDATE projects SET returned_fen = returned_fen + :a WHERE project = :p", a=sign * b["amount_fen"], p=b["project"])


def fee_pay(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "fees_fen", sign * b["amount_fen"])


def expense_other(state: State, seq: int, b: dict[str, Any], sign: int = 1) -> None:
    _fund_delta(state, b["fund"], b["year"], "other_fen", sign * b["amount_fen"])


def correction_reverse(state: State, seq: int, b: dict[str, Any]) -> None:
    env = state.entry(b["seq"])
    kind, body = env["kind"], env["body"]
    if kind == "review.decide":
        last = state.last_decision(body["project"])
        p = state.project(body["project"])
        state.run("DELETE FROM decisions WHERE seq = :s", s=last["seq"])
        state.run("UPDATE projects SET amount_fen = :a, status = 'applied', stages = :sg WHERE project = :p",
                  a=last["amount_before_fen"], sg=json.dumps([s for s in p["stages"] if s != body["stage"]]), p=p["project"])
    elif kind == "project.apply":
        state.run("UPDATE projects SET status = 'withdrawn' WHERE project = :p", p=body["project"])
    else:
        UNDO[kind](state, seq, body, -1)
    state.run("INSERT INTO reversals (target_seq, seq) VALUES (:t, :s)", t=b["seq"], s=seq)


EFFECTS = {
    "fund.open": fund_open, "budget.adjust": budget_adjust, "budget.transfer": budget_transfer,
    "policy.publish": policy_publish, "project.apply": project_apply, "review.decide": review_decide,
    "approval.resolve": approval_resolve, "notice.open": notice_open, "notice.close": notice_close,
    "disbursement.pay": disbursement_pay, "disbursement.return": disbursement_return, "fee.pay": fee_pay,
    "expense.other": expense_other, "correction.reverse": correction_reverse,
}
UNDO = {"budget.adjust": budget_adjust, "budget.transfer": budget_transfer, "approval.resolve": approval_resolve,
        "disbursement.pay": disbursement_pay, "disbursement.return": disbursement_return, "fee.pay": fee_pay,
        "expense.other": expense_other}

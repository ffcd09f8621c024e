"""The pandera engine: the same nightly rules over frames projected from the database.

The projection tables are read into pandas (integers stay integers: nullable ``Int64``, never
float) and shaped into frames: ``awards`` (projects with the terms of their policy version in
force), ``budgets`` (fund-years with their awards summed), ``stages`` (decisions), ``payments``,
and a few small ones. Each frame has a pandera schema: column types and ranges (``DATA-RANGE``),
and one frame-level check per rule, named by the rule id and returning a boolean per row, so
that pandera's failure cases name the offending rows; each becomes one finding, built by the
same function as the SQL engine's (``checks.sqlrules.finding_from_row``) from the same columns.
This is a second implementation of every rule's ``nightly.sql``, written independently
in pandas; ``tests/test_nightly.py`` requires the two to agree on every fixture.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from sqlalchemy import Connection, text

from checks.sqlrules import findings_from_rows, sql_rules
from contracts.caps.frames import as_int, project_caps
from contracts.figures.frames import reported_figures
from contracts.performance.frames import performance_scores
from contracts.rules import FOLDERS, data_range
from contracts.rules.base import FrameRule
from ledger.findings import Finding

__all__ = ["frame_rules", "load_frames", "run_pandera"]

Frames = dict[str, pd.DataFrame]


def _read(conn: Connection, sql: str) -> pd.DataFrame:
    return pd.read_sql(text(sql), conn, dtype_backend="numpy_nullable")


def _in_force(df: pd.DataFrame, policies: pd.DataFrame) -> pd.Series:
    """The version of each row's policy in force in its year (the highest effective by 31 December)."""
    pairs = df[["policy", "year"]].drop_duplicates()
    both = pairs.merge(policies[["policy", "version", "effective_from"]], on="policy")
    both = both[both["effective_from"] <= both["year"].astype(str) + "-12-31"]
    best = both.groupby(["policy", "year"], as_index=False)["version"].max()
    return df[["policy", "year"]].merge(best, on=["policy", "year"], how="left")["version"].astype("Int64")


def _term(df: pd.DataFrame, terms: pd.DataFrame, term: str, subject: str | None = None) -> pd.Series:
    """The value of a policy term for each row (its policy, its version in force; by subject column)."""
    t = terms[terms["term"] == term]
    keys = ["policy", "version"]
    if subject is None:
        t = t[t["subject"] == ""]
        right = t[keys + ["value"]]
        return df[keys].merge(right, on=keys, how="left")["value"].astype("Int64")
    right = t[keys + ["subject", "value"]].rename(columns={"subject": subject})
    return df[keys + [subject]].merge(right, on=keys + [subject], how="left")["value"].astype("Int64")


def _has_term(df: pd.DataFrame, terms: pd.DataFrame, term: str, subject: str) -> pd.Series:
    t = terms[terms["term"] == term][["policy", "version", "subject"]].drop_duplicates().assign(_hit=True)
    t = t.rename(columns={"subject": subject})
    hit = df[["policy", "version", subject]].merge(t, on=["policy", "version", subject], how="left")["_hit"]
    return hit.notna().to_numpy()


def load_frames(conn: Connection) -> Frames:
    policies = _read(conn, "SELECT policy, version, effective_from FROM policies")
    terms = _read(conn, "SELECT policy, version, term, subject, value FROM policy_terms")
    reversed_ = set(_read(conn, "SELECT target_seq FROM reversals")["target_seq"].tolist())
    projects = _read(conn, "SELECT project, enterprise, enterprise_name, fund, year, clause, content, policy, requested_fen, "
                           "amount_fen, status, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq "
                           "FROM projects")
    projects["version"] = _in_force(projects, policies)
    decisions = _read(conn, "SELECT seq, project, stage, outcome, reason, amount_before_fen, amount_after_fen, panel_size "
                            "FROM decisions")
    payments = _read(conn, "SELECT seq, project, kind, amount_fen, date FROM payments")
    payments = payments[~payments["seq"].isin(reversed_)].reset_index(drop=True)
    spending = _read(conn, "SELECT seq, fund, year, kind, name, amount_fen FROM spending")
    resolutions = _read(conn, "SELECT seq, project, body FROM resolutions")
    resolutions = resolutions[~resolutions["seq"].isin(reversed_)].reset_index(drop=True)
    return {
        "policies": policies, "terms": terms, "projects": projects, "decisions": decisions, "payments": payments,
        "funds": _read(conn, "SELECT fund, year, budget_fen, adjust_fen, transfer_in_fen, transfer_out_fen, fees_fen, "
                             "other_fen FROM funds"),
        "notices": _read(conn, "SELECT notice, fund, year, working_days, end_date, state FROM notices"),
        "enterprises": _read(conn, "SELECT code, name FROM enterprises"), "resolutions": resolutions,
        "reversals": _read(conn, "SELECT r.target_seq, r.seq, e.kind FROM reversals r "
                                 "LEFT JOIN entries e ON e.seq = r.target_seq"),
        "reported": _read(conn, "SELECT seq, figure, value, tolerance, fund, year, metric, qualifier FROM reported"),
        "reported_funds": _read(conn, "SELECT seq, idx, fund FROM reported_funds"),
        "spending": spending[~spending["seq"].isin(reversed_)].reset_index(drop=True),
        "refs": _read(conn, "SELECT r.fund, r.year, r.project, e.kind FROM entry_refs r JOIN entries e ON e.seq = r.seq "
                            "WHERE e.kind IN ('fund.open', 'project.apply')"),
        "undone": _read(conn, "SELECT c.seq, c.target_seq, e.kind, r.project FROM reversals c "
                              "JOIN entries e ON e.seq = c.target_seq JOIN entry_refs r ON r.seq = c.target_seq "
                              "WHERE r.project IS NOT NULL"),
        "all_payments": _read(conn, "SELECT seq, project, kind FROM payments"),
        "all_resolutions": _read(conn, "SELECT seq, project FROM resolutions"),
        "notices_open": _read(conn, "SELECT p.project, n.open_seq FROM projects p JOIN notices n ON n.notice = p.notice"),
        "indicators": _read(conn, "SELECT seq, idx, fund, year, measure, target_value, weight, score_rule, stated_e4, "
                                  "total_stated_e4 FROM indicators"),
        "policy_caps": _read(conn, "SELECT * FROM policy_caps"),
        "policy_tiers": _read(conn, "SELECT * FROM policy_tiers"),
        "project_bases": _read(conn, "SELECT project, base, value FROM project_bases"),
        "project_tags": _read(conn, "SELECT project, tag FROM project_tags"),
        "calendars": _read(conn, "SELECT year, version FROM calendars"),
        "calendar_days": _read(conn, "SELECT year, version, day, working, weekday FROM calendar_days"),
    }


# -- the frames the rules read -----------------------------------------------------------------------
def _awards(f: Frames) -> pd.DataFrame:
    p, terms = f["projects"].copy(), f["terms"]
    for name in ("cap_absolute", "entity_year", "once_in", "exclusive"):
        p[name] = _term(p, terms, name, "clause")
    for name in ("project_cap", "one_award", "max_types", "notice_days"):
        p[name] = _term(p, terms, name)
    p["clause_known"] = _has_term(p, terms, "clause", "clause")
    p["policy_known"] = p["version"].notna().to_numpy()
    p["excl_years"] = p[["policy", "version"]].assign(subject=p["exclusive"].astype(str)).merge(
        terms[terms["term"] == "excl_years"][["policy", "version", "subject", "value"]],
        on=["policy", "version", "subject"], how="left")["value"].astype("Int64").to_numpy()
    pay = f["payments"].assign(net=lambda d: d["amount_fen"].where(d["kind"] == "pay", -d["amount_fen"]),
                               paid=lambda d: d["amount_fen"].where(d["kind"] == "pay", 0),
                               back=lambda d: d["amount_fen"].where(d["kind"] == "return", 0))
    sums = pay.groupby("project", as_index=False)[["net", "paid", "back"]].sum()
    p = p.merge(sums, on="project", how="left")
    p["has_payments"] = p["net"].notna()
    p["funded"] = p[["fund", "year"]].merge(f["funds"][["fund", "year"]].assign(_hit=True), on=["fund", "year"],
                                            how="left")["_hit"].notna().to_numpy()
    p["notice_known"] = p["notice"].isna() | p["notice"].isin(f["notices"]["notice"])
    # stages: required stages of the version in force with no decision other than reject
    d = f["decisions"]
    decided = set(zip(d.loc[d["outcome"] != "reject", "project"], d.loc[d["outcome"] != "reject", "stage"]))
    req = f["terms"][(f["terms"]["term"] == "required") & (f["terms"]["value"] == 1)][["policy", "version", "subject"]]
    need = p[["project", "policy", "version"]].merge(req, on=["policy", "version"])
    missing = need[[(a, b) not in decided for a, b in zip(need["project"], need["subject"])]]
    first_missing = missing.groupby("project")["subject"].min()
    p["missing_stage"] = p["project"].map(first_missing).astype("string")
    p["registered_name"] = p["enterprise"].map(dict(zip(f["enterprises"]["code"], f["enterprises"]["name"]))).astype("string")
    # one award for the same content from another fund that year (DUP-SUPPORT), any other award that year
    p["dup_content"] = _pairs_exist(p, ["enterprise", "year", "content"], lambda j: j["fund_q"] != j["fund"])
    p["other_award"] = _pairs_exist(p, ["enterprise", "year"], lambda j: j["project_q"] != j["project"])
    p["once_hit"] = p["project"].isin(_once_in_years(p))

    p["exclusive_hit"] = p["project"].isin(_exclusive(p, f["terms"]))
    return p


def _cap_columns(f: Frames, p: pd.DataFrame) -> pd.DataFrame:
    """The cap rules' columns on the awards frame, and the per-shape frame (``shaped_caps``)."""
    caps = project_caps(f, p)
    known = caps[caps["fen"].notna()]
    p["base_missing"] = p["project"].isin(caps.loc[caps["fen"].isna(), "project"])
    standard = known[known["rule"].isin(["CAP-ABSOLUTE", "CAP-TIER", "CAP-RATIO", "CAP-PER-UNIT"])].groupby("project")["fen"].min()
    terms = f["terms"]
    halving = set(zip(terms.loc[terms["term"] == "halve", "policy"], terms.loc[terms["term"] == "halve", "version"]))
    keys: dict[tuple, set[str]] = {}
    for a, b, tag in terms.loc[terms["term"] == "key_tag", ["policy", "version", "subject"]].itertuples(index=False):
        keys.setdefault((a, b), set()).add(tag)
    tags: dict[str, set[str]] = {}
    for project, tag in zip(f["project_tags"]["project"], f["project_tags"]["tag"]):
        tags.setdefault(project, set()).add(tag)
    halve = []
    for project, policy, version in zip(p["project"], p["policy"], p["version"]):
        key = (policy, as_int(version))
        applies = key in halving and not tags.get(project, set()) & keys.get(key, set()) and project in standard.index
        halve.append(int(standard[project]) // 2 if applies else None)
    p["halve_cap"] = pd.array(halve, dtype="Int64")
    binding = known.groupby("project")["fen"].min()
    p["binding"] = [min(x for x in (as_int(binding.get(a)), as_int(h)) if x is not None) if a in binding.index or h is not pd.NA
                    else None for a, h in zip(p["project"], p["halve_cap"])]
    p["binding"] = p["binding"].astype("Int64")
    # the upgrade groups: what the enterprise's lower clauses of the group received, up to this year
    group = {(a, b, c): v for a, b, c, v in terms.loc[terms["term"] == "upgrade", ["policy", "version", "subject", "value"]]
             .itertuples(index=False)}
    position = {(a, b, c): v for a, b, c, v in terms.loc[terms["term"] == "upgrade_pos", ["policy", "version", "subject",
                                                                                          "value"]].itertuples(index=False)}
    won = p[p["status"] == "approved"]
    paid = []
    for row in p.itertuples():
        key = (row.policy, as_int(row.version), row.clause)
        if row.status != "approved" or key not in group:
            paid.append(0)
            continue
        lower = won[(won["enterprise"] == row.enterprise) & (won["policy"] == row.policy) & (won["project"] != row.project)
                    & (won["year"] <= row.year)]
        paid.append(sum(int(q.approved_fen) for q in lower.itertuples()
                        if group.get((row.policy, as_int(row.version), q.clause)) == group[key]
                        and position.get((row.policy, as_int(row.version), q.clause), 1 << 30) < position[key]))
    p["upgrade_paid"] = pd.array(paid, dtype="Int64")
    shaped = known[known["rule"].isin(["CAP-RATIO", "CAP-TIER", "CAP-PER-UNIT", "CAP-REVENUE-SHARE"])]
    shaped = shaped.groupby(["project", "rule"], as_index=False)["fen"].min()
    return shaped.merge(p[["project", "fund", "year", "clause", "status", "approved_fen"]], on="project")


def _pairs_exist(p: pd.DataFrame, same: list[str], where: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
    """For each approved row of p: is there another approved row with the same ``same`` columns
    for which ``where`` (on the joined frame, right-hand columns suffixed ``_q``) holds?"""
    won = p[p["status"] == "approved"]
    cols = list(dict.fromkeys(same + ["project", "fund", "year", "content", "clause", "apply_seq", "policy"]))
    j = won[cols].merge(won[cols], on=same, suffixes=("", "_q"))
    hit = set(j.loc[where(j), "project"])
    return p["project"].isin(hit) & (p["status"] == "approved")


def _earlier_pairs(d: pd.DataFrame, on: list[str], years: str) -> pd.DataFrame:
    """Approved p (with ``years`` set) joined to the approved q that came before it within that many years."""
    won = d[d["status"] == "approved"]
    cols = ["project", "enterprise", "policy", "version", "clause", "year", "apply_seq", years, "exclusive"]
    j = won[won[years].notna()][cols].merge(won[cols], on=on, suffixes=("", "_q"))
    earlier = (j["year_q"] < j["year"]) | ((j["year_q"] == j["year"]) & (j["apply_seq_q"] < j["apply_seq"]))
    return j[earlier & (j["year_q"] > j["year"] - j[years])]


def _once_in_years(d: pd.DataFrame) -> set[str]:
    return set(_earlier_pairs(d, ["enterprise", "policy", "clause"], "once_in")["project"])


def _exclusive(d: pd.DataFrame, terms: pd.DataFrame) -> set[str]:
    j = _earlier_pairs(d.assign(excl_years=d["excl_years"].where(d["exclusive"].notna())), ["enterprise", "policy"],
                       "excl_years")
    j = j[j["clause_q"] != j["clause"]]
    groups = terms[terms["term"] == "exclusive"][["policy", "version", "subject", "value"]]
    # q's group under p's policy version
    j = j.merge(groups.rename(columns={"subject": "clause_q", "value": "group_q"}), on=["policy", "version", "clause_q"])
    return set(j.loc[j["group_q"] == j["exclusive"], "project"])


def _budgets(f: Frames) -> pd.DataFrame:
    p = f["projects"]
    won = p[p["status"] == "approved"].groupby(["fund", "year"], as_index=False)["approved_fen"].sum()
    b = f["funds"].merge(won, on=["fund", "year"], how="left")
    b["approved_fen"] = b["approved_fen"].fillna(0).astype("Int64")
    b["expected"] = b["budget_fen"] + b["adjust_fen"] + b["transfer_in_fen"]
    b["actual"] = b["approved_fen"] + b["fees_fen"] + b["other_fen"] + b["transfer_out_fen"]
    return b


def _stages(f: Frames) -> pd.DataFrame:
    d = f["decisions"].merge(f["projects"][["project", "policy", "version"]], on="project", how="left")
    terms = f["terms"]
    d["position"] = _term(d, terms, "stage", "stage").to_numpy()
    d["panel_min"] = _term(d, terms, "panel_min", "stage").to_numpy()
    d["panel_odd"] = _term(d, terms, "panel_odd", "stage").to_numpy()
    d["project_known"] = d["project"].isin(f["projects"]["project"])
    # the order: a stage decided twice, after a reject, after a later stage, or before a required earlier one
    position = {(a, b, c): v for a, b, c, v in terms.loc[terms["term"] == "stage", ["policy", "version", "subject", "value"]]
                .itertuples(index=False)}
    required: dict[tuple, list[str]] = {}
    for a, b, c in terms.loc[(terms["term"] == "required") & (terms["value"] == 1), ["policy", "version", "subject"]] \
            .itertuples(index=False):
        required.setdefault((a, b), []).append(c)
    bad: set[int] = set()
    seen: dict[str, list[tuple[str, str, object]]] = {}
    for seq, project, stage, outcome, policy, version in d.sort_values("seq")[
            ["seq", "project", "stage", "outcome", "policy", "version"]].itertuples(index=False):
        before = seen.setdefault(project, [])
        pos = position.get((policy, version, stage))
        if any(s == stage or o == "reject" or (pos is not None and q is not None and q > pos) for s, o, q in before):
            bad.add(seq)
        elif pos is not None and any(position.get((policy, version, r), 0) < pos and r not in [s for s, _, _ in before]
                                     for r in required.get((policy, version), ())):
            bad.add(seq)
        before.append((stage, outcome, pos))
    d["order_ok"] = ~d["seq"].isin(bad)
    return d


def _payments(f: Frames) -> pd.DataFrame:
    m = f["payments"].merge(f["projects"][["project", "status", "notice"]], on="project", how="left")
    m = m.merge(f["notices"][["notice", "end_date", "state"]], on="notice", how="left")
    m["project_known"] = m["project"].isin(f["projects"]["project"])
    return m


def _undone(f: Frames) -> pd.DataFrame:
    """Each correction of a decision, an approval or an application, with whether something that
    depended on the step it undid was already there (CORR-ORDER)."""
    u = f["undone"]
    u = u[u["kind"].isin(["review.decide", "approval.resolve", "project.apply"])].reset_index(drop=True)
    reversed_at = dict(zip(f["reversals"]["target_seq"], f["reversals"]["seq"]))

    def standing(seq: int, before: int) -> bool:  # not reversed before ``before``
        return not (seq in reversed_at and reversed_at[seq] < before)

    decisions: dict[str, list[int]] = {}
    for project, seq in zip(f["decisions"]["project"], f["decisions"]["seq"]):
        decisions.setdefault(project, []).append(int(seq))
    resolutions: dict[str, list[int]] = {}
    for project, seq in zip(f["all_resolutions"]["project"], f["all_resolutions"]["seq"]):
        resolutions.setdefault(project, []).append(int(seq))
    paid: dict[str, list[int]] = {}
    for project, seq, kind in zip(f["all_payments"]["project"], f["all_payments"]["seq"], f["all_payments"]["kind"]):
        if kind == "pay":
            paid.setdefault(project, []).append(int(seq))
    noticed = dict(zip(f["notices_open"]["project"], f["notices_open"]["open_seq"]))
    ok = []
    for seq, target, kind, project in zip(u["seq"], u["target_seq"], u["kind"], u["project"]):
        bad = False
        if kind == "review.decide":
            bad |= any(target < d < seq for d in decisions.get(project, ()))
        if kind in ("review.decide", "project.apply"):
            bad |= any(a < seq and standing(a, seq) for a in resolutions.get(project, ()))
        if kind == "approval.resolve":
            bad |= any(target < a < seq and standing(a, seq) for a in resolutions.get(project, ()))
            bad |= project in noticed and noticed[project] < seq
        if kind in ("approval.resolve", "project.apply"):
            bad |= any(m < seq and standing(m, seq) for m in paid.get(project, ()))
        ok.append(not bad)
    return u.assign(ok=ok)


# -- the rules: each rule folder's FRAMES (contracts/rules/<rule>/__init__.py) -------------------------
def frame_rules() -> tuple[FrameRule, ...]:
    """Every rule's frame checks, in the registry's order."""
    return tuple(check for folder in FOLDERS.values() for check in getattr(folder, "FRAMES", ()))


def _frames(f: Frames) -> Frames:
    awards = _awards(f)
    shaped_caps = _cap_columns(f, awards)
    won = awards[awards["status"] == "approved"]
    entity_clause_years = won[won["entity_year"].notna()].groupby(["enterprise", "year", "policy", "clause"], as_index=False).agg(
        expected=("entity_year", "first"), actual=("approved_fen", "sum"))
    entity_years = won[won["max_types"].notna()].groupby(["enterprise", "year", "policy"], as_index=False).agg(
        expected=("max_types", "first"), actual=("clause", "nunique"))
    entity_years["actual"] = entity_years["actual"].astype("Int64")
    notice_days = awards[awards["notice"].notna() & awards["notice_days"].notna()].groupby("notice")["notice_days"].max()
    notices = f["notices"].copy()
    notices["expected"] = notices["notice"].map(notice_days).astype("Int64")
    refs = f["refs"]
    fund_opens = refs[refs["kind"] == "fund.open"].groupby(["fund", "year"], as_index=False).size().rename(columns={"size": "actual"})
    applies = refs[refs["kind"] == "project.apply"].groupby("project", as_index=False).size().rename(columns={"size": "actual"})
    pol = f["policies"].copy()
    have = set(zip(pol["policy"], pol["version"]))
    pol["predecessor"] = [(p, v - 1) in have for p, v in zip(pol["policy"], pol["version"])]
    cal = f["calendars"].copy()
    published = set(zip(cal["year"], cal["version"]))
    cal["predecessor"] = [(y, v - 1) in published for y, v in zip(cal["year"], cal["version"])]
    res = f["resolutions"].merge(f["projects"][["project", "policy", "version"]], on="project", how="left")
    res["project_known"] = res["policy"].notna()
    res["body_known"] = _has_term(res, f["terms"], "approval", "body")
    return {"awards": awards, "shaped_caps": shaped_caps, "entity_clause_years": entity_clause_years, "resolutions": res, "entity_years": entity_years, "budgets": _budgets(f), "stages": _stages(f),
            "payments": _payments(f), "notices": notices, "enterprises": f["enterprises"], "fund_opens": fund_opens,
            "applies": applies, "policies": pol, "reversals": f["reversals"], "undone": _undone(f),
            "scores": performance_scores(f, _budgets(f)), "reported": reported_figures(f), "calendars": cal, "calendar_days": f["calendar_days"]}


def _schema(frame: str, rules: tuple[FrameRule, ...], columns: dict[str, dict[str, pa.Column]]) -> pa.DataFrameSchema:
    """The frame's column types and ranges (DATA-RANGE) and one check per rule over it, named
    ``RULE#i`` (``i`` its place in ``rules``) so that a failure case names its rule."""
    checks = [pa.Check(r.ok, name=f"{r.rule}#{i}") for i, r in enumerate(rules) if r.frame == frame]
    return pa.DataFrameSchema(columns.get(frame, {}), checks=checks, strict=False, coerce=False)


def run_pandera(conn: Connection) -> list[Finding]:
    """Every frame through its schema; each failure case is an offending row, named once per rule."""
    by_rule = {r.rule: r for r in sql_rules()}
    frames = _frames(load_frames(conn))
    rules, columns = frame_rules(), data_range.columns()
    findings: list[Finding] = []
    for name, df in frames.items():
        df = df.reset_index(drop=True)
        try:
            _schema(name, rules, columns).validate(df, lazy=True)
            continue
        except SchemaErrors as e:
            cases = e.failure_cases
        for check, group in cases.groupby("check", sort=False):
            rows = sorted({int(i) for i in group["index"].dropna()})
            if "#" in str(check):  # a rule's frame-level check
                rule = rules[int(str(check).split("#")[1])]
                picked = df.loc[rows]
                cols = {k: fn(picked) for k, fn in rule.columns.items()}
                table = [{k: _plain(v.iloc[i]) for k, v in cols.items()} for i in range(len(picked))]
                findings += findings_from_rows(by_rule[rule.rule], table)
            elif rows:  # a column's type or range: DATA-RANGE, once per row
                table = [{k: _plain(df.loc[i, k]) for k in data_range.RANGE_SUBJECT[name]} for i in rows]
                findings += findings_from_rows(by_rule["DATA-RANGE"], table)
            else:
                raise RuntimeError(f"the {name} frame does not have the expected columns: {group.to_dict('records')}")
    return _once(findings)


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _once(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.subject), f)
    return list(seen.values())

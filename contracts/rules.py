"""The rule registry of the write-time contracts, and each kind's checks.

Every rule has a stable id, a severity (``fatal`` rejects the posting, exit 1; ``warning`` is
reported and the posting is appended), a message, the contracts version it was added in
(``since``), and the check function that implements it. ``tests/test_rules.py`` proves each rule
both ways: a posting it accepts and one it rejects.

Versions: ``CONTRACTS_VERSION`` is the version of this rule set, recorded by every posting. A
release that adds a rule raises it by one and registers the rule with ``since`` = the new version;
a rule is never made stricter in place (a stricter check is a new rule, with its own id and
``since``), so a posting is always judged by the rules its version had. At replay, a fatal finding
of a rule newer than the posting's version is a warning: the rule was added after the fact.

A check is a plain function ``(state, seq, item) -> [Finding]`` run on the state as of the entries
before it (those of the same posting included); ``CHECKS`` maps each kind to its checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from contracts.caps import Cap, clause_caps
from contracts.catalogue import find_clause
from contracts.money import wan
from contracts.state import State
from contracts.workdays import add_working_days
from ledger.findings import FATAL, WARNING, Finding, subject

__all__ = ["CHECKS", "CONTRACTS_VERSION", "NIGHTLY_ONLY", "RULES", "REVERSIBLE", "Rule"]

CONTRACTS_VERSION = 1


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the money.

    Attributes:
      id: the stable rule id (``CAP-RATIO``).
      severity: ``fatal`` or ``warning``.
      message: what the rule requires, in one sentence.
      since: the contracts version that added it.
      zh: the same, in Chinese, for the audit bureau's pages and working papers.
      offending: what a row the nightly rule names is, in one sentence: the message of its findings
        (``checks/sqlrules.py``), the description of its expectation in the GX project.
    """

    id: str
    severity: str
    message: str
    since: int = 1
    zh: str = ""
    offending: str = ""


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("REF-FUND", FATAL, "the fund-year must be opened (fund.open) before anything is booked to it",
         zh="资金年度须先设立（fund.open），方可记入该年度的任何事项",
         offending="a project booked to a fund-year that was never opened"),
    Rule("REF-POLICY", FATAL, "the policy must be published, in force, and govern the fund",
         zh="所依据的政策须已发布、在当日有效，并适用于该项资金",
         offending="a project whose policy has no version in force in its year"),
    Rule("REF-CLAUSE", FATAL, "the clause must exist in the policy in force",
         zh="申报条款须见于当时有效的政策",
         offending="a project under a clause the policy version in force in its year does not have"),
    Rule("REF-PROJECT", FATAL, "the project must have been applied for",
         zh="所涉项目须已申报",
         offending="a decision or a payment on a project that was never applied for"),
    Rule("REF-STAGE", FATAL, "the stage must be one of the policy's workflow stages",
         zh="评审环节须为政策规定的评审流程环节之一",
         offending="a decision on a stage the project's policy version in force does not have"),
    Rule("REF-BODY", FATAL, "the approving body must be one of the policy's approving bodies",
         zh="审批机构须为政策规定的审批机构之一",
         offending="a resolution by a body that is not an approving body of the project's policy version in force"),
    Rule("REF-NOTICE", FATAL, "the notice must have been opened, for this fund-year's projects",
         zh="公示须已发布，且针对该资金年度的项目",
         offending="a project on a public notice that was never opened"),
    Rule("FUND-DUP", FATAL, "a fund-year is opened once",
         zh="同一资金年度只设立一次",
         offending="a fund-year opened by more than one fund.open entry"),
    Rule("PROJECT-DUP", FATAL, "a project id is applied for once",
         zh="同一项目编号只申报一次",
         offending="a project id applied for by more than one project.apply entry"),
    Rule("POLICY-VERSION", FATAL, "policy versions count 1, 2, 3 … without gaps",
         zh="政策版本须按1、2、3……连续编号",
         offending="a policy version whose predecessor is missing"),
    Rule("ID-USCC", FATAL, "the enterprise's unified social credit code must be valid (GB 32100-2015)",
         zh="企业统一社会信用代码须有效（GB 32100-2015）",
         offending="a unified social credit code that is not 18 characters of the GB 32100 alphabet with its check character"),
    Rule("ID-NAME", FATAL, "one name per credit code",
         zh="同一信用代码只对应一个企业名称",
         offending="an application naming its enterprise otherwise than the name its credit code was first given"),
    Rule("CAP-ABSOLUTE", FATAL, "an award may not exceed the clause's absolute maximum",
         zh="支持金额不得超过条款规定的单个项目最高额",
         offending="an approved award above its clause's absolute maximum (the policy version in force in its year)"),
    Rule("CAP-RATIO", FATAL, "an award may not exceed the clause's ratio of its base (with its ceiling)",
         zh="支持金额不得超过条款规定的基数比例（含封顶额）",
         offending="an approved award above the clause's ratio of a base (with its minimum base and ceiling)"),
    Rule("CAP-TIER", FATAL, "an award may not exceed the tier its base reaches",
         zh="支持金额不得超过基数所达档次的标准",
         offending="an approved award above the tier the base reaches"),
    Rule("CAP-PER-UNIT", FATAL, "an award may not exceed the per-unit standard of its base",
         zh="支持金额不得超过按基数计算的单位标准",
         offending="an approved award above the per-unit standard of its base"),
    Rule("CAP-REVENUE-SHARE", FATAL, "an award may not exceed the revenue-contribution ceiling",
         zh="支持金额不得超过区级收入贡献的规定比例",
         offending="an approved award above the share of the revenue base"),
    Rule("CAP-PROJECT", FATAL, "an award may not exceed the policy's per-project maximum",
         zh="支持金额不得超过政策规定的单个项目上限",
         offending="an approved award above the policy's per-project maximum"),
    Rule("CAP-HALVE", FATAL, "outside the key industries an award is at most half the standard",
         zh="非重点产业项目的支持金额不超过标准的一半（减半支持）",
         offending="an approved award, outside the key industries of a policy that halves there, above half the clause's standard (its lowest absolute, tier, ratio or per-unit cap)"),
    Rule("CAP-BASE", FATAL, "a cap computed from a base needs that base in the application",
         zh="按基数计算封顶额的条款，申报须提供该基数",
         offending="an approved award under a clause whose cap is computed from a base the application does not give"),
    Rule("CAP-ENTITY-YEAR", FATAL, "an enterprise's awards under a clause in a year may not exceed its yearly maximum",
         zh="同一企业同一条款同一年度获得的支持不得超过年度上限",
         offending="an enterprise's approved awards under one clause in one year above the clause's yearly maximum"),
    Rule("CAP-ONCE-IN-YEARS", FATAL, "an enterprise may receive a clause's support once in N years",
         zh="同一企业在规定年限内只能获得一次该条款支持",
         offending="an award under a clause the enterprise already held within its once-in-N-years span (the later award is named)"),
    Rule("CAP-EXCLUSIVE", FATAL, "an enterprise may hold only one clause of an exclusive group",
         zh="互斥条款中，同一企业只能享受其中一项（从优不重复）",
         offending="an award under a clause of an exclusive group the enterprise already held another clause of (the later award is named)"),
    Rule("CAP-MAX-TYPES", FATAL, "an enterprise may hold at most N support types a year under the policy",
         zh="同一企业同一年度在该政策下获得的支持类型不得超过规定项数",
         offending="an enterprise holding more of a policy's support types in one year than the policy allows"),
    Rule("CAP-UPGRADE", FATAL, "an upgrade is paid as the difference over what lower tiers already paid",
         zh="晋级只支持差额：扣除较低档次已获支持",
         offending="an approved upgrade above its binding cap less what the enterprise's lower clauses of the upgrade group already received"),
    Rule("AMOUNT-LOWER", FATAL, "reduce, halve and downgrade lower an amount; pass keeps it; reject makes it zero",
         zh="核减、减半、降档须调低金额；通过不改变金额；不予支持金额为零",
         offending="pass changing the amount, reject leaving one, or reduce, halve, downgrade not lowering it"),
    Rule("AMOUNT-HALF", FATAL, "halve sets the amount to half of what it was",
         zh="减半支持即金额调整为原金额的一半",
         offending="halve setting an amount other than half of what it was (to the fen, rounded down)"),
    Rule("REVIEW-REASON", FATAL, "a decision other than pass gives its reason code",
         zh="通过以外的评审结论须注明原因代码",
         offending="a decision other than pass without its reason code"),
    Rule("APPROVE-AMOUNT", FATAL, "an approved amount may not exceed the amount after review",
         zh="批准金额不得超过评审后的金额",
         offending="an approved amount above the amount after review"),
    Rule("SUM-BUDGET", FATAL, "approved + fees + other expenses + transfers out may not exceed budget + additions + transfers in",
         zh="批准额、服务费、其他支出与调出之和不得超过预算、追加与调入之和",
         offending="a fund-year's approved awards (summed from its projects), fees, other expenses and transfers out above its budget, additions and transfers in"),
    Rule("DUP-SUPPORT", FATAL, "an enterprise may not hold awards for the same content from two funds in a year",
         zh="同一企业同一年度不得就同一内容获得两项资金支持（重复支持）",
         offending="an enterprise holding awards for the same content from two funds in one year (each award is named)"),
    Rule("DUP-SUPPORT-YEAR", FATAL, "where the policy says so, one award per enterprise per year across the district's funds",
         zh="政策有规定的，同一企业每年在全区各项资金中只获一次支持",
         offending="an award under a policy of one award per enterprise per year, while the enterprise holds another that year"),
    Rule("STAGE-ORDER", FATAL, "stages are decided in the workflow's order, each once, none after rejection or approval",
         zh="评审环节须按流程顺序逐一决定，每环节一次；不予支持或开始审批后不再评审",
         offending="a stage decided twice, after a rejection, before a stage it follows, or with an earlier required stage undecided"),
    Rule("STAGE-APPROVAL", FATAL, "approval only after every required review stage, by the approving bodies in order",
         zh="各必经评审环节完成后方可审批，审批机构须按顺序审议",
         offending="a project in approval without a decision on every required review stage of its policy"),
    Rule("STAGE-PANEL", FATAL, "an expert panel is odd and at least the workflow's minimum (5)",
         zh="专家评审组人数须为奇数且不少于流程规定（5人）",
         offending="an expert stage decided by a panel smaller than the workflow's minimum, or even where it must be odd"),
    Rule("STAGE-NOTICE", FATAL, "a public notice lists finally approved projects; disbursement only after it closed without an open objection",
         zh="公示名单只列终审通过的项目；公示结束且无未决异议后方可拨付",
         offending="a payment before the project was finally approved, or before its public notice ended (or while an objection is open)"),
    Rule("NOTICE-DAYS", FATAL, "a public notice lasts at least the workflow's working days (the calendars published in the ledger) and closes after them",
         zh="公示期不少于流程规定的工作日（以账本中发布的工作日历计），期满后方可结束",
         offending="a public notice shorter than the workflow's working days for a project on it"),
    Rule("CALENDAR-VERSION", FATAL, "a year's working-day calendar versions count 1, 2, 3 … without gaps",
         zh="同一年度的工作日历版本须按1、2、3……连续编号",
         offending="a calendar version whose predecessor is missing"),
    Rule("CALENDAR-DAYS", FATAL, "a calendar names days of its own year, each a holiday or an adjusted weekend workday, never both",
         zh="工作日历所列日期须属于该年度；调休上班日须为周六或周日；同一天不能既是假日又是上班日",
         offending="a day a calendar names outside its own year, or an adjusted workday that is not a Saturday or a Sunday"),
    Rule("PAY-APPROVED", FATAL, "disbursed may not exceed approved, per project",
         zh="各项目拨付金额不得超过批准金额",
         offending="a project paid (less returned) more than it was approved"),
    Rule("PAY-RETURN", FATAL, "returned may not exceed disbursed, per project",
         zh="各项目退回金额不得超过已拨付金额",
         offending="a project with more returned than disbursed"),
    Rule("PAY-REJECTED", FATAL, "nothing is paid on a rejected, withdrawn or reversed project",
         zh="不予支持、撤回或已冲正的项目不得拨付",
         offending="a payment on a rejected or withdrawn project"),
    Rule("CORR-TARGET", FATAL, "a correction reverses an existing, reversible entry not reversed before",
         zh="冲正须针对账本中已有、可冲正且未被冲正过的分录",
         offending="a correction of an entry that does not exist, comes after it, or is not of a reversible kind"),
    Rule("CORR-ORDER", FATAL, "a decision or approval is reversed only if nothing later depends on it",
         zh="评审决定或审批须在其后无依赖事项时方可冲正",
         offending="a correction that undid a step something later already depended on: a review decision followed by another decision or a resolution, an approval followed by a later resolution, a notice or a payment, an application with a resolution or a payment"),
    Rule("REPORT-FIGURE", FATAL, "a reported figure names a figure the ledger computes, with exactly one value",
         zh="报告数据项须为账本可计算的数据项，且只给出一个数值",
         offending="a reported figure the ledger does not compute: a fund-year never opened (any fund of a sum a+b+…), a fund named twice in a sum, an unknown metric, the wrong number of qualifiers, or a rate over nothing (no budget)"),
    Rule("REPORT-RECONCILE", WARNING, "a figure a report states differs from the ledger's own (beyond the stated tolerance)",
         zh="报告所列数据与账本计算结果不一致（超出允许误差）",
         offending="a figure a report states that differs from the ledger's own beyond its tolerance (every metric of contracts/figures.py, of one fund or summed over the funds of a+b+…)"),
    Rule("REPORT-CONFLICT", WARNING, "two reports state different values for the same figure",
         zh="两份报告对同一数据项给出不同数值",
         offending="a figure a report states differently from an earlier report, beyond both tolerances (the later statement is named)"),
    Rule("PERF-SCORE", WARNING, "a stated performance score differs from the score computed from the ledger",
         zh="绩效评价所列得分与按账本计算的得分不一致",
         offending="a performance table whose stated score (an indicator's, or the total) differs from the score the ledger's figures give"),
    Rule("APPLY-OVER-CAP", WARNING, "the requested amount is above what the clause allows; the award will have to fit",
         zh="申报金额高于条款允许的上限；支持金额须控制在上限之内",
         offending="a request above its clause's absolute maximum or the policy's per-project maximum"),
    # nightly only: what write time cannot see (checks/)
    Rule("DATA-RANGE", FATAL, "a projection row out of its range: a negative amount, an unknown status, outcome or payment kind",
         zh="投影数据超出取值范围：金额为负，或状态、评审结论、拨付类型不可识别",
         offending="a negative amount, or an unknown project status, decision outcome or payment kind, in a projection row"),
    Rule("CHECK-ENGINES", FATAL, "the two nightly engines (Great Expectations, pandera) name different offending rows",
         zh="两个夜间检查引擎（Great Expectations、pandera）所列问题不一致"),
)}
# rules that only the nightly run applies: write time refuses such input at the edge (INPUT-*)
NIGHTLY_ONLY = frozenset({"DATA-RANGE", "CHECK-ENGINES"})

REVERSIBLE = {"project.apply", "review.decide", "approval.resolve", "disbursement.pay", "disbursement.return",
              "fee.pay", "expense.other", "budget.adjust", "budget.transfer"}


def finding(rule: str, item: Any, message: str, *, field: str = "", expected: Any = None, actual: Any = None,
            difference: Any = None, **where: Any) -> Finding:
    return Finding(rule=rule, severity=RULES[rule].severity, message=message, field=field,
                   expected=None if expected is None else str(expected), actual=None if actual is None else str(actual),
                   difference=None if difference is None else str(difference),
                   subject=subject(line=item.line, idem=item.idem, **where))


# -- helpers ---------------------------------------------------------------------------------
def _policy_for(state: State, project: dict[str, Any], on: str | None) -> dict[str, Any] | None:
    found = state.policy(project["policy"], on)
    return found[1] if found else None


def _cap_findings(item: Any, amount: int, doc: dict[str, Any], project: dict[str, Any], field: str) -> list[Finding]:
    clause = find_clause(doc, project["clause"])
    if clause is None:
        return [finding("REF-CLAUSE", item, f"clause {project['clause']} is not in the policy in force",
                        field=field, project=project["project"])]
    out = []
    for cap in clause_caps(doc, clause, project["bases"], project["tags"]):
        where = dict(project=project["project"], clause=project["clause"], enterprise=project["enterprise"])
        if cap.fen is None:
            out.append(finding("CAP-BASE", item, f"clause {project['clause']} {cap.how}; the application gives none",
                               field="bases", **where))
        elif amount > cap.fen:
            out.append(finding(cap.rule, item, f"{wan(amount)} is above {cap.how}, {wan(cap.fen)}", field=field,
                               expected=f"<= {wan(cap.fen)}", actual=wan(amount), difference=wan(amount - cap.fen), **where))
    return out


def _binding(caps: list[Cap]) -> int | None:
    known = [c.fen for c in caps if c.fen is not None]
    return min(known) if known else None


def _budget(state: State, item: Any, fund: str, year: int, extra_use: int = 0, less_avail: int = 0) -> list[Finding]:
    f = state.fund(fund, year)
    if f is None:
        return []
    available = f["budget_fen"] + f["adjust_fen"] + f["transfer_in_fen"] - less_avail
    used = f["approved_fen"] + f["fees_fen"] + f["other_fen"] + f["transfer_out_fen"] + extra_use
    if used > available:
        return [finding("SUM-BUDGET", item, f"{fund} {year} would use {wan(used)} of {wan(available)} available",
                        expected=f"<= {wan(available)}", actual=wan(used), difference=wan(used - available),
                        fund=fund, year=year)]
    return []


# -- checks per kind -------------------------------------------------------------------------
def check_fund_open(state: State, seq: int, item: Any) -> list[Finding]:
    b, out = item.body, []
    if state.fund(b["fund"], b["year"]):
        out.append(finding("FUND-DUP", item, f"{b['fund']} {b['year']} is already open", field="fund", fund=b["fund"], year=b["year"]))
    for p in b.get("policies", []):
        if not state.latest_policy_version(p):
            out.append(finding("REF-POLICY", item, f"policy {p} is not published", field="policies", fund=b["fund"]))
    return out


def check_budget_adjust(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    if not state.fund(b["fund"], b["year"]):
        return [finding("REF-FUND", item, f"{b['fund']} {b['year']} is not open", field="fund", fund=b["fund"], year=b["year"])]
    return _budget(state, item, b["fund"], b["year"], less_avail=max(0, -b["delta_fen"]))


def check_policy_publish(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    want = state.latest_policy_version(b["policy"]) + 1
    if b["version"] != want:
        return [finding("POLICY-VERSION", item, f"policy {b['policy']} is at version {want - 1}", field="version",
                        expected=want, actual=b["version"])]
    return []


def check_apply(state: State, seq: int, item: Any) -> list[Finding]:
    from stdnum.cn import uscc

    b, out = item.body, []
    where = dict(project=b["project"], enterprise=b["enterprise"], fund=b["fund"], year=b["year"], clause=b["clause"])
    if state.project(b["project"]):
        out.append(finding("PROJECT-DUP", item, f"project {b['project']} was applied for already", field="project", **where))
    if not uscc.is_valid(b["enterprise"]):
        out.append(finding("ID-USCC", item, f"{b['enterprise']!r} is not a valid unified social credit code",
                           field="enterprise", **where))
    known = state.enterprise(b["enterprise"])
    if known and known["name"] != b["enterprise_name"]:
        out.append(finding("ID-NAME", item, f"credit code {b['enterprise']} is {known['name']!r} since seq {known['first_seq']}",
                           field="enterprise_name", expected=known["name"], actual=b["enterprise_name"], **where))
    fund = state.fund(b["fund"], b["year"])
    if fund is None:
        out.append(finding("REF-FUND", item, f"{b['fund']} {b['year']} is not open", field="fund", **where))
        return out
    governing = fund["policies"]
    policy = b.get("policy") or (governing[0] if governing else None)
    found = state.policy(policy, b.get("date")) if policy else None
    if found is None or policy not in governing:
        out.append(finding("REF-POLICY", item, f"no policy in force governs {b['fund']} for this application",
                           field="policy", **where))
        return out
    doc = found[1]
    clause = find_clause(doc, b["clause"])
    if clause is None:
        out.append(finding("REF-CLAUSE", item, f"clause {b['clause']} is not in {policy} v{found[0]}", field="clause", **where))
        return out
    cap = _binding(clause_caps(doc, clause, b.get("bases", {}), b.get("tags", [])))
    if cap is not None and b["requested_fen"] > cap:
        out.append(finding("APPLY-OVER-CAP", item, f"requested {wan(b['requested_fen'])}, the clause allows {wan(cap)}",
                           field="requested_fen", expected=f"<= {wan(cap)}", actual=wan(b["requested_fen"]),
                           difference=wan(b["requested_fen"] - cap), **where))
    return out


def _project(state: State, item: Any) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The project an entry names, or the REF-PROJECT finding."""
    p = state.project(item.body["project"])
    if p is None:
        return None, [finding("REF-PROJECT", item, f"project {item.body['project']} was never applied for", field="project")]
    return p, []


def check_decide(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    p, missing = _project(state, item)
    if p is None:
        return missing
    where = dict(project=p["project"], enterprise=p["enterprise"], fund=p["fund"], year=p["year"], clause=p["clause"])
    doc = _policy_for(state, p, b["date"])
    if doc is None:
        return [finding("REF-POLICY", item, f"policy {p['policy']} is not in force on {b['date']}", field="date", **where)]
    stages = [s["id"] for s in doc["workflow"]["stages"]]
    if b["stage"] not in stages:
        return [finding("REF-STAGE", item, f"stage {b['stage']!r} is not in the workflow ({', '.join(stages)})", field="stage", **where)]
    out: list[Finding] = []
    k = stages.index(b["stage"])
    if p["status"] != "applied" or p["approvals"]:
        out.append(finding("STAGE-ORDER", item, f"project {p['project']} is {p['status']}"
                           + (" and approval has begun" if p["approvals"] else "") + "; no further review", field="stage", **where))
    elif b["stage"] in p["stages"]:
        out.append(finding("STAGE-ORDER", item, f"stage {b['stage']} was decided already", field="stage", **where))
    else:
        later = [s for s in p["stages"] if stages.index(s) > k]
        missing = [s["id"] for s in doc["workflow"]["stages"][:k] if s.get("required", True) and s["id"] not in p["stages"]]
        if later or missing:
            out.append(finding("STAGE-ORDER", item, f"stage {b['stage']} comes "
                               + (f"after {', '.join(missing)}, not decided yet" if missing else f"before {', '.join(later)}, decided already"),
                               field="stage", expected=", ".join(stages), actual=", ".join([*p["stages"], b["stage"]]), **where))
    panel = doc["workflow"]["stages"][k].get("panel")
    if panel:
        size = b.get("panel_size")
        if size is None or size < panel["min"] or (panel.get("odd", True) and size % 2 == 0):
            out.append(finding("STAGE-PANEL", item, f"an expert panel needs an odd number of at least {panel['min']} experts",
                               field="panel_size", expected=f"odd, >= {panel['min']}", actual=size, **where))
        elif b.get("scores") is not None and len(b["scores"]) != size:
            out.append(finding("STAGE-PANEL", item, f"{len(b['scores'])} scores for a panel of {size}", field="scores", **where))
    outcome, before = b["outcome"], p["amount_fen"]
    after = b.get("amount_after_fen")
    if outcome != "pass" and not b.get("reason"):
        out.append(finding("REVIEW-REASON", item, f"a {outcome} decision needs its reason code", field="reason", **where))
    if outcome == "pass" and after is not None and after != before:
        out.append(finding("AMOUNT-LOWER", item, "pass keeps the amount", field="amount_after_fen",
                           expected=wan(before), actual=wan(after), **where))
    elif outcome == "reject" and after not in (None, 0):
        out.append(finding("AMOUNT-LOWER", item, "reject makes the amount zero", field="amount_after_fen",
                           expected=wan(0), actual=wan(after), **where))
    elif outcome in ("reduce", "halve", "downgrade"):
        if after is None or after >= before:
            out.append(finding("AMOUNT-LOWER", item, f"{outcome} must lower the amount", field="amount_after_fen",
                               expected=f"< {wan(before)}", actual="missing" if after is None else wan(after), **where))
        elif outcome == "halve" and after != before // 2:
            out.append(finding("AMOUNT-HALF", item, "halve sets the amount to half", field="amount_after_fen",
                               expected=wan(before // 2), actual=wan(after), difference=wan(after - before // 2), **where))
        else:
            out += _cap_findings(item, after, doc, p, "amount_after_fen")
    return out


def check_approval(state: State, seq: int, item: Any) -> list[Finding]:
    b, out = item.body, []
    seen: set[str] = set()
    awarding: dict[tuple[str, int], int] = {}  # what this resolution's earlier awards add per fund-year
    for i, award in enumerate(b["awards"]):
        field = f"awards[{i}]"
        if award["project"] in seen:
            out.append(finding("STAGE-APPROVAL", item, f"project {award['project']} is listed twice", field=field))
            continue
        seen.add(award["project"])
        p = state.project(award["project"])
        if p is None:
            out.append(finding("REF-PROJECT", item, f"project {award['project']} was never applied for", field=f"{field}.project"))
            continue
        where = dict(project=p["project"], enterprise=p["enterprise"], fund=p["fund"], year=p["year"], clause=p["clause"])
        doc = _policy_for(state, p, b["date"])
        if doc is None:
            out.append(finding("REF-POLICY", item, f"policy {p['policy']} is not in force on {b['date']}", field="date", **where))
            continue
        bodies = doc["workflow"]["approvals"]
        if b["body"] not in bodies:
            out.append(finding("REF-BODY", item, f"{b['body']} is not an approving body of {p['policy']} ({', '.join(bodies)})",
                               field="body", **where))
            continue
        missing = [s["id"] for s in doc["workflow"]["stages"] if s.get("required", True) and s["id"] not in p["stages"]]
        if p["status"] not in ("applied", "approving"):
            out.append(finding("STAGE-APPROVAL", item, f"project {p['project']} is {p['status']}", field=f"{field}.project", **where))
            continue
        if missing:
            out.append(finding("STAGE-APPROVAL", item, f"review stages not decided yet: {', '.join(missing)}",
                               field=f"{field}.project", **where))
            continue
        if bodies.index(b["body"]) != p["approvals"]:
            out.append(finding("STAGE-APPROVAL", item, f"the approving bodies decide in order: {', '.join(bodies)}; "
                               f"next for this project is {bodies[p['approvals']] if p['approvals'] < len(bodies) else 'none'}",
                               field="body", **where))
            continue
        amount = award["amount_fen"]
        if amount > p["amount_fen"]:
            out.append(finding("APPROVE-AMOUNT", item, "approved above the amount after review", field=f"{field}.amount_fen",
                               expected=f"<= {wan(p['amount_fen'])}", actual=wan(amount), difference=wan(amount - p["amount_fen"]), **where))
            continue
        out += _cap_findings(item, amount, doc, p, f"{field}.amount_fen")
        if bodies.index(b["body"]) == len(bodies) - 1:  # the final approval makes the award
            out += _award_findings(state, item, p, amount, doc, f"{field}.amount_fen", where)
            key = (p["fund"], p["year"])
            awarding[key] = awarding.get(key, 0) + amount - p["approved_fen"]
            out += _budget(state, item, p["fund"], p["year"], extra_use=awarding[key])
    return out


def _award_findings(state: State, item: Any, p: dict[str, Any], amount: int, doc: dict[str, Any], field: str,
                    where: dict[str, Any]) -> list[Finding]:
    """The cumulative rules: per enterprise per year and per N years, across clauses and funds."""
    clause = find_clause(doc, p["clause"]) or {}
    span = max([clause.get("once_in_years", 1)] + [g.get("years", 1) for g in doc.get("exclusive_groups", [])] + [1])
    history = [a for a in state.awards(p["enterprise"], p["year"] - span + 1, p["year"]) if a["project"] != p["project"]]
    same_year = [a for a in history if a["year"] == p["year"]]
    mine = [a for a in history if a["policy"] == p["policy"]]
    out = []
    if clause.get("per_entity_year_fen") is not None:
        held = sum(a["approved_fen"] for a in same_year if a["policy"] == p["policy"] and a["clause"] == p["clause"])
        if held + amount > clause["per_entity_year_fen"]:
            out.append(finding("CAP-ENTITY-YEAR", item, f"the enterprise already holds {wan(held)} under clause {p['clause']} in {p['year']}",
                               field=field, expected=f"<= {wan(clause['per_entity_year_fen'])}", actual=wan(held + amount),
                               difference=wan(held + amount - clause["per_entity_year_fen"]), **where))
    if clause.get("once_in_years"):
        n = clause["once_in_years"]
        prior = [a for a in mine if a["clause"] == p["clause"] and a["year"] > p["year"] - n]
        if prior:
            out.append(finding("CAP-ONCE-IN-YEARS", item, f"clause {p['clause']} supported {prior[0]['project']} ({prior[0]['year']}); once in {n} years",
                               field=field, **where))
    for g in doc.get("exclusive_groups", []):
        if p["clause"] in g["clauses"]:
            years = g.get("years", 1)
            other = [a for a in mine if a["clause"] in g["clauses"] and a["clause"] != p["clause"] and a["year"] > p["year"] - years]
            if other:
                out.append(finding("CAP-EXCLUSIVE", item, f"clauses {', '.join(g['clauses'])} are exclusive ({g.get('wording', 'only one')}); "
                                   f"the enterprise holds clause {other[0]['clause']} ({other[0]['project']})", field=field, **where))
    if doc.get("max_types_per_entity_year"):
        types = {a["clause"] for a in same_year if a["policy"] == p["policy"]} | {p["clause"]}
        if len(types) > doc["max_types_per_entity_year"]:
            out.append(finding("CAP-MAX-TYPES", item, f"{len(types)} support types in {p['year']}", field=field,
                               expected=f"<= {doc['max_types_per_entity_year']}", actual=len(types), **where))
    for g in doc.get("upgrade_groups", []):
        if p["clause"] in g["clauses"]:
            lower = g["clauses"][: g["clauses"].index(p["clause"])]
            paid = sum(a["approved_fen"] for a in state.awards(p["enterprise"], 2000, p["year"])
                       if a["policy"] == p["policy"] and a["clause"] in lower and a["project"] != p["project"])
            cap = _binding(clause_caps(doc, clause, p["bases"], p["tags"]))
            if paid and cap is not None and amount > cap - paid:
                out.append(finding("CAP-UPGRADE", item, f"an upgrade pays the difference: {wan(cap)} less {wan(paid)} already paid",
                                   field=field, expected=f"<= {wan(cap - paid)}", actual=wan(amount),
                                   difference=wan(amount - (cap - paid)), **where))
    dup = [a for a in same_year if a["content"] == p["content"] and a["fund"] != p["fund"]]
    if dup:
        out.append(finding("DUP-SUPPORT", item, f"{p['enterprise']} already holds {dup[0]['project']} in {dup[0]['fund']} for "
                           f"the same content ({p['content']}) in {p['year']}", field=field, **where))
    elif doc.get("one_award_per_entity_year") and same_year:
        out.append(finding("DUP-SUPPORT-YEAR", item, f"{p['enterprise']} already holds {same_year[0]['project']} "
                           f"({same_year[0]['fund']}) in {p['year']}; one award a year", field=field, **where))
    return out


def check_notice_open(state: State, seq: int, item: Any) -> list[Finding]:
    b, out = item.body, []
    if state.notice(b["notice"]):
        return [finding("REF-NOTICE", item, f"notice {b['notice']} was opened already", field="notice")]
    if not state.fund(b["fund"], b["year"]):
        return [finding("REF-FUND", item, f"{b['fund']} {b['year']} is not open", field="fund")]
    days = None
    for i, pid in enumerate(b["projects"]):
        p = state.project(pid)
        if p is None or p["fund"] != b["fund"] or p["year"] != b["year"]:
            out.append(finding("REF-PROJECT", item, f"project {pid} is not a project of {b['fund']} {b['year']}", field=f"projects[{i}]"))
            continue
        doc = _policy_for(state, p, b["start"])
        if p["status"] != "approved":
            out.append(finding("STAGE-NOTICE", item, f"project {pid} is not finally approved", field=f"projects[{i}]", project=pid))
        days = max(days or 0, doc["workflow"]["notice_working_days"])
    if days and b["working_days"] < days:
        out.append(finding("NOTICE-DAYS", item, f"a public notice lasts at least {days} working days", field="working_days",
                           expected=f">= {days}", actual=b["working_days"]))
    try:
        add_working_days(date.fromisoformat(b["start"]), b["working_days"], state.calendar)
    except LookupError as e:
        out.append(finding("NOTICE-DAYS", item, str(e), field="start"))
    return out


def check_calendar(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    where = dict(year=b["year"], version=b["version"])
    want = state.latest_calendar_version(b["year"]) + 1
    if b["version"] != want:
        return [finding("CALENDAR-VERSION", item, f"the calendar of {b['year']} is at version {want - 1}", field="version",
                        expected=want, actual=b["version"], **where)]
    out = []
    for field in ("holidays", "workdays"):
        for i, day in enumerate(b[field]):
            d = date.fromisoformat(day)
            if d.year != b["year"]:
                out.append(finding("CALENDAR-DAYS", item, f"{day} is not a day of {b['year']}", field=f"{field}[{i}]",
                                   day=day, **where))
            elif field == "workdays" and d.weekday() < 5:
                out.append(finding("CALENDAR-DAYS", item, f"{day} is a weekday: an adjusted workday is a Saturday or a Sunday",
                                   field=f"{field}[{i}]", day=day, **where))
    for day in sorted(set(b["holidays"]) & set(b["workdays"])):
        out.append(finding("CALENDAR-DAYS", item, f"{day} is named both a holiday and a workday", field="workdays",
                           day=day, **where))
    return out


def check_notice_close(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    n = state.notice(b["notice"])
    if n is None or n["state"] != "open":
        return [finding("REF-NOTICE", item, f"notice {b['notice']} is not open", field="notice")]
    out = []
    if b["date"] < n["end_date"]:
        out.append(finding("NOTICE-DAYS", item, f"the notice runs until {n['end_date']} ({n['working_days']} working days from {n['start']})",
                           field="date", expected=f">= {n['end_date']}", actual=b["date"]))
    for i, o in enumerate(b.get("objections", [])):
        p = state.project(o["project"])
        if p is None or p["notice"] != b["notice"]:
            out.append(finding("REF-PROJECT", item, f"project {o['project']} is not on notice {b['notice']}", field=f"objections[{i}]"))
    return out


def check_pay(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    p, missing = _project(state, item)
    if p is None:
        return missing
    where = dict(project=p["project"], enterprise=p["enterprise"], fund=p["fund"], year=p["year"])
    if p["status"] in ("rejected", "withdrawn"):
        return [finding("PAY-REJECTED", item, f"project {p['project']} is {p['status']}", field="project", **where)]
    n = state.notice(p["notice"]) if p["notice"] else None
    if p["status"] == "objection":
        return [finding("STAGE-NOTICE", item, f"an objection to project {p['project']} is unresolved", field="project", **where)]
    if p["status"] != "approved":
        return [finding("STAGE-NOTICE", item, f"project {p['project']} is not finally approved", field="project", **where)]
    if n is None or n["state"] == "open":
        return [finding("STAGE-NOTICE", item, "disbursement only after the public notice has closed", field="date",
                        actual="no notice" if n is None else f"notice {n['notice']} open until {n['end_date']}", **where)]
    if b["date"] < n["end_date"]:
        return [finding("STAGE-NOTICE", item, f"paid on {b['date']}, before the notice ended on {n['end_date']}", field="date",
                        expected=f">= {n['end_date']}", actual=b["date"], **where)]
    total = p["disbursed_fen"] + b["amount_fen"]
    if total > p["approved_fen"]:
        return [finding("PAY-APPROVED", item, "disbursed would exceed approved", field="amount_fen",
                        expected=f"<= {wan(p['approved_fen'])}", actual=wan(total), difference=wan(total - p["approved_fen"]), **where)]
    return []


def check_return(state: State, seq: int, item: Any) -> list[Finding]:
    b = item.body
    p, missing = _project(state, item)
    if p is None:
        return missing
    total = p["returned_fen"] + b["amount_fen"]
    if total > p["disbursed_fen"]:
        return [finding("PAY-RETURN", item, "returned would exceed disbursed", field="amount_fen", project=p["project"],
                        expected=f"<= {wan(p['disbursed_fen'])}", actual=wan(total), difference=wan(total - p["disbursed_fen"]))]
    return []


def check_spend(state: State, seq: int, item: Any) -> list[Finding]:
    """Money leaving a fund-year: a fee, another expense, a transfer out."""
    b = item.body
    if not state.fund(b["fund"], b["year"]):
        return [finding("REF-FUND", item, f"{b['fund']} {b['year']} is not open", field="fund", fund=b["fund"], year=b["year"])]
    return _budget(state, item, b["fund"], b["year"], extra_use=b["amount_fen"])


def check_reverse(state: State, seq: int, item: Any) -> list[Finding]:
    target = item.body["seq"]
    env = state.entry(target) if target < seq else None
    if env is None or env["kind"] not in REVERSIBLE:
        what = "not in the ledger before this entry" if env is None else f"a {env['kind']}, which is not reversible"
        return [finding("CORR-TARGET", item, f"seq {target} is {what}", field="seq", target=target)]
    by = state.reversed_by(target)
    if by is not None:
        return [finding("CORR-TARGET", item, f"seq {target} was reversed already at seq {by}", field="seq", target=target)]
    kind, b = env["kind"], env["body"]
    if kind == "budget.adjust" and b["delta_fen"] > 0:  # taking back an addition must leave the budget whole
        return _budget(state, item, b["fund"], b["year"], less_avail=b["delta_fen"])
    if kind == "disbursement.pay":
        p = state.project(b["project"])
        if p["disbursed_fen"] - b["amount_fen"] < p["returned_fen"]:
            return [finding("CORR-ORDER", item, "reverse the return first: returned would exceed disbursed", field="seq", target=target)]
        return []
    if kind == "review.decide":
        last = state.last_decision(b["project"])
        p = state.project(b["project"])
        if last is None or last["seq"] != target or p["approvals"]:
            return [finding("CORR-ORDER", item, f"seq {target} is not project {b['project']}'s latest step; reverse later ones first",
                            field="seq", target=target)]
        return []
    if kind == "approval.resolve":
        for award in b["awards"]:
            p = state.project(award["project"])
            bodies = _policy_for(state, p, b["date"])["workflow"]["approvals"]
            if p["disbursed_fen"] or p["notice"] or p["approvals"] != bodies.index(b["body"]) + 1:
                return [finding("CORR-ORDER", item, f"seq {target} is not project {p['project']}'s latest approval, or the "
                                "project is on notice or paid; reverse those first", field="seq", target=target)]
        return []
    if kind == "project.apply":
        p = state.project(b["project"])
        if p["approvals"] or p["disbursed_fen"]:
            return [finding("CORR-ORDER", item, f"project {p['project']} is approved; reverse the approvals first", field="seq", target=target)]
    return []


def _stated(b: dict[str, Any]) -> tuple[int, int] | None:
    given = [(k, b[k]) for k in ("value_fen", "count", "permyriad") if k in b]
    if len(given) != 1:
        return None
    return given[0][1], b.get("tolerance_fen", b.get("tolerance", 0))


def _show(figure_name: str, value: int) -> str:
    from contracts.figures import show

    return show(figure_name.split("/")[2] if figure_name.count("/") >= 2 else "", value, unit=True)


def check_report(state: State, seq: int, item: Any) -> list[Finding]:
    from contracts.figures import FundYear, parse_figure

    b = item.body
    stated = _stated(b)
    try:
        fund, year, metric, qualifier = parse_figure(b["figure"])
    except ValueError as e:
        return [finding("REPORT-FIGURE", item, str(e), field="figure")]
    if stated is None:
        return [finding("REPORT-FIGURE", item, "give exactly one of value_fen (value_wan), count, permyriad", field="value_fen")]
    state.flush()  # the figure counts every entry before this one, those of this posting too
    ours = FundYear(state.conn, fund, year).value(metric, qualifier)
    where = dict(fund=fund, year=year, figure=b["figure"], seed=b["seed"])
    if ours is None:
        return [finding("REPORT-FIGURE", item, f"the ledger has no figure {b['figure']}", field="figure", **where)]
    value, tolerance = stated
    out = []
    if abs(ours - value) > tolerance:
        out.append(finding("REPORT-RECONCILE", item, f"{b['seed']} states {_show(b['figure'], value)} ({b['wording']}); "
                           f"the ledger's entries make {_show(b['figure'], ours)}", field="figure",
                           expected=_show(b["figure"], ours), actual=_show(b["figure"], value),
                           difference=_show(b["figure"], value - ours), **where))
    for other in state.query("SELECT seq, value, tolerance, seed FROM reported WHERE figure = :f", f=b["figure"]):
        if abs(other["value"] - value) > max(tolerance, other["tolerance"]):
            out.append(finding("REPORT-CONFLICT", item, f"{other['seed']} (seq {other['seq']}) states "
                               f"{_show(b['figure'], other['value'])}; {b['seed']} states {_show(b['figure'], value)}",
                               field="figure", expected=_show(b["figure"], other["value"]), actual=_show(b["figure"], value),
                               difference=_show(b["figure"], value - other["value"]), **where))
    return out


def check_performance(state: State, seq: int, item: Any) -> list[Finding]:
    from contracts.performance import score_table

    b = item.body
    if not state.fund(b["fund"], b["year"]):
        return [finding("REF-FUND", item, f"{b['fund']} {b['year']} is not open", field="fund")]
    state.flush()
    table = score_table(state.conn, b)
    out = []
    for i, row in enumerate(table.rows):
        if row.stated_score is not None and row.score != row.stated_score:
            out.append(finding("PERF-SCORE", item, f"{row.name}: stated {row.stated_score}, the ledger gives {row.score}",
                               field=f"indicators[{i}]", expected=str(row.score), actual=str(row.stated_score),
                               difference=str(row.stated_score - row.score), fund=b["fund"], year=b["year"]))
    if table.total_stated is not None and table.total != table.total_stated:
        out.append(finding("PERF-SCORE", item, f"total: stated {table.total_stated}, the ledger gives {table.total}",
                           field="total_stated", expected=str(table.total), actual=str(table.total_stated),
                           difference=str(table.total_stated - table.total), fund=b["fund"], year=b["year"]))
    return out


CHECKS: dict[str, list[Callable[[State, int, Any], list[Finding]]]] = {
    "fund.open": [check_fund_open],
    "budget.adjust": [check_budget_adjust],
    "budget.transfer": [check_spend],
    "policy.publish": [check_policy_publish],
    "project.apply": [check_apply],
    "review.decide": [check_decide],
    "approval.resolve": [check_approval],
    "notice.open": [check_notice_open],
    "notice.close": [check_notice_close],
    "disbursement.pay": [check_pay],
    "disbursement.return": [check_return],
    "fee.pay": [check_spend],
    "expense.other": [check_spend],
    "correction.reverse": [check_reverse],
    "report.state": [check_report],
    "performance.indicators": [check_performance],
    "calendar.publish": [check_calendar],
}

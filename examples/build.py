"""Build the example data from the seed reports: deterministic, run by hand, output committed.

    .venv/bin/python examples/build.py [OUT]      # OUT defaults to examples/ itself

Writes one JSON Lines file per posting under ``examples/<year>[-<n>]-<fund>/`` (posted in
file-name order by ``fundledger demo``: a fund that pays for another's projects comes first). ``examples/README.md`` says which figures come from which seed and
what is synthetic. Running it twice writes the same bytes.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from stdnum.cn import uscc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from contracts.money import parse_money  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = Path(sys.argv[1]).resolve() if __name__ == "__main__" and len(sys.argv) > 1 else HERE
W = 1_000_000  # fen per 万元
FUND = "chaoyang-hightech"


def wan(text: str) -> int:
    """An exact 万元 figure as fen (the seeds' decimal strings)."""
    return parse_money(text, "wan")


def credit_code(n: int) -> str:
    """A synthetic, valid unified social credit code (GB 32100): not any real enterprise's."""
    base = f"91110105MA{n:07d}"
    return base + uscc.calc_check_digit(base)


_CODES: dict[str, str] = {}


def code_of(name: str, n: int) -> str:
    """One code per enterprise name across funds (中关村科技租赁 is in the SME and the IPO reports)."""
    return _CODES.setdefault(name, credit_code(n))


def split(total: int, n: int, step: int = W) -> list[int]:
    """``n`` amounts in multiples of ``step`` where possible, summing exactly to ``total``."""
    units, rest = divmod(total, step)
    base, extra = divmod(units, n)
    amounts = [(base + (1 if i < extra else 0)) * step for i in range(n)]
    amounts[-1] += rest
    return amounts


class Writer:
    def __init__(self, folder: str) -> None:
        self.dir = OUT / folder
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        self.n = 0

    def posting(self, name: str, entries: list[tuple[str, str, dict]]) -> None:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{name}.jsonl"
        lines = [json.dumps({"kind": k, "idem": i, "body": b}, ensure_ascii=False, sort_keys=True) for k, i, b in entries]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- 2023 (seed 000) -------------------------------------------------------------------------------
CLAUSES_2023 = [("5", 135, "4310"), ("6", 4, "500"), ("8", 18, "2250"), ("9", 27, "3675"), ("10", 4, "110"),
                ("13", 3, "110"), ("17", 10, "600"), ("22", 1, "200"), ("24", 1, "65.1")]
NAMED_2023 = {"5": "北京天泽电力集团有限公司", "6": "北京首都在线科技股份有限公司", "8": "三六零数字安全科技集团有限公司",
              "9": "天地科技股份有限公司", "10": "中国石化工程建设有限公司", "13": "国机智能技术研究院有限公司",
              "17": "北京望京科技孵化服务有限公司", "22": "京东方科技集团股份有限公司", "24": "北京世界星辉科技有限责任公司"}
KEY = ["digital-economy-3x"]


def build_2023() -> None:
    fy = {"fund": FUND, "year": 2023}
    out = Writer(f"2023-{FUND}")
    projects: list[dict] = []  # every application, with its fate
    code = iter(range(1, 10**6))

    def project(clause: str, name: str, amount: int, **fate) -> dict:
        n = next(code)
        p = {"project": f"2023-{clause}-{n:03d}", "enterprise": credit_code(n), "name": name, "clause": clause,
             "amount": amount, "tags": KEY, "stages": STAGES_2023, **fate}
        projects.append(p)
        return p

    # the 203 supported projects, per clause as seed 000 lists them
    for clause, units, total in CLAUSES_2023:
        amounts = split(wan(total), units, W if "." not in total else W // 10)
        if clause == "9":  # 减半支持天地科技股份有限公司等11家单位 (−1225): 11 halved projects inside clause 9's 3675
            halved_after = split(wan("1225"), 11)
            for i, after in enumerate(halved_after):
                name = NAMED_2023["9"] if i == 0 else f"重大成果产业化企业{i:02d}"
                project("9", name, after * 2, award=after, tags=[],
                        changes={"special_meeting": ("halve", "non_key_industry", after)})
            amounts = split(wan("3675") - wan("1225"), 16)
        if clause == "5":  # 降档支持北京极智嘉科技股份有限公司 (−100) is one of clause 5's 135
            project("5", "北京极智嘉科技股份有限公司", wan("150"), award=wan("50"),
                    changes={"leading_group": ("downgrade", "talent_award_inversion", wan("50"))})
            amounts = split(wan("4310") - wan("50"), 134)
        for i, amount in enumerate(amounts):
            name = NAMED_2023[clause] if i == 0 and clause not in ("9", "5") else f"第{clause}条支持企业{i:03d}"
            if clause == "5" and i == 0:
                name = NAMED_2023["5"]
            project(clause, name, amount)
    # the 32 candidates removed on the way (seed 000, 部门联审 / 领导小组 / 专题会)
    for i, amount in enumerate(split(wan("1470"), 26)):
        project(["5", "8", "9", "6"][i % 4], "北京麦迪卫康医疗科技有限公司" if i == 0 else f"重复支持单位{i:02d}", amount,
                removed=("joint_review", "duplicate_support"))
    for i, amount in enumerate(split(wan("70"), 3)):
        project("5", "北京点实科技有限公司" if i == 0 else f"欠税单位{i:02d}", amount, removed=("joint_review", "tax_arrears"))
    project("8", "北京金域医学检验实验室有限公司", wan("200"), removed=("leading_group", "talent_award_inversion"))
    project("9", "优赛恒创科技发展（北京）有限公司", wan("100"), removed=("leading_group", "risk_index"))
    project("5", "北京腾瑞云文化科技有限公司", wan("30"), removed=("special_meeting", "talent_award_inversion"))
    candidates = list(projects)
    # 336 applied, 315 passed the online initial review, 235 were candidates after expert review
    for i in range(21):
        project(["5", "6", "8", "9"][i % 4], f"初审未通过单位{i:02d}", wan("50"), removed=("initial_review", "initial_review_failed"))
    for i in range(80):
        project(["5", "8", "9", "10", "17"][i % 5], f"评审未通过单位{i:02d}", wan("80"), removed=("expert_review", "expert_review_score"))

    out.posting("fund", [
        ("fund.open", "2023-fund", {**fy, "name": "2023年朝阳区高新技术产业发展引导资金", "office": "中关村科技园区朝阳园管理委员会（区科信局）",
                                    "budget_wan": "22000", "policies": ["chaoyang-hightech-measures"]}),
        ("budget.transfer", "2023-talent", {**fy, "to": "区委组织部人才发展专项资金", "amount_wan": "985.5",
                                           "reason": "根据组织部2023年人才发展专项资金的经费安排，从朝阳园产业资金中列支",
                                           "document": "seed 000"})])
    out.posting("applications", apply_entries(fy, projects, "2023-07-12"))
    for stage, date in (("initial_review", "2023-07-20"), ("expert_review", "2023-08-05"), ("joint_review", "2023-08-16"),
                        ("leading_group", "2023-08-25"), ("special_meeting", "2023-09-09")):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel=stage == "expert_review"))
    for name, entries in award_entries(fy, candidates, [("区政府常务会", "2023年第12次区政府常务会", "2023年第12次", "2023-09-15"),
                                                        ("区委常委会", "十三届〔2023〕35号区委常委会", "十三届〔2023〕35号", "2023-09-21")],
                                       ("2023-09-25", "2023-10-09"), "2023-10-20", "朝科信拨〔2023〕"):
        out.posting(name, entries)
    out.posting("fees", [
        ("fee.pay", "2023-fee-review", {**fy, "payee": "北京朝阳国际科技创新服务有限公司", "service": "2023年项目评审服务费（7类105个项目）",
                                        "amount_wan": "26.25"}),
        ("fee.pay", "2023-fee-audit", {**fy, "payee": "北京京华会计师事务所有限责任公司", "service": "2023年项目审计服务费（3类26个项目）",
                                       "amount_wan": "13"}),
        ("fee.pay", "2023-fee-audit-2022", {**fy, "payee": "北京京华会计师事务所有限责任公司",
                                            "service": "2022年项目审计服务费（在研项目4个）", "amount_wan": "2"})])
    other = [("未来科学论坛经费", "69.09"), ("未来论坛房租经费", "102.94"), ("科博会展览展示费用", "180.57"), ("全球数字经济大会费用", "2225.25"),
             ("国际创投集聚区入驻企业房租补贴", "813.75"), ("数字人加速器项目经费", "979"), ("网易（北京）数字产业中心项目经费", "3000")]
    out.posting("other-expenses", [("expense.other", f"2023-other-{i}", {**fy, "item": item, "amount_wan": amount,
                                                                       "document": "均已单独过会审议 (seed 000)"})
                                   for i, (item, amount) in enumerate(other, 1)])
    said = "seed 000 (2023年朝阳区高新技术产业发展引导资金预算执行情况的汇报)"
    facts = [
        ("budget", "value_wan", "22000", "预算22000万元"),
        ("transfers_out", "value_wan", "985.5", "从朝阳园产业资金中列支985.5万元"),
        ("available", "value_wan", "21014.5", "下达预算金额为21014.5万元"),
        ("applications", "count", 336, "共336家单位申报项目"),
        ("stage_passed/initial_review", "count", 315, "其中315家单位通过网上初审"),
        ("stage_passed/expert_review", "count", 235, "初步核定支持单位235家"),
        ("stage_amount/expert_review", "value_wan", "15015.10", "拟支持金额15015.10万元"),
        ("outcome_count/joint_review/reject/duplicate_support", "count", 26, "核减…等26家重复支持单位"),
        ("outcome_amount/joint_review/reject/duplicate_support", "value_wan", "1470", "涉及金额1470万元"),
        ("outcome_count/joint_review/reject/tax_arrears", "count", 3, "核减…等3家欠税单位"),
        ("outcome_amount/joint_review/reject/tax_arrears", "value_wan", "70", "涉及金额70万元"),
        ("outcome_amount/leading_group/downgrade/talent_award_inversion", "value_wan", "100", "降档支持…1家单位，涉及金额100万元"),
        ("outcome_amount/leading_group/reject/talent_award_inversion", "value_wan", "200", "核减北京金域医学…涉及金额200万元"),
        ("outcome_amount/leading_group/reject/risk_index", "value_wan", "100", "核减优赛恒创…涉及金额100万元"),
        ("outcome_amount/special_meeting/reject/talent_award_inversion", "value_wan", "30", "核减北京腾瑞云…涉及金额30万元"),
        ("outcome_count/special_meeting/halve/non_key_industry", "count", 11, "减半支持天地科技股份有限公司等11家单位"),
        ("outcome_amount/special_meeting/halve/non_key_industry", "value_wan", "1225", "涉及金额1225万元"),
        ("projects", "count", 203, "支持项目203个"),
        ("awards", "value_wan", "11820.1", "安排资金11820.1万元"),
        *((f"clause_projects/{c}", "count", n, f"按照《若干措施》第{c}条…{n}家单位") for c, n, _ in CLAUSES_2023),
        *((f"clause_awards/{c}", "value_wan", t, f"按照《若干措施》第{c}条…拟安排资金{t}万元") for c, _, t in CLAUSES_2023),
        ("fees", "value_wan", "41.25", "第三方专业机构服务费共计41.25万元"),
        ("fee/北京朝阳国际科技创新服务有限公司", "value_wan", "26.25", "评审机构…服务费用26.25万元"),
        ("fee/北京京华会计师事务所有限责任公司", "value_wan", "15", "审计机构…服务费用13万元、2万元"),
        ("arranged", "value_wan", "11861.35", "合计安排资金11861.35万元"),
        ("other", "value_wan", "8356.09", "其他从产业资金预算中列支的费用合计8356.09万元"),
        *((f"expense/{item}", "value_wan", amount, f"{item}{amount}万元") for item, amount in other),
        ("balance", "value_wan", "1782.56", "2023年朝阳园执行的产业资金初步结余1782.56万元"),
    ]
    out.posting("reported-figures", reported(FUND, 2023, "seed000", facts, said))


STAGES_2023 = ["initial_review", "expert_review", "joint_review", "leading_group", "special_meeting"]  # those decided


# -- 2024 (seed 001) -------------------------------------------------------------------------------
CLAUSES_2024 = [("5", 40, "3100"), ("6", 6, "1200"), ("8", 18, "2650"), ("9", 15, "3363.2"), ("10", 5, "300"),
                ("13", 4, "300"), ("17", 8, "400"), ("22", 1, "200")]


def build_2024() -> None:
    fy = {"fund": FUND, "year": 2024}
    out = Writer(f"2024-{FUND}")
    projects = []
    n = 1000
    for clause, units, total in CLAUSES_2024:
        for i, amount in enumerate(split(wan(total), units, W if "." not in total else W // 10)):
            n += 1
            name = "弘泰天元（北京）科技有限公司" if clause == "13" and i == 0 else f"2024年第{clause}条支持企业{i:03d}"
            projects.append({"project": f"2024-{clause}-{n:04d}", "enterprise": credit_code(n), "name": name,
                             "clause": clause, "amount": amount, "tags": KEY,
                             "stages": ["initial_review", "expert_review", "joint_review", "leading_group", "committee",
                                        "work_committee"]})
    assert len(projects) == 97 and sum(p["amount"] for p in projects) == wan("11513.2")
    out.posting("fund", [("fund.open", "2024-fund", {**fy, "name": "2024年朝阳区高新技术产业发展引导资金", "office": "中关村科技园区朝阳园管理委员会",
                                                     "budget_wan": "11559.274", "policies": ["chaoyang-hightech-measures"]})])
    out.posting("applications", apply_entries(fy, projects, "2024-07-19"))
    for stage, date in (("initial_review", "2024-07-30"), ("expert_review", "2024-08-09"), ("joint_review", "2024-08-21"),
                        ("leading_group", "2024-08-30"), ("committee", "2024-09-04"), ("work_committee", "2024-09-05")):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel=stage == "expert_review"))
    for name, entries in award_entries(fy, projects, [("区长办公会", "2024年第13次区长办公会", "2024年第13次", "2024-09-25"),
                                                      ("区委常委会", "十三届〔2024〕35号区委常委会", "十三届〔2024〕35号", "2024-09-27")],
                                       ("2024-10-08", "2024-10-14"), "2024-10-25", "朝园拨〔2024〕"):
        out.posting(name, entries)
    out.posting("fees", [("fee.pay", "2024-fees", {**fy, "payee": "第三方专业机构", "service": "2024年项目评审及审计服务费",
                                                   "amount_wan": "46.074"})])
    said = "seed 001 (2024年朝阳区高新技术产业发展引导资金项目支出绩效评价报告)"
    facts = [("budget", "value_wan", "11559.274", "预算11559.274万元"), ("projects", "count", 97, "拟支持项目97个"),
             ("awards", "value_wan", "11513.2", "支持金额11513.2万元"), ("fees", "value_wan", "46.074", "第三方专业机构服务费46.074万元"),
             ("arranged", "value_wan", "11559.274", "合计拟安排资金11559.274万元"),
             ("execution_rate", "permyriad", 10000, "执行率 100%")]
    out.posting("reported-figures", reported(FUND, 2024, "seed001", facts, said))
    table = [
        {"level1": "产出指标", "level2": "数量指标", "name": "支持约100-200家企业", "target": "100家", "weight": 15,
         "measure": "projects", "target_value": 100, "score_rule": "ratio", "stated_score": "14.55"},
        {"level1": "产出指标", "level2": "质量指标", "name": "资质把关审核、第三方评审与审计验收、全程监督", "target": "优", "weight": 15,
         "measure": "stated", "actual": "优", "score_rule": "stated", "stated_score": "15"},
        {"level1": "产出指标", "level2": "时效指标", "name": "征集期约1个月，按统一进度公示、拨付", "target": "优", "weight": 10,
         "measure": "stated", "actual": "优", "score_rule": "stated", "stated_score": "10"},
        {"level1": "成本指标", "level2": "经济成本指标", "name": "单个项目最高支持不超过1000万元", "target": "≤1000万元", "weight": 10,
         "measure": "max_award", "target_value": wan("1000"), "score_rule": "at_most", "stated_score": "10"},
        {"level1": "效益指标", "level2": "经济效益指标", "name": "研发投入强度达到4%", "target": "≥4%", "weight": 15,
         "measure": "stated", "actual": "7.8%", "score_rule": "stated", "stated_score": "15"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "发挥产业资金的引导作用", "target": "优", "weight": 15,
         "measure": "stated", "actual": "优", "score_rule": "stated", "stated_score": "15"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "服务对象满意度", "target": "≥90%", "weight": 10,
         "measure": "stated", "actual": "＞90%", "score_rule": "stated", "stated_score": "10"},
        {"level1": "", "level2": "", "name": "执行率得分", "target": "100%", "weight": 10,
         "measure": "execution_rate", "target_value": 10000, "score_rule": "ratio", "stated_score": "10"},
    ]
    out.posting("performance", [("performance.indicators", "2024-performance", {**fy, "seed": said, "indicators": table,
                                                                                "total_stated": "99.55"})])


# -- 2020 (seed 002): the SME, high-tech and information-services funds -----------------------------
SAID_2020 = "seed 002 (2020年朝阳区重点产业发展引导资金预算执行情况)"


def apply_entries(fy: dict, projects: list[dict], date: str) -> list[tuple[str, str, dict]]:
    out = []
    for p in projects:
        body = {**fy, "project": p["project"], "enterprise": p["enterprise"], "enterprise_name": p["name"],
                "clause": p["clause"], "requested_fen": p["amount"], "date": date}
        for key in ("policy", "bases", "tags"):
            if key in p:
                body[key] = p[key]
        out.append(("project.apply", f"apply-{p['project']}", body))
    return out


def decide_entries(projects: list[dict], stage: str, date: str, panel: bool = False) -> list[tuple[str, str, dict]]:
    """A stage's decisions on the projects still in the funnel. A project lists its ``stages`` in
    order; ``removed`` = (stage, reason) rejects it there; ``changes`` = {stage: (outcome, reason,
    amount after)} lowers its amount there."""
    out = []
    for p in projects:
        if stage not in p["stages"]:
            continue
        fate = p.get("removed")
        if fate and p["stages"].index(fate[0]) < p["stages"].index(stage):
            continue  # out of the funnel already
        body = {"project": p["project"], "stage": stage, "outcome": "pass", "date": date}
        if panel:
            body["panel_size"] = 5
        if fate and fate[0] == stage:
            body.update(outcome="reject", reason=fate[1])
        elif stage in p.get("changes", {}):
            outcome, reason, after = p["changes"][stage]
            body.update(outcome=outcome, reason=reason, amount_after_fen=after)
        out.append(("review.decide", f"{stage}-{p['project']}", body))
    return out


def award_entries(fy: dict, projects: list[dict], approvals: list[tuple[str, ...]], notice: tuple[str, str],
                  paid: str, voucher: str) -> list[tuple[str, list[tuple[str, str, dict]]]]:
    """The postings that take awarded projects from approval to payment. An approval is (body,
    meeting, date) or (body, meeting, resolution, date); a project's award is its amount after
    the reviews (``award``), else its request."""
    won = [p for p in projects if not p.get("removed")]
    awards = [{"project": p["project"], "amount_fen": p.get("award", p["amount"])} for p in won]
    code = f"{fy['fund']}-{fy['year']}"
    resolutions = [(a[0], a[1], a[1], a[2]) if len(a) == 3 else a for a in approvals]
    return [
        ("approvals", [("approval.resolve", f"{code}-{body}", {"body": body, "meeting": meeting, "resolution": resolution,
                                                                 "date": date, "awards": awards})
                       for body, meeting, resolution, date in resolutions]),
        ("notice", [("notice.open", f"{code}-notice", {**fy, "notice": f"{code}-公示", "projects": [a["project"] for a in awards],
                                                         "start": notice[0], "working_days": 5})]),
        ("notice-close", [("notice.close", f"{code}-notice-close", {"notice": f"{code}-公示", "date": notice[1], "objections": []})]),
        ("disbursements", [("disbursement.pay", f"pay-{a['project']}", {"project": a["project"], "amount_fen": a["amount_fen"],
                                                                        "date": paid, "voucher": f"{voucher}{i + 1:03d}"})
                           for i, a in enumerate(awards)]),
    ]


def reported(fund: str, year: int, prefix: str, facts: list[tuple], seed: str = "") -> list[tuple[str, str, dict]]:
    """report.state entries: (figure, unit, value, wording[, tolerance]) as a seed states them."""
    out = []
    for i, fact in enumerate(facts, 1):
        figure, unit, value, wording = fact[:4]
        body = {"seed": seed or SAID_2020, "wording": wording, "figure": f"{fund}/{year}/{figure}", unit: value}
        if len(fact) > 4:  # "约": the tolerance examples/README.md documents
            body["tolerance_wan" if unit == "value_wan" else "tolerance"] = fact[4]
        out.append(("report.state", f"{prefix}-{i:02d}", body))
    return out


def build_2020() -> None:
    n = iter(range(2000, 10**6))

    def ent(name: str, clause: str, amount: int, **extra) -> dict:
        k = next(n)
        return {"project": f"2020-{clause}-{k:05d}", "enterprise": code_of(name, k), "name": name, "clause": clause,
                "amount": amount, **extra}

    # the SME fund: every clause of its 2020 report, and the 32 high-tech projects it paid (965万)
    fy = {"fund": "chaoyang-sme", "year": 2020}
    out = Writer("2020-01-chaoyang-sme")
    sme_stages = {"stages": ["collection", "expert_review"]}
    won = [ent("中关村科技租赁股份有限公司", "1.1", wan("141"), **sme_stages),
           ent("北京首创融资担保有限公司", "1.2", wan("100"), **sme_stages),
           ent("北京中关村科技融资担保有限公司", "1.2", wan("100"), **sme_stages),
           ent("北京市朝阳区国有资本经营管理中心", "1.3", wan("500"), bases={"product_scale": wan("10000")}, **sme_stages)]
    won += [ent("北京大豪科技股份有限公司" if i == 0 else f"自主研发企业{i:02d}", "2.1", a, bases={"rd_expense": wan("500")}, **sme_stages)
            for i, a in enumerate(split(wan("2700"), 27))]
    won += [ent("北京影谱科技股份有限公司" if i == 0 else f"联合创新企业{i:02d}", "2.2", a, bases={"joint_rd_cost": 2 * a}, **sme_stages)
            for i, a in enumerate(split(wan("981"), 13))]
    won += [ent("北京沃尔德金刚石工具股份有限公司" if i == 0 else f"参展企业{i:02d}", "2.3", a, bases={"booth_rent": a * 5 // 4}, **sme_stages)
            for i, a in enumerate(split(wan("512"), 37))]
    won += [ent("北京国投尚科信息技术有限公司" if i == 0 else f"示范平台{i:02d}", "3.1", a, bases={"recognition_level": 2 if i == 0 else 1},
                **sme_stages) for i, a in enumerate([wan("50"), wan("30"), wan("30")])]
    won += [ent("上海德勤税务师事务所有限公司北京分所" if i == 0 else f"专业服务机构{i:02d}", "3.2", a,
                bases={"service_contract": -(-a * 10 // 3)}, **sme_stages) for i, a in enumerate(split(wan("952"), 10))]
    won += [ent("九九工场(北京)文化发展有限公司" if i == 0 else f"特色园区{i:02d}", "3.4", wan("20"), **sme_stages) for i in range(10)]
    rejected = [ent(f"未获支持中小企业{i:03d}", "2.3", wan("20"), bases={"booth_rent": wan("25")}, removed=("expert_review", "expert_review"),
                    **sme_stages) for i in range(529 - len(won))]
    ht_stages = {"stages": ["initial_review", "expert_review", "joint_review"], "policy": "chaoyang-hightech-2019"}
    financing = [ent("北京大诚若谷信息技术有限公司" if i == 0 else "北京安氏领信教育科技有限公司" if i == 1 else f"融资成本支持企业{i:02d}",
                     "5", a, **ht_stages) for i, a in enumerate(split(wan("965"), 32))]
    financing += [ent(f"融资成本未获支持{i:02d}", "5", wan("30"), removed=("expert_review", "expert_review"), **ht_stages)
                  for i in range(104 - 32)]
    projects = won + rejected + financing
    assert len(won) == 104 and sum(p["amount"] for p in won) == wan("6296")
    out.posting("fund", [("fund.open", "2020-sme", {**fy, "name": "2020年朝阳区促进中小企业发展引导资金", "office": "区发改委",
                                                    "budget_wan": "8000", "policies": ["chaoyang-sme-measures", "chaoyang-hightech-2019"]})])
    out.posting("applications", apply_entries(fy, projects, "2020-04-30"))
    for stage, date, panel in (("collection", "2020-05-08", False), ("initial_review", "2020-05-08", False),
                               ("expert_review", "2020-05-20", True), ("joint_review", "2020-05-26", False)):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel))
    for name, entries in award_entries(fy, won + financing, [("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-05-29"),
                                                            ("区长办公会", "2020年区长办公会", "2020-06-02")],
                                       ("2020-06-03", "2020-06-10"), "2020-06-19", "朝发改拨〔2020〕"):
        out.posting(name, entries)
    out.posting("fees", [("fee.pay", "2020-sme-fee", {**fy, "payee": "中介机构（评审）", "service": "2020年项目评审费用", "amount_wan": "47"})])
    other = [("高成长企业培育计划工作费用", "341.88"), ("中小企业服务工作费用", "187.2437"), ("中小企业数据库建设和运维项目费用", "75")]
    out.posting("other-expenses", [("expense.other", f"2020-sme-other-{i}", {**fy, "item": item, "amount_wan": a})
                                   for i, (item, a) in enumerate(other, 1)])
    clauses = [("1.1", 1, "141"), ("1.2", 2, "200"), ("1.3", 1, "500"), ("2.1", 27, "2700"), ("2.2", 13, "981"), ("2.3", 37, "512"),
               ("3.1", 3, "110"), ("3.2", 10, "952"), ("3.4", 10, "200"), ("5", 32, "965")]
    out.posting("reported-figures", reported("chaoyang-sme", 2020, "seed002-sme", [
        ("budget", "value_wan", "8000", "促进中小企业发展引导资金安排预算8000万元"),
        ("applications", "count", 529 + 104, "今年共有529家企业进行了申报（另有104个降低中小型科技企业融资成本项目）"),
        ("projects", "count", 136, "支持企业136个（含朝阳园降低中小型科技企业融资成本项目32个）"),
        ("awards", "value_wan", "7261", "其中企业奖励或补助资金7261万元"),
        ("awards", "value_wan", "7300", "促进中小企业发展安排资金约7300万元，支持项目136个", "50"),
        ("fees", "value_wan", "47", "中介机构评审费用47万元"),
        ("arranged", "value_wan", "7885", "共安排约7885万元（含朝阳园降低中小型科技企业融资成本项目965万元）", "0.5"),
        *((f"expense/{item}", "value_wan", a, f"{item}{a}万元") for item, a in other),
        *((f"clause_projects/{c}", "count", k, f"{c}: {k}家") for c, k, _ in clauses),
        *((f"clause_awards/{c}", "value_wan", t, f"{c}: {t}万元") for c, _, t in clauses),
    ]))

    # the high-tech fund: 121 projects in its report, 32 of them (965万) paid by the SME fund above
    fy = {"fund": "chaoyang-hightech", "year": 2020}
    out = Writer("2020-02-chaoyang-hightech")
    names = {"1": "三角兽（北京）科技有限公司", "2": "力鸿智信（北京）科技有限公司", "3": "北京东方锐镭科技有限公司", "4": "北京市射线应用研究中心",
             "6": "北京经纬恒润科技有限公司", "7": "北京时代凌宇科技孵化器有限公司", "8": "北京星尘纪元智能科技有限公司",
             "9": "北京红杉坤德投资管理中心（有限合伙）"}
    categories = [("1", 18, "250"), ("2", 1, "20"), ("3", 1, "20"), ("4", 4, "140"), ("6", 25, "5400"), ("7", 1, "68.583"),
                  ("8", 37, "370"), ("9", 2, "70")]
    ht = {"stages": ["initial_review", "expert_review", "joint_review"]}
    won = []
    for c, k, t in categories:
        for i, a in enumerate(split(wan(t), k, W if "." not in t else 1000)):
            name = names[c] if i == 0 else ("高瓴天成（北京）投资咨询有限公司" if c == "9" else f"2020年第{c}类支持单位{i:02d}")
            won.append(ent(name, c, a, **ht))
    assert len(won) == 89 and sum(p["amount"] for p in won) == wan("6338.583")
    lost = [ent(f"2020年初审未通过{i:02d}", "1", wan("20"), removed=("initial_review", "initial_review_failed"), **ht) for i in range(37)]
    lost += [ent(f"2020年评审未通过{i:02d}", "6", wan("100"), removed=("expert_review", "expert_review"), **ht) for i in range(70)]
    projects = won + lost
    out.posting("fund", [("fund.open", "2020-hightech", {**fy, "name": "2020年朝阳区高新技术产业发展引导资金", "office": "区科信局",
                                                         "budget_wan": "8500", "policies": ["chaoyang-hightech-2019"]})])
    out.posting("applications", apply_entries(fy, projects, "2020-05-20"))
    for stage, date, panel in (("initial_review", "2020-05-29", False), ("expert_review", "2020-06-19", True),
                               ("joint_review", "2020-07-03", False)):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel))
    for name, entries in award_entries(fy, projects, [("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-07-10"),
                                                     ("区长办公会", "2020年区长办公会", "2020-07-17")],
                                       ("2020-07-20", "2020-07-27"), "2020-08-14", "朝科信拨〔2020〕"):
        out.posting(name, entries)
    out.posting("fees", [("fee.pay", "2020-ht-fee-review", {**fy, "payee": "第三方评审机构", "service": "2020年项目评审", "amount_wan": "19.6"}),
                         ("fee.pay", "2020-ht-fee-audit", {**fy, "payee": "第三方审计机构", "service": "2020年项目审计验收（前置审计）", "amount_wan": "13"}),
                         ("fee.pay", "2020-ht-fee-audit-2018", {**fy, "payee": "第三方审计机构", "service": "2018年项目审计验收（隔年审计）",
                                                                "amount_wan": "30"})])
    other = [("第二十三届北京科博会朝阳展区相关经费", "247.435"), ("国际高端商务人才资助经费", "280")]
    out.posting("other-expenses", [("expense.other", f"2020-ht-other-{i}", {**fy, "item": item, "amount_wan": a})
                                   for i, (item, a) in enumerate(other, 1)])
    out.posting("reported-figures", reported("chaoyang-hightech", 2020, "seed002-ht", [
        ("budget", "value_wan", "8500", "预算资金8500万元"),
        ("projects", "count", 121, "支持项目121个"),
        ("awards", "value_wan", "7303.583", "支持金额7303.583万元"),
        ("fees", "value_wan", "62.6", "另有项目评审费、审计费等其他费用62.6万元"),
        ("arranged", "value_wan", "7366.183", "故安排资金共计7366.183万元（其中965万元由区发改委列支）"),
        ("arranged", "value_wan", "6400", "高新技术产业安排资金约6400万元", "50"),
        ("other", "value_wan", "527.435", "高新技术产业资金中列支的其他各类项目共计安排资金527.435万元"),
        *((f"clause_projects/{c}", "count", k, f"（{c}）{k}家") for c, k, _ in categories),
        *((f"clause_awards/{c}", "value_wan", t, f"（{c}）安排资金{t}万元") for c, _, t in categories),
    ]))

    # the information-services direction: 91 applications, 64, 16, and 大豪科技 removed at the joint review
    fy = {"fund": "chaoyang-infoservice", "year": 2020}
    out = Writer("2020-03-chaoyang-infoservice")
    info = {"stages": ["initial_review", "expert_review", "joint_review"]}
    short = {0: "奇虎科技", 1: "超图软件", 2: "格灵深瞳"}
    won = [ent(short.get(i, f"信息服务业支持企业{i:02d}"), "infoservice", a, bases={"district_revenue_2019": -(-a * 10 // 7)}, **info)
           for i, a in enumerate(split(wan("1895"), 15))]
    dahao = ent("北京大豪科技股份有限公司", "infoservice", wan("100"), bases={"district_revenue_2019": wan("200")},
                removed=("joint_review", "duplicate_support"), **info)
    lost = [ent(f"信息服务业初审未通过{i:02d}", "infoservice", wan("50"), removed=("initial_review", "initial_review_failed"), **info)
            for i in range(91 - 64)]
    lost += [ent(f"信息服务业评审未通过{i:02d}", "infoservice", wan("80"), removed=("expert_review", "expert_review"), **info)
             for i in range(64 - 16)]
    projects = won + [dahao] + lost
    out.posting("fund", [("fund.open", "2020-infoservice", {**fy, "name": "2020年高新技术产业发展引导资金（信息服务业方向）", "office": "区科信局",
                                                            "budget_wan": "2000", "policies": ["chaoyang-infoservice-2020"]})])
    out.posting("applications", apply_entries(fy, projects, "2020-05-15"))
    for stage, date, panel in (("initial_review", "2020-05-20", False), ("expert_review", "2020-05-27", True),
                               ("joint_review", "2020-06-01", False)):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel))
    for name, entries in award_entries(fy, projects, [("区产业转型升级领导小组会", "2020年第2次区产业转型升级领导小组会议", "2020-06-03"),
                                                     ("区长办公会", "2020年第12次区长办公会", "2020-06-05")],
                                       ("2020-06-08", "2020-06-15"), "2020-06-30", "朝科信拨〔2020〕信"):
        out.posting(name, entries)
    out.posting("fees", [("fee.pay", "2020-info-fee", {**fy, "payee": "第三方机构", "service": "项目评审、验收审计等费用（约40万元）",
                                                       "amount_wan": "40"})])
    out.posting("reported-figures", reported("chaoyang-infoservice", 2020, "seed002-info", [
        ("budget", "value_wan", "2000", "高新技术产业发展引导资金（信息服务业方向）安排预算2000万元"),
        ("applications", "count", 91, "申报项目91个"),
        ("stage_passed/initial_review", "count", 64, "共有64个申报项目…通过初审"),
        ("outcome_count/joint_review/reject/duplicate_support", "count", 1, "经部门联审会审核，核减项目1个"),
        ("outcome_amount/joint_review/reject/duplicate_support", "value_wan", "100", "涉及金额100万元"),
        ("projects", "count", 15, "拟支持企业15家"),
        ("awards", "value_wan", "1895", "项目支持资金共1895万元"),
        ("awards", "value_wan", "1900", "信息服务业方向安排资金约1900万元，支持项目15个", "50"),
        ("fees", "value_wan", "40", "第三方项目评审、验收审计等费用约40万元", "5"),
        ("arranged", "value_wan", "1935", "总计拟安排引导资金共计1935万元"),
    ]))


def build_2020_finance() -> None:
    """The IPO fund, which paid the finance fund's overrun, then the finance fund (seed 002, 区金融办)."""
    n = iter(range(5000, 10**6))
    stages = {"stages": ["expert_review"]}

    def ent(name: str, clause: str, amount: int) -> dict:
        k = next(n)
        return {"project": f"2020-{clause}-{k:05d}", "enterprise": code_of(name, k), "name": name, "clause": clause,
                "amount": amount, **stages}

    approvals = [("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-07-10"), ("区长办公会", "2020年区长办公会", "2020-07-17")]

    def lifecycle(out: Writer, fy: dict, projects: list[dict], voucher: str) -> None:
        out.posting("applications", apply_entries(fy, projects, "2020-06-15"))
        out.posting("expert-review", decide_entries(projects, "expert_review", "2020-06-30", panel=True))
        for name, entries in award_entries(fy, projects, approvals, ("2020-07-20", "2020-07-27"), "2020-08-20", voucher):
            out.posting(name, entries)

    fy = {"fund": "chaoyang-ipo", "year": 2020}
    out = Writer("2020-04-chaoyang-ipo")
    ipo = [ent("北京建工环境修复股份有限公司" if i == 0 else "上市辅导期企业", "tutoring", wan("150")) for i in range(2)]
    ipo += [ent("金科环境股份有限公司" if i == 0 else "境内IPO企业", "ipo-domestic", wan("150")) for i in range(2)]
    ipo += [ent("中关村科技租赁股份有限公司" if i == 0 else f"境外IPO企业{i}", "ipo-overseas", wan("500")) for i in range(3)]
    ipo += [ent("新三板挂牌企业", "neeq", wan("50"))]
    ipo += [ent(f"并购经营企业{i}", "merger", a) for i, a in enumerate(split(wan("650"), 4))]
    out.posting("fund", [("fund.open", "2020-ipo", {**fy, "name": "2020年朝阳区推动企业上市和并购重组专项资金", "office": "区金融办",
                                                    "budget_wan": "7000", "policies": ["chaoyang-ipo-measures"]})])
    out.posting("overrun-to-finance", [
        ("fund.open", "2020-finance", {"fund": "chaoyang-finance", "year": 2020, "name": "2020年朝阳区金融产业引导资金", "office": "区金融办",
                                       "budget_wan": "19250", "policies": ["chaoyang-finance-measures"]}),
        ("budget.transfer", "2020-ipo-to-finance", {**fy, "to": "chaoyang-finance", "amount_wan": "2743.8256",
                                                    "reason": "2020年第二批金融产业引导资金项目执行过程中，超出预算部分通过上市和并购重组引导资金列支",
                                                    "document": "seed 002 (区金融办)"})])
    lifecycle(out, fy, ipo, "朝金融拨〔2020〕上市")
    out.posting("fees", [("fee.pay", "2020-ipo-fee", {**fy, "payee": "北京中诚正信会计师事务所有限公司", "service": "2020年项目评审（首付39.87万元，尾款4.43万元2021年支付）",
                                                      "amount_wan": "44.3"})])
    out.posting("other-expenses", [("expense.other", "2020-ipo-accelerator", {**fy, "item": "企业上市加速器项目",
        "amount_wan": "200", "document": "申请并兑现200万元；总费用196.352176万元（含招标代理费2.580176万元），余款退回财政"})])
    out.posting("reported-figures", reported("chaoyang-ipo", 2020, "seed002-ipo", [
        ("budget", "value_wan", "7000", "共批复推动企业上市和并购重组专项资金预算7000万元"),
        ("projects", "count", 14, "支持项目14个"),
        ("awards", "value_wan", "2800", "上市奖励…企业并购经营奖励等项目，共计2800万元"),
        ("fees", "value_wan", "44.3", "聘请资金评审中介机构44.3万元"),
        ("expense/企业上市加速器项目", "value_wan", "196.352176", "企业上市加速器项目（含招标代理费）196.352176万元"),
        ("transfers_out", "value_wan", "2743.8256", "超出预算部分通过我办上市和并购重组引导资金列支，共计2743.8256万元"),
        ("balance", "value_wan", "1211.8744", "因此预算剩余1211.8744万元"),
        ("spent", "value_wan", "3044.3", "共申请并拨付资金3044.3万元"),
        ("clause_awards/tutoring", "value_wan", "300", "辅导期奖励 总计300万元"),
        ("clause_awards/ipo-domestic", "value_wan", "300", "境内IPO奖励 总计300万元"),
        ("clause_awards/ipo-overseas", "value_wan", "1500", "境外IPO奖励 总计1500万元"),
        ("clause_awards/neeq", "value_wan", "50", "新三板挂牌奖励 总计50万元"),
        ("clause_awards/merger", "value_wan", "650", "企业并购经营奖励 总计650万元"),
    ]))

    fy = {"fund": "chaoyang-finance", "year": 2020}
    out = Writer("2020-05-chaoyang-finance")
    kinds = [("opening", 5, "2150", "中信保诚资产管理有限责任公司"), ("purchase", 2, "2346.168", "兴业银行股份有限公司北京分行"),
             ("rent", 21, "8044.8403", "标普信用评级（中国）有限公司"), ("foreign", 5, "3091", "宝马汽车金融（中国）有限公司"),
             ("platform", 1, "322", "中小微企业金融综合服务平台")]
    finance = []
    for clause, k, total, first in kinds:
        finance += [ent(first if i == 0 else f"金融机构{clause}{i:02d}", clause, a)
                    for i, a in enumerate(split(wan(total), k, W if "." not in total else 100))]
    lifecycle(out, fy, finance, "朝金融拨〔2020〕")
    other = [("兑现2019年金融产业引导资金（第二批）", "4984.8173"), ("服务业疫情防控综合保险计划投保费用", "490"), ("高端商务人才费用", "565")]
    out.posting("other-expenses", [("expense.other", f"2020-finance-other-{i}", {**fy, "item": item, "amount_wan": a})
                                   for i, (item, a) in enumerate(other, 1)])
    out.posting("reported-figures", reported("chaoyang-finance", 2020, "seed002-finance", [
        ("budget", "value_wan", "19250", "金融产业引导资金年初预算19250万元"),
        ("transfers_in", "value_wan", "2743.8256", "超出预算部分2743.8256万元通过我办上市和并购重组引导资金列支"),
        ("projects", "count", 34, "对其中34家次金融机构于年内安排财政资金"),
        ("awards", "value_wan", "15954.0083", "金额共计15954.0083万元"),
        ("projects", "count", 49, "共审议通过49家次金融机构政策申请（15家2021年上半年兑现）"),
        ("awards", "value_wan", "19772.3996", "金额共计19772.3996万元（另有15家…2021年上半年兑现，金额共计3818.39万元）"),
        ("other", "value_wan", "6039.8173", "列支2019年度第二批支持项目…共计6039.8173万元"),
        ("spent", "value_wan", "21993.8256", "全年支出合计21993.8256万元"),
        ("balance", "value_wan", "0", "超出预算部分2743.8256万元通过我办上市和并购重组引导资金列支"),
        *((f"clause_projects/{c}", "count", k, f"{first}等{k}家") for c, k, _, first in kinds),
        *((f"clause_awards/{c}", "value_wan", t, f"金额合计{t}万元") for c, _, t, _ in kinds),
        *((f"expense/{item}", "value_wan", a, f"{item}{a}万元") for item, a in other),
    ]))


def build_2020_culture_zone() -> None:
    """The national cultural industry innovation zone fund (seed 002): eleven categories, 176 projects."""
    n = iter(range(8000, 10**6))
    fy = {"fund": "chaoyang-culture-zone", "year": 2020}
    out = Writer("2020-06-chaoyang-culture-zone")
    categories = [("1", 14, "650", "北京真乐道文化传播有限公司"), ("2", 88, "5042", "万达影视传媒有限公司"),
                  ("3", 2, "250", "北京时尚菁英创新文化创意发展有限公司"), ("4", 2, "100", "漫奇妙（北京）文化有限公司"),
                  ("5", 3, "29", "北京乐自天成文化发展有限公司"), ("6", 5, "25", "中世运通（北京）国际会议展览有限公司"),
                  ("7", 1, "50", "国创基地"), ("8", 16, "630", "北京青藤文化股份有限公司"), ("9", 6, "493", "文化金融服务机构"),
                  ("10", 38, "1520", "央视创造传媒有限公司"), ("11", 1, "100", "北京果壳互动科技传媒有限公司")]
    won = []
    for clause, k, total, first in categories:
        for i, a in enumerate(split(wan(total), k)):
            bases = {"investment_received": a * 100} if clause == "5" else {"recognition_level": 2} if clause == "7" else {}
            j = next(n)
            name = first if i == 0 else f"文创实验区第{clause}类支持企业{i:02d}"
            won.append({"project": f"2020-cz{clause}-{j:05d}", "enterprise": code_of(name, j), "name": name, "clause": clause,
                        "amount": a, "bases": bases, "stages": ["collection", "expert_review"]})
    assert len(won) == 176 and sum(p["amount"] for p in won) == wan("8889")
    out.posting("fund", [("fund.open", "2020-culture-zone", {**fy, "name": "2020年朝阳区国家文化产业创新实验区建设发展引导资金",
                                                             "office": "国家文化产业创新实验区", "budget_wan": "10000",
                                                             "policies": ["chaoyang-culture-zone-measures"]})])
    out.posting("applications", apply_entries(fy, won, "2020-05-09"))
    out.posting("collection", decide_entries(won, "collection", "2020-05-15"))
    out.posting("expert-review", decide_entries(won, "expert_review", "2020-06-12", panel=True))
    for name, entries in award_entries(fy, won, [("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-07-10"),
                                                 ("区长办公会", "2020年区长办公会", "2020-07-17")],
                                       ("2020-07-20", "2020-07-27"), "2020-08-20", "朝文创拨〔2020〕"):
        out.posting(name, entries)
    out.posting("reported-figures", reported("chaoyang-culture-zone", 2020, "seed002-cz", [
        ("budget", "value_wan", "10000", "区财政安排实验区引导资金1亿元"),
        ("projects", "count", 176, "引导资金共支持项目176个"),
        ("awards", "value_wan", "9970", "引导资金共支持项目176个…支持资金额度为9970万元"),
        ("awards", "value_wan", "8889", "2020年实验区引导资金共支持项目176个，支持资金额度为8889万元"),
        ("awards", "value_wan", "8900", "国家文创实验区安排资金约8900万元，支持项目176个", "50"),
        *((f"clause_projects/{c}", "count", k, f"{first}等{k}家") for c, k, _, first in categories),
        *((f"clause_awards/{c}", "value_wan", t, f"给予{t}万元") for c, _, t, _ in categories),
    ]))


def funnel_fund(folder: str, fy: dict, fund_open: dict, won: list[dict], lost: list[dict], dates: tuple[str, ...],
                approvals: list[tuple[str, ...]], notice: tuple[str, str], paid: str, voucher: str) -> Writer:
    """A 2020 fund's postings from opening to payment: applications, the three review stages
    (dates[0] applied, dates[1:4] the stages), the approvals, the notice and the payments."""
    out = Writer(folder)
    projects = won + lost
    out.posting("fund", [("fund.open", f"{fy['year']}-{fy['fund']}", {**fy, **fund_open})])
    out.posting("applications", apply_entries(fy, projects, dates[0]))
    for stage, date in zip(("initial_review", "expert_review", "joint_review"), dates[1:]):
        out.posting(stage.replace("_", "-"), decide_entries(projects, stage, date, panel=stage == "expert_review"))
    for name, entries in award_entries(fy, projects, approvals, notice, paid, voucher):
        out.posting(name, entries)
    return out


STAGES_3 = {"stages": ["initial_review", "expert_review", "joint_review"]}


def build_2020_culture() -> None:
    """The culture industry fund (seed 002, 附件6): eight categories, 120 projects, 4409万."""
    n = iter(range(9000, 10**6))

    def ent(name: str, clause: str, amount: int, **extra) -> dict:
        k = next(n)
        return {"project": f"2020-cu{clause}-{k:05d}", "enterprise": code_of(name, k), "name": name, "clause": clause,
                "amount": amount, **STAGES_3, **extra}

    fy = {"fund": "chaoyang-culture", "year": 2020}
    categories = [("1", 17, "405", "漫画作品《镜诰卿年》"), ("2", 36, "1721", "华宇世博音乐文化（北京）有限公司"),
                  ("3", 7, "198", "恒通国际创新园功能提升"), ("4", 3, "150", "北京漫传奇文化传播有限公司"),
                  ("5", 12, "199", "北京耐飞科技有限公司"), ("6", 1, "5", "北京灵魂石影视文化有限公司"),
                  ("7", 18, "386", "北京粉笔蓝天科技有限公司"), ("8", 26, "1345", "“IP孵化运营及版权保护”")]
    won = [ent(first if i == 0 else f"文化产业第{c}类支持企业{i:02d}", c, a)
           for c, k, total, first in categories for i, a in enumerate(split(wan(total), k))]
    assert len(won) == 120 and sum(p["amount"] for p in won) == wan("4409")
    lost = [ent(f"文化产业初审未通过{i:02d}", "1", wan("20"), removed=("initial_review", "initial_review_failed"))
            for i in range(298 - 282)]
    lost += [ent(f"文化产业评审未通过{i:03d}", "8", wan("50"), removed=("expert_review", "expert_review")) for i in range(282 - 120)]
    out = funnel_fund("2020-07-chaoyang-culture", fy, {"name": "2020年朝阳区文化产业发展引导资金", "office": "区文创办",
                                                      "budget_wan": "5000", "policies": ["chaoyang-culture-2020"]},
                      won, lost, ("2020-05-09", "2020-05-22", "2020-06-12", "2020-06-24"),
                      [("宣传部部务会", "2020年区委宣传部部务会", "2020-07-01"),
                       ("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-07-10"),
                       ("区长办公会", "2020年区长办公会", "2020-07-17")],
                      ("2020-07-20", "2020-07-27"), "2020-08-21", "朝文创拨〔2020〕文")
    other = [("组织部高端商务人才（文化类）经费", "282.5"), ("2020年北京服贸会文化服务专题展（第十五届北京文博会）朝阳区展览展示活动经费", "287.568")]
    out.posting("other-expenses", [("expense.other", f"2020-cu-other-{i}", {**fy, "item": item, "amount_wan": a})
                                   for i, (item, a) in enumerate(other, 1)])
    out.posting("reported-figures", reported("chaoyang-culture", 2020, "seed002-cu", [
        ("budget", "value_wan", "5000", "区财政安排文化产业发展引导资金5000万元"),
        ("spent", "value_wan", "4979.068", "已执行金额4979.068万元"),
        ("balance", "value_wan", "20.932", "结余20.932万元"),
        ("execution_rate", "permyriad", 9960, "预算执行率达到99.6%", 5),
        ("applications", "count", 298, "共公开征集了298个项目"),
        ("stage_passed/initial_review", "count", 282, "其中282个项目通过了初审"),
        ("projects", "count", 120, "最终支持项目（企业）120个"),
        ("awards", "value_wan", "4409", "实际支持资金4409万元，已全部拨付到位"),
        ("awards", "value_wan", "4400", "文化产业安排资金约4400万元，支持项目120个", "50"),
        ("other", "value_wan", "570", "文化产业资金列支高端商务人才、文博会活动经费等共计约570万元", "5"),
        *((f"clause_projects/{c}", "count", k, f"对{first}等{k}个") for c, k, _, first in categories),
        *((f"clause_awards/{c}", "value_wan", t, f"额度共计{t}万元") for c, _, t, _ in categories),
    ]))


def build_2020_commerce() -> None:
    """The commerce fund (seed 002, 附件1 and the 区发改委 summary): 163 projects in five lines; the
    money is stated only as "约2亿" and "约5565万" (see examples/README.md)."""
    n = iter(range(10000, 10**6))
    fy = {"fund": "chaoyang-commerce", "year": 2020}
    categories = [("1", 14, "区级突出贡献型总部企业"), ("2", 63, "商务服务业重点企业"), ("3", 12, "利用外资企业"),
                  ("4", 72, "消费升级重点企业"), ("5", 2, "")]
    named = {"5": ["拉法基豪瑞投资有限公司", "中美合作（北京）咨询中心有限公司"]}
    amounts = iter(split(wan("19435"), 163))
    won = []
    for c, k, label in categories:
        for i in range(k):
            name = named[c][i] if c in named else f"{label}{i + 1:02d}"
            j = next(n)
            won.append({"project": f"2020-co{c}-{j:05d}", "enterprise": code_of(name, j), "name": name, "clause": c,
                        "amount": next(amounts), **STAGES_3})
    assert len(won) == 163 and sum(p["amount"] for p in won) == wan("19435")
    out = funnel_fund("2020-08-chaoyang-commerce", fy, {"name": "2020年朝阳区促进商务经济高质量发展引导资金", "office": "区商务局",
                                                       "budget_wan": "25000", "policies": ["chaoyang-commerce-2020"]},
                      won, [], ("2020-05-15", "2020-05-29", "2020-06-19", "2020-07-03"),
                      [("区产业转型升级领导小组会", "2020年区产业转型升级领导小组会", "2020-07-10"),
                       ("区长办公会", "2020年区长办公会", "2020-07-17")],
                      ("2020-07-20", "2020-07-27"), "2020-08-28", "朝商拨〔2020〕")
    out.posting("other-expenses", [("expense.other", "2020-co-other-1", {
        **fy, "item": "高端商务人才、朝阳消费券活动、疫情商业减租和防控物资保障等费用", "amount_wan": "5565"})])
    out.posting("reported-figures", reported("chaoyang-commerce", 2020, "seed002-co", [
        ("budget", "value_wan", "25000", "2020年，我区安排促进商务经济高质量发展引导资金预算2.5亿元"),
        ("projects", "count", 163, "全年征集并支持促进商务经济高质量发展引导资金项目共163个"),
        ("awards", "value_wan", "20000", "促进商务经济高质量发展安排资金约2亿元，支持项目163个", "5000"),
        ("other", "value_wan", "5565", "促进商务经济高质量发展资金列支高端商务人才、朝阳消费券活动、疫情商业减租和防控物资保障等费用约5565万元", "0.5"),
        *((f"clause_projects/{c}", "count", k, w) for c, k, w in (
            ("1", 14, "对14家区级突出贡献型总部企业…予以奖励"), ("2", 63, "对63家…商务服务业重点领域中…企业给予奖励"),
            ("3", 12, "对12家上一年度实际利用外资5000万美元（含）以上企业"), ("4", 72, "共支持企业72家"),
            ("5", 2, "支持一事一议项目2个"))),
    ]))


# the eight industry funds of the 区发改委's summary of 2020 (seed 002, first report after the renovation one)
FUNDS_2020 = "+".join(["chaoyang-commerce", "chaoyang-finance", "chaoyang-hightech", "chaoyang-infoservice",
                       "chaoyang-culture-zone", "chaoyang-culture", "chaoyang-sme", "chaoyang-ipo"])


def build_2020_summary() -> None:
    """The district's own sums over its eight funds, reconciled with the funds' entries."""
    out = Writer("2020-09-district-summary")
    out.posting("reported-figures", reported(FUNDS_2020, 2020, "seed002-district", [
        ("budget", "value_wan", "84750", "2020年我区重点产业政策资金年度预算金额为8.475亿元"),
        ("projects", "count", 758, "2020年共支持项目758个"),
        ("awards", "value_wan", "73000", "安排资金约7.3亿元", "500"),
        ("spent", "value_wan", "81000", "整体来看，全年共安排产业资金约8.1亿元", "500"),
        ("execution_rate", "permyriad", 9600, "完成年度预算的96%", 50),
    ]))


def build_2020_renovation() -> None:
    """The old-residential renovation funds (seed 002, first report): approvals over the budget."""
    out = Writer("2020-10-chaoyang-renovation")
    fy = {"fund": "chaoyang-renovation", "year": 2020}
    out.posting("fund", [("fund.open", "2020-chaoyang-renovation", {
        **fy, "name": "2020年老旧小区综合整治及既有多层住宅增设电梯项目资金", "office": "区住建委", "budget_wan": "73609"})])
    # the joint meeting's approvals as the report states them: 7.4061亿 against a budget of 7.3609亿.
    # SUM-BUDGET refuses them (all or nothing); fundledger demo requires that refusal.
    out.posting("approvals.refused", [("expense.other", f"2020-renovation-{i}", {**fy, "item": item, "amount_wan": a})
                                      for i, (item, a) in enumerate([("老旧小区综合整治项目资金（区级联席会议审议通过）", "50075"),
                                                                     ("单独增设电梯项目资金（区级联席会议审议通过）", "23986")], 1)])
    out.posting("fund-2021", [("fund.open", "2021-chaoyang-renovation", {
        "fund": "chaoyang-renovation", "year": 2021, "name": "2021年老旧小区综合整治及既有多层住宅增设电梯项目资金", "office": "区住建委",
        "budget_wan": "80000"})])
    out.posting("reported-figures", reported("chaoyang-renovation", 2020, "seed002-renovation", [
        ("budget", "value_wan", "73609", "2020年区财政共安排老旧小区综合整治及增设电梯项目预算资金7.3609亿元"),
        ("other", "value_wan", "74061", "资金申请已经我委组织区级联席会议审议通过金额共计7.4061亿元"),
        ("expense/老旧小区综合整治项目资金（区级联席会议审议通过）", "value_wan", "50075", "其中老旧小区综合整治项目资金5.0075亿元"),
        ("expense/单独增设电梯项目资金（区级联席会议审议通过）", "value_wan", "23986", "单独增设电梯项目资金2.3986亿元"),
    ], SAID_RENOVATION) + reported("chaoyang-renovation", 2021, "seed002-renovation-2021", [
        ("budget", "value_wan", "80000", "拟于2021年度安排我区“老旧小区综合整治及既有多层住宅增设电梯项目”资金8亿元"),
    ], SAID_RENOVATION))


# seed 002's 2020年朝阳区重大投资项目情况表: (code, unit, project, total investment, budget, adjusted, executed, progress)
MAJOR_2020 = [("liangmahe", "朝阳区水务局", "亮马河四环以上段廊道建设工程项目", "96490", "13000", "8000", "1534.6", 1920),
              ("wenyuhe-park", "北京温榆河公园建设管理有限公司", "温榆河公园朝阳段一期", "61983", "26100", "16896", "16896", 10000),
              ("water-network", "朝阳区水务局", "朝阳区水系连通建设工程项目", "59192", "15000", "6200", "938.3", 1510),
              ("refuse-stations", "朝阳区环卫中心区", "朝阳区垃圾楼标准化改造项目", "22681", "6000", "7298", "7298", 10000),
              ("cbd-traffic", "交通委", "朝阳区CBD区域交通综合治理工程", "55072", "17005", "24525.5", "24525.5", 10000)]


def build_2020_major_investment() -> None:
    """The major investment projects table (seed 002): each project a fund-year of its own."""
    out = Writer("2020-11-major-investment")
    opened, adjusted, executed, figures = [], [], [], []
    for code, unit, name, total, budget, after, done, progress in MAJOR_2020:
        fy = {"fund": f"chaoyang-invest-{code}", "year": 2020}
        opened.append(("fund.open", f"2020-invest-{code}", {**fy, "name": f"{name}（总投资{total}万元）", "office": unit,
                                                            "budget_wan": budget}))
        delta = wan(after) - wan(budget)
        adjusted.append(("budget.adjust", f"2020-invest-{code}-adjust", {
            **fy, "delta_fen": delta, "reason": "2020年预算调整", "document": "2020年朝阳区重大投资项目情况表：调整后金额"}))
        executed.append(("expense.other", f"2020-invest-{code}-executed", {**fy, "item": "2020年预计执行", "amount_wan": done}))
        figures += reported(fy["fund"], 2020, f"seed002-invest-{code}", [
            ("budget", "value_wan", budget, f"{name}：2020年预算数{budget}"),
            ("available", "value_wan", after, f"{name}：调整后金额{after}"),
            ("spent", "value_wan", done, f"{name}：预计执行{done}"),
            ("execution_rate", "permyriad", progress, f"{name}：执行进度{progress // 100 if progress % 100 == 0 else progress / 100}%", 5),
        ], SAID_INVEST)
    out.posting("funds", opened)
    out.posting("adjustments", adjusted)
    out.posting("executed", executed)
    every = "+".join(f"chaoyang-invest-{m[0]}" for m in MAJOR_2020)
    out.posting("reported-figures", figures + reported(every, 2020, "seed002-invest-total", [
        ("budget", "value_wan", "77105", "合计：2020年预算数77105"),
        ("available", "value_wan", "62919.5", "合计：调整后金额62919.5"),
        ("spent", "value_wan", "51192.4", "合计：预计执行51192.4"),
        ("execution_rate", "permyriad", 8140, "合计：执行进度81.4%", 5),
    ], SAID_INVEST))


SAID_RENOVATION = "seed 002 (区住建委关于老旧小区综合整治及既有多层住宅增设电梯项目2020年预算执行情况及2021年预算编制情况的汇报)"
SAID_INVEST = "seed 002 (2020年朝阳区重大投资项目情况表)"
SAID_2023_DEPT = "seed 003 (中关村科技园区朝阳园管理委员会2023年度部门整体绩效评价报告)"


def build_2023_department() -> None:
    """The 2023 department budget of 中关村朝阳园管委会 (seed 003): basic and project spending."""
    out = Writer("2023-chaoyang-zgc-department")
    office = "中关村科技园区朝阳园管理委员会（区科学技术和信息化局）"
    lines = [("basic", "基本支出", "1959.86", "131.49", "2091.35", "机构改革及新调人员等情况，导致人员经费收支增加"),
             ("projects", "项目支出", "15723.8", "11485.33", "27209.13", "年中追加项目预算（决算项目支出收入27209.13万元）")]
    out.posting("funds", [("fund.open", f"2023-zgc-dept-{code}", {
        "fund": f"chaoyang-zgc-dept-{code}", "year": 2023, "name": f"2023年部门预算{label}", "office": office, "budget_wan": budget})
        for code, label, budget, _, _, _ in lines])
    out.posting("adjustments", [("budget.adjust", f"2023-zgc-dept-{code}-adjust", {
        "fund": f"chaoyang-zgc-dept-{code}", "year": 2023, "delta_wan": delta, "reason": reason,
        "document": "2023年度部门整体绩效评价报告：部门预决算差异率"}) for code, _, _, delta, _, reason in lines])
    out.posting("spending", [("expense.other", f"2023-zgc-dept-{code}-spent", {
        "fund": f"chaoyang-zgc-dept-{code}", "year": 2023, "item": label, "amount_wan": spent})
        for code, label, _, _, spent, _ in lines])
    both = "chaoyang-zgc-dept-basic+chaoyang-zgc-dept-projects"
    out.posting("reported-figures", reported(both, 2023, "seed003-dept", [
        ("available", "value_wan", "29300.48", "2023年全年预算收入29300.48万元"),
        ("spent", "value_wan", "29300.48", "全年实际支出29300.48万元"),
        ("execution_rate", "permyriad", 10000, "预算执行率为100%"),
        ("balance", "value_wan", "0", "本部门2023年无结转结余资金"),
    ], SAID_2023_DEPT) + reported("chaoyang-zgc-dept-basic", 2023, "seed003-basic", [
        ("budget", "value_wan", "1959.86", "2023年基本支出年初预算1959.86万元"),
        ("spent", "value_wan", "2091.35", "基本支出2091.35万元"),
        ("adjustment_rate", "permyriad", 671, "预决算增幅6.71%"),
    ], SAID_2023_DEPT) + reported("chaoyang-zgc-dept-projects", 2023, "seed003-projects", [
        ("budget", "value_wan", "15723.8", "2023年项目支出年初预算15723.8万元"),
        ("spent", "value_wan", "27209.13", "项目支出27209.13万元"),
        ("adjustment_rate", "permyriad", 7304, "预决算增幅73.04%"),
        ("spent", "value_wan", "26667.28", "全年项目支出49个，支出资金26,667.28万元"),
    ], SAID_2023_DEPT) + reported("chaoyang-hightech", 2023, "seed003-policy", [
        ("projects", "count", 202, "共支持项目202个"),
        ("awards", "value_wan", "11800", "安排支持资金1.18亿元", "50"),
    ], SAID_2023_DEPT))


if __name__ == "__main__":
    build_2020()
    build_2020_finance()
    build_2020_culture_zone()
    build_2020_culture()
    build_2020_commerce()
    build_2020_summary()
    build_2020_renovation()
    build_2020_major_investment()
    build_2023()
    build_2023_department()
    build_2024()
    print(f"wrote {sum(1 for _ in OUT.glob('*/*.jsonl'))} postings under {OUT}", file=sys.stderr)

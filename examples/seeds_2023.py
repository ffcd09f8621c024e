"""The 2023 and 2024 high-tech fund (seeds 000 and 001) and the 2023 department budget of
中关村朝阳园管委会 (seed 003)."""

from __future__ import annotations

from seedlib import (FUND, W, Writer, award_entries, apply_entries, credit_code, decide_entries, reported,
                     split, wan)

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

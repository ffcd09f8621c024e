"""The 2020 funds of seed 002: SME, high-tech, information services, finance, the culture zone,
culture, commerce, the district summary, the renovation programme and the major investments."""

from __future__ import annotations

from seedlib import (W, Writer, award_entries, apply_entries, code_of, decide_entries, reported,
                     split, wan)

SAID_RENOVATION = "seed 002 (区住建委关于老旧小区综合整治及既有多层住宅增设电梯项目2020年预算执行情况及2021年预算编制情况的汇报)"
SAID_INVEST = "seed 002 (2020年朝阳区重大投资项目情况表)"


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

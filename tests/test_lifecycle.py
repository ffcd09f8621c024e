"""The fund lifecycle end to end through the CLI, on SQLite and PostgreSQL; the catalogue files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from contracts.catalogue import CATALOGUE_DIR, load_file
from tests.ledgers import E1, E2, W
from tests.support import entry_lines, post_entries

FUND = {"fund": "chaoyang-hightech", "year": 2023}


@pytest.fixture
def hightech(env):
    result = env.run("policy", "publish", str(CATALOGUE_DIR / "chaoyang-hightech.json"), "--key", env.key_path("poster"))
    assert result.exit_code == 0, result.output
    result = env.run("calendar", "publish", "--year", "2023", "--key", env.key_path("poster"))  # chinese-calendar's
    assert result.exit_code == 0, result.output
    opened = post_entries(env, ("fund.open", "fund-2023", {**FUND, "name": "2023年朝阳区高新技术产业发展引导资金",
                                                    "office": "中关村科技园区朝阳园管理委员会", "budget_wan": "22000",
                                                    "policies": ["chaoyang-hightech-measures"]}),
                   ("budget.transfer", "talent-2023", {**FUND, "to": "区委组织部人才发展专项资金", "amount_wan": "985.5",
                                                       "reason": "2023年人才发展专项资金", "document": "组织部经费安排"}))
    assert opened.exit_code == 0, opened.output
    return env


def _project_rows(env):
    with env.ledger.engine.connect() as conn:
        return conn.execute(sa.text("SELECT project, status, amount_fen, approved_fen, disbursed_fen FROM projects "
                                    "ORDER BY project")).all()


def _approved() -> list[list[tuple]]:
    """The postings that take project 2023-9-001 from its application to its final approval."""
    def decide(stage: str, idem: str, **more: object) -> tuple:
        return "review.decide", idem, {"project": "2023-9-001", "stage": stage, "outcome": "pass", "date": "2023-08-01",
                                       **more}

    return [
        [("project.apply", "apply-1", {"project": "2023-9-001", "enterprise": E1, "enterprise_name": "天地科技股份有限公司",
                                       **FUND, "clause": "9", "requested_wan": "300", "tags": []})],
        [decide("initial_review", "d1"), decide("expert_review", "d2", panel_size=5, scores=[80, 82, 85, 90, 78])],
        [decide("joint_review", "d3"), decide("leading_group", "d4"),
         decide("special_meeting", "d5", outcome="halve", amount_after_wan="150", reason="non_key_industry")],
        [("approval.resolve", "gov-12", {"body": "区政府常务会", "meeting": "2023年第12次区政府常务会", "resolution": "2023-12",
                                         "date": "2023-09-20", "awards": [{"project": "2023-9-001", "amount_wan": "150"}]}),
         ("approval.resolve", "party-35", {"body": "区委常委会", "meeting": "十三届〔2023〕35号区委常委会", "resolution": "35",
                                           "date": "2023-09-22", "awards": [{"project": "2023-9-001", "amount_wan": "150"}]})]]


_NOTICE = ("notice.open", "notice-1", {**FUND, "notice": "2023-公示-1", "projects": ["2023-9-001"], "start": "2023-09-25",
                                       "working_days": 5})


def test_a_project_from_application_to_disbursement(hightech):
    env = hightech
    steps = [
        *_approved(),
        [("notice.open", "notice-1", {**FUND, "notice": "2023-公示-1", "projects": ["2023-9-001"], "start": "2023-09-25",
                                      "working_days": 5})],
        [("notice.close", "notice-1-close", {"notice": "2023-公示-1", "date": "2023-10-07",
                                             "objections": None})],  # null: none (it crashed the posting before)
        [("disbursement.pay", "pay-1", {"project": "2023-9-001", "amount_wan": "150", "date": "2023-10-20",
                                        "voucher": "朝财拨〔2023〕101"})],
    ]
    for posting in steps:
        result = post_entries(env, *posting)
        assert result.exit_code == 0, result.output
    assert _project_rows(env) == [("2023-9-001", "approved", 150 * W, 150 * W, 150 * W)]
    # the trail an auditor reads: each entry's business date beside its posting time, and what it did
    trail = [json.loads(line) for line in env.run("trail", "--project", "2023-9-001", "--format", "json").output.splitlines()]
    assert [(r["date"], r["summary"]) for r in trail] == [
        (None, "申报 300万元 · 天地科技股份有限公司 · 第9条"),
        ("2023-08-01", "条件审核、资质核验（网上初审） 通过"), ("2023-08-01", "专家评审 通过"),
        ("2023-08-01", "部门联审（区发改委组织：发改、财政、审计、税务、市场监管） 通过"),
        ("2023-08-01", "区产业转型升级领导小组会 通过"),
        ("2023-08-01", "产业资金专题会 减半支持 → 150万元（非重点产业（数字经济3+X））"),
        ("2023-09-20", "区政府常务会 批准 150万元"), ("2023-09-22", "区委常委会 批准 150万元"),
        ("2023-09-25", "公示 1个项目，5个工作日"), ("2023-10-20", "拨付 150万元 凭证号 朝财拨〔2023〕101")]
    assert trail[-1]["body"]["voucher"] == "朝财拨〔2023〕101"  # the whole body stays in JSON and CSV
    table = env.run("trail", "--project", "2023-9-001").output
    assert all(r["summary"] in table for r in trail) and "业务日期" in table.splitlines()[0]
    (paid,) = [line for line in table.splitlines() if "拨付" in line]
    assert "2023-10-20" in paid and trail[-1]["at"] in paid  # the business date beside the posting time
    # paying once more than approved is refused whole, and leaves the projections as they were
    before = env.size_and_head()
    refused = post_entries(env, ("fee.pay", "fee-x", {**FUND, "payee": "北京京华会计师事务所有限责任公司", "service": "audit",
                                               "amount_wan": "13"}),
                    ("disbursement.pay", "pay-2", {"project": "2023-9-001", "amount_fen": 1, "date": "2023-10-21",
                                                   "voucher": "v"}))
    assert refused.exit_code == 1
    report = json.loads(refused.output)
    assert [f["rule"] for f in report["findings"]] == ["PAY-APPROVED"]
    assert report["findings"][0]["subject"]["project"] == "2023-9-001"
    assert env.size_and_head() == before
    assert _project_rows(env) == [("2023-9-001", "approved", 150 * W, 150 * W, 150 * W)]
    with env.ledger.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT fees_fen, transfer_out_fen, approved_fen FROM funds")).one() == (0, 985_500_000, 150 * W)
    assert env.run("verify").exit_code == 0


def test_warnings_are_appended_and_reported(hightech):
    env = hightech
    result = env.run("post", "--key", env.key_path("poster"), input=entry_lines(
        ("project.apply", "big", {"project": "big", "enterprise": E2, "enterprise_name": "企业二", **FUND, "clause": "9",
                                  "requested_wan": "1200", "tags": ["digital-economy-3x"]})))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "appended"
    assert "WARNING APPLY-OVER-CAP" in result.stderr


def test_decisions_are_checked_against_the_version_in_force(hightech, tmp_path):
    env = hightech
    doc = load_file(CATALOGUE_DIR / "chaoyang-hightech.json")["document"]
    v2 = {**doc, "effective_from": "2023-09-01", "project_cap_fen": 100 * W}
    assert post_entries(env, ("policy.publish", "v2", {"policy": "chaoyang-hightech-measures", "version": 2, "document": v2})).exit_code == 0
    apply = {"enterprise": E1, "enterprise_name": "企业一", **FUND, "clause": "5", "requested_wan": "300",
             "tags": ["digital-economy-3x"]}
    for pid in ("early", "late"):
        assert post_entries(env, ("project.apply", f"a-{pid}", {"project": pid, **apply})).exit_code == 0
    def cut(pid, day):
        return post_entries(env, ("review.decide", f"{pid}-1", {"project": pid, "stage": "initial_review", "outcome": "reduce",
                                                         "amount_after_wan": "200", "reason": "standard", "date": day}))
    assert cut("early", "2023-08-01").exit_code == 0  # v1: the cap is 1000万
    late = cut("late", "2023-09-05")  # v2 is in force: the cap is 100万
    assert late.exit_code == 1 and json.loads(late.output)["findings"][0]["rule"] == "CAP-PROJECT"


def test_bad_bodies_exit_2_naming_line_and_field(hightech):
    env = hightech
    # a float never gets as far as the body schemas: the ledger's edge refuses it
    floats = post_entries(env, ("fee.pay", "f2", {**FUND, "payee": "p", "service": "s", "amount_wan": 26.25}))
    assert floats.exit_code == 2
    assert [(f["rule"], f["field"]) for f in json.loads(floats.output)["findings"]] == [("INPUT-DOMAIN", "body.amount_wan")]
    result = post_entries(env, ("fee.pay", "f1", {**FUND, "payee": "p", "service": "s", "amount_wan": "1.0000001"}),
                   ("fee.pay", "f2", {**FUND, "payee": " ", "service": "s", "amount_yuan": "26.25"}))
    assert result.exit_code == 2
    found = {(f["subject"]["line"], f["rule"], f["field"]) for f in json.loads(result.output)["findings"]}
    assert found == {(1, "INPUT-MONEY", "body.amount_wan"), (2, "INPUT-BODY", "body.payee")}


@pytest.mark.parametrize("path", sorted(CATALOGUE_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_catalogue_files_are_valid(path):
    body = load_file(path)
    assert body["version"] >= 1 and body["document"]["clauses"]
    assert f"| `{path.name}` |" in (Path(__file__).parent.parent / "docs" / "catalogue.md").read_text(encoding="utf-8")


def test_an_invalid_catalogue_is_refused(env, tmp_path):
    bad = json.loads((CATALOGUE_DIR / "chaoyang-sme-2020.json").read_text())
    bad["document"]["clauses"][0]["caps"] = [{"shape": "ratio", "base": "x", "rate": "1.5"}]
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False))
    result = env.run("policy", "publish", str(tmp_path / "bad.json"), "--key", env.key_path("poster"))
    assert result.exit_code == 2 and "rate" in result.output


def test_null_for_an_optional_field_is_the_field_left_out(hightech):
    """The kinds' schemas read a field given as null as a field left out; so do the rules and
    effects that read it (a null tags, bases, policies or tolerance crashed the posting with a
    traceback; a null objections too, in test_a_project_from_application_to_disbursement)."""
    env = hightech
    apply = {"enterprise": E1, "enterprise_name": "天地科技股份有限公司", **FUND, "clause": "9", "requested_wan": "300"}
    result = post_entries(env, ("project.apply", "apply-null", {**apply, "project": "2023-9-001", "tags": None,
                                                                "bases": None}),
                          ("project.apply", "apply-absent", {**apply, "project": "2023-9-002", "enterprise": E2,
                                                             "enterprise_name": "海淀科技有限公司"}))
    assert result.exit_code == 0, result.output
    result = post_entries(env, ("fund.open", "fund-2024", {"fund": "chaoyang-hightech", "year": 2024, "name": "2024年资金",
                                                           "office": "管委会", "budget_wan": "100", "policies": None}),
                          ("report.state", "stated", {"seed": "s", "wording": "预算22000万元", "figure": "chaoyang-hightech/2023/budget",
                                                      "value_fen": 22000 * W, "tolerance_fen": None, "count": None}))
    assert result.exit_code == 0, result.output
    with env.ledger.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT project, tags, bases FROM projects ORDER BY project")).all() == [
            ("2023-9-001", "[]", "{}"), ("2023-9-002", "[]", "{}")]
        assert conn.execute(sa.text("SELECT policies FROM funds WHERE year = 2024")).scalar_one() == "[]"
        assert conn.execute(sa.text("SELECT value, tolerance FROM reported")).one() == (22000 * W, 0)
    assert env.run("verify").exit_code == 0


@pytest.mark.parametrize("value, said", [("x", "is not JSON"), ('{"initial_review": 1}', "holds '{\"initial_review\": 1}', "
                                                                                      "not a list of strings")],
                         ids=["not JSON", "JSON of another shape"])
def test_a_projection_edited_into_something_that_is_not_json_stops_a_posting_with_exit_3(hightech, value, said):
    """An insider edits a project's stages into bytes that do not parse, or into an object where the
    list of stages belongs. The next posting that reads the row names it and points at verify
    (exit 3), appending nothing; before, it crashed with a traceback (exit 1, which scripts read as
    a contract's refusal)."""
    from contracts import engine

    env = hightech
    apply = {"project": "2023-9-001", "enterprise": E1, "enterprise_name": "天地科技股份有限公司", **FUND, "clause": "9",
             "requested_wan": "300"}
    assert post_entries(env, ("project.apply", "apply-1", apply)).exit_code == 0
    with env.ledger.engine.begin() as conn:
        conn.execute(sa.text("UPDATE projects SET stages = :v WHERE project = '2023-9-001'"), {"v": value})
    engine._left.clear()  # a new process: the rows are read from the database, not kept from the posting before
    before = env.size_and_head()
    result = post_entries(env, ("review.decide", "d1", {"project": "2023-9-001", "stage": "initial_review", "outcome": "pass",
                                                         "date": "2023-08-01"}))
    assert result.exit_code == 3, result.output
    error = json.loads(result.output)["error"]
    assert f"the projects row 2023-9-001, column stages {said}" in error
    assert "run `fundledger verify`" in error and env.size_and_head() == before


def test_a_calendar_day_edited_into_what_is_not_a_date_stops_a_posting_with_exit_3(hightech):
    """A public notice counts working days on the published calendar: a day the insider overwrote
    with text is named (exit 3) by the next notice that reads it, and nothing is appended; before,
    the posting crashed."""
    from contracts import engine

    env = hightech
    for posting in _approved():
        assert post_entries(env, *posting).exit_code == 0
    assert env.run("post", "--key", env.key_path("poster"), "--dry-run", input=entry_lines(_NOTICE)).exit_code == 0
    with env.ledger.engine.begin() as conn:
        ((version, day),) = conn.execute(sa.text("SELECT version, min(day) FROM calendar_days WHERE year = 2023 "
                                               "GROUP BY version")).all()
        conn.execute(sa.text("UPDATE calendar_days SET day = 'x' WHERE year = 2023 AND day = :d"), {"d": day})
    engine._left.clear()  # a new process: the rows are read from the database
    before = env.size_and_head()
    result = post_entries(env, _NOTICE)
    assert result.exit_code == 3, result.output
    assert f"the calendar_days row 2023 {version} 'x', column day is not a date" in result.output
    assert env.size_and_head() == before


def _policy_line(change) -> str:
    body = load_file(CATALOGUE_DIR / "chaoyang-sme-2020.json")
    change(body["document"])
    return entry_lines(("policy.publish", "policy-bad", body))


@pytest.mark.parametrize("change, field", [
    (lambda d: d["workflow"]["stages"][0].__setitem__("id", ["initial"]), "body.document.workflow.stages"),
    (lambda d: d["clauses"][0].__setitem__("caps", 5), "body.document.clauses[0].caps"),
    (lambda d: d["clauses"][0]["caps"][0].__setitem__("shape", ["ratio"]), "body.document.clauses[0].caps[0].shape"),
    (lambda d: d.__setitem__("exclusive_groups", 5), "body.document.exclusive_groups"),
    (lambda d: d.__setitem__("exclusive_groups", [{"clauses": [["1"], "2"]}]), "body.document.exclusive_groups[0].clauses"),
    (lambda d: d.__setitem__("key_industry_tags", True), "body.document.key_industry_tags"),
], ids=["stage id an array", "caps a number", "shape an array", "groups a number", "a group's clause an array",
        "key tags true"])
def test_a_policy_document_of_the_wrong_shape_is_refused_naming_the_field(env, change, field):
    """Each of these crashed the posting with a traceback (exit 1, as if a contract had refused it)."""
    before = env.size_and_head()
    result = env.run("post", "--key", env.key_path("poster"), "--json", input=_policy_line(change))
    assert result.exit_code == 2, result.output
    assert ("INPUT-BODY", field) in {(f["rule"], f["field"]) for f in json.loads(result.output)["findings"]}
    assert env.size_and_head() == before
    assert env.run("post", "--key", env.key_path("poster"), input=_policy_line(lambda d: None)).exit_code == 0


@pytest.mark.parametrize("where, value, field", [("indicator", "x", "body.indicators"), ("indicator", "NaN", "body.indicators"),
                                                 ("total", "12..5", "body.total_stated"), ("total", "Infinity", "body.total_stated")])
def test_a_stated_score_that_is_not_a_number_is_refused(env, where, value, field):
    """A performance table's scores are decimal numbers as text; another string crashed the posting."""
    indicator = {"level1": "产出指标", "level2": "质量指标", "measure": "stated", "name": "质量", "score_rule": "stated",
                 "stated_score": value if where == "indicator" else "15", "target": "优", "actual": "优", "weight": 15}
    body = {**FUND, "seed": "s", "indicators": [indicator], "total_stated": value if where == "total" else "15"}
    result = post_entries(env, ("performance.indicators", "perf", body))
    assert result.exit_code == 2, result.output
    assert ("INPUT-BODY", field) in {(f["rule"], f["field"]) for f in json.loads(result.output)["findings"]}


@pytest.mark.parametrize("kind, body, field", [
    ("fund.open", {"fund": "big-fund", "year": 2024, "name": "n", "office": "o", "budget_wan": "9007199254.740992"},
     "body.budget_wan"),
    ("disbursement.pay", {"project": "x", "amount_yuan": "99999999999999999999", "date": "2023-10-20", "voucher": "v"},
     "body.amount_yuan")])
def test_an_amount_beyond_what_an_entry_holds_is_refused(env, kind, body, field):
    """2^53 fen and up: no RFC 8785 number holds it (the entry was appended, and verify then refused
    it at 3.3), and beyond 2^64 the encoder could not write it (a traceback). ±(2^53-1) fen is the
    most an amount can be: it posts and verifies."""
    result = post_entries(env, (kind, "big", body))
    assert result.exit_code == 2, result.output
    assert ("INPUT-MONEY", field) in {(f["rule"], f["field"]) for f in json.loads(result.output)["findings"]}
    result = post_entries(env, ("fund.open", "most", {"fund": "big-fund", "year": 2024, "name": "n", "office": "o",
                                                      "budget_wan": "9007199254.740991"}))
    assert result.exit_code == 0, result.output
    assert env.run("verify").exit_code == 0


def test_the_readme_documents_every_kind_and_rule():
    from contracts.kinds import KINDS
    from contracts.rules import RULES, readme_table

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme  # generated from the registry: python -c 'from contracts.rules import readme_table'
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity} |" in readme, rule.id
    for kind, fields in ((name, k.fields) for name, k in KINDS.items()):
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{kind}` |"))
        for name in fields:
            assert f"`{name}`" in row, (kind, name)

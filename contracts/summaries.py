"""What each entry did, in one line of Chinese, and its business date: the audit trail an auditor
reads (``fundledger trail``). The full body stays in ``--format json|csv``.

    申报 300万元 · 天地科技股份有限公司 · 第9条
    专题会 减半支持 → 150万元（非重点产业（数字经济3+X））
    区政府常务会 批准 150万元
    拨付 150万元 凭证号 朝财拨〔2023〕101

Stages are named as the workflow of the project's policy names them (the version in force on the
decision's date), reasons and outcomes as ``contracts/names.py`` does.
"""

from __future__ import annotations

from typing import Any, Callable

import orjson
from sqlalchemy import Connection, text

from contracts.money import wan
from contracts.names import OUTCOMES, reason_name

__all__ = ["Describer", "StageIds", "Workflows"]


class Workflows:
    """The review stages of a project's policy in force on a date, ``{id: name}`` in order, read through
    ``conn`` once per policy version."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._stages: dict[tuple[str, str], dict[str, str]] = {}

    def stages(self, project: str, on: str) -> dict[str, str]:
        row = self.conn.execute(text("SELECT policy FROM projects WHERE project = :p"), {"p": project}).first()
        if row is None:
            return {}
        key = (row.policy, on)
        if key not in self._stages:
            doc = self.conn.execute(text("SELECT document FROM policies WHERE policy = :p AND effective_from <= :d "
                                         "ORDER BY version DESC LIMIT 1"), {"p": row.policy, "d": on}).scalar()
            stages = orjson.loads(doc)["workflow"]["stages"] if doc is not None else []
            self._stages[key] = {s["id"]: s.get("name", s["id"]) for s in stages}
        return self._stages[key]


class StageIds(Workflows):
    """A stage as a decision sheet writes it (its name in the project's workflow, or its id) -> its id;
    one the workflow does not know is left as written (``REF-STAGE`` names it)."""

    def __call__(self, project: str, written: str, on: str) -> str:
        stages = self.stages(project, on)
        if written in stages:
            return written
        return next((i for i, name in stages.items() if name == written), written)


class Describer(Workflows):
    """``describer(envelope) -> (business date or None, summary)``. With ``project``, a resolution of
    many projects is told as it concerns that one."""

    def __init__(self, conn: Connection, project: str | None = None) -> None:
        super().__init__(conn)
        self.project = project

    def __call__(self, env: dict[str, Any]) -> tuple[str | None, str]:
        body = env["body"]
        describe = _KINDS.get(env["kind"])
        summary = describe(self, body) if describe else env["kind"]
        return body.get("date") or body.get("start"), summary

    def stage_name(self, project: str, stage: str, on: str) -> str:
        """The stage's name in the workflow of the project's policy in force on ``on``."""
        return self.stages(project, on).get(stage, stage)


def _decide(d: Describer, b: dict[str, Any]) -> str:
    line = f"{d.stage_name(b['project'], b['stage'], b['date'])} {OUTCOMES.get(b['outcome'], b['outcome'])}"
    if b.get("amount_after_fen") is not None and b["outcome"] not in ("pass", "reject"):
        line += f" → {wan(b['amount_after_fen'])}"
    return line + (f"（{reason_name(b['reason'])}）" if b.get("reason") else "")


def _resolve(d: Describer, b: dict[str, Any]) -> str:
    awards = b["awards"]
    total = f"{len(awards)}个项目，共{wan(sum(a['amount_fen'] for a in awards))}"
    mine = [a for a in awards if a["project"] == d.project]
    if len(awards) == 1 or mine:
        amount = wan((mine or awards)[0]["amount_fen"])
        return f"{b['body']} 批准 {amount}" + (f"（本决议{total}）" if len(awards) > 1 else "")
    return f"{b['body']} 批准 {total}"


def _close(d: Describer, b: dict[str, Any]) -> str:
    objections = b.get("objections", [])
    if not objections:
        return "公示期满，无异议"
    shown = {"dismissed": "不成立", "upheld": "成立", "pending": "待处理"}
    return "公示期满，异议：" + "；".join(f"{o['project']} {shown.get(o['outcome'], o['outcome'])}" for o in objections)


_KINDS: dict[str, Callable[[Describer, dict[str, Any]], str]] = {
    "ledger.genesis": lambda d, b: f"创建账本 {b['origin']}",
    "key.enroll": lambda d, b: f"登记密钥：{b['name']}（{b['role']}）",
    "key.revoke": lambda d, b: f"吊销密钥 {b['kid']}（{b['reason']}）",
    "audit.note": lambda d, b: f"备注：{b['text']}",
    "checkpoint.issue": lambda d, b: f"签发检查点：{b['size']}条",
    "check.run": lambda d, b: "夜间检查：致命 {} 项，警告 {} 项（{}条）".format(
        sum(c.get("fatal", 0) for c in b["counts"].values()), sum(c.get("warning", 0) for c in b["counts"].values()),
        b["tree_size"]),
    "fund.open": lambda d, b: f"设立资金 {b['name']}，预算{wan(b['budget_fen'])}",
    "budget.adjust": lambda d, b: f"{'追加' if b['delta_fen'] > 0 else '核减'}预算 {wan(abs(b['delta_fen']))}（{b['reason']}）",
    "budget.transfer": lambda d, b: f"列支调出 {wan(b['amount_fen'])} → {b['to']}",
    "policy.publish": lambda d, b: f"发布政策 {b['document'].get('title', b['policy'])} 第{b['version']}版",
    "project.apply": lambda d, b: f"申报 {wan(b['requested_fen'])} · {b['enterprise_name']} · 第{b['clause']}条",
    "review.decide": _decide,
    "approval.resolve": _resolve,
    "notice.open": lambda d, b: f"公示 {len(b['projects'])}个项目，{b['working_days']}个工作日",
    "notice.close": _close,
    "disbursement.pay": lambda d, b: f"拨付 {wan(b['amount_fen'])} 凭证号 {b['voucher']}",
    "disbursement.return": lambda d, b: f"退回财政 {wan(b['amount_fen'])} 凭证号 {b['voucher']}",
    "fee.pay": lambda d, b: f"第三方服务费 {wan(b['amount_fen'])} → {b['payee']}（{b['service']}）",
    "expense.other": lambda d, b: f"其他支出 {wan(b['amount_fen'])}：{b['item']}",
    "correction.reverse": lambda d, b: f"冲正 第{b['seq']}条（{b['reason']}）",
    "report.state": lambda d, b: f"报告数 {b['figure']}（{b['seed']}）",
    "performance.indicators": lambda d, b: f"绩效评价表 {len(b['indicators'])}项指标（{b['seed']}）",
    "calendar.publish": lambda d, b: f"发布{b['year']}年工作日历 第{b['version']}版：假日{len(b['holidays'])}天，"
                                     f"调休上班{len(b['workdays'])}天",
}

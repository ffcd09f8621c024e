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

from sqlalchemy import Connection, text

from contracts.kinds import KINDS
from contracts.schemas import prepare
from contracts.state import stored_document
from ledger.errors import IntegrityError
from ledger.replay import stored_form
from ledger.store import Item

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
            stages = [] if doc is None else \
                stored_document(doc, lambda: f"policy {row.policy}'s document")["workflow"]["stages"]
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
        if env["kind"] in KINDS:
            _stored_form(env)
        describe = _KINDS.get(env["kind"])
        summary = describe(self, body) if describe else env["kind"]
        return body.get("date") or body.get("start"), summary

    def stage_name(self, project: str, stage: str, on: str) -> str:
        """The stage's name in the workflow of the project's policy in force on ``on``."""
        return self.stages(project, on).get(stage, stage)


def _stored_form(env: dict[str, Any]) -> None:
    """A lifecycle entry's stored body is its stored form (``ledger.replay.stored_form``, as replay
    holds it); anything else was written by hand: an integrity failure naming the seq, not a crash
    of its summary. (The envelope and the core kinds' bodies were checked as they were read,
    ``ledger.kinds.stored_envelope``.)"""
    kind = env["kind"]
    found = stored_form(prepare, [Item(kind, env["idem"], env["body"])])
    if found:
        first = next(iter(found.values()))[0]
        raise IntegrityError(f"seq {env['seq']}: its {kind} body is not one its kind accepts ({first.field}: "
                             f"{first.message}): the database was edited by hand; run `fundledger verify`")


# the core kinds' lines here; each contract kind's is its declaration's (contracts/kinds.py)
_KINDS: dict[str, Callable[[Describer, dict[str, Any]], str]] = {
    "ledger.genesis": lambda d, b: f"创建账本 {b['origin']}",
    "key.enroll": lambda d, b: f"登记密钥：{b['name']}（{b['role']}）",
    "key.revoke": lambda d, b: f"吊销密钥 {b['kid']}（{b['reason']}）",
    "audit.note": lambda d, b: f"备注：{b['text']}",
    "checkpoint.issue": lambda d, b: f"签发检查点：{b['size']}条",
    "check.run": lambda d, b: "夜间检查：致命 {} 项，警告 {} 项（{}条）".format(
        sum(c.get("fatal", 0) for c in b["counts"].values()), sum(c.get("warning", 0) for c in b["counts"].values()),
        b["tree_size"]),
    **{name: kind.summary for name, kind in KINDS.items()},
}

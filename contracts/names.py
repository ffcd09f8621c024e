"""The Chinese names the reports, the nightly page and the working papers show for the codes the
entries use: reason codes, outcomes, severities and the parts of a finding's subject. A code with no
name here is shown as it is (a fund office may use its own reason codes).
"""

from __future__ import annotations

__all__ = ["OUTCOMES", "REASONS", "SEVERITIES", "SUBJECT_KEYS", "reason_name", "subject_text"]

# why a review stage removed, lowered or halved a project (review.decide.reason), as the seeds say it
REASONS = {
    "duplicate_support": "重复支持",
    "tax_arrears": "欠税",
    "talent_award_inversion": "倒挂（已获人才奖励）",
    "risk_index": "非法集资风险（冒烟指数）",
    "non_key_industry": "非重点产业（数字经济3+X）",
    "initial_review_failed": "初审未通过",
    "expert_review_score": "专家评审未达分数线",
    "expert_review": "专家评审核减",
}

OUTCOMES = {"pass": "通过", "reject": "核减（不予支持）", "reduce": "核减金额", "halve": "减半支持", "downgrade": "降档支持"}

SEVERITIES = {"fatal": "致命", "warning": "警告"}

# the parts of a finding's subject
SUBJECT_KEYS = {
    "seq": "分录序号", "idem": "幂等键", "line": "行", "table": "表", "project": "项目", "enterprise": "企业",
    "fund": "资金", "year": "年度", "clause": "条款", "policy": "政策", "version": "版本", "notice": "公示",
    "figure": "数据项", "indicator": "指标", "day": "日期", "seed": "来源报告", "key": "密钥", "target": "冲正对象",
    "idx": "序号",
}


def reason_name(code: str | None) -> str:
    """A reason code's Chinese name (the code itself if it has none; empty for none)."""
    return "" if not code else REASONS.get(code, code)


def subject_text(subject: tuple[tuple[str, object], ...]) -> str:
    """A finding's subject in Chinese: ``项目=2023-9-001 资金=chaoyang-hightech``."""
    return " ".join(f"{SUBJECT_KEYS.get(k, k)}={v}" for k, v in subject)

"""CORR-TARGET (fatal): a correction reverses an existing, reversible entry not reversed before.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.kinds import KINDS
from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, subject_columns
from ledger.findings import Finding

RULE = Rule("CORR-TARGET",
            FATAL,
            "a correction reverses an existing, reversible entry not reversed before",
            zh="冲正须针对账本中已有、可冲正且未被冲正过的分录",
            offending="a correction of an entry that does not exist, comes after it, or is not of a reversible kind",
            kinds=("correction.reverse",),
            table="reversals")


# the kinds a correction.reverse may undo: those their declaration says are reversible (contracts/kinds.py)
REVERSIBLE = frozenset(name for name, kind in KINDS.items() if kind.reversible)


def check(state: Any, seq: int, item: Any) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The entry reversed is in the ledger before this one, reversible, and not reversed yet; its envelope."""
    target = item.body["seq"]
    env = state.entry(target) if target < seq else None
    if env is None or env["kind"] not in REVERSIBLE:
        what = "not in the ledger before this entry" if env is None else f"a {env['kind']}, which is not reversible"
        return None, [finding("CORR-TARGET", item, f"seq {target} is {what}", field="seq", target=target)]
    by = state.reversed_by(target)
    if by is not None:
        return None, [finding("CORR-TARGET", item, f"seq {target} was reversed already at seq {by}", field="seq",
                              target=target)]
    return env, []


WRITE_TIME = (check,)


FRAMES = (FrameRule("CORR-TARGET", "reversals",
                    lambda d: d["kind"].notna() & (d["target_seq"] < d["seq"]) & d["kind"].isin(sorted(REVERSIBLE)),
                    subject_columns("seq", actual=column("target_seq"))),)

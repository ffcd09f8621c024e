"""ID-USCC (fatal): the enterprise's unified social credit code must be valid (GB 32100-2015).

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from typing import Any

from contracts.rules.base import FATAL, FrameRule, Rule, column, finding, no_value
from ledger.findings import Finding

RULE = Rule("ID-USCC",
            FATAL,
            "the enterprise's unified social credit code must be valid (GB 32100-2015)",
            zh="企业统一社会信用代码须有效（GB 32100-2015）",
            offending="a unified social credit code that is not 18 characters of the GB 32100 alphabet with its check character",
            kinds=("project.apply",),
            table="enterprises")


def check(item: Any, where: dict[str, Any]) -> list[Finding]:
    from stdnum.cn import uscc

    code = item.body["enterprise"]
    if not uscc.is_valid(code):
        return [finding("ID-USCC", item, f"{code!r} is not a valid unified social credit code", field="enterprise",
                        **where)]
    return []


WRITE_TIME = (check,)


# GB 32100-2015, for the pandera engine (write time uses python-stdnum; two implementations, one rule):
# 18 characters of ALPHABET, the last the check character of the first 17 under WEIGHTS
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_code(code: str) -> bool:
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    return (31 - sum(ALPHABET.index(c) * w for c, w in zip(code, WEIGHTS)) % 31) % 31 == ALPHABET.index(code[17])


FRAMES = (FrameRule("ID-USCC", "enterprises", lambda d: d["code"].map(valid_code).astype(bool),
                    {"enterprise": column("code"), "expected": no_value, "actual": column("code")}),)

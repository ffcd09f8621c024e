"""CHECK-ENGINES (fatal): the two nightly engines (Great Expectations, pandera) name different offending rows.

Nightly only: the comparison of the two engines, in checks/nightly.py.
Tests: tests/test_nightly.py (test_engines_that_disagree_are_a_fatal_finding).
"""

from __future__ import annotations

from contracts.rules.base import FATAL, Rule

RULE = Rule("CHECK-ENGINES",
            FATAL,
            "the two nightly engines (Great Expectations, pandera) name different offending rows",
            zh="两个夜间检查引擎（Great Expectations、pandera）所列问题不一致")

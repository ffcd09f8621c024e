"""CAP-BASE (fatal): a cap computed from a base needs that base in the application.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from contracts.rules import award_caps
from contracts.rules.base import FATAL, FrameRule, Rule, subject_columns, won

RULE = Rule("CAP-BASE",
            FATAL,
            "a cap computed from a base needs that base in the application",
            zh="按基数计算封顶额的条款，申报须提供该基数",
            offending="an approved award under a clause whose cap is computed from a base the application does not give",
            kinds=("review.decide", "approval.resolve"),
            table="projects")


# the amount after a decision and each award against every cap of the clause: contracts/rules/award_caps.py
# (the caps themselves: contracts/caps/)
WRITE_TIME = (award_caps.check,)


FRAMES = (FrameRule("CAP-BASE", "awards", lambda d: ~(won(d) & d["base_missing"]),
                    subject_columns("project", "fund", "year", "clause")),)

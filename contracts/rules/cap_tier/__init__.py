"""CAP-TIER (fatal): an award may not exceed the tier its base reaches.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from contracts.rules import award_caps
from contracts.rules.base import FATAL, Rule

RULE = Rule("CAP-TIER",
            FATAL,
            "an award may not exceed the tier its base reaches",
            zh="支持金额不得超过基数所达档次的标准",
            offending="an approved award above the tier the base reaches",
            kinds=("review.decide", "approval.resolve"),
            table="projects",
            unit="fen")


# the amount after a decision and each award against every cap of the clause: contracts/rules/award_caps.py
# (the caps themselves: contracts/caps/)
WRITE_TIME = (award_caps.check,)


# no approved award above the cap (the caps: contracts/caps/frames.py)
FRAMES = award_caps.frames("CAP-TIER", "fen", "shaped_caps")

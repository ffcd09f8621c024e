"""CAP-HALVE (fatal): outside the key industries an award is at most half the standard.

Write time: WRITE_TIME, called by the kinds' checks (contracts/rules/by_kind.py).
Nightly: nightly.sql (Great Expectations), FRAMES (pandera), plant.sql (the state tests/test_nightly.py plants).
Tests: tests/test_rules.py, a posting it accepts and one it refuses (beside the rules that share their set-up).
"""

from __future__ import annotations

from contracts.rules import award_caps
from contracts.rules.base import FATAL, Rule

RULE = Rule("CAP-HALVE",
            FATAL,
            "outside the key industries an award is at most half the standard",
            zh="非重点产业项目的支持金额不超过标准的一半（减半支持）",
            offending="an approved award, outside the key industries of a policy that halves there, above half the clause's standard (its lowest absolute, tier, ratio or per-unit cap)",
            kinds=("review.decide", "approval.resolve"),
            table="projects",
            unit="fen")


# the amount after a decision and each award against every cap of the clause: contracts/rules/award_caps.py
# (the caps themselves: contracts/caps/)
WRITE_TIME = (award_caps.check,)


FRAMES = award_caps.frames("CAP-HALVE", "halve_cap")

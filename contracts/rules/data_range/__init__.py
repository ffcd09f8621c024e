"""DATA-RANGE (fatal): a projection row out of its range: a negative amount, an unknown status, outcome or payment kind.

Nightly only: write time refuses such input at the edge (INPUT-BODY).
Nightly: nightly.sql (Great Expectations), columns() (pandera's column checks), plant.sql.
Tests: tests/test_nightly.py (the planted state, both engines).
"""

from __future__ import annotations

from typing import Any

from contracts.fields import OUTCOMES
from contracts.rules.base import FATAL, Rule

RULE = Rule("DATA-RANGE",
            FATAL,
            "a projection row out of its range: a negative amount, an unknown status, outcome or payment kind",
            zh="投影数据超出取值范围：金额为负，或状态、评审结论、拨付类型不可识别",
            offending="a negative amount, or an unknown project status, decision outcome or payment kind, in a projection row",
            table="projects")


# pandera's column checks, per frame: an offending row is named once, by the columns of RANGE_SUBJECT
STATUSES = ("applied", "approving", "approved", "rejected", "withdrawn", "objection")


def columns() -> dict[str, dict[str, Any]]:
    """The column types and ranges of each frame (built on first use: pandera loads then)."""
    import pandera.pandas as pa

    money = pa.Column("Int64", pa.Check.ge(0, error="an amount is never negative"))
    return {
        "awards": {"project": pa.Column(str), "requested_fen": money, "amount_fen": money, "approved_fen": money,
                   "disbursed_fen": money, "returned_fen": money, "year": pa.Column("Int64"),
                   "status": pa.Column(str, pa.Check.isin(STATUSES))},
        "stages": {"seq": pa.Column("Int64"), "amount_before_fen": money, "amount_after_fen": money,
                   "outcome": pa.Column(str, pa.Check.isin(OUTCOMES))},
        "payments": {"seq": pa.Column("Int64"), "amount_fen": pa.Column("Int64", pa.Check.gt(0)),
                     "kind": pa.Column(str, pa.Check.isin(("pay", "return")))},
        "budgets": {"budget_fen": money, "fees_fen": money, "other_fen": money, "transfer_in_fen": money,
                    "transfer_out_fen": money, "adjust_fen": pa.Column("Int64")},
    }


RANGE_SUBJECT = {"awards": ("project",), "stages": ("seq", "project"), "payments": ("seq", "project"),
                 "budgets": ("fund", "year")}

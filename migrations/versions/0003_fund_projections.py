"""Projections of the fund lifecycle for the write-time contracts: funds, policies, enterprises,
projects, decisions, notices, reversals. Derived from entries, written in each posting's
transaction, read by the rules through primary keys and indexes only.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "funds",
        sa.Column("fund", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("office", sa.String(200), nullable=False),
        sa.Column("policies", sa.String(2000), nullable=False),
        sa.Column("budget_fen", MONEY, nullable=False),
        sa.Column("adjust_fen", MONEY, nullable=False),
        sa.Column("transfer_in_fen", MONEY, nullable=False),
        sa.Column("transfer_out_fen", MONEY, nullable=False),
        sa.Column("approved_fen", MONEY, nullable=False),
        sa.Column("fees_fen", MONEY, nullable=False),
        sa.Column("other_fen", MONEY, nullable=False),
        sa.Column("opened_seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "policies",
        sa.Column("policy", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("effective_from", sa.String(10), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "enterprises",
        sa.Column("code", sa.String(18), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "projects",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("enterprise", sa.String(18), nullable=False),
        sa.Column("fund", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("clause", sa.String(64), nullable=False),
        sa.Column("content", sa.String(200), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("tags", sa.String(2000), nullable=False),
        sa.Column("bases", sa.String(4000), nullable=False),
        sa.Column("requested_fen", MONEY, nullable=False),
        sa.Column("amount_fen", MONEY, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stages", sa.String(2000), nullable=False),
        sa.Column("approvals", sa.Integer(), nullable=False),
        sa.Column("approved_fen", MONEY, nullable=False),
        sa.Column("notice", sa.String(200), nullable=True),
        sa.Column("disbursed_fen", MONEY, nullable=False),
        sa.Column("returned_fen", MONEY, nullable=False),
        sa.Column("apply_seq", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_projects_enterprise_year", "projects", ["enterprise", "year"])
    op.create_index("ix_projects_fund_year", "projects", ["fund", "year"])
    op.create_table(
        "decisions",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("amount_before_fen", MONEY, nullable=False),
        sa.Column("amount_after_fen", MONEY, nullable=False),
    )
    op.create_index("ix_decisions_project", "decisions", ["project"])
    op.create_table(
        "notices",
        sa.Column("notice", sa.String(200), primary_key=True),
        sa.Column("fund", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(10), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.String(10), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_seq", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "reversals",
        sa.Column("target_seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reversals")
    op.drop_table("notices")
    op.drop_index("ix_decisions_project", "decisions")
    op.drop_table("decisions")
    op.drop_index("ix_projects_fund_year", "projects")
    op.drop_index("ix_projects_enterprise_year", "projects")
    op.drop_table("projects")
    op.drop_table("enterprises")
    op.drop_table("policies")
    op.drop_table("funds")

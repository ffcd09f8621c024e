"""Figures the seed reports state (report.state), for reconciliation; entry references by fund
and project, for the audit trail of a figure.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reported",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("figure", sa.String(300), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("tolerance", sa.BigInteger(), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
    )
    op.create_index("ix_reported_figure", "reported", ["figure"])
    op.create_table(  # one row per (entry, project) it touches: an approval names many projects
        "entry_refs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("fund", sa.String(64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("project", sa.String(200), nullable=True),
    )
    op.create_index("ix_entry_refs_seq", "entry_refs", ["seq"])
    op.create_index("ix_entry_refs_fund_year", "entry_refs", ["fund", "year"])
    op.create_index("ix_entry_refs_project", "entry_refs", ["project"])


def downgrade() -> None:
    op.drop_index("ix_entry_refs_project", "entry_refs")
    op.drop_index("ix_entry_refs_seq", "entry_refs")
    op.drop_index("ix_entry_refs_fund_year", "entry_refs")
    op.drop_table("entry_refs")
    op.drop_index("ix_reported_figure", "reported")
    op.drop_table("reported")

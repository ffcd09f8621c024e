"""``entry_refs`` keyed by what the entries say, (seq, idx), instead of a serial id the database
assigns: a projection must be a pure function of the entries, and a PostgreSQL sequence skips the
values of every rolled-back posting, so the ids of a database and of its replay would differ.
``idx`` is the reference's place among the entry's references (its order of insertion).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column]:
    return [sa.Column("fund", sa.String(64), nullable=True), sa.Column("year", sa.Integer(), nullable=True),
            sa.Column("project", sa.String(200), nullable=True)]


def _replace(new: str) -> None:
    op.drop_index("ix_entry_refs_project", "entry_refs")
    op.drop_index("ix_entry_refs_fund_year", "entry_refs")
    op.drop_table("entry_refs")
    op.rename_table(new, "entry_refs")
    if op.get_bind().dialect.name == "postgresql":  # the primary key's index keeps the name it was made with
        op.execute(f"ALTER INDEX {new}_pkey RENAME TO entry_refs_pkey")
    op.create_index("ix_entry_refs_fund_year", "entry_refs", ["fund", "year"])
    op.create_index("ix_entry_refs_project", "entry_refs", ["project"])


def upgrade() -> None:
    op.create_table(
        "entry_refs_keyed",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        *_columns(),
    )
    op.execute("INSERT INTO entry_refs_keyed (seq, idx, fund, year, project) "
               "SELECT seq, ROW_NUMBER() OVER (PARTITION BY seq ORDER BY id) - 1, fund, year, project FROM entry_refs")
    op.drop_index("ix_entry_refs_seq", "entry_refs")
    _replace("entry_refs_keyed")


def downgrade() -> None:
    op.create_table(
        "entry_refs_serial",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        *_columns(),
    )
    op.execute("INSERT INTO entry_refs_serial (seq, fund, year, project) "
               "SELECT seq, fund, year, project FROM entry_refs ORDER BY seq, idx")
    _replace("entry_refs_serial")
    op.create_index("ix_entry_refs_seq", "entry_refs", ["seq"])

"""The working-day calendars published in the ledger (``calendar.publish``): each year's versions
(``calendars``) and the days each names (``calendar_days``: holidays and adjusted workdays). A
public notice's working days are counted with the calendar the ledger holds, not with whatever
release of ``chinese-calendar`` is installed. No entry publishes one before this revision, so there
is nothing to backfill.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
    )
    op.create_table(
        "calendar_days",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("working", sa.SmallInteger(), nullable=False),  # 1: an adjusted workday; 0: a holiday
        sa.Column("weekday", sa.SmallInteger(), nullable=False),  # 0 Monday … 6 Sunday
    )


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.drop_table("calendars")

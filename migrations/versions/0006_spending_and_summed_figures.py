"""What the nightly reconciliation of every reported figure needs: each fee and other expense as a
row (the ``fee/<payee>`` and ``expense/<item>`` figures), and the funds a reported figure names as
rows (one, or each fund of a sum ``a+b+…``).

Written by the write-time effects from now on; backfilled here from the entries, so a ledger
migrated from 0005 carries the same rows as one built at 0006.

Revision ID: 0006
Revises: 0005
"""

import orjson
import sqlalchemy as sa
from alembic import op

from contracts.figures import reported_funds, spending_row

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(  # a reversed fee or expense keeps its row; the figures skip it through reversals
        "spending",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("fund", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # fee | expense
        sa.Column("name", sa.Text(), nullable=False),  # the fee's payee, the expense's item
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_spending_fund_year", "spending", ["fund", "year"])
    op.create_table(
        "reported_funds",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("fund", sa.String(64), nullable=False),
    )

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT seq, kind, data FROM entries WHERE kind IN ('fee.pay', 'expense.other') ORDER BY seq"))
    spent = [spending_row(seq, kind, orjson.loads(data)["body"]) for seq, kind, data in rows]
    if spent:
        conn.execute(sa.text("INSERT INTO spending (seq, fund, year, kind, name, amount_fen) "
                             "VALUES (:seq, :fund, :year, :kind, :name, :amount_fen)"), spent)
    named = [row for seq, figure in conn.execute(sa.text("SELECT seq, figure FROM reported"))
             for row in reported_funds(seq, figure)]
    if named:
        conn.execute(sa.text("INSERT INTO reported_funds (seq, idx, fund) VALUES (:seq, :idx, :fund)"), named)


def downgrade() -> None:
    op.drop_table("reported_funds")
    op.drop_index("ix_spending_fund_year", "spending")
    op.drop_table("spending")

"""Stored Merkle subtree hashes (levels 8 and up), backfilled from existing entries.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "merkle_nodes",
        sa.Column("level", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    # Backfill for ledgers created before this revision, in blocks of 256 leaves.
    conn = op.get_bind()
    size = conn.execute(sa.text("SELECT count(*) FROM entries")).scalar_one()
    if size >= 256:
        import orjson

        from ledger.kinds import genesis_suite
        from ledger.tree import extend_nodes

        genesis = conn.execute(sa.text("SELECT data FROM entries WHERE seq = 0")).scalar_one()
        extend_nodes(conn, 0, size, genesis_suite(orjson.loads(genesis)["body"]))

def downgrade() -> None:
    op.drop_table("merkle_nodes")


"""The ledger core: entries (append-only, enforced by triggers), the keys projection, settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
       BEGIN SELECT RAISE(ABORT, 'fundledger: entries are append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
       BEGIN SELECT RAISE(ABORT, 'fundledger: entries are append-only (DELETE refused)'); END""",
]

_PG_TRIGGERS = [
    """CREATE FUNCTION fundledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'fundledger: entries are append-only (% refused)', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER entries_no_update_delete BEFORE UPDATE OR DELETE ON entries
       FOR EACH ROW EXECUTE FUNCTION fundledger_append_only()""",
    """CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
       FOR EACH STATEMENT EXECUTE FUNCTION fundledger_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("seq", SeqType, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("prev", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("idem", sa.String(200), nullable=False, unique=True),
        sa.Column("posting", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_entries_kind", "entries", ["kind"])
    op.create_table(
        "keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("public", sa.LargeBinary(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("enrolled_seq", sa.BigInteger(), nullable=False),
        sa.Column("revoked_seq", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(4000), nullable=False),
    )
    triggers = _PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for ddl in triggers:
        op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER entries_no_truncate ON entries")
        op.execute("DROP TRIGGER entries_no_update_delete ON entries")
        op.execute("DROP FUNCTION fundledger_append_only()")
    else:
        op.execute("DROP TRIGGER entries_no_delete")
        op.execute("DROP TRIGGER entries_no_update")
    op.drop_table("settings")
    op.drop_table("keys")
    op.drop_index("ix_entries_kind", "entries")
    op.drop_table("entries")

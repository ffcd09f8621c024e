"""What the nightly rules need inside the database: payments with their dates, decisions with
their dates and panels, each approving body's resolution on each project, the name each
application gave, the rows of each performance table, a policy's terms as rows, and reported
figures split into their parts.

Written by the write-time effects from now on; backfilled here from the entries (the source of
truth), so a ledger migrated from 0004 carries the same rows as one built at 0005.

Revision ID: 0005
Revises: 0004
"""

import orjson
import sqlalchemy as sa
from alembic import op

from contracts.performance import indicator_rows
from contracts.terms import policy_terms

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger()


def _bodies(conn: sa.Connection, kinds: tuple[str, ...]):
    rows = conn.execute(sa.text("SELECT seq, kind, data FROM entries WHERE kind IN :k ORDER BY seq")
                        .bindparams(sa.bindparam("k", expanding=True)), {"k": list(kinds)})
    for seq, kind, data in rows:
        yield seq, kind, orjson.loads(data)["body"]


def _split(figure: str) -> dict:
    parts = figure.split("/")
    if len(parts) < 3 or not parts[1].isdigit():
        return {"fund": None, "year": None, "metric": None, "qualifier": None}
    return {"fund": parts[0], "year": int(parts[1]), "metric": parts[2], "qualifier": "/".join(parts[3:]) or None}


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),  # pay | return
        sa.Column("amount_fen", MONEY, nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
    )
    op.create_index("ix_payments_project", "payments", ["project"])
    op.create_table(
        "policy_terms",
        sa.Column("policy", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("term", sa.String(16), primary_key=True),
        sa.Column("subject", sa.String(200), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "resolutions",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("body", sa.String(200), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("amount_fen", MONEY, nullable=False),
    )
    op.create_table(
        "indicators",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("fund", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(32), nullable=False),
        sa.Column("target_value", sa.BigInteger(), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("score_rule", sa.String(32), nullable=False),
        sa.Column("stated_e4", sa.BigInteger(), nullable=True),
        sa.Column("total_stated_e4", sa.BigInteger(), nullable=True),
    )
    with op.batch_alter_table("projects") as t:
        t.add_column(sa.Column("enterprise_name", sa.String(200), nullable=True))
    with op.batch_alter_table("decisions") as t:
        t.add_column(sa.Column("date", sa.String(10), nullable=True))
        t.add_column(sa.Column("panel_size", sa.Integer(), nullable=True))
    with op.batch_alter_table("reported") as t:
        t.add_column(sa.Column("fund", sa.String(300), nullable=True))
        t.add_column(sa.Column("year", sa.Integer(), nullable=True))
        t.add_column(sa.Column("metric", sa.String(64), nullable=True))
        t.add_column(sa.Column("qualifier", sa.String(300), nullable=True))

    conn = op.get_bind()
    payments = [{"seq": seq, "project": b["project"], "kind": "pay" if kind == "disbursement.pay" else "return",
                 "amount_fen": b["amount_fen"], "date": b["date"]}
                for seq, kind, b in _bodies(conn, ("disbursement.pay", "disbursement.return"))]
    if payments:
        conn.execute(sa.text("INSERT INTO payments (seq, project, kind, amount_fen, date) "
                             "VALUES (:seq, :project, :kind, :amount_fen, :date)"), payments)
    decided = [{"seq": seq, "date": b["date"], "panel_size": b.get("panel_size")}
               for seq, _, b in _bodies(conn, ("review.decide",))]
    if decided:
        conn.execute(sa.text("UPDATE decisions SET date = :date, panel_size = :panel_size WHERE seq = :seq"), decided)
    applied = [{"project": b["project"], "name": b["enterprise_name"]} for _, _, b in _bodies(conn, ("project.apply",))]
    if applied:
        conn.execute(sa.text("UPDATE projects SET enterprise_name = :name WHERE project = :project"), applied)
    resolved = [{"seq": seq, "project": a["project"], "body": b["body"], "date": b["date"], "amount_fen": a["amount_fen"]}
                for seq, _, b in _bodies(conn, ("approval.resolve",)) for a in b["awards"]]
    if resolved:
        conn.execute(sa.text("INSERT INTO resolutions (seq, project, body, date, amount_fen) "
                             "VALUES (:seq, :project, :body, :date, :amount_fen)"), resolved)
    scored = [row for seq, _, b in _bodies(conn, ("performance.indicators",)) for row in indicator_rows(seq, b)]
    if scored:
        conn.execute(sa.text("INSERT INTO indicators (seq, idx, fund, year, measure, target_value, weight, score_rule, "
                             "stated_e4, total_stated_e4) VALUES (:seq, :idx, :fund, :year, :measure, :target_value, "
                             ":weight, :score_rule, :stated_e4, :total_stated_e4)"), scored)
    terms = [row for policy, version, document in conn.execute(sa.text("SELECT policy, version, document FROM policies"))
             for row in policy_terms(policy, version, orjson.loads(document))]
    if terms:
        conn.execute(sa.text("INSERT INTO policy_terms (policy, version, term, subject, value) "
                             "VALUES (:policy, :version, :term, :subject, :value)"), terms)
    figures = [{"seq": seq, **_split(figure)} for seq, figure in conn.execute(sa.text("SELECT seq, figure FROM reported"))]
    if figures:
        conn.execute(sa.text("UPDATE reported SET fund = :fund, year = :year, metric = :metric, qualifier = :qualifier "
                             "WHERE seq = :seq"), figures)


def downgrade() -> None:
    with op.batch_alter_table("reported") as t:
        for column in ("qualifier", "metric", "year", "fund"):
            t.drop_column(column)
    with op.batch_alter_table("decisions") as t:
        t.drop_column("panel_size")
        t.drop_column("date")
    with op.batch_alter_table("projects") as t:
        t.drop_column("enterprise_name")
    op.drop_table("resolutions")
    op.drop_table("indicators")
    op.drop_table("policy_terms")
    op.drop_index("ix_payments_project", "payments")
    op.drop_table("payments")

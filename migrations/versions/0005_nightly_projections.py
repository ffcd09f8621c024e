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

from contracts.figures import parse_figure
from contracts.performance import indicator_rows
from contracts.terms import policy_caps, policy_terms

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger()

# Every per-project cap a clause's shapes give, computed from the project's bases: one row per
# (project, cap), ``fen`` NULL where the base is missing (CAP-BASE). The nightly cap rules read it.
PROJECT_CAPS = """
CREATE VIEW project_caps AS
WITH pv AS (
    SELECT p.project, p.policy, p.clause,
           (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
           AS version
    FROM projects p
), shaped AS (
    SELECT pv.project, c.policy, c.version, c.clause, c.idx, c.shape, c.max_fen, c.min_base_fen, c.rate_num, c.rate_den,
           c.unit_fen, c.award_fen, b.value AS base
    FROM pv
    JOIN policy_caps c ON c.policy = pv.policy AND c.version = pv.version AND c.clause = pv.clause
    LEFT JOIN project_bases b ON b.project = pv.project AND b.base = c.base
), computed AS (
    SELECT project, shape, max_fen,
           CASE WHEN base IS NULL THEN NULL
                WHEN shape IN ('ratio', 'revenue_share') AND base < COALESCE(min_base_fen, 0) THEN 0
                WHEN shape IN ('ratio', 'revenue_share') THEN base * rate_num / rate_den
                WHEN shape = 'per_unit' THEN (base / unit_fen) * award_fen
                ELSE COALESCE((SELECT CASE WHEN t.rate_den IS NULL THEN t.award_fen ELSE shaped.base * t.rate_num / t.rate_den END
                               FROM policy_tiers t
                               WHERE t.policy = shaped.policy AND t.version = shaped.version AND t.clause = shaped.clause
                                 AND t.idx = shaped.idx AND t.min_value <= shaped.base
                               ORDER BY t.min_value DESC, t.tier LIMIT 1), 0)
           END AS fen
    FROM shaped
)
SELECT project,
       CASE shape WHEN 'ratio' THEN 'CAP-RATIO' WHEN 'revenue_share' THEN 'CAP-REVENUE-SHARE'
                  WHEN 'per_unit' THEN 'CAP-PER-UNIT' ELSE 'CAP-TIER' END AS rule,
       CASE WHEN fen IS NOT NULL AND max_fen IS NOT NULL AND max_fen < fen THEN max_fen ELSE fen END AS fen
FROM computed
UNION ALL
SELECT pv.project, CASE t.term WHEN 'cap_absolute' THEN 'CAP-ABSOLUTE' ELSE 'CAP-PROJECT' END, t.value
FROM pv
JOIN policy_terms t ON t.policy = pv.policy AND t.version = pv.version
                   AND ((t.term = 'cap_absolute' AND t.subject = pv.clause) OR (t.term = 'project_cap' AND t.subject = ''))
"""


def _bodies(conn: sa.Connection, kinds: tuple[str, ...]):
    rows = conn.execute(sa.text("SELECT seq, kind, data FROM entries WHERE kind IN :k ORDER BY seq")
                        .bindparams(sa.bindparam("k", expanding=True)), {"k": list(kinds)})
    for seq, kind, data in rows:
        yield seq, kind, orjson.loads(data)["body"]


def _split(figure: str) -> dict:
    """The parts the effect of report.state writes (``contracts.figures.parse_figure``)."""
    try:
        fund, year, metric, qualifier = parse_figure(figure)
    except ValueError:  # REPORT-FIGURE refused such a figure at write time; none is stored
        return {"fund": None, "year": None, "metric": None, "qualifier": None}
    return {"fund": fund, "year": year, "metric": metric, "qualifier": "/".join(qualifier) or None}


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
    op.create_table(
        "project_bases",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("base", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "project_tags",
        sa.Column("project", sa.String(200), primary_key=True),
        sa.Column("tag", sa.String(64), primary_key=True),
    )
    op.create_table(
        "policy_caps",
        sa.Column("policy", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("clause", sa.String(64), primary_key=True),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("shape", sa.String(16), nullable=False),
        sa.Column("base", sa.String(64), nullable=False),
        sa.Column("rate_num", sa.BigInteger(), nullable=True),
        sa.Column("rate_den", sa.BigInteger(), nullable=True),
        sa.Column("max_fen", MONEY, nullable=True),
        sa.Column("min_base_fen", MONEY, nullable=True),
        sa.Column("unit_fen", MONEY, nullable=True),
        sa.Column("award_fen", MONEY, nullable=True),
    )
    op.create_table(
        "policy_tiers",
        sa.Column("policy", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("clause", sa.String(64), primary_key=True),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("tier", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("min_value", sa.BigInteger(), nullable=False),
        sa.Column("award_fen", MONEY, nullable=True),
        sa.Column("rate_num", sa.BigInteger(), nullable=True),
        sa.Column("rate_den", sa.BigInteger(), nullable=True),
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
    documents = [(policy, version, orjson.loads(document))
                 for policy, version, document in conn.execute(sa.text("SELECT policy, version, document FROM policies"))]
    terms = [row for policy, version, doc in documents for row in policy_terms(policy, version, doc)]
    shapes = [policy_caps(policy, version, doc) for policy, version, doc in documents]
    caps, tiers = [c for cs, _ in shapes for c in cs], [t for _, ts in shapes for t in ts]
    if caps:
        conn.execute(sa.text("INSERT INTO policy_caps (policy, version, clause, idx, shape, base, rate_num, rate_den, "
                             "max_fen, min_base_fen, unit_fen, award_fen) VALUES (:policy, :version, :clause, :idx, :shape, "
                             ":base, :rate_num, :rate_den, :max_fen, :min_base_fen, :unit_fen, :award_fen)"), caps)
    if tiers:
        conn.execute(sa.text("INSERT INTO policy_tiers (policy, version, clause, idx, tier, min_value, award_fen, rate_num, "
                             "rate_den) VALUES (:policy, :version, :clause, :idx, :tier, :min_value, :award_fen, :rate_num, "
                             ":rate_den)"), tiers)
    bases, tags = [], []
    for project, bases_json, tags_json in conn.execute(sa.text("SELECT project, bases, tags FROM projects")):
        bases += [{"project": project, "base": k, "value": v} for k, v in orjson.loads(bases_json).items()]
        tags += [{"project": project, "tag": t} for t in dict.fromkeys(orjson.loads(tags_json))]
    if bases:
        conn.execute(sa.text("INSERT INTO project_bases (project, base, value) VALUES (:project, :base, :value)"), bases)
    if tags:
        conn.execute(sa.text("INSERT INTO project_tags (project, tag) VALUES (:project, :tag)"), tags)
    op.execute(PROJECT_CAPS)
    if terms:
        conn.execute(sa.text("INSERT INTO policy_terms (policy, version, term, subject, value) "
                             "VALUES (:policy, :version, :term, :subject, :value)"), terms)
    figures = [{"seq": seq, **_split(figure)} for seq, figure in conn.execute(sa.text("SELECT seq, figure FROM reported"))]
    if figures:
        conn.execute(sa.text("UPDATE reported SET fund = :fund, year = :year, metric = :metric, qualifier = :qualifier "
                             "WHERE seq = :seq"), figures)


def downgrade() -> None:
    op.execute("DROP VIEW project_caps")
    for table in ("policy_tiers", "policy_caps", "project_tags", "project_bases"):
        op.drop_table(table)
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

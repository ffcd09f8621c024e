"""SQLAlchemy 2 models. The schema itself exists only through Alembic migrations (``migrations/``);
``tests/test_migrations.py`` checks that the migrated schema and these models agree.

* ``entries``: the append-only chain. ``data`` holds the canonical bytes (the truth); every other
  column is an index derived from them and checked against them by ``verify``. Triggers refuse
  UPDATE and DELETE (and TRUNCATE on PostgreSQL).
* ``keys``: a projection of ``key.enroll`` / ``key.revoke`` entries for fast checks at write time.
  Derived and rebuildable; ``verify`` recomputes the key set from history and compares.
* ``merkle_nodes``: hashes of complete aligned subtrees of 256 leaves and up (``ledger/tree.py``).
  Derived; ``verify`` recomputes and compares them.
* ``funds``, ``policies``, ``enterprises``, ``projects``, ``decisions``, ``notices``, ``reversals``:
  projections of the fund lifecycle for the write-time contracts (``contracts/state.py``). Derived.
* ``reported``: the figures ``report.state`` entries state, for reconciliation, and ``reported_funds``
  the funds each names; ``spending``: each fee and other expense, by payee or item; ``entry_refs``: the
  fund-year and project each money entry touches, for the trail behind a figure. Derived.
* ``settings``: local, mutable settings of this database (paths of the log and checks keys). Never
  key material, never part of the chain.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base", "Decision", "Enterprise", "Entry", "Fund", "KeyRow", "MerkleNode", "Notice", "Policy", "Project",
    "EntryRef", "Reported", "Reversal", "Setting",
]

# SQLite makes only an INTEGER PRIMARY KEY the rowid; BIGINT elsewhere.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    prev: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    idem: Mapped[str] = mapped_column(String(200), unique=True)
    posting: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class KeyRow(Base):
    __tablename__ = "keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    public: Mapped[bytes] = mapped_column(LargeBinary(32))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    enrolled_seq: Mapped[int] = mapped_column(BigInteger)
    revoked_seq: Mapped[int | None] = mapped_column(BigInteger)


class Setting(Base):
    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(4000))


class MerkleNode(Base):
    __tablename__ = "merkle_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Fund(Base):
    __tablename__ = "funds"

    fund: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    policies: Mapped[str] = mapped_column(String(2000))
    budget_fen: Mapped[int] = mapped_column(BigInteger)
    adjust_fen: Mapped[int] = mapped_column(BigInteger)
    transfer_in_fen: Mapped[int] = mapped_column(BigInteger)
    transfer_out_fen: Mapped[int] = mapped_column(BigInteger)
    approved_fen: Mapped[int] = mapped_column(BigInteger)
    fees_fen: Mapped[int] = mapped_column(BigInteger)
    other_fen: Mapped[int] = mapped_column(BigInteger)
    opened_seq: Mapped[int] = mapped_column(BigInteger)


class Policy(Base):
    __tablename__ = "policies"

    policy: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[bytes] = mapped_column(LargeBinary)


class Enterprise(Base):
    __tablename__ = "enterprises"

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    first_seq: Mapped[int] = mapped_column(BigInteger)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_enterprise_year", "enterprise", "year"),
        Index("ix_projects_fund_year", "fund", "year"),
    )

    project: Mapped[str] = mapped_column(String(200), primary_key=True)
    enterprise: Mapped[str] = mapped_column(String(18))
    fund: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    clause: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(String(64))
    tags: Mapped[str] = mapped_column(String(2000))
    bases: Mapped[str] = mapped_column(String(4000))
    requested_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    stages: Mapped[str] = mapped_column(String(2000))
    approvals: Mapped[int] = mapped_column(Integer)
    approved_fen: Mapped[int] = mapped_column(BigInteger)
    notice: Mapped[str | None] = mapped_column(String(200))
    disbursed_fen: Mapped[int] = mapped_column(BigInteger)
    returned_fen: Mapped[int] = mapped_column(BigInteger)
    apply_seq: Mapped[int] = mapped_column(BigInteger)
    enterprise_name: Mapped[str | None] = mapped_column(String(200))



class Decision(Base):
    __tablename__ = "decisions"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project: Mapped[str] = mapped_column(String(200), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    amount_before_fen: Mapped[int] = mapped_column(BigInteger)
    amount_after_fen: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[str | None] = mapped_column(String(10))
    panel_size: Mapped[int | None] = mapped_column(Integer)


class Payment(Base):
    __tablename__ = "payments"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[str] = mapped_column(String(10))


class Spending(Base):
    """A fee (by payee) or other expense (by item): the ``fee/<payee>`` and ``expense/<item>`` figures."""

    __tablename__ = "spending"
    __table_args__ = (Index("ix_spending_fund_year", "fund", "year"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    fund: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Resolution(Base):
    """An approving body's resolution on one project (an ``approval.resolve`` award)."""

    __tablename__ = "resolutions"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project: Mapped[str] = mapped_column(String(200), primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    date: Mapped[str] = mapped_column(String(10))
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class IndicatorRow(Base):
    """One indicator of a ``performance.indicators`` table (``contracts.performance.indicator_rows``)."""

    __tablename__ = "indicators"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fund: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(32))
    target_value: Mapped[int | None] = mapped_column(BigInteger)
    weight: Mapped[int] = mapped_column(Integer)
    score_rule: Mapped[str] = mapped_column(String(32))
    stated_e4: Mapped[int | None] = mapped_column(BigInteger)
    total_stated_e4: Mapped[int | None] = mapped_column(BigInteger)


class ProjectBase(Base):
    """A base an application gives for its caps (``project.apply.bases``)."""

    __tablename__ = "project_bases"

    project: Mapped[str] = mapped_column(String(200), primary_key=True)
    base: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ProjectTag(Base):
    __tablename__ = "project_tags"

    project: Mapped[str] = mapped_column(String(200), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class PolicyCap(Base):
    """A clause's cap computed from a base (``contracts.terms.policy_caps``)."""

    __tablename__ = "policy_caps"

    policy: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    clause: Mapped[str] = mapped_column(String(64), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shape: Mapped[str] = mapped_column(String(16))
    base: Mapped[str] = mapped_column(String(64))
    rate_num: Mapped[int | None] = mapped_column(BigInteger)
    rate_den: Mapped[int | None] = mapped_column(BigInteger)
    max_fen: Mapped[int | None] = mapped_column(BigInteger)
    min_base_fen: Mapped[int | None] = mapped_column(BigInteger)
    unit_fen: Mapped[int | None] = mapped_column(BigInteger)
    award_fen: Mapped[int | None] = mapped_column(BigInteger)


class PolicyTier(Base):
    __tablename__ = "policy_tiers"

    policy: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    clause: Mapped[str] = mapped_column(String(64), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tier: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    min_value: Mapped[int] = mapped_column(BigInteger)
    award_fen: Mapped[int | None] = mapped_column(BigInteger)
    rate_num: Mapped[int | None] = mapped_column(BigInteger)
    rate_den: Mapped[int | None] = mapped_column(BigInteger)


class PolicyTerm(Base):
    """A policy version's terms as rows (``contracts/terms.py``), for the nightly SQL rules."""

    __tablename__ = "policy_terms"

    policy: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    term: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int | None] = mapped_column(BigInteger)


class Notice(Base):
    __tablename__ = "notices"

    notice: Mapped[str] = mapped_column(String(200), primary_key=True)
    fund: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    start: Mapped[str] = mapped_column(String(10))
    working_days: Mapped[int] = mapped_column(Integer)
    end_date: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(16))
    open_seq: Mapped[int] = mapped_column(BigInteger)


class Reversal(Base):
    __tablename__ = "reversals"

    target_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)


class Reported(Base):
    __tablename__ = "reported"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    figure: Mapped[str] = mapped_column(String(300), index=True)
    value: Mapped[int] = mapped_column(BigInteger)
    tolerance: Mapped[int] = mapped_column(BigInteger)
    seed: Mapped[str] = mapped_column(String(64))
    fund: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    metric: Mapped[str | None] = mapped_column(String(64))
    qualifier: Mapped[str | None] = mapped_column(String(300))


class ReportedFund(Base):
    """A fund a reported figure names: one, or each fund of a sum ``a+b+…`` (idx: its place)."""

    __tablename__ = "reported_funds"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fund: Mapped[str] = mapped_column(String(64))


class EntryRef(Base):
    __tablename__ = "entry_refs"
    __table_args__ = (Index("ix_entry_refs_fund_year", "fund", "year"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    fund: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer)
    project: Mapped[str | None] = mapped_column(String(200), index=True)

"""The projections of the fund lifecycle: the tables the contracts' effects write and their rules
read, each a pure function of the entries (``ledger/replay.py`` re-derives them and compares).
Defined on the ledger's ``Base``, so that one set of models describes the schema the migrations
create (``tests/test_migrations.py`` checks they agree).

* ``funds``, ``policies``, ``enterprises``, ``projects``, ``decisions``, ``notices``, ``reversals``:
  what the write-time rules read through primary keys and indexes (``contracts/state.py``).
* ``payments``, ``resolutions``, ``indicators``, ``project_bases``, ``project_tags``, ``policy_caps``,
  ``policy_tiers``, ``policy_terms``: what the nightly rules need inside the database.
* ``reported`` (the figures ``report.state`` entries state) and ``reported_funds`` (the funds each
  names); ``spending``: each fee and other expense, by payee or item; ``entry_refs``: the fund-year
  and project each money entry touches, for the trail behind a figure.
* ``calendars`` and ``calendar_days``: the working-day calendars published in the ledger
  (``calendar.publish``): each year's versions, and each version's holidays and adjusted workdays.

No row holds anything the database assigns (no serial ids, no times of its own): the same entries
give the same rows on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.models import Base

__all__ = ["PROJECTIONS"]


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
        # each row is updated at every later stage: room on its page keeps those updates heap-only (migration 0010)
        {"postgresql_with": {"fillfactor": 50}},
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
    """A fund-year and project an entry touches (idx: its place among the entry's references)."""

    __tablename__ = "entry_refs"
    __table_args__ = (Index("ix_entry_refs_fund_year", "fund", "year"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fund: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column(Integer)
    project: Mapped[str | None] = mapped_column(String(200), index=True)


class Calendar(Base):
    """A year's working-day calendar as published (``calendar.publish``): one row a version."""

    __tablename__ = "calendars"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str] = mapped_column(Text)


class CalendarDay(Base):
    """A day a calendar version names: a holiday (``working`` 0) or an adjusted workday (1), with its
    weekday (0 Monday … 6 Sunday); every other day works Monday to Friday."""

    __tablename__ = "calendar_days"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    working: Mapped[int] = mapped_column(SmallInteger)
    weekday: Mapped[int] = mapped_column(SmallInteger)


# Every projection table, by name: what replay re-derives and compares, and digests.
PROJECTIONS: tuple[Table, ...] = tuple(sorted(
    (Fund.__table__, Policy.__table__, Enterprise.__table__, Project.__table__, Decision.__table__, Payment.__table__,
     Spending.__table__, Resolution.__table__, IndicatorRow.__table__, ProjectBase.__table__, ProjectTag.__table__,
     PolicyCap.__table__, PolicyTier.__table__, PolicyTerm.__table__, Notice.__table__, Reversal.__table__,
     Reported.__table__, ReportedFund.__table__, EntryRef.__table__, Calendar.__table__, CalendarDay.__table__),
    key=lambda t: t.name))

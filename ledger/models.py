"""SQLAlchemy 2 models. The schema itself exists only through Alembic migrations (``migrations/``);
``tests/test_migrations.py`` checks that the migrated schema and these models agree.

* ``entries``: the append-only chain. ``data`` holds the canonical bytes (the truth); every other
  column is an index derived from them and checked against them by ``verify``. Triggers refuse
  UPDATE and DELETE (and TRUNCATE on PostgreSQL).
* ``keys``: a projection of ``key.enroll`` / ``key.revoke`` entries for fast checks at write time.
  Derived and rebuildable; ``verify`` recomputes the key set from history and compares.
* ``merkle_nodes``: hashes of complete aligned subtrees of 256 leaves and up (``ledger/tree.py``).
  Derived; ``verify`` recomputes and compares them.
* the projections of the fund lifecycle (``funds``, ``projects``, ``decisions`` …) are the
  contracts' and are defined with them, on this ``Base``, in ``contracts/models.py``.
* ``settings``: local, mutable settings of this database (paths of the log and checks keys). Never
  key material, never part of the chain.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Entry", "KeyRow", "MerkleNode", "SeqType", "Setting"]

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

"""Alembic environment. fundledger calls Alembic with a live connection in
``config.attributes["connection"]``; the ``alembic`` command line uses ``FUNDLEDGER_DB`` instead."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

import contracts.models  # noqa: F401  (the projections' tables join the metadata)
from ledger.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = os.environ.get("FUNDLEDGER_DB", "sqlite:///fundledger.db")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()

"""Alembic migrations: the only way a fundledger schema comes to exist, in tests too."""

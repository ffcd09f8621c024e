"""The caps computed from bases leave the schema: the view ``project_caps`` (revision 0005) is
dropped. The nightly rules that read the caps now carry their formula in their own query
(``contracts/caps/caps.sql``, put in front of each as a common table expression by
``checks/sqlrules.py``), beside the write-time and pandera definitions in ``contracts/caps/``, so
that a formula changes with one edit per engine and no migration. No row changes.

Revision ID: 0009
Revises: 0008
"""

import importlib

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP VIEW project_caps")


def downgrade() -> None:
    op.execute(importlib.import_module("migrations.versions.0005_nightly_projections").PROJECT_CAPS)

"""Room on each page of ``projects`` for its rows' later versions (PostgreSQL only): fillfactor 50.

A project's row is written once at its application and then updated at every later stage: each
review, both approving bodies, the notice, each payment (about seven times in its year). Pages
filled to 100 % leave no room for the new version beside the old, so PostgreSQL put more than
90 % of those updates on another page and added an entry to each of the table's three indexes
for it. With half of each page left free, 96 % are heap-only (HOT): no index entries, and the old
versions are pruned within the page. On ``bench/contracts.py``'s district-year that cut the
projection writes from 1.22-1.34 s to 0.97-1.08 s and the contracts-on posting by about 12 %
(``bench/RESULTS.md`` §13). Pages already written keep their fill; new ones follow the setting.
SQLite has no such setting: nothing changes there.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE projects SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE projects RESET (fillfactor)")

"""articles.published_local: the publication date as the page gives it, with its offset

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 23:40:00.000000

published_at stays UTC; converting a local date moves it to another day for pages far from UTC, so
the page's own day is kept as ISO 8601 text (its UTC offset when the page states one).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: adding it rewrites nothing on PostgreSQL.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_local", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("published_local")

"""articles.image_url, evidence of content links, and where merged or split groups went

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 23:59:00.000000

The schema is a public contract (docs/schema.md): update it with every revision, never drop a column
consumers read without a deprecation, and keep each step safe on a live PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns without defaults: adding them rewrites nothing on PostgreSQL.
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_url", sa.String(length=2048), nullable=True))
    with op.batch_alter_table("translation_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=True))
    with op.batch_alter_table("translation_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("split_from_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("translation_groups", schema=None) as batch_op:
        batch_op.drop_column("split_from_id")
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("translation_links", schema=None) as batch_op:
        batch_op.drop_column("detail")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("image_url")

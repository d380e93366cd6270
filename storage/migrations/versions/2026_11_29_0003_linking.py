"""translation linking: link features, rejected links, candidate index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:00:00.000000

The schema is a public contract (docs/schema.md): update it with every revision, never drop a column
consumers read without a deprecation, and keep each step safe on a live PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_features",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url_id", sa.String(length=64), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_link_features_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_link_features_source_id_sources")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_link_features")),
    )
    with op.batch_alter_table("link_features", schema=None) as batch_op:
        batch_op.create_index("ix_link_features_source_id_url_id", ["source_id", "url_id"], unique=False)

    op.create_table(
        "rejected_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("other_article_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("article_id < other_article_id", name=op.f("ck_rejected_links_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_rejected_links_article_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["other_article_id"],
            ["articles.id"],
            name=op.f("fk_rejected_links_other_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_links")),
        sa.UniqueConstraint(
            "article_id",
            "other_article_id",
            "method",
            name=op.f("uq_rejected_links_article_id_other_article_id_method"),
        ),
    )
    with op.batch_alter_table("rejected_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rejected_links_other_article_id"), ["other_article_id"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_source_id_published_at", ["source_id", "published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_source_id_published_at")
    with op.batch_alter_table("rejected_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejected_links_other_article_id"))
    op.drop_table("rejected_links")
    with op.batch_alter_table("link_features", schema=None) as batch_op:
        batch_op.drop_index("ix_link_features_source_id_url_id")
    op.drop_table("link_features")

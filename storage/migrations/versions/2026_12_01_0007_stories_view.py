"""stories: one row per story (a translation group, or an article in none), for consumers; articles
indexed in the order the read API and export page through them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00.000000

A view, so it never goes stale and costs no writes; docs/schema.md documents its columns.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LANGS = ("ru", "en", "ar")


def _story_id(table: str) -> str:
    # 'g<group id>' for a translation group, 'a<article id>' for an article in no group: one text key,
    # the same SQL on SQLite and PostgreSQL.
    return (
        f"CASE WHEN {table}.group_id IS NULL THEN 'a' || CAST({table}.id AS TEXT) "
        f"ELSE 'g' || CAST({table}.group_id AS TEXT) END"
    )


def view_sql() -> str:
    firsts = ",\n".join(f"    MIN(CASE WHEN lang = '{lang}' THEN id END) AS {lang}_id" for lang in LANGS)
    columns = ",\n".join(
        f"  s.{lang}_id, {lang}.title AS {lang}_title, {lang}.canonical_url AS {lang}_url" for lang in LANGS
    )
    joins = "\n".join(f"LEFT JOIN articles {lang} ON {lang}.id = s.{lang}_id" for lang in LANGS)
    return f"""CREATE VIEW stories AS
WITH keyed AS (
  SELECT articles.*, {_story_id("articles")} AS story_id FROM articles
), s AS (
  SELECT story_id, MIN(group_id) AS group_id, MIN(source_id) AS source_id, COUNT(*) AS articles,
    MIN(published_at) AS published_at, MIN(first_fetched_at) AS first_fetched_at,
{firsts}
  FROM keyed GROUP BY story_id
)
SELECT s.story_id, s.group_id, s.source_id, s.articles, s.published_at, s.first_fetched_at,
{columns}
FROM s
{joins}"""


def upgrade() -> None:
    op.execute(view_sql())
    # The read API and export page through articles by (first_fetched_at, id).
    op.create_index("ix_articles_first_fetched_at_id", "articles", ["first_fetched_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_articles_first_fetched_at_id", table_name="articles")
    op.execute("DROP VIEW stories")

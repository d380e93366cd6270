"""The schema comes from the migrations, matches the models, and keeps times in UTC."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database, DatabaseError, alembic_config, upgrade
from storage.models import Article, SourceRow

DESIGN_TABLES = {
    "sources",
    "articles",
    "article_urls",
    "article_versions",
    "translation_groups",
    "translation_links",
    "crawl_jobs",
}


def test_upgrade_head_builds_every_table_of_the_contract(db):
    tables = set(inspect(db.engine).get_table_names())
    assert tables >= DESIGN_TABLES


def test_models_and_migrations_do_not_drift(db):
    # Raises when the models describe a schema the revisions do not build.
    command.check(alembic_config(db.url))


def test_constraints_have_stable_names(db):
    inspector = inspect(db.engine)
    uniques = {c["name"] for c in inspector.get_unique_constraints("articles")}
    uniques |= {i["name"] for i in inspector.get_indexes("articles") if i.get("unique")}
    assert "uq_articles_canonical_url" in uniques
    assert inspector.get_pk_constraint("articles")["name"] in {"pk_articles", None}  # SQLite does not name PKs
    fks = {fk["name"] for fk in inspector.get_foreign_keys("articles")}
    assert "fk_articles_source_id_sources" in fks


def _article(source_id: int, url: str, content_hash: str, published: datetime) -> Article:
    return Article(
        source_id=source_id,
        canonical_url=url,
        lang="ru",
        lang_confidence=0.99,
        body="Текст",
        content_hash=content_hash,
        published_at=published,
    )


def test_times_round_trip_as_utc(db):
    moscow = timezone(timedelta(hours=3))
    with db.session() as session:
        source = SourceRow(key="s", name="S")
        session.add(source)
        session.flush()
        session.add(_article(source.id, "https://example.org/a", "h1", datetime(2026, 3, 12, 14, 30, tzinfo=moscow)))
    with db.session() as session:
        stored = session.scalars(select(Article)).one().published_at
    assert stored == datetime(2026, 3, 12, 11, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        source = SourceRow(key="s", name="S")
        session.add(source)
        session.flush()
        session.add(_article(source.id, "https://example.org/a", "h1", datetime(2026, 3, 12, 14, 30)))
        session.flush()


def test_an_article_url_is_stored_once(db):
    with pytest.raises(IntegrityError), db.session() as session:
        source = SourceRow(key="s", name="S")
        session.add(source)
        session.flush()
        now = datetime.now(UTC)
        session.add(_article(source.id, "https://example.org/a", "h1", now))
        session.add(_article(source.id, "https://example.org/a", "h2", now))
        session.flush()


def test_a_database_without_the_schema_is_refused_with_the_command_that_fixes_it(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DatabaseError, match=r"has no newsagg schema: run `newsagg db upgrade`"):
        database.check_schema()
    database.close()


def test_a_database_behind_the_newest_revision_is_refused_until_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    database = Database(url)
    with pytest.raises(DatabaseError, match=r"is at revision 0001, this newsagg needs .*: run `newsagg db upgrade`"):
        database.check_schema()
    upgrade(url)
    database.check_schema()
    database.close()

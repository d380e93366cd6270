"""Get-or-insert under a concurrent insert, on PostgreSQL: two crawl processes add the same row at once.

The race is made to happen every time: the first writer inserts and keeps its transaction open; the
second runs the same storage function, whose read cannot see that row yet, so its insert has to wait on
the first writer's unique key (seen in pg_stat_activity); then the first commits. The second must find
the row, never fail with an IntegrityError.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from settings.sources import Source, load_sources
from storage import fetch_state, groups
from storage.articles import ensure_source, record_url, record_urls
from storage.db import Database, upgrade
from storage.models import Article, ArticleUrl, FetchState, PendingLink, RejectedLink, SourceRow

from ..conftest import fresh_postgres_database

pytestmark = pytest.mark.postgres

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
ROUNDS = 3


def _blocked_on_a_lock(url: str, application: str) -> None:
    """Wait (bounded) until the session named ``application`` waits for another transaction's lock."""
    engine = create_engine(url)
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND wait_event_type = 'Lock'")
    try:
        for _ in range(600):
            with engine.connect() as connection:
                if connection.scalar(query, {"name": application}):
                    return
            time.sleep(0.05)
        raise AssertionError(f"{application} never waited for the first writer")
    finally:
        engine.dispose()


def race(url: str, write: Callable[[Session], Any]) -> list[Any]:
    """Run ``write`` in two processes' worth of connections so that both insert the same row at once;
    return what each got (or the exception the second raised)."""
    application = f"racer-{uuid.uuid4().hex[:8]}"
    first, second = Database(url), Database(f"{url}?application_name={application}")
    inserted, results = threading.Event(), [None, None]

    def late_writer() -> None:
        inserted.wait(timeout=60)
        try:
            with second.session() as session:
                results[1] = write(session)
        except Exception as exc:  # the failure under test: reported, not lost in the thread
            results[1] = exc

    thread = threading.Thread(target=late_writer)
    thread.start()
    try:
        with first.session() as session:
            results[0] = write(session)
            session.flush()
            inserted.set()
            _blocked_on_a_lock(url, application)
    finally:
        inserted.set()
        thread.join(timeout=120)
        first.close()
        second.close()
    assert not thread.is_alive()
    assert not isinstance(results[1], Exception), f"the second writer failed: {results[1]!r}"
    return results


@pytest.fixture(scope="module")
def racing_postgres() -> Iterator[str]:
    """A PostgreSQL database of these tests' own: they commit, which the shared test databases never see."""
    with fresh_postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture
def store(racing_postgres: str) -> tuple[str, int]:
    """The racing database with one source and one article of it."""
    tag = uuid.uuid4().hex[:8]
    database = Database(racing_postgres)
    with database.session() as session:
        source = SourceRow(key=f"s-{tag}", name="S")
        session.add(source)
        session.flush()
        article_id = _add_article(session, source.id, "en", "text")
    database.close()
    return racing_postgres, article_id


def _add_article(session: Session, source_id: int, lang: str, body: str) -> int:
    tag = uuid.uuid4().hex[:8]
    article = Article(
        source_id=source_id,
        canonical_url=f"https://example.org/{lang}-{tag}",
        lang=lang,
        lang_confidence=1.0,
        body=body,
        content_hash=f"hash-{tag}",
    )
    session.add(article)
    session.flush()
    return article.id


def _count(url: str, query: Any) -> int:
    database = Database(url)
    try:
        with database.session() as session:
            return int(session.scalar(query) or 0)
    finally:
        database.close()


def test_two_processes_saving_one_sitemap_both_succeed(store):
    url, _ = store

    def one_round(listing: str, found: fetch_state.Validators) -> None:
        kept = race(url, lambda s: fetch_state.save_listing(s, listing, found, b"<urlset/>", fetched_at=WHEN))
        assert kept == [True, True]
        assert _count(url, select(func.count()).where(FetchState.url == listing)) == 1

    for round_ in range(ROUNDS):
        one_round(
            f"https://example.org/sitemap-{uuid.uuid4().hex[:8]}.xml", fetch_state.Validators(f'"v{round_}"', None)
        )


def test_two_processes_recording_one_page_fetch_both_succeed(store):
    url, _ = store

    def one_round(page: str) -> None:
        race(url, lambda s: fetch_state.record_page(s, page, fetched_at=WHEN, lastmod=WHEN).url)
        assert _count(url, select(func.count()).where(FetchState.url == page)) == 1

    for _ in range(ROUNDS):
        one_round(f"https://example.org/page-{uuid.uuid4().hex[:8]}")


def test_two_processes_adding_one_source_get_the_same_row(racing_postgres):
    tass = load_sources()["tass"]

    def one_round(source: Source) -> None:
        ids = race(racing_postgres, lambda s: ensure_source(s, source))
        assert ids[0] == ids[1]
        assert _count(racing_postgres, select(func.count()).where(SourceRow.key == source.key)) == 1

    for _ in range(ROUNDS):
        one_round(tass.model_copy(update={"key": f"tass-{uuid.uuid4().hex[:8]}"}))


def test_two_processes_recording_one_url_both_succeed(store):
    url, article_id = store

    def one_round(seen: str) -> None:
        many = [(f"{seen}?many={n}", "alias") for n in range(3)]

        def write(session: Session) -> int:
            article = session.get_one(Article, article_id)
            record_urls(session, article, many, source_id=article.source_id, seen_at=WHEN)
            return record_url(session, article, seen, "alias", seen_at=WHEN).article_id

        assert race(url, write) == [article_id, article_id]
        wanted = [seen, *(u for u, _ in many)]
        assert _count(url, select(func.count()).where(ArticleUrl.url.in_(wanted))) == 4

    for _ in range(ROUNDS):
        one_round(f"https://example.org/alias-{uuid.uuid4().hex[:8]}")


def test_two_processes_recording_one_pending_link_and_rejection_both_succeed(store):
    url, article_id = store
    database = Database(url)
    with database.session() as session:
        other_id = _add_article(session, session.get_one(Article, article_id).source_id, "ru", "текст")
    database.close()

    def one_round(target: str, method: str) -> None:
        def write(session: Session) -> None:
            groups.add_pending(session, session.get_one(Article, article_id), [(target, "ru", "hreflang")])
            groups.reject(session, article_id, other_id, method, 0.5, "conflict")

        race(url, write)
        assert _count(url, select(func.count()).where(PendingLink.target_url == target)) == 1
        assert _count(url, select(func.count()).where(RejectedLink.method == method)) == 1

    for round_ in range(ROUNDS):
        one_round(f"https://example.org/ru/{uuid.uuid4().hex[:8]}", f"method-{round_}")

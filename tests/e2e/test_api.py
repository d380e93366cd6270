"""The read API over HTTP against a database filled by a real demo crawl: filters, cursor pages in a
stable order, one article with its evidence, stories, sources, jobs, and an OpenAPI description whose
every operation a schema-driven fuzzer calls without getting a 5xx."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Article, SourceRow, TranslationLink
from storage.stories import story_key

from ..conftest import DemoDatabase
from .service import Service


@pytest.fixture(scope="module")
def service(demo_database: DemoDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    server = Service(demo_database.url, "--quiet", log=tmp_path_factory.mktemp("api") / "serve.log")
    yield server
    server.stop()


def _all_pages(service: Service, query: str) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        page = service.json(f"/api/articles?{query}" + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert pages < 1000, "the cursor must move on"


def test_cursor_pages_return_every_article_once_in_a_stable_order(service: Service):
    items = _all_pages(service, "limit=7")
    with session_scope(service.db) as session:
        stored = session.execute(select(Article.id, Article.first_fetched_at, Article.group_id)).all()
    assert sorted(a["id"] for a in items) == sorted(row.id for row in stored)
    order = sorted(stored, key=lambda row: (row.first_fetched_at, row.id), reverse=True)
    assert [a["id"] for a in items] == [row.id for row in order]
    assert {a["id"]: a["story_id"] for a in items} == {row.id: story_key(row.group_id, row.id) for row in stored}
    # The same walk with another page size gives the same sequence.
    assert [a["id"] for a in _all_pages(service, "limit=200")] == [a["id"] for a in items]


def test_filters_select_what_they_name(service: Service):
    everything = _all_pages(service, "limit=200")
    arabic = _all_pages(service, "lang=ar&limit=9")
    assert arabic and [a for a in everything if a["lang"] == "ar"] == arabic
    assert _all_pages(service, "source=nosuch") == []
    middle = sorted(a["stored_at"] for a in everything)[len(everything) // 2]
    newer = _all_pages(service, f"since={quote(middle)}&limit=50")
    older = _all_pages(service, f"until={quote(middle)}&limit=50")
    assert sorted(a["id"] for a in newer + older) == sorted(a["id"] for a in everything)
    assert all(a["stored_at"] >= middle for a in newer) and all(a["stored_at"] < middle for a in older)
    with session_scope(service.db) as session:
        word, expected = "Tomsk", set(session.scalars(select(Article.id).where(Article.title.contains("Tomsk"))))
        grouped = session.scalar(select(Article.group_id).where(Article.group_id.is_not(None)).limit(1))
        members = set(session.scalars(select(Article.id).where(Article.group_id == grouped)))
    found = {a["id"] for a in _all_pages(service, f"q={word}")}
    assert expected and expected <= found
    story = _all_pages(service, f"story=g{grouped}")
    assert {a["id"] for a in story} == members
    for item in story:
        assert set(item["translations"]) == {a["lang"] for a in story} - {item["lang"]}


def test_one_article_has_its_translations_sightings_and_link_evidence(service: Service):
    with session_scope(service.db) as session:
        link = session.scalars(select(TranslationLink).order_by(TranslationLink.id)).first()
    detail = service.json(f"/api/articles/{link.article_id}")
    assert link.other_article_id in {t["id"] for t in detail["translations"]}
    assert {"articles": [link.article_id, link.other_article_id], "method": link.method, "score": link.score} in (
        detail["links"]
    )
    assert detail["url"] in {u["url"] for u in detail["urls"]}


def test_a_story_holds_its_languages_side_by_side(service: Service):
    with session_scope(service.db) as session:
        group = (
            session.execute(
                select(Article.group_id)
                .where(Article.group_id.is_not(None))
                .group_by(Article.group_id)
                .having(func.count() == 3)
            )
            .scalars()
            .first()
        )
        members = {a.lang: a for a in session.scalars(select(Article).where(Article.group_id == group))}
    story = service.json(f"/api/stories/g{group}")
    assert set(story["langs"]) == {"ru", "en", "ar"}
    for lang, article in members.items():
        assert story["langs"][lang] == {"id": article.id, "title": article.title, "url": article.canonical_url}
    lone = service.json("/api/articles?limit=200")["items"]
    single = next(a for a in lone if a["story_id"].startswith("a"))
    assert list(service.json(f"/api/stories/{single['story_id']}")["langs"]) == [single["lang"]]
    assert service.get("/api/stories/g999999")[0] == 404


def test_sources_and_jobs(service: Service):
    with session_scope(service.db) as session:
        query = select(SourceRow.key, func.count(Article.id)).join(Article).group_by(SourceRow.key)
        counts = {key: count for key, count in session.execute(query)}
    sources = service.json("/api/sources")
    assert {s["source"]: s["articles"] for s in sources if s["articles"]} == counts
    jobs = service.json("/api/jobs")
    assert sorted(job["source"] for job in jobs) == ["demo", "wire"]
    assert [job["source"] for job in service.json("/api/jobs?source=wire&limit=5")] == ["wire"]


def test_the_openapi_description_names_every_route(service: Service):
    described = service.json("/openapi.json")
    assert described["openapi"].startswith("3.")
    assert set(described["paths"]) >= {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/stories/{story_id}",
        "/api/sources",
        "/api/jobs",
    }
    methods = {method for route in described["paths"].values() for method in route}
    assert methods == {"get"}, "no write endpoint"


def test_no_generated_request_gets_a_server_error(service: Service):
    """Requests generated from /openapi.json, valid and invalid alike, for every operation."""
    schema = schemathesis.openapi.from_url(f"{service.base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation, mode in itertools.product(operations, GenerationMode):
        if mode is GenerationMode.NEGATIVE and not (len(operation.query) + len(operation.path_parameters)):
            continue  # no parameter to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            response = case.call(base_url=service.base)
            assert response.status_code < 500, (case.formatted_path, case.query, response.text[:300])

        call()

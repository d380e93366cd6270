"""`newsagg serve` over a database filled by a real demo crawl: /metrics agrees with the database, the
dashboard and the API show jobs, counts and articles with their translations, and page text is escaped."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Article, CrawlJob, SourceRow, TranslationGroup, TranslationLink

from ..conftest import DemoDatabase
from .service import Service


@pytest.fixture(scope="module")
def service(demo_database: DemoDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    server = Service(demo_database.url, "--quiet", log=tmp_path_factory.mktemp("serve") / "serve.log")
    server.demo = {**demo_database.summary, "hostile_id": demo_database.hostile_id}
    yield server
    server.stop()


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_agree_with_the_database_after_a_demo_crawl(service: Service):
    status, headers, text = service.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=")
    samples = _samples(text)
    assert samples[("newsagg_database_up", frozenset())] == 1

    def metric(name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)

    with session_scope(service.db) as session:
        rows = list(session.scalars(select(CrawlJob)))
        articles = session.execute(
            select(SourceRow.key, Article.lang, func.count()).join(Article).group_by(SourceRow.key, Article.lang)
        ).all()
        links = session.execute(select(TranslationLink.method, func.count()).group_by(TranslationLink.method)).all()
        groups = session.scalar(select(func.count(TranslationGroup.id)))
    assert {job.source_key for job in rows} == {"demo", "wire"}
    for source in ("demo", "wire"):
        mine = [job for job in rows if job.source_key == source]
        assert metric("newsagg_pages_fetched_total", source=source) == sum(job.pages for job in mine) > 0
        assert metric("newsagg_items_stored_total", source=source) == sum(job.stored for job in mine)
        assert metric("newsagg_items_updated_total", source=source) == sum(job.updated for job in mine)
        assert metric("newsagg_duplicates_total", source=source) == sum(job.duplicates for job in mine)
        dropped = sum((Counter(job.dropped) for job in mine), Counter())
        errors = sum((Counter(job.errors) for job in mine), Counter())
        for reason, count in dropped.items():
            assert metric("newsagg_items_dropped_total", source=source, reason=reason) == count
        for kind, count in errors.items():
            assert metric("newsagg_errors_total", source=source, kind=kind) == count
        assert metric("newsagg_jobs", source=source, status="finished") == len(mine)
        assert metric("newsagg_job_duration_seconds_count", source=source) == len(mine)
        durations = sum((job.finished_at - job.started_at).total_seconds() for job in mine)
        assert metric("newsagg_job_duration_seconds_sum", source=source) == pytest.approx(durations)
        last = max(job.finished_at for job in mine)
        assert metric("newsagg_last_success_timestamp_seconds", source=source) == pytest.approx(last.timestamp())
    # The demo crawl's own summary, as printed by `newsagg demo --json`, agrees too.
    dropped_total = sum(value for (name, _), value in samples.items() if name == "newsagg_items_dropped_total")
    errors_total = sum(value for (name, _), value in samples.items() if name == "newsagg_errors_total")
    assert dropped_total == sum(service.demo["dropped"].values()) and errors_total == sum(
        service.demo["errors"].values()
    )
    for source, lang, count in articles:
        assert metric("newsagg_articles", source=source, lang=lang) == count
    by_lang: dict[str, float] = defaultdict(float)
    for (name, labels), value in samples.items():
        if name == "newsagg_articles":
            by_lang[dict(labels)["lang"]] += value
    assert by_lang == service.demo["by_lang"]
    for method, count in links:
        assert metric("newsagg_translation_links", method=method) == count
    assert metric("newsagg_translation_groups") == groups == service.demo["groups"]


def test_the_dashboard_shows_stories_charts_and_jobs_with_page_text_escaped(service: Service):
    status, headers, page = service.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    policy = headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert '<meta name="viewport"' in page
    for job in service.json("/api/jobs"):
        assert f"<td>{job['source']}</td>" in page or f"<td>{job['source']} " in page
    assert page.count('<svg class="chart"') == 3
    assert '<select name="lang">' in page and '<select name="source">' in page
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;window.pwned = &quot;script&quot;&lt;/script&gt;&lt;img src=x onerror=" in page
    assert service.db.split("///")[-1] not in page, "the database address stays off the pages"
    # Arabic titles run right to left in their own cells.
    assert '<td class="story" dir="rtl"><a href="/articles/' in page

    status, _, article = service.get(f"/articles/{service.demo['hostile_id']}")
    assert status == 200
    assert "<script" not in article and "<img" not in article
    detail = service.json(f"/api/articles/{service.demo['hostile_id']}")
    assert detail["translations"], "the planted article is in a translation group"
    for other in detail["translations"]:
        assert f'<a href="/articles/{other["id"]}"' in article


def test_the_service_is_read_only_and_answers_mistakes_plainly(service: Service):
    status, headers, _ = service.get("/", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = service.get("/", method="HEAD")
    assert status == 200 and body == "" and int(headers["content-length"]) > 0
    assert service.get("/nowhere")[0] == 404
    status, _, body = service.get("/api/articles?limit=0")
    assert status == 422 and json.loads(body) == {"error": "limit: Input should be greater than or equal to 1"}
    status, _, body = service.get("/api/articles/999999")
    assert status == 404 and json.loads(body) == {"error": "no article 999999"}
    assert service.get("/healthz")[::2] == (200, "ok\n")

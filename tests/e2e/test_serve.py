"""`newsagg serve` over a database filled by a real demo crawl: /metrics agrees with the database, the
dashboard and the API show jobs, counts and articles with their translations, and page text is escaped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Article, ArticleUrl, CrawlJob, SourceRow, TranslationGroup, TranslationLink

HOSTILE_TITLE = '<script>alert("title")</script> Breaking'
HOSTILE_BODY = "<img src=x onerror=alert(1)> & </div><b>bold</b>"
HOSTILE_URL = "javascript:alert(document.cookie)"


class Service:
    def __init__(self, db: str, base: str, demo: dict) -> None:
        self.db, self.base, self.demo = db, base, demo

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8")

    def json(self, path: str):
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder: Path = tmp_path_factory.mktemp("serve")
    db = f"sqlite:///{folder / 'serve.db'}"
    crawl = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "demo", "--db", db, "--json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    hostile_id = _plant_hostile_page_text(db)
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "serve", "--port", "0", "--quiet", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = server.stdout.readline()
    assert first.startswith("newsagg serve: http://127.0.0.1:"), first + server.stderr.read()
    base = first.split()[2].rstrip("/")
    demo = json.loads(crawl.stdout)
    demo["hostile_id"] = hostile_id
    yield Service(db, base, demo)
    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0
    server.stdout.close()
    server.stderr.close()


def _plant_hostile_page_text(db: str) -> int:
    """Give one linked article the kind of text a hostile site could serve (the pipeline stores page text)."""
    with session_scope(db) as session:
        article = session.scalars(
            # The newest linked article: the dashboard lists it among the recent ones.
            select(Article)
            .where(Article.group_id.is_not(None))
            .order_by(Article.first_fetched_at.desc(), Article.id.desc())
        ).first()
        article.title = HOSTILE_TITLE
        article.body = HOSTILE_BODY
        session.add(ArticleUrl(url=HOSTILE_URL, article_id=article.id, source_id=article.source_id, kind="alias"))
        return article.id


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_agree_with_the_database_after_a_demo_crawl(service: Service):
    status, headers, text = service.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=")
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


def test_the_dashboard_shows_jobs_counts_and_articles_with_page_text_escaped(service: Service):
    status, headers, page = service.get("/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert (
        "script-src" not in headers["Content-Security-Policy"]
        and "default-src 'none'" in headers["Content-Security-Policy"]
    )
    for job in service.json("/api/jobs"):
        assert f"<td>{job['source']}</td>" in page or f"<td>{job['source']} " in page
    assert "<h2>Sources</h2>" in page and "<h2>New articles per day and language</h2>" in page
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; Breaking" in page

    status, _, article = service.get(f"/articles/{service.demo['hostile_id']}")
    assert status == 200
    assert "<script" not in article and "<img" not in article and "<b>bold" not in article
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/div&gt;&lt;b&gt;bold&lt;/b&gt;" in article
    assert 'href="javascript:' not in article and "javascript:alert(document.cookie)" in article
    detail = service.json(f"/api/articles/{service.demo['hostile_id']}")
    assert detail["translations"], "the planted article is in a translation group"
    for other in detail["translations"]:
        assert f'<a href="/articles/{other["id"]}"' in article


def test_the_api_serves_jobs_stats_and_articles_with_their_translations(service: Service):
    jobs = service.json("/api/jobs")
    assert sorted(job["source"] for job in jobs) == ["demo", "wire"]
    assert all(job["status"] == "finished" and job["duration_seconds"] > 0 for job in jobs)
    assert [job["source"] for job in service.json("/api/jobs?source=wire&limit=5")] == ["wire"]
    stats = service.json("/api/stats")
    assert stats["articles"] == service.demo["articles"] and stats["by_lang"] == service.demo["by_lang"]
    assert sum(row["articles"] for row in stats["sources"]) == stats["articles"]
    assert sum(sum(day.values()) for day in stats["per_day"].values()) == stats["articles"]
    arabic = service.json("/api/articles?lang=ar&limit=7")
    assert len(arabic) == 7 and {a["lang"] for a in arabic} == {"ar"}
    with session_scope(service.db) as session:
        for item in arabic:
            group = item["group_id"]
            expected = (
                set(session.scalars(select(Article.id).where(Article.group_id == group, Article.id != item["id"])))
                if group is not None
                else set()
            )
            assert {t["id"] for t in item["translations"]} == expected
            assert all(t["lang"] != "ar" for t in item["translations"])
    assert service.get("/healthz")[::2] == (200, "ok\n")


def test_the_service_is_read_only_and_answers_mistakes_plainly(service: Service):
    status, headers, _ = service.get("/", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    assert service.get("/nowhere")[0] == 404
    status, _, body = service.get("/api/articles?limit=0")
    assert status == 400 and json.loads(body) == {"error": "limit must be a whole number from 1 to 500, got '0'"}
    status, _, body = service.get("/api/articles/999999")
    assert status == 404 and json.loads(body) == {"error": "no article 999999"}

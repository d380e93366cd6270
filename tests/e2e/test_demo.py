"""The whole job through the real entry point: `newsagg demo` crawls the bundled site into a database.

The demo site's ground truth (crawler.demo.truth) is computed from its stories, so every count here
is exact.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest
from sqlalchemy import select

from crawler.demo.truth import Truth, truth
from storage.db import session_scope
from storage.models import Article, ArticleUrl, CrawlJob, SourceRow, TranslationLink

from ..conftest import fresh_postgres_database, run_newsagg


class DemoRun:
    def __init__(self, database_url: str, process: subprocess.CompletedProcess[str]) -> None:
        self.database_url = database_url
        self.process = process
        assert process.returncode == 0, process.stderr[-3000:]
        self.summary = json.loads(process.stdout)
        self.truth: Truth = truth(self.summary["site"])
        # Near copies are sightings of their original, not articles of their own.
        self.stored_pages = [p for p in self.truth.articles if p.url not in self.truth.near_duplicates]

    def articles(self) -> dict[str, Article]:
        with session_scope(self.database_url) as session:
            return {a.canonical_url: a for a in session.scalars(select(Article))}

    def urls(self) -> dict[str, ArticleUrl]:
        with session_scope(self.database_url) as session:
            return {u.url: u for u in session.scalars(select(ArticleUrl))}

    def jobs(self) -> list[CrawlJob]:
        with session_scope(self.database_url) as session:
            return list(session.scalars(select(CrawlJob).order_by(CrawlJob.id)))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'demo.db'}"
        yield DemoRun(url, run_newsagg("demo", "--db", url, "--json", cwd=folder))
        return
    with fresh_postgres_database() as url:
        yield DemoRun(url, run_newsagg("demo", "--db", url, "--json", cwd=folder))


def test_every_article_page_is_stored_once_with_its_language(demo: DemoRun):
    stored = demo.articles()
    expected = {page.url: page for page in demo.stored_pages}
    assert sorted(stored) == sorted(expected)
    assert {url: a.lang for url, a in stored.items()} == {url: p.lang for url, p in expected.items()}
    by_source = Counter(p.source for p in expected.values())
    assert demo.summary["by_source"] == dict(by_source)
    assert demo.summary["articles"] == len(expected)
    assert demo.summary["by_lang"] == dict(Counter(p.lang for p in expected.values()))


def test_titles_are_unicode_whatever_the_page_encoding(demo: DemoRun):
    stored = demo.articles()
    encodings = Counter(page.encoding for page in demo.stored_pages)
    assert {"windows-1251", "windows-1256"} <= set(encodings), encodings
    for page in demo.stored_pages:
        assert stored[page.url].title == page.title, (page.url, page.encoding)


def test_dates_in_every_style_are_parsed_to_utc(demo: DemoRun):
    stored = demo.articles()
    styles = Counter(page.date_style for page in demo.stored_pages)
    assert {"text_ru", "text_ar_eg", "text_ar_lev"} <= set(styles), styles
    for page in demo.stored_pages:
        assert stored[page.url].published_at == page.published_at, (page.url, page.date_style)


def test_non_articles_broken_and_wrong_language_pages_are_counted_with_their_reason(demo: DemoRun):
    stored = demo.articles()
    expected_drops = {reason: len(urls) for reason, urls in demo.truth.dropped.items()}
    assert demo.summary["dropped"] == expected_drops
    for urls in demo.truth.dropped.values():
        assert not set(urls) & set(stored)
    expected_errors = {kind: len(urls) for kind, urls in demo.truth.errors.items()}
    assert demo.summary["errors"] == expected_errors


def test_exact_duplicates_are_recorded_against_the_original_not_stored_twice(demo: DemoRun):
    stored = demo.articles()
    urls = demo.urls()
    assert demo.truth.exact_duplicates
    for copy, original in demo.truth.exact_duplicates.items():
        assert copy not in stored
        assert urls[copy].kind == "duplicate"
        assert urls[copy].article_id == stored[original].id
    assert demo.summary["duplicates"].get("duplicate") == len(demo.truth.exact_duplicates)


def test_near_duplicates_are_recorded_against_the_original_with_their_similarity(demo: DemoRun):
    stored = demo.articles()
    urls = demo.urls()
    assert demo.truth.near_duplicates
    for copy, original in demo.truth.near_duplicates.items():
        assert copy not in stored
        assert urls[copy].kind == "near_duplicate"
        assert urls[copy].article_id == stored[original].id
        assert 0.5 <= urls[copy].similarity < 1.0
    assert demo.summary["duplicates"].get("near_duplicate") == len(demo.truth.near_duplicates)


def test_syndicated_copies_keep_the_earliest_publisher(demo: DemoRun):
    # Whichever source the crawl met first, the Meridian (which published first) owns every story the
    # wire copied, and the wire's copies are sightings under the wire's name.
    stored = demo.articles()
    urls = demo.urls()
    copies = {**demo.truth.exact_duplicates, **demo.truth.near_duplicates}
    with session_scope(demo.database_url) as session:
        source_ids = {row.key: row.id for row in session.scalars(select(SourceRow))}
    for copy, original in copies.items():
        assert stored[original].source_id == source_ids["demo"]
        assert urls[copy].source_id == source_ids["wire"]
        assert urls[original].kind == "canonical"


def test_tracking_and_amp_variants_resolve_to_their_article(demo: DemoRun):
    stored = demo.articles()
    urls = demo.urls()
    assert demo.truth.url_variants
    for variant, canonical in demo.truth.url_variants.items():
        assert urls[variant].article_id == stored[canonical].id
        assert urls[variant].kind in {"tracking", "amp"}


def test_translation_groups_are_exactly_the_stories_by_every_kind_of_evidence(demo: DemoRun):
    # hreflang, switcher links only, a shared URL id only, or content only (crawler.demo.truth).
    stored = demo.articles()
    groups: dict[int, set[str]] = {}
    for url, article in stored.items():
        if article.group_id is not None:
            groups.setdefault(article.group_id, set()).add(url)
    expected = {mode: set(demo.truth.groups[mode]) for mode in ("hreflang", "switcher", "url_id", "content")}
    assert all(expected.values()), expected
    found = {frozenset(urls) for urls in groups.values()}
    for mode, stories in expected.items():
        assert stories <= found, (mode, sorted(map(sorted, stories - found)))
    assert found == set().union(*expected.values())
    for a, b in demo.truth.decoys:
        assert a in stored and b in stored, (a, b)
        assert stored[a].group_id is None or stored[a].group_id != stored[b].group_id, (a, b)
    # Each kind of story is linked by its own evidence: the strongest method is kept per pair.
    by_id = {article.id: url for url, article in stored.items()}
    with session_scope(demo.database_url) as session:
        rows = session.scalars(select(TranslationLink))
        links = [(by_id[k.article_id], by_id[k.other_article_id], k.method) for k in rows]
    methods = {"hreflang": "hreflang", "switcher": "switcher", "url_id": "url_pattern", "content": "content"}
    for mode, method in methods.items():
        used = {m for a, b, m in links for story in expected[mode] if a in story and b in story}
        assert used == {method}, (mode, used)


def test_each_source_has_a_finished_job_row(demo: DemoRun):
    jobs = demo.jobs()
    assert [(j.source_key, j.status, j.trigger) for j in jobs] == [
        ("demo", "finished", "demo"),
        ("wire", "finished", "demo"),
    ]
    assert sorted(demo.summary["job_ids"]) == [j.id for j in jobs]
    for job in jobs:
        assert job.finished_at is not None and job.finished_at >= job.started_at
        assert job.pages > 0
    assert sum(j.stored for j in jobs) == len(demo.stored_pages)


def test_summary_has_the_documented_keys(demo: DemoRun):
    assert {"articles", "by_lang", "by_source", "groups", "duplicates", "dropped", "errors", "job_id"} <= set(
        demo.summary
    )
    # Every story known in more than one language is one group, whatever linked it.
    assert demo.summary["groups"] == sum(len(groups) for groups in demo.truth.groups.values())

"""The whole job through the real entry point: `newsagg demo` crawls the bundled site into a database.

The demo site's ground truth (crawler.demo.truth) is computed from its stories, so every count here
is exact.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.demo.truth import Truth, truth
from storage.db import session_scope
from storage.models import Article, ArticleUrl, CrawlJob

from ..conftest import fresh_postgres_database


def run_newsagg(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class DemoRun:
    def __init__(self, database_url: str, process: subprocess.CompletedProcess[str]) -> None:
        self.database_url = database_url
        self.process = process
        assert process.returncode == 0, process.stderr[-3000:]
        self.summary = json.loads(process.stdout)
        self.truth: Truth = truth(self.summary["site"])

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
    expected = {page.url: page for page in demo.truth.articles}
    assert sorted(stored) == sorted(expected)
    assert {url: a.lang for url, a in stored.items()} == {url: p.lang for url, p in expected.items()}
    by_source = Counter(p.source for p in expected.values())
    assert demo.summary["by_source"] == dict(by_source)
    assert demo.summary["articles"] == len(expected)
    assert demo.summary["by_lang"] == dict(Counter(p.lang for p in expected.values()))


def test_titles_are_unicode_whatever_the_page_encoding(demo: DemoRun):
    stored = demo.articles()
    encodings = Counter(page.encoding for page in demo.truth.articles)
    assert {"windows-1251", "windows-1256"} <= set(encodings), encodings
    for page in demo.truth.articles:
        assert stored[page.url].title == page.title, (page.url, page.encoding)


def test_dates_in_every_style_are_parsed_to_utc(demo: DemoRun):
    stored = demo.articles()
    styles = Counter(page.date_style for page in demo.truth.articles)
    assert {"text_ru", "text_ar_eg", "text_ar_lev"} <= set(styles), styles
    for page in demo.truth.articles:
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


def test_tracking_and_amp_variants_resolve_to_their_article(demo: DemoRun):
    stored = demo.articles()
    urls = demo.urls()
    assert demo.truth.url_variants
    for variant, canonical in demo.truth.url_variants.items():
        assert urls[variant].article_id == stored[canonical].id
        assert urls[variant].kind in {"tracking", "amp"}


def test_hreflang_and_switcher_translations_share_a_group(demo: DemoRun):
    stored = demo.articles()
    checked = 0
    for mode in ("hreflang", "switcher"):
        for group in demo.truth.groups[mode]:
            ids = {stored[url].group_id for url in group}
            assert len(ids) == 1 and None not in ids, (mode, sorted(group))
            checked += 1
    assert checked >= 10
    for a, b in demo.truth.decoys:
        if a in stored and b in stored:
            assert stored[a].group_id is None or stored[a].group_id != stored[b].group_id


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
    assert sum(j.stored for j in jobs) == len(demo.truth.articles)


def test_summary_has_the_documented_keys(demo: DemoRun):
    assert {"articles", "by_lang", "by_source", "groups", "duplicates", "dropped", "errors", "job_id"} <= set(
        demo.summary
    )
    # Publisher-declared links (hreflang, switcher) make groups in this crawl; every such story is one group.
    declared = len(demo.truth.groups["hreflang"]) + len(demo.truth.groups["switcher"])
    assert demo.summary["groups"] == declared

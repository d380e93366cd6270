"""Re-crawling the demo site: only what changed is downloaded, and only what changed is written.

Each crawl runs in this process against one demo server, whose hit counter says exactly which pages a
crawl requested (the tests of several crawl processes reuse these helpers to start theirs).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from twisted.internet.defer import Deferred

from crawler.commands.demo import DEMO_OVERRIDES
from crawler.dedup.fingerprints import normalize_text
from crawler.demo.server import DemoServer
from crawler.demo.truth import Truth, truth
from crawler.fetch.conditional_get import ConditionalGetMiddleware
from crawler.fetch.incremental import RecrawlPolicy, SeenUrlMiddleware
from storage.db import session_scope, upgrade
from storage.models import Article, ArticleUrl, ArticleVersion
from storage.redis_state import SeenRecord

from ..conftest import project_settings
from ..crawl_process import Stats, crawl_deferred, crawl_here
from ..crawl_process import finish_crawl as collect
from ..crawl_process import start_crawl as launch

# The demo's 4 s timeout is for its slow page; a loaded machine can take longer to run the pipeline, and a
# retried download would count twice.
PATIENT = {"DOWNLOAD_TIMEOUT": 30}

LISTINGS = (
    "/ru/rss.xml",
    "/en/atom.xml",
    "/ar/rss.xml",
    "/wire/rss.xml",
    "/sitemap_index.xml",
    "/sitemaps/news-ar.xml.gz",
    "/sitemaps/pages.xml",
)


def start_crawl(
    database_url: str,
    sources: Path,
    extra: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    keys: str = "demo,wire",
) -> subprocess.Popen[str]:
    """A crawl with the demo's settings, made patient, plus ``extra``."""
    return launch(database_url, sources, keys.split(","), {**DEMO_OVERRIDES, **PATIENT, **(extra or {})}, env)


def finish_crawl(process: subprocess.Popen[str]) -> Stats:
    return collect(process, timeout=300)[0]


def crawl(database_url: str, sources: Path, extra: dict[str, Any] | None = None) -> Stats:
    return crawl_here(database_url, sources, ["demo", "wire"], {**DEMO_OVERRIDES, **PATIENT, **(extra or {})})[0]


def crawl_later(database_url: str, sources: Path, extra: dict[str, Any]) -> Deferred[tuple[Stats, str]]:
    """:func:`crawl` from a test body, which runs on the reactor: yield it."""
    return crawl_deferred(database_url, sources, ["demo", "wire"], {**DEMO_OVERRIDES, **PATIENT, **extra})


def total(stats: dict[str, dict[str, Any]], key: str) -> int:
    return sum(int(run.get(key, 0)) for run in stats.values())


def stored_paths(site_truth: Truth, base: str) -> set[str]:
    """Every article page a crawl stores or records as a copy, by path."""
    urls = [p.url for p in site_truth.articles] + list(site_truth.exact_duplicates)
    return {url.removeprefix(base) for url in urls}


def snapshot(database_url: str) -> dict[str, Any]:
    """The consumer-facing rows, as plain values (fetch state and job rows are bookkeeping)."""
    with session_scope(database_url) as session:
        return {
            "articles": {
                a.canonical_url: (a.id, a.version, a.content_hash, a.modified_at, a.last_fetched_at, a.title)
                for a in session.scalars(select(Article))
            },
            "urls": {
                u.url: (u.article_id, u.kind, u.similarity, u.first_seen_at, u.last_seen_at)
                for u in session.scalars(select(ArticleUrl))
            },
            "versions": sorted((v.article_id, v.version) for v in session.scalars(select(ArticleVersion))),
        }


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory):
    """Crawl 1 on the first generation, crawl 2 after the site changed, crawl 3 with nothing new."""
    folder = tmp_path_factory.mktemp("recrawl")
    database_url = f"sqlite:///{folder / 'recrawl.db'}"
    upgrade(database_url)  # as `newsagg crawl` does for a new SQLite file
    # Timeouts are not what this is about: the slow page answers at once (a bare headline, dropped).
    with DemoServer(slow_seconds=0) as server:
        sources = server.write_sources(folder)
        result: dict[str, Any] = {"server": server, "sources": sources, "database_url": database_url}
        result["stats1"] = crawl(database_url, sources)
        result["hits1"] = server.hits()
        result["before"] = snapshot(database_url)
        server.reset_hits()
        server.set_generation(1)
        result["stats2"] = crawl(database_url, sources)
        result["hits2"] = server.hits()
        result["after"] = snapshot(database_url)
        server.reset_hits()
        result["stats3"] = crawl(database_url, sources)
        result["hits3"] = server.hits()
        result["again"] = snapshot(database_url)
        yield result


def test_the_first_crawl_downloads_every_article_page(recrawled):
    server = recrawled["server"]
    paths = stored_paths(truth(server.base), server.base)
    assert not [path for path in paths if not recrawled["hits1"].get(path)]


def test_a_second_crawl_downloads_only_the_changed_article(recrawled):
    server = recrawled["server"]
    site_truth = truth(server.base)
    changed = {url.removeprefix(server.base) for url in site_truth.changed}
    assert changed
    hits = recrawled["hits2"]
    unchanged = stored_paths(site_truth, server.base) - changed
    assert {path: hits.get(path, 0) for path in unchanged} == dict.fromkeys(unchanged, 0)
    assert {path: hits.get(path, 0) for path in changed} == dict.fromkeys(changed, 1)
    stats = recrawled["stats2"]
    assert total(stats, "newsagg/refetch/lastmod") == len(changed)
    assert total(stats, "newsagg/stored/updated") == len(changed)
    assert total(stats, "newsagg/stored/new") == 0
    assert total(stats, "newsagg/skipped/known") > 0


def test_the_changed_article_gains_a_version_and_keeps_the_old_text(recrawled):
    server = recrawled["server"]
    site_truth = truth(server.base)
    before, after = recrawled["before"]["articles"], recrawled["after"]["articles"]
    with session_scope(recrawled["database_url"]) as session:
        for url, text in site_truth.changed.items():
            article = session.scalars(select(Article).where(Article.canonical_url == url)).one()
            assert article.version == 2
            assert normalize_text(article.body) == normalize_text(text)
            assert article.modified_at is not None
            old = session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)).one()
            assert old.version == 1 and old.content_hash == before[url][2]
            page = next(p for p in site_truth.articles if p.url == url)
            assert normalize_text(old.body) == normalize_text(page.body)
    untouched = {url: row for url, row in before.items() if url not in site_truth.changed}
    assert {url: after[url] for url in untouched} == untouched


def test_unchanged_feeds_answer_304_and_are_read_from_the_kept_copy(recrawled):
    # Both sources read the site's robots.txt, so each reads the sitemaps it names.
    hits = {path: recrawled["hits2"].get(path, 0) for path in LISTINGS}
    assert hits == {path: recrawled["hits1"].get(path, 0) for path in LISTINGS}
    stats = recrawled["stats2"]
    # Of the listings, only the en Atom feed and the pages sitemap change with the update: each is fetched
    # in full at least once (the second source may find the new copy kept already).
    changed = ("/en/atom.xml", "/sitemaps/pages.xml")
    unchanged = sum(n for path, n in hits.items() if path not in changed)
    not_modified = total(stats, "newsagg/listings/not_modified")
    assert unchanged <= not_modified <= unchanged + sum(hits[path] - 1 for path in changed)
    assert total(stats, "downloader/response_status_count/304") == not_modified
    # A 304 is read like the 200 it confirms: the unchanged index still leads to its sitemaps.
    for kind in ("rss", "atom", "sitemapindex", "urlset"):
        assert total(stats, f"newsagg/discovery/{kind}") == total(recrawled["stats1"], f"newsagg/discovery/{kind}")


def test_a_third_crawl_downloads_no_article_and_writes_nothing(recrawled):
    server = recrawled["server"]
    hits = recrawled["hits3"]
    paths = stored_paths(truth(server.base), server.base)
    assert not {path for path in paths if hits.get(path)}
    assert recrawled["again"] == recrawled["after"]
    stats = recrawled["stats3"]
    assert total(stats, "newsagg/listings/not_modified") == sum(recrawled["hits3"].get(path, 0) for path in LISTINGS)
    assert total(stats, "newsagg/stored/new") + total(stats, "newsagg/stored/updated") == 0


@pytest_twisted.inlineCallbacks
def test_a_recrawl_interval_refetches_stored_pages_and_unchanged_ones_write_nothing(recrawled):
    server = recrawled["server"]
    server.reset_hits()
    stats, _log = yield crawl_later(recrawled["database_url"], recrawled["sources"], {"NEWSAGG_RECRAWL_INTERVAL": 1})
    paths = stored_paths(truth(server.base), server.base)
    assert not [path for path in paths if not server.hits(path)]
    assert total(stats, "newsagg/refetch/interval") >= len(paths)
    assert total(stats, "newsagg/stored/unchanged") + total(stats, "newsagg/duplicates/duplicate") + total(
        stats, "newsagg/duplicates/near_duplicate"
    ) == len(paths)
    assert snapshot(recrawled["database_url"]) == recrawled["after"]


# --- the rule, and the switches ---

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seen", "lastmod", "now", "expected"),
    [
        # A listing's lastmod newer than the one the stored text answers to, or than its fetch.
        (SeenRecord(T0, T0, T0), T0 + timedelta(hours=1), T0 + timedelta(hours=2), "lastmod"),
        (SeenRecord(T0, T0, None), T0 + timedelta(hours=1), T0 + timedelta(hours=2), "lastmod"),
        (SeenRecord(T0, T0, T0), T0, T0 + timedelta(hours=2), None),
        (SeenRecord(T0 + timedelta(days=1), T0, None), T0 + timedelta(hours=1), T0 + timedelta(days=1), None),
        # The interval, only while the page is young.
        (SeenRecord(T0, T0, None), None, T0 + timedelta(hours=7), "interval"),
        (SeenRecord(T0 + timedelta(days=3), T0, None), None, T0 + timedelta(days=3, hours=7), None),
        (SeenRecord(T0, T0, None), None, T0 + timedelta(hours=5), None),
    ],
)
def test_when_a_stored_page_is_fetched_again(seen, lastmod, now, expected):
    policy = RecrawlPolicy(interval=6 * 3600, max_age=2 * 86400)
    assert policy.reason_to_fetch(seen, lastmod, now) == expected
    assert RecrawlPolicy(interval=0, max_age=0).reason_to_fetch(seen, None, now + timedelta(days=30)) is None


@pytest.mark.parametrize(
    ("middleware", "switch"),
    [(SeenUrlMiddleware, "NEWSAGG_SKIP_SEEN_URLS"), (ConditionalGetMiddleware, "NEWSAGG_CONDITIONAL_GET")],
)
def test_each_middleware_can_be_switched_off(middleware, switch, tmp_path):
    settings = {"NEWSAGG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert middleware.from_crawler(get_crawler(settings_dict=project_settings(settings))) is not None
    with pytest.raises(NotConfigured):
        middleware.from_crawler(get_crawler(settings_dict=project_settings({**settings, switch: False})))

"""Several crawl processes sharing the real Redis on 127.0.0.1 (and one PostgreSQL database).

The seen-URL set, the download claims and the near-duplicate index live in Redis under a prefix of
each test's own (removed afterwards); the database stays the truth, so a Redis that lost everything
costs lookups, never an article.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.dedup.near_index import lsh_params
from crawler.demo.server import DemoServer
from crawler.demo.truth import Truth, truth
from crawler.fetch.incremental import SeenUrlMiddleware
from storage.db import session_scope, upgrade
from storage.models import Article, ArticleUrl
from storage.redis_state import LSH_SIGNATURES_KEY, SEEN_KEY, SeenRecord, for_database, url_fingerprint
from storage.types import utcnow

from ..conftest import REDIS_URL, fresh_postgres_database, project_settings
from .test_recrawl import finish_crawl, snapshot, start_crawl, stored_paths, total

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.long_running]


@pytest.fixture
def site(tmp_path):
    with DemoServer(slow_seconds=3.0) as server:
        yield server, server.write_sources(tmp_path)


def crawl_together(database_url: str, sources: Path, env: dict[str, str], *keys: str) -> list[dict[str, Any]]:
    """One crawl process per ``keys`` entry, all started at once (on a schema built beforehand, as an
    operator runs `newsagg db upgrade` before starting workers)."""
    upgrade(database_url)
    processes = [start_crawl(database_url, sources, env=env, keys=k) for k in keys]
    return [finish_crawl(p) for p in processes]


def assert_the_demo_is_stored_right(database_url: str, site_truth: Truth) -> None:
    with session_scope(database_url) as session:
        articles = {a.canonical_url: a for a in session.scalars(select(Article))}
        urls = {u.url: u for u in session.scalars(select(ArticleUrl))}
    expected = {p.url for p in site_truth.articles if p.url not in site_truth.near_duplicates}
    assert sorted(articles) == sorted(expected)
    for kind, copies in (("duplicate", site_truth.exact_duplicates), ("near_duplicate", site_truth.near_duplicates)):
        for copy, original in copies.items():
            assert (urls[copy].kind, urls[copy].article_id) == (kind, articles[original].id), copy


def test_processes_share_the_index_and_the_seen_set_and_outlive_a_redis_that_lost_them(shared_redis, site):
    client, env, prefix = shared_redis
    server, sources = site
    site_truth = truth(server.base)
    with fresh_postgres_database() as database_url:
        # One process crawls the Meridian, another the wire that copies it, at the same time: the copies
        # are recognised only through the index they share in Redis.
        crawl_together(database_url, sources, env, "demo", "wire")
        assert_the_demo_is_stored_right(database_url, site_truth)

        state = for_database(REDIS_URL, prefix, database_url)
        bands, rows = lsh_params(0.5)
        signatures_key = state.key(LSH_SIGNATURES_KEY, params=f"{bands}x{rows}")
        signatures = client.hlen(signatures_key)
        with session_scope(database_url) as session:
            stored = list(session.scalars(select(Article.canonical_url)))
        assert signatures >= len(stored)
        seen = client.hkeys(state.key(SEEN_KEY))
        assert {url_fingerprint(url).encode() for url in stored} <= set(seen)

        # Two more processes crawl everything again: the shared seen set spares every stored page.
        before = snapshot(database_url)
        server.reset_hits()
        crawl_together(database_url, sources, env, "demo,wire", "demo,wire")
        paths = stored_paths(site_truth, server.base)
        assert not [path for path in paths if server.hits(path)]
        assert snapshot(database_url) == before

        # Redis loses everything: the database still knows every stored page, so none is fetched again
        # and nothing changes; the index is rebuilt in Redis for the processes to come.
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        server.reset_hits()
        (stats,) = crawl_together(database_url, sources, env, "demo,wire")
        assert not [path for path in paths if server.hits(path)]
        assert total(stats, "newsagg/skipped/known") > 0
        assert snapshot(database_url) == before
        assert client.hlen(signatures_key) >= len(stored)


def test_two_processes_crawling_the_same_sources_download_each_page_once(shared_redis, site):
    _client, env, _prefix = shared_redis
    server, sources = site
    site_truth = truth(server.base)
    with fresh_postgres_database() as database_url:
        runs = crawl_together(database_url, sources, env, "demo,wire", "demo,wire")
        paths = stored_paths(site_truth, server.base)
        assert {path: server.hits(path) for path in paths} == dict.fromkeys(paths, 1)
        assert sum(total(stats, "newsagg/skipped/claimed") + total(stats, "newsagg/skipped/known") for stats in runs)
        assert_the_demo_is_stored_right(database_url, site_truth)


def test_a_seen_set_that_outlived_its_database_is_dropped(shared_redis, tmp_path):
    _client, _env, prefix = shared_redis
    database_url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(database_url)
    url = "https://paper.example/news/1"
    state = for_database(REDIS_URL, prefix, database_url)
    state.mark_seen([url], SeenRecord(utcnow(), utcnow(), None))  # left by an earlier database of this URL
    settings = {"NEWSAGG_DATABASE_URL": database_url, "NEWSAGG_REDIS_URL": REDIS_URL, "NEWSAGG_REDIS_PREFIX": prefix}
    middleware = SeenUrlMiddleware.from_crawler(get_crawler(settings_dict=project_settings(settings)))
    middleware.spider_opened(None)
    assert state.seen(url) is None
    middleware.check(Request(url, meta={"article": True, "edition": "en", "hints": {}}))  # not skipped
    middleware.spider_closed(None)


def test_a_seen_entry_the_database_does_not_hold_is_not_trusted(shared_redis, site):
    # A database restored from an older copy: Redis remembers pages stored after the copy was made.
    _client, env, prefix = shared_redis
    _server, sources = site
    with fresh_postgres_database() as database_url:
        upgrade(database_url)
        stats = finish_crawl(start_crawl(database_url, sources, env=env, keys="demo"))
        assert total(stats, "newsagg/stored/new") > 0
        state = for_database(REDIS_URL, prefix, database_url)
        stored = "http://127.0.0.1/stored-meanwhile"
        kept = next(url for url in stored_articles(database_url))
        state.mark_seen([stored], SeenRecord(utcnow(), utcnow(), None))
        settings = {"NEWSAGG_DATABASE_URL": database_url, **env}
        middleware = SeenUrlMiddleware.from_crawler(get_crawler(settings_dict=project_settings(settings)))
        middleware.spider_opened(None)
        try:
            middleware.check(Request(stored, meta={"article": True, "edition": "en", "hints": {}}))  # not skipped
            assert state.seen(stored) is None
            with pytest.raises(IgnoreRequest):  # a page the database holds is still skipped through Redis
                middleware.check(Request(kept, meta={"article": True, "edition": "en", "hints": {}}))
        finally:
            middleware.spider_closed(None)
            middleware.database.close()


def stored_articles(database_url: str) -> list[str]:
    with session_scope(database_url) as session:
        return list(session.scalars(select(Article.canonical_url)))

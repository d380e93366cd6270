"""Download claims in the real Redis on 127.0.0.1: held while their crawl lives, gone soon after it dies."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from crawler.demo.server import DemoServer
from crawler.demo.specials import SLOW
from crawler.demo.truth import truth
from storage.db import session_scope, upgrade
from storage.models import Article
from storage.redis_state import CLAIM_KEY, RedisState, for_database, url_fingerprint

from ..conftest import REDIS_URL, fresh_postgres_database
from .ops import wait_for
from .test_recrawl import finish_crawl, start_crawl

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.long_running]

CLAIM_TTL = 2


def test_a_holder_renews_only_its_own_claims(shared_redis):
    client, _env, prefix = shared_redis
    state = RedisState(client, prefix)
    mine, theirs = "https://paper.example/news/1", "https://paper.example/news/2"
    assert state.claim(mine, "this-crawl", 1) and state.claim(theirs, "another-crawl", 1)
    assert state.renew([mine, theirs], "this-crawl", 30) == 1

    def key(url: str) -> str:
        return state.key(CLAIM_KEY, fingerprint=url_fingerprint(url))

    assert client.ttl(key(mine)) > 1
    assert client.ttl(key(theirs)) <= 1
    assert client.get(key(theirs)) in (b"another-crawl", None)


def test_a_killed_crawls_claims_lapse_and_the_next_crawl_stores_its_pages(shared_redis, tmp_path):
    client, env, prefix = shared_redis
    # The slow page keeps the first crawl waiting, and holding its claim, until it is killed.
    with DemoServer(slow_seconds=120) as server, fresh_postgres_database() as database_url:
        sources = server.write_sources(tmp_path)
        upgrade(database_url)
        state = for_database(REDIS_URL, prefix, database_url)
        slow_claim = state.key(CLAIM_KEY, fingerprint=url_fingerprint(server.base + SLOW.path))
        settings = {"NEWSAGG_CLAIM_TTL": CLAIM_TTL, "DOWNLOAD_TIMEOUT": 300}
        first = start_crawl(database_url, sources, settings, env, keys="demo")
        try:
            wait_for("the slow page claimed", lambda: client.exists(slow_claim), timeout=120, alive=first)
            claimed_at = time.monotonic()
            # Renewed while the crawl lives: the claim outlasts its TTL several times over.
            while time.monotonic() - claimed_at < 3 * CLAIM_TTL:
                assert client.exists(slow_claim), "a living crawl lost its claim"
                assert first.poll() is None, "the first crawl ended while the slow page was still loading"
                time.sleep(0.2)
            os.kill(first.pid, signal.SIGKILL)
            first.communicate(timeout=30)
            killed_at = time.monotonic()
            wait_for("the dead crawl's claims to lapse", lambda: not client.exists(slow_claim), timeout=30)
            assert time.monotonic() - killed_at <= CLAIM_TTL + 2
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate(timeout=30)

        # The next crawl takes every page the dead one held (the slow page now times out, as the demo expects).
        stats = finish_crawl(start_crawl(database_url, sources, {"DOWNLOAD_TIMEOUT": 1}, env, keys="demo"))
        assert not stats["demo"].get("newsagg/skipped/claimed")
        with session_scope(database_url) as session:
            stored = set(session.scalars(select(Article.canonical_url)))
        site_truth = truth(server.base)
        expected = {
            p.url for p in site_truth.articles if p.source == "demo" and p.url not in site_truth.near_duplicates
        }
        assert stored == expected

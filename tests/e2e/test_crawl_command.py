"""Crawling a site the user describes in their own source file, by `newsagg crawl` and by `scrapy crawl`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from crawler.demo.server import DemoServer
from crawler.demo.truth import truth
from storage.db import session_scope, upgrade
from storage.models import Article, CrawlJob

from ..conftest import REPO_ROOT
from .ops import SET_FAST


@pytest.fixture
def site():
    # Timeouts are not what this is about: the slow page answers at once (a bare headline, dropped).
    with DemoServer(slow_seconds=0) as server:
        yield server


def test_newsagg_crawl_with_a_user_source_file_and_a_language_filter(site, tmp_path):
    sources = site.write_sources(tmp_path)
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "demo",
            "--lang",
            "ru,ar",
            "--sources",
            str(sources),
            "--db",
            db,
            "--json",
            *SET_FAST,  # the demo's loopback settings, given the way a user gives a crawl setting
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    summary = json.loads(result.stdout)
    expected = [p for p in truth(site.base).articles if p.source == "demo" and p.lang in ("ru", "ar")]
    assert summary["by_lang"] == dict(Counter(p.lang for p in expected))
    assert summary["articles"] == len(expected)
    # The en edition was not crawled: none of its pages was requested.
    assert not [path for path in site.hits() if path.startswith("/en/")]
    # robots.txt is obeyed: the disallowed page linked from the site is never fetched.
    for path in truth(site.base).never_fetched:
        assert site.hits(path) == 0
    assert result.returncode == 0, result.stderr


def test_limit_caps_the_article_pages_fetched(site, tmp_path):
    sources = site.write_sources(tmp_path)
    db = f"sqlite:///{tmp_path / 'limit.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "wire", "--limit", "3", "--sources", str(sources), "--db", db],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    story_hits = sum(n for path, n in site.hits().items() if path.startswith("/wire/") and "/story/" in path)
    assert story_hits == 3
    assert "This run: pages " in result.stdout and ", new 3, " in result.stdout and "  articles: 3" in result.stdout


def test_scrapy_crawl_news_works_too(site, tmp_path):
    sources = site.write_sources(tmp_path)
    db = f"sqlite:///{tmp_path / 'scrapy.db'}"
    upgrade(db)  # `newsagg db upgrade`: crawl components only check the schema, they never migrate
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            "source=wire",
            "-a",
            f"sources={sources}",
            "-s",
            f"NEWSAGG_DATABASE_URL={db}",
            *SET_FAST,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    # Alone, the wire's verbatim copies have no original to be duplicates of: every wire story is stored.
    site_truth = truth(site.base)
    expected = [p.url for p in site_truth.articles if p.source == "wire"] + list(site_truth.exact_duplicates)
    with session_scope(db) as session:
        stored = sorted(a.canonical_url for a in session.scalars(select(Article)))
        job = session.scalars(select(CrawlJob)).one()
    assert stored == sorted(expected)
    assert (job.source_key, job.status, job.stored) == ("wire", "finished", len(expected))

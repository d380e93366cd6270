"""How far back the spider reads a sitemap index: all of it on a source's first crawl, back to the
source's ``max_age`` on later ones (newest children first, stopping at the first that is all older),
and back to ``since`` when a crawl is given one."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.news import NewsSpider
from settings.crawl import NEWSAGG_LISTING_MAXSIZE
from storage.db import session_scope, upgrade
from storage.models import Article, SourceRow
from storage.types import utcnow

SOURCE = """
key: archive
name: Archive News
max_age: 2d
editions:
  - lang: en
    domains: [archive.example]
    sitemaps: [https://archive.example/sitemap.xml]
    article_urls: ['^https://archive\\.example/news/\\d+$']
"""
NOW = utcnow()


def stamp(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def index(children: list[tuple[str, str | None]]) -> bytes:
    items = "".join(
        f"<sitemap><loc>{url}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>"
        for url, lastmod in children
    )
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'.encode()


def urlset(entries: list[tuple[str, str]]) -> bytes:
    items = "".join(f"<url><loc>{url}</loc><lastmod>{lastmod}</lastmod></url>" for url, lastmod in entries)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'.encode()


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'news.db'}"
    upgrade(url)
    return url


def store_an_article(database: str) -> None:
    with session_scope(database) as session:
        row = SourceRow(key="archive", name="Archive News")
        session.add(row)
        session.flush()
        body = "An article stored by an earlier crawl."
        digest = hashlib.sha256(body.encode()).hexdigest()
        session.add(
            Article(
                source_id=row.id,
                canonical_url="https://archive.example/news/1",
                lang="en",
                lang_confidence=1.0,
                body=body,
                content_hash=digest,
            )
        )


def spider(tmp_path: Path, database: str, **kwargs: str) -> NewsSpider:
    path = tmp_path / "archive.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    settings = {
        "NEWSAGG_DATABASE_URL": database,
        "NEWSAGG_SOURCE_PATHS": [str(path)],
        "NEWSAGG_LISTING_MAXSIZE": NEWSAGG_LISTING_MAXSIZE,
    }
    crawler = get_crawler(NewsSpider, settings)
    made = NewsSpider.from_crawler(crawler, source="archive", **kwargs)
    crawler.spider = made
    crawler.stats.open_spider()
    return made


def read(made: NewsSpider, url: str, body: bytes, meta: dict | None = None) -> list[Request]:
    response = XmlResponse(url, body=body, request=Request(url, meta=meta or {}))
    return list(made.parse_listing(response))


CHILDREN = [
    ("https://archive.example/sitemap-2005.xml", stamp(7000)),
    ("https://archive.example/sitemap-today.xml", stamp(0.1)),
    ("https://archive.example/sitemap-last-week.xml", stamp(7)),
    ("https://archive.example/sitemap-yesterday.xml", stamp(1)),
]


def test_a_first_crawl_reads_the_whole_index_newest_first(tmp_path, database):
    made = spider(tmp_path, database)
    assert made.read_back_to is None
    requests = read(made, "https://archive.example/sitemap.xml", index(CHILDREN))
    assert [r.url.rsplit("/", 1)[1] for r in requests] == [
        "sitemap-today.xml",
        "sitemap-yesterday.xml",
        "sitemap-last-week.xml",
        "sitemap-2005.xml",
    ]


def test_a_later_crawl_reads_back_to_max_age_one_child_at_a_time(tmp_path, database):
    store_an_article(database)
    before = utcnow()
    made = spider(tmp_path, database)
    after = utcnow()
    assert made.read_back_to is not None
    assert before - timedelta(days=2) <= made.read_back_to <= after - timedelta(days=2)
    (first,) = read(made, "https://archive.example/sitemap.xml", index(CHILDREN))
    assert first.url.endswith("/sitemap-today.xml")
    assert first.meta["older_siblings"] == ["https://archive.example/sitemap-yesterday.xml"]
    assert made.crawler.stats.get_value("newsagg/discovery/sitemaps_not_read") == 2
    # Today's sitemap holds recent entries: its articles, then the next older sibling.
    requests = read(made, first.url, urlset([("https://archive.example/news/7", stamp(0.2))]), first.meta)
    assert [r.url for r in requests] == [
        "https://archive.example/news/7",
        "https://archive.example/sitemap-yesterday.xml",
    ]


def test_an_index_without_lastmod_is_read_until_a_child_is_all_older(tmp_path, database):
    store_an_article(database)
    made = spider(tmp_path, database)
    undated = [
        (f"https://archive.example/sitemap-{day}.xml", None) for day in ("2026-11-28", "2026-11-30", "2026-11-29")
    ]
    undated += [("https://archive.example/sitemap-2005-01.xml", None)]
    (first,) = read(made, "https://archive.example/sitemap.xml", index(undated))
    # No lastmod: the dates in the names order them.
    assert first.url.endswith("sitemap-2026-11-30.xml")
    assert first.meta["older_siblings"] == [
        "https://archive.example/sitemap-2026-11-29.xml",
        "https://archive.example/sitemap-2026-11-28.xml",
        "https://archive.example/sitemap-2005-01.xml",
    ]
    old = urlset([("https://archive.example/news/3", stamp(5)), ("https://archive.example/news/2", stamp(6))])
    requests = read(made, first.url, old, first.meta)
    # Its entries are all older than max_age: the three older siblings are not read.
    assert [r.url for r in requests] == ["https://archive.example/news/3", "https://archive.example/news/2"]
    assert made.crawler.stats.get_value("newsagg/discovery/sitemaps_not_read") == 3


def test_a_plain_named_child_is_a_listing_of_its_own_and_always_read(tmp_path, database):
    store_an_article(database)
    made = spider(tmp_path, database)
    children = [
        ("https://archive.example/sitemap-news.xml", None),
        ("https://archive.example/sitemap-2005-01.xml", None),
        ("https://archive.example/pages.xml", None),
        ("https://archive.example/sitemap-2026-11-30.xml", None),
    ]
    requests = read(made, "https://archive.example/sitemap.xml", index(children))
    # The dated series is walked from its newest; the two named listings are read whatever their age.
    assert [(r.url.rsplit("/", 1)[1], r.meta["older_siblings"]) for r in requests] == [
        ("sitemap-2026-11-30.xml", ["https://archive.example/sitemap-2005-01.xml"]),
        ("sitemap-news.xml", []),
        ("pages.xml", []),
    ]
    old = urlset([("https://archive.example/news/3", stamp(5))])
    assert [r.url for r in read(made, requests[1].url, old, requests[1].meta)] == ["https://archive.example/news/3"]


def test_since_reads_further_back_than_max_age(tmp_path, database):
    store_an_article(database)
    made = spider(tmp_path, database, since=(NOW - timedelta(days=30)).date().isoformat())
    (first,) = read(made, "https://archive.example/sitemap.xml", index(CHILDREN))
    assert first.meta["older_siblings"] == [
        "https://archive.example/sitemap-yesterday.xml",
        "https://archive.example/sitemap-last-week.xml",
    ]


def test_a_listing_read_while_a_linked_page_waits_gives_that_request_its_lastmod(tmp_path, database):
    # A page found through a link first is checked as known only when it leaves the queue; a sitemap
    # read meanwhile must not be lost, or a changed page would be skipped as unchanged.
    made = spider(tmp_path, database)
    linked = made.article_request("https://archive.example/news/7")
    assert linked is not None and "lastmod" not in linked.meta["hints"]
    assert made.article_request("https://archive.example/news/7", {"lastmod": stamp(0)}) is None
    assert linked.meta["hints"]["lastmod"] == stamp(0)

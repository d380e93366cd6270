"""Hostile input: nothing a site serves may expand, flood, trap or lead the crawler off its domains.

XML entity bombs and external entities, compression bombs, huge pages and lines, pathological markup,
redirect loops, endless calendars and pagination, URL traps, links to other hosts and other schemes.
Each case is a source of its own on the hostile server; all are crawled together with the shipped
settings (the caps under test are the defaults), into SQLite and PostgreSQL.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache

import pytest

from crawler.limits import MAX_HTML_CHARS, MAX_URL_LENGTH
from settings import crawl as shipped

from ..conftest import fresh_postgres_database
from .server import Exchange, HostileServer
from .site import Case, Crawl, Stories, article_html, crawl, redirect, rss, serve, serve_xml, urlset

STORIES = Stories()
FEED = "application/rss+xml"
SECRET = "SECRET-7f3e-must-never-be-read"
BOMB_BYTES = 64 * 1024 * 1024  # decompressed; above DOWNLOAD_MAXSIZE and NEWSAGG_LISTING_MAXSIZE


@cache
def zeros(encoding: str) -> bytes:
    return gzip.compress(bytes(BOMB_BYTES), 9) if encoding == "gzip" else zlib.compress(bytes(BOMB_BYTES), 9)


def one_article(key: str, page, **options) -> Case:
    return Case(
        key, lambda base: {"feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")]), FEED), "a/1": page}, **options
    )


# --- XML entities -----------------------------------------------------------------------------------------

LAUGHS_STORY = STORIES.take()
XXE_STORY = STORIES.take()


def laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE rss [{''.join(entities)}]>"


def billion_laughs(base: str) -> dict:
    return {
        "feed.xml": serve_xml(
            rss([(f"{base}/a/2", "&lol9;")])
            .replace(b"&amp;lol9;", b"&lol9;")
            .replace(b"<rss", laughs().encode() + b"<rss", 1)
        ),
        "sitemap.xml": serve_xml(urlset([f"{base}/a/1"])),
        "a/1": serve(article_html(LAUGHS_STORY)),
    }


def external_entities(secret_file: str):
    def routes(base: str) -> dict:
        server = base.rsplit("/", 1)[0]
        general = (
            f'<!DOCTYPE rss SYSTEM "{server}/xxe/dtd" [<!ENTITY remote SYSTEM "{server}/xxe/entity">'
            f'<!ENTITY local SYSTEM "file://{secret_file}">]>'
        )
        parameter = f'<!DOCTYPE urlset [<!ENTITY % param SYSTEM "{server}/xxe/param"> %param;]>'
        feed = rss([(f"{base}/a/1", "T &remote; &local;")]).replace(b"&amp;remote; &amp;local;", b"&remote; &local;")
        return {
            "feed.xml": serve_xml(feed.replace(b"<rss", general.encode() + b"<rss", 1), FEED),
            "sitemap.xml": serve_xml(urlset([f"{base}/a/1"]).replace(b"<urlset", parameter.encode() + b"<urlset", 1)),
            "a/1": serve(article_html(XXE_STORY)),
        }

    return routes


# --- sizes ------------------------------------------------------------------------------------------------

LARGE_STORY = STORIES.take()
LONG_LINE_STORY = STORIES.take()
ATTRIBUTES_STORY = STORIES.take()
TAGS_STORY = STORIES.take()


def compressed(encoding: str):
    def route(exchange: Exchange) -> None:
        exchange.reply(zeros(encoding), headers=[("Content-Encoding", encoding)])

    return route


def sized(total: int, *, announce: bool):
    """``total`` bytes of markup, announced in Content-Length or not (then it ends when the connection does)."""

    def route(exchange: Exchange) -> None:
        chunk = b"<p>" + b"x" * (64 * 1024 - 3)
        exchange.head(headers=[("Content-Length", str(total))] if announce else [])
        exchange.stream(iter([chunk] * (total // len(chunk))))

    return route


# A 6 MiB script in the head comes before the article: cut to the cap as it is, the page would lose it.
LARGE_PAGE = article_html(LARGE_STORY, head=f"<script>var state = '{'s' * (6 * 1024 * 1024)}';</script>")
# The whole page on one line, with a 3 MiB paragraph after the article.
LONG_LINE_PAGE = article_html(
    LONG_LINE_STORY, after=f"<p>{'The council met again on Tuesday to discuss the budget. ' * 56_000}</p>"
)
ATTRIBUTE_FLOOD = article_html(
    ATTRIBUTES_STORY, after="<div " + " ".join(f'data-a{i}="{i}"' for i in range(50_000)) + ">x</div>"
)
TAG_FLOOD = article_html(TAGS_STORY, after="<i></i>" * 200_000)

# --- redirects --------------------------------------------------------------------------------------------


def endless_redirects(base: str) -> dict:
    def hop(exchange: Exchange) -> None:
        number = int(exchange.path.rsplit("/", 1)[1])
        exchange.reply(b"", status=302, content_type=None, headers=[("Location", f"{base}/a/r/{number + 1}")])

    return {"a/r/": hop}


# --- traps ------------------------------------------------------------------------------------------------

TRAP_STORY = STORIES.take()


def calendar(base: str) -> dict:
    def day(exchange: Exchange) -> None:
        shown = date.fromisoformat(exchange.path.rsplit("/", 1)[1].replace("_", "-"))
        links = "".join(
            f'<a href="{base}/calendar/{(shown + timedelta(days=step)).isoformat().replace("-", "_")}">{step}</a>'
            for step in (-1, 1)
        )
        exchange.reply(f"<html><body><h1>Archive {shown}</h1>{links}</body></html>".encode())

    return {"calendar/": day}


def pagination(base: str) -> dict:
    def page(exchange: Exchange) -> None:
        number = int(exchange.path.rsplit("=", 1)[1])
        exchange.reply(f'<html><body><a href="{base}/list?page={number + 1}">next</a></body></html>'.encode())

    return {"list": page}


def trap_links(base: str) -> str:
    params = "&".join(f"f{n}={n}" for n in range(20))
    hrefs = [
        f"{base}/a/x/y/x/y/x/y/x/y/1",  # a relative link resolving against itself
        f"{base}/a/long-{'z' * MAX_URL_LENGTH}",
        f"{base}/a/search?{params}",
    ]
    return "".join(f'<a href="{href}">more</a>' for href in hrefs)


# --- other hosts and schemes ----------------------------------------------------------------------------

OFFSITE_STORY = STORIES.take()
REDIRECTED_STORY = STORIES.take()
SCHEMES_STORY = STORIES.take()
METADATA_STORY = STORIES.take()
LONG_URL_STORY = STORIES.take()
OTHER_SCHEMES = (
    "file:///etc/passwd",
    "data:text/html,<h1>x</h1>",
    "ftp://127.0.0.1/a/1",
    "s3://bucket/a/1",
    "gopher://127.0.0.1/a/1",
    "javascript:location='/a/2'",
)


def other_host(base: str) -> str:
    return base.replace("127.0.0.1", "localhost")


def offsite_links(base: str) -> dict:
    links = "".join(f'<a href="{other_host(base)}/a/{n}">x</a>' for n in (2, 3))
    return {
        "feed.xml": serve_xml(rss([(f"{base}/a/1", "here"), (f"{other_host(base)}/a/4", "there")]), FEED),
        "a/1": serve(article_html(OFFSITE_STORY, after=links)),
    }


def other_schemes(base: str) -> dict:
    links = "".join(f'<a href="{href}">x</a>' for href in OTHER_SCHEMES)
    return {
        "feed.xml": serve_xml(rss([(f"{base}/a/1", "here"), *((href, "x") for href in OTHER_SCHEMES)]), FEED),
        "a/1": serve(article_html(SCHEMES_STORY, after=links + f'<a href="{base}/a/to-file">x</a>')),
        "a/to-file": redirect("file:///etc/passwd"),
    }


def oversized_metadata(base: str) -> dict:
    long_url = f"{base}/a/{'c' * 3000}"
    head = (
        f'<link rel="canonical" href="{long_url}"><link rel="amphtml" href="{long_url}/amp">'
        f'<link rel="alternate" hreflang="ru" href="{base}/ru/{"r" * 3000}">'
        f'<meta property="og:title" content="{"T" * 100_000}">'
    )
    return {
        "feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")]), FEED),
        "a/1": serve(article_html(METADATA_STORY, head=head)),
    }


def cases(secret_file: str) -> list[Case]:
    return [
        Case("billion-laughs", billion_laughs, sitemaps=("sitemap.xml",)),
        Case("external-entities", external_entities(secret_file), sitemaps=("sitemap.xml",)),
        one_article("gzip-bomb", compressed("gzip")),
        one_article("deflate-bomb", compressed("deflate")),
        Case(
            "gzip-sitemap-bomb",
            lambda base: {"sitemap.xml.gz": serve(zeros("gzip"), content_type="application/x-gzip")},
            feeds=(),
            sitemaps=("sitemap.xml.gz",),
        ),
        Case(
            "compressed-feed-bomb",
            lambda base: {"feed.xml": serve(zeros("gzip"), content_type=FEED, headers=[("Content-Encoding", "gzip")])},
        ),
        one_article("huge-page-announced", sized(20 * 1024 * 1024, announce=True)),
        one_article("huge-page-streamed", sized(20 * 1024 * 1024, announce=False)),
        one_article("large-page-under-the-cap", serve(LARGE_PAGE)),
        one_article("very-long-line", serve(LONG_LINE_PAGE)),
        one_article("attribute-flood", serve(ATTRIBUTE_FLOOD)),
        one_article("tag-flood", serve(TAG_FLOOD)),
        Case(
            "redirect-loop",
            lambda base: {
                "feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED),
                "a/1": redirect(f"{base}/a/2"),
                "a/2": redirect(f"{base}/a/1"),
            },
        ),
        Case(
            "self-redirect",
            lambda base: {
                "feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED),
                "a/1": redirect(f"{base}/a/1?utm_source=loop"),
            },
        ),
        Case(
            "endless-redirects",
            lambda base: {"feed.xml": serve_xml(rss([(f"{base}/a/r/0", "x")]), FEED)},
            prefixes=endless_redirects,
        ),
        Case(
            "calendar-trap",
            lambda base: {},
            prefixes=calendar,
            feeds=(),
            start_urls=("calendar/2020_01_01",),
            article_urls=(),
        ),
        Case("pagination-trap", pagination, feeds=(), start_urls=("list?page=1",), article_urls=()),
        Case(
            "url-traps",
            lambda base: {
                "feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED),
                "a/1": serve(article_html(TRAP_STORY, after=trap_links(base))),
            },
        ),
        Case("offsite-links", offsite_links, article_urls=()),
        Case(
            "offsite-redirect",
            lambda base: {
                "feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED),
                "a/1": redirect(f"{other_host(base)}/a/2"),
                "a/2": serve(article_html(REDIRECTED_STORY)),
            },
        ),
        Case("other-schemes", other_schemes),
        Case("oversized-metadata", oversized_metadata),
        Case(
            "redirect-to-long-url",
            lambda base: {
                "feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED),
                "a/1": redirect(f"{base}/a/{'l' * 3000}"),
            },
            prefixes=lambda base: {"a/lll": serve(article_html(LONG_URL_STORY))},
        ),
    ]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    folder = tmp_path_factory.mktemp(f"hostile-{request.param}")
    secret = folder / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with HostileServer() as server:
        if request.param == "sqlite":
            yield crawl(server, cases(str(secret)), folder, f"sqlite:///{folder / 'hostile.db'}")
        else:
            with fresh_postgres_database() as url:
                yield crawl(server, cases(str(secret)), folder, url)


def stored(crawled: Crawl, key: str):
    articles = crawled.articles(key)
    assert len(articles) == 1, crawled.outcome(key)
    return articles[0]


def assert_failed_as(crawled: Crawl, key: str, kind: str) -> None:
    job = crawled.job(key)
    assert (job.errors, crawled.articles(key)) == ({kind: 1}, []), crawled.outcome(key)


def everything_stored(crawled: Crawl) -> str:
    return " ".join(f"{a.title} {a.body} {a.description}" for key in crawled.stats for a in crawled.articles(key))


# --- XML entities -----------------------------------------------------------------------------------------


def test_billion_laughs_is_refused_and_the_sitemap_still_read(crawled):
    assert crawled.job("billion-laughs").errors == {"bad_feed": 1}, crawled.outcome("billion-laughs")
    assert "amplification" in crawled.log
    assert stored(crawled, "billion-laughs").title == LAUGHS_STORY.title
    assert crawled.server.count("/billion-laughs/a/2") == 0


def test_external_entities_and_dtds_are_never_fetched_or_read(crawled):
    assert crawled.server.count("/xxe/", host=None) == 0
    assert SECRET not in everything_stored(crawled)
    # Both documents are read as if the external parts were empty.
    assert stored(crawled, "external-entities").title == XXE_STORY.title
    assert crawled.job("external-entities").errors == {}, crawled.outcome("external-entities")


# --- compression bombs and sizes ----------------------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_download_cap(crawled):
    assert_failed_as(crawled, "gzip-bomb", "too_large")
    assert crawled.server.count("/gzip-bomb/a/1") == 1  # not retried


def test_a_deflate_bomb_stops_at_the_download_cap(crawled):
    assert_failed_as(crawled, "deflate-bomb", "too_large")


def test_a_gzipped_sitemap_bomb_stops_at_the_listing_cap(crawled):
    assert crawled.job("gzip-sitemap-bomb").errors == {"bad_feed": 1}, crawled.outcome("gzip-sitemap-bomb")
    assert f"gzip larger than {shipped.NEWSAGG_LISTING_MAXSIZE} bytes" in crawled.log


def test_a_compressed_feed_bomb_stops_at_the_listing_cap(crawled):
    assert crawled.job("compressed-feed-bomb").errors == {"too_large": 1}, crawled.outcome("compressed-feed-bomb")


def test_a_page_announcing_more_than_the_cap_is_not_downloaded(crawled):
    assert_failed_as(crawled, "huge-page-announced", "too_large")
    assert crawled.server.count("/huge-page-announced/a/1") == 1


def test_a_page_streaming_past_the_cap_is_cut_off(crawled):
    assert_failed_as(crawled, "huge-page-streamed", "too_large")
    assert crawled.server.count("/huge-page-streamed/a/1") == 1


def test_a_large_page_under_the_cap_is_stored_from_its_capped_text(crawled):
    assert len(LARGE_PAGE) > 2 * MAX_HTML_CHARS
    article = stored(crawled, "large-page-under-the-cap")
    assert article.title == LARGE_STORY.title
    assert LARGE_STORY.paragraphs[-1][:50] in article.body


def test_a_very_long_line_is_capped(crawled):
    assert "\n" not in LONG_LINE_PAGE and len(LONG_LINE_PAGE) > MAX_HTML_CHARS
    article = stored(crawled, "very-long-line")
    assert article.title == LONG_LINE_STORY.title
    assert len(article.body) <= MAX_HTML_CHARS


def test_a_tag_with_fifty_thousand_attributes_is_defused(crawled):
    article = stored(crawled, "attribute-flood")
    assert article.title == ATTRIBUTES_STORY.title and ATTRIBUTES_STORY.paragraphs[0][:50] in article.body


def test_a_flood_of_tags_is_cut_at_the_tag_cap(crawled):
    article = stored(crawled, "tag-flood")
    assert article.title == TAGS_STORY.title and TAGS_STORY.paragraphs[-1][:50] in article.body


# --- redirects --------------------------------------------------------------------------------------------


def test_a_redirect_loop_ends_at_the_first_step_back(crawled):
    assert_failed_as(crawled, "redirect-loop", "redirect_loop")
    assert crawled.server.count("/redirect-loop/a/1") == crawled.server.count("/redirect-loop/a/2") == 1


def test_a_redirect_to_itself_with_tracking_parameters_is_a_loop(crawled):
    assert_failed_as(crawled, "self-redirect", "redirect_loop")
    assert crawled.server.count("/self-redirect/a/1") == 1


def test_an_endless_redirect_chain_ends_after_redirect_max_times(crawled):
    assert_failed_as(crawled, "endless-redirects", "too_many_redirects")
    assert crawled.server.count("/endless-redirects/a/r/") == shipped.REDIRECT_MAX_TIMES + 1


# --- traps ------------------------------------------------------------------------------------------------


def test_an_infinite_calendar_ends_at_the_depth_limit(crawled):
    days = {hit.path for hit in crawled.server.hits("/calendar-trap/calendar/")}
    # Each day links the day before and after: within DEPTH_LIMIT steps of the start, and no further.
    assert len(days) == 2 * shipped.DEPTH_LIMIT + 1, crawled.outcome("calendar-trap")
    assert crawled.scrapy_stat("calendar-trap", "request_depth_max") == shipped.DEPTH_LIMIT


def test_infinite_pagination_ends_at_the_depth_limit(crawled):
    assert crawled.server.count("/pagination-trap/list") == shipped.DEPTH_LIMIT + 1


def test_url_traps_are_not_requested_and_are_counted(crawled):
    assert stored(crawled, "url-traps").title == TRAP_STORY.title
    assert [hit.path for hit in crawled.server.hits("/url-traps/a/")] == ["/url-traps/a/1"]
    for reason in ("repeated_segments", "url_too_long", "too_many_params"):
        assert crawled.stat("url-traps", f"skipped/{reason}") == 1, crawled.outcome("url-traps")


# --- other hosts and schemes ----------------------------------------------------------------------------


def test_links_to_other_hosts_are_not_followed(crawled):
    assert stored(crawled, "offsite-links").title == OFFSITE_STORY.title
    assert crawled.server.count("/offsite-links/", host="localhost") == 0


def test_a_redirect_to_another_host_is_not_followed(crawled):
    assert crawled.server.count("/offsite-redirect/", host="localhost") == 0
    assert crawled.articles("offsite-redirect") == []
    assert crawled.scrapy_stat("offsite-redirect", "offsite/filtered") == 1


def test_file_data_and_other_schemes_are_ignored(crawled):
    assert stored(crawled, "other-schemes").title == SCHEMES_STORY.title
    requested = sorted(hit.path for hit in crawled.server.hits("/other-schemes/"))
    assert requested == ["/other-schemes/a/1", "/other-schemes/a/to-file", "/other-schemes/feed.xml"]
    # The redirect to file:// is not followed: it stays the 302 it was.
    assert crawled.job("other-schemes").errors == {"http_302": 1}, crawled.outcome("other-schemes")
    assert "root:" not in everything_stored(crawled)


# --- what a page claims -----------------------------------------------------------------------------------


def test_urls_too_long_for_the_database_are_set_aside_and_the_article_kept(crawled):
    article = stored(crawled, "oversized-metadata")
    assert article.canonical_url == f"{crawled.server.base}/oversized-metadata/a/1"
    assert article.title and article.body
    assert crawled.stat("oversized-metadata", "urls/too_long") == 3  # canonical, AMP, hreflang alternate


def test_a_redirect_to_a_url_too_long_to_store_is_dropped_with_its_reason(crawled):
    job = crawled.job("redirect-to-long-url")
    assert (job.dropped, crawled.articles("redirect-to-long-url")) == ({"url_too_long": 1}, [])


# --- the crawl as a whole ------------------------------------------------------------------------------


def test_every_case_was_crawled_to_the_end_without_a_spider_error(crawled):
    for key in crawled.stats:
        job = crawled.job(key)
        assert job.finished_at is not None, crawled.outcome(key)
        assert crawled.scrapy_stat(key, "spider_exceptions/count") == 0, crawled.outcome(key)
    assert "Traceback" not in crawled.log

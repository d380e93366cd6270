"""Broken input: each case is stored correctly or dropped with a named reason, and the crawl goes on.

Every case is a source of its own on the hostile server, crawled together in one process by the real
spider and pipeline into a real database (SQLite, and PostgreSQL, which refuses NUL characters and
over-long values that SQLite would take).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ..conftest import fresh_postgres_database
from .server import Exchange, HostileServer
from .site import Case, Crawl, Stories, article_html, crawl, rss, serve, serve_xml, urlset

STORIES = Stories()
FEED = "application/rss+xml"


def one_article(key: str, page, *, lang: str = "en", **options) -> Case:
    """A case whose feed lists one article, /<key>/a/1, served by ``page``."""
    return Case(
        key,
        lambda base: {"feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")]), FEED), "a/1": page},
        lang=lang,
        **options,
    )


# --- malformed and truncated HTML ---------------------------------------------------------------------------

MALFORMED = STORIES.take()
MALFORMED_HTML = (
    # No </head> or <body>, unquoted attributes, unclosed <p> and <b>, stray closing tags, a stray quote.
    f"<html lang=en><head><meta charset=utf-8><title>{MALFORMED.title}</title><meta property=og:type content=article>"
    f"<div class=page id=main><article><h1>{MALFORMED.title}</h1></span>"
    + "".join(f"<p class=text>{p}</b></font>" for p in MALFORMED.paragraphs[:2])
    + f'<div class=x"y><p><b>{MALFORMED.paragraphs[2]}'
    + "".join(f"<p>{p}" for p in MALFORMED.paragraphs[3:])
    + "</td></tr></table></article></div></div></html></html><p"
)

TRUNCATED = STORIES.take()
TRUNCATED_HTML = article_html(TRUNCATED)
TRUNCATED_HTML = TRUNCATED_HTML[: TRUNCATED_HTML.index(TRUNCATED.paragraphs[-1]) + 40]

TRANSFER = STORIES.take()


def cut_transfer(exchange: Exchange) -> None:
    """Announce the whole page, send half of it, hang up."""
    body = article_html(TRANSFER).encode()
    exchange.reply(body[: len(body) // 2], length=len(body))


# --- charsets -----------------------------------------------------------------------------------------------

NO_CHARSET = STORIES.take("ru")
WRONG_HEADER = STORIES.take("ar")
HEADER_VS_META = STORIES.take("ru")
BOM = STORIES.take("ar")
UTF8_LABEL = STORIES.take("ru")

# --- not HTML -------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(20_000)
NOISE = random.Random(2).randbytes(50_000)
BOILERPLATE = (
    "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Newsroom</title></head><body>"
    "<header><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/business>Business</a></nav></header>"
    "<div class=cookie-banner>We use cookies to improve your experience. <button>Accept</button></div>"
    "<aside><h3>Most read</h3><ul><li><a href=/x>Markets close higher</a></li></ul></aside>"
    "<footer><p>© 2026 Newsroom. All rights reserved.</p><a href=/privacy>Privacy</a> "
    "<a href=/terms>Terms</a> <a href=/subscribe>Subscribe</a></footer></body></html>"
)

# --- feeds and sitemaps ---------------------------------------------------------------------------------

LISTED = STORIES.take()
ENTITIES = STORIES.take()
USERLAND = STORIES.take()
ATOM03 = STORIES.take()
RSS091 = STORIES.take()
RSS091_DOCTYPE = (
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
)
OLD_SITEMAP = STORIES.take()
RELATIVE = [STORIES.take() for _ in range(3)]


def broken_listings(base: str) -> dict:
    return {
        "broken-feed.xml": serve_xml(rss([(f"{base}/a/9", "x")]).replace(b"<title>x</title>", b"<title>A & B</title>")),
        "broken-sitemap.xml": serve_xml(urlset([f"{base}/a/8"])[:-30]),
        "feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")]), FEED),
        "a/1": serve(article_html(LISTED)),
    }


def atom03(base: str) -> bytes:
    return (
        '<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Feed</title>'
        f'<entry><title>an article</title><link rel="alternate" type="text/html" href="{base}/a/1"/>'
        "<issued>2026-03-02T06:15:00Z</issued></entry></feed>"
    ).encode()


def garbage_links(base: str) -> bytes:
    links = [
        "a/1",  # relative to the feed
        f"  {base}/a/2  ",  # padded
        f"//{base.split('://', 1)[1]}/a/3",  # scheme-relative
        "javascript:alert(1)",
        "mailto:desk@example.org",
        "http://[::1",
        "ht!tp://broken",
        "file:///etc/passwd",
        "data:text/html,<p>hi</p>",
        "",
    ]
    return rss([(link, f"item {n}") for n, link in enumerate(links)])


GARBAGE_HREFS = "".join(
    f'<a href="{href}">link</a>' for href in ("http://[::1", "javascript:void(0)", "//", "?", "#top", "http://:80/")
)

# --- dates and NUL ---------------------------------------------------------------------------------------

FUTURE = STORIES.take()
EPOCH = STORIES.take()
NUL = STORIES.take()
NUL_HTML = article_html(NUL, head=f'<meta name="description" content="{"x" * 1200}">').replace(
    NUL.paragraphs[1][:20], NUL.paragraphs[1][:20] + "\x00", 1
)

CASES = [
    one_article("malformed-html", serve(MALFORMED_HTML)),
    one_article("truncated-html", serve(TRUNCATED_HTML)),
    one_article("truncated-transfer", cut_transfer),
    one_article(
        "no-charset",
        serve(article_html(NO_CHARSET, lang="ru", meta_charset=None).encode("cp1251"), content_type="text/html"),
        lang="ru",
    ),
    one_article(
        "wrong-header-charset",
        serve(
            article_html(WRONG_HEADER, lang="ar", meta_charset=None).encode(),
            content_type="text/html; charset=iso-8859-1",
        ),
        lang="ar",
    ),
    one_article(
        "header-vs-meta-charset",
        serve(
            article_html(HEADER_VS_META, lang="ru", meta_charset="utf-8").encode("cp1251"),
            content_type="text/html; charset=windows-1251",
        ),
        lang="ru",
    ),
    one_article(
        "bom-vs-header-charset",
        serve(
            b"\xef\xbb\xbf" + article_html(BOM, lang="ar", meta_charset="windows-1256").encode(),
            content_type="text/html; charset=windows-1256",
        ),
        lang="ar",
    ),
    one_article(
        "utf8-label-on-1251",
        serve(
            article_html(UTF8_LABEL, lang="ru", meta_charset="windows-1251").encode("cp1251"),
            content_type="text/html; charset=utf-8",
        ),
        lang="ru",
    ),
    one_article("png-as-html", serve(PNG)),
    one_article("noise-as-html", serve(NOISE)),
    one_article("pdf", serve(b"%PDF-1.7\n" + NOISE, content_type="application/pdf")),
    one_article("empty-200", serve(b"")),
    one_article("boilerplate-only", serve(BOILERPLATE)),
    Case("invalid-xml", broken_listings, feeds=("broken-feed.xml", "feed.xml"), sitemaps=("broken-sitemap.xml",)),
    Case(
        "html-entities-in-feed",
        lambda base: {
            "feed.xml": serve_xml(
                rss([(f"{base}/a/1", "x")]).replace(
                    b"<title>x</title>", b"<title>&laquo;A&nbsp;B&raquo; &mdash; C</title>"
                ),
                FEED,
            ),
            "a/1": serve(article_html(ENTITIES)),
        },
    ),
    Case(
        "userland-namespace",
        lambda base: {
            "feed.xml": serve_xml(
                rss([(f"{base}/a/1", "an article")], namespace="http://backend.userland.com/rss2"), FEED
            ),
            "a/1": serve(article_html(USERLAND)),
        },
    ),
    Case("atom-0-3", lambda base: {"feed.xml": serve_xml(atom03(base)), "a/1": serve(article_html(ATOM03))}),
    Case(
        "rss-0-91-doctype",
        lambda base: {
            "feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")], prolog=RSS091_DOCTYPE.decode()), FEED),
            "a/1": serve(article_html(RSS091)),
        },
    ),
    Case(
        "old-sitemap-namespace",
        lambda base: {
            "sitemap.xml": serve_xml(urlset([f"{base}/a/1"], namespace="http://www.google.com/schemas/sitemap/0.84")),
            "a/1": serve(article_html(OLD_SITEMAP)),
        },
        feeds=(),
        sitemaps=("sitemap.xml",),
    ),
    Case(
        "relative-and-garbage-urls",
        lambda base: {
            "feed.xml": serve_xml(garbage_links(base), FEED),
            **{f"a/{n + 1}": serve(article_html(story, after=GARBAGE_HREFS)) for n, story in enumerate(RELATIVE)},
        },
    ),
    one_article("future-date", serve(article_html(FUTURE, published="2099-01-01T10:00:00+00:00"))),
    one_article("epoch-date", serve(article_html(EPOCH, published="1970-01-01T00:00:00Z"))),
    one_article("nul-characters", serve(NUL_HTML)),
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    folder = tmp_path_factory.mktemp(f"broken-{request.param}")
    with HostileServer() as server:
        if request.param == "sqlite":
            yield crawl(server, CASES, folder, f"sqlite:///{folder / 'broken.db'}")
        else:
            with fresh_postgres_database() as url:
                yield crawl(server, CASES, folder, url)


def stored(crawled: Crawl, key: str):
    articles = crawled.articles(key)
    assert len(articles) == 1, crawled.outcome(key)
    return articles[0]


def assert_dropped(crawled: Crawl, key: str, reason: str) -> None:
    job = crawled.job(key)
    assert (job.dropped, job.stored, crawled.articles(key)) == ({reason: 1}, 0, []), crawled.outcome(key)


def assert_text(article, story) -> None:
    assert article.title == story.title
    for paragraph in story.paragraphs:
        assert paragraph[:50] in article.body


# --- malformed and truncated HTML ---------------------------------------------------------------------------


def test_malformed_html_is_stored_with_its_text(crawled):
    assert_text(stored(crawled, "malformed-html"), MALFORMED)


def test_truncated_html_is_stored_with_what_arrived(crawled):
    article = stored(crawled, "truncated-html")
    assert article.title == TRUNCATED.title
    assert TRUNCATED.paragraphs[-2][:50] in article.body
    assert TRUNCATED.paragraphs[-1][:30] in article.body


def test_a_transfer_cut_short_is_retried_then_counted_as_truncated(crawled):
    job = crawled.job("truncated-transfer")
    assert (job.errors, crawled.articles("truncated-transfer")) == ({"truncated": 1}, []), crawled.outcome(
        "truncated-transfer"
    )
    assert crawled.server.count("/truncated-transfer/a/1") == 3  # RETRY_TIMES 2


# --- charsets -----------------------------------------------------------------------------------------------


def test_no_charset_anywhere_is_detected(crawled):
    article = stored(crawled, "no-charset")
    assert_text(article, NO_CHARSET)
    assert article.lang == "ru"


def test_a_wrong_header_charset_loses_to_valid_utf8(crawled):
    assert_text(stored(crawled, "wrong-header-charset"), WRONG_HEADER)


def test_the_header_charset_beats_a_conflicting_meta(crawled):
    assert_text(stored(crawled, "header-vs-meta-charset"), HEADER_VS_META)


def test_a_byte_order_mark_beats_header_and_meta(crawled):
    assert_text(stored(crawled, "bom-vs-header-charset"), BOM)


def test_a_utf8_label_on_a_windows_1251_body_is_not_believed(crawled):
    assert_text(stored(crawled, "utf8-label-on-1251"), UTF8_LABEL)


# --- not HTML -------------------------------------------------------------------------------------------


def test_an_image_served_as_html_is_dropped_as_not_html(crawled):
    assert crawled.stat("png-as-html", "dropped/not_html") == 1
    assert_dropped(crawled, "png-as-html", "not_html")


def test_random_bytes_served_as_html_are_dropped_as_not_html(crawled):
    assert_dropped(crawled, "noise-as-html", "not_html")


def test_a_pdf_is_dropped_as_not_html(crawled):
    assert_dropped(crawled, "pdf", "not_html")


def test_an_empty_200_is_dropped_as_empty_body(crawled):
    assert_dropped(crawled, "empty-200", "empty_body")


def test_a_page_of_only_boilerplate_is_dropped_as_empty_body(crawled):
    assert_dropped(crawled, "boilerplate-only", "empty_body")


# --- feeds and sitemaps ---------------------------------------------------------------------------------


def test_invalid_feeds_and_sitemaps_are_counted_and_the_good_feed_still_read(crawled):
    job = crawled.job("invalid-xml")
    assert job.errors == {"bad_feed": 2}, crawled.outcome("invalid-xml")
    assert_text(stored(crawled, "invalid-xml"), LISTED)
    assert crawled.server.count("/invalid-xml/a/9") == crawled.server.count("/invalid-xml/a/8") == 0


def test_html_entities_in_a_feed_are_read(crawled):
    assert crawled.job("html-entities-in-feed").errors == {}
    assert_text(stored(crawled, "html-entities-in-feed"), ENTITIES)


def test_an_rss_feed_in_a_foreign_default_namespace_is_read(crawled):
    assert_text(stored(crawled, "userland-namespace"), USERLAND)


def test_an_atom_0_3_feed_is_read(crawled):
    article = stored(crawled, "atom-0-3")
    assert_text(article, ATOM03)


def test_a_feed_naming_an_external_dtd_is_read_without_fetching_it(crawled):
    assert crawled.job("rss-0-91-doctype").errors == {}, crawled.outcome("rss-0-91-doctype")
    assert_text(stored(crawled, "rss-0-91-doctype"), RSS091)


def test_a_sitemap_in_the_old_google_namespace_is_read(crawled):
    assert_text(stored(crawled, "old-sitemap-namespace"), OLD_SITEMAP)


def test_relative_urls_are_resolved_and_garbage_urls_ignored(crawled):
    key = "relative-and-garbage-urls"
    assert sorted(a.title for a in crawled.articles(key)) == sorted(s.title for s in RELATIVE), crawled.outcome(key)
    requested = sorted(hit.path for hit in crawled.server.hits(f"/{key}/"))
    assert requested == [f"/{key}/a/1", f"/{key}/a/2", f"/{key}/a/3", f"/{key}/feed.xml"]
    assert crawled.job(key).errors == {}
    assert crawled.scrapy_stat(key, "spider_exceptions/count") == 0


# --- dates and NUL ---------------------------------------------------------------------------------------


def test_a_date_in_the_future_is_cleared_and_the_article_kept(crawled):
    article = stored(crawled, "future-date")
    assert_text(article, FUTURE)
    assert article.published_at is None
    assert crawled.stat("future-date", "dates/implausible") == 1


def test_a_date_in_1970_is_never_chosen_and_the_feed_date_stands_in(crawled):
    # Unix time 0 from a broken template is no candidate; the feed's pubDate is the next evidence.
    article = stored(crawled, "epoch-date")
    assert article.published_at == datetime(2026, 3, 2, 6, 15, tzinfo=UTC)
    assert article.published_local == "2026-03-02T06:15:00+00:00"
    assert crawled.stat("epoch-date", "dates/implausible") == 0


def test_a_plausible_date_is_kept(crawled):
    assert stored(crawled, "malformed-html").published_at is not None
    assert crawled.stat("malformed-html", "dates/implausible") == 0


def test_nul_characters_are_removed_before_storing(crawled):
    assert NUL_HTML.index("\x00") > 1024  # past the bytes sniffed for binary content
    article = stored(crawled, "nul-characters")
    assert_text(article, NUL)
    assert "\x00" not in article.body


# --- the crawl as a whole ------------------------------------------------------------------------------


def test_every_case_was_crawled_to_the_end_without_a_spider_error(crawled):
    for case in CASES:
        job = crawled.job(case.key)
        assert job.finished_at is not None and job.status != "failed", crawled.outcome(case.key)
        assert crawled.scrapy_stat(case.key, "spider_exceptions/count") == 0, crawled.outcome(case.key)
    assert "Traceback" not in crawled.log

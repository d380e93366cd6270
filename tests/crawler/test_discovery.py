"""Feeds, sitemaps and robots.txt: recorded real-world files, format details and hostile input."""

from __future__ import annotations

import gzip
import io
import pickle
import re
import resource
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.discovery.listings import DiscoveryError, Entry, parse_feed_or_sitemap, robots_sitemaps, sniff

FEED_URL = "https://news.example.com/feeds/main.xml"

# Every file in realworld/feeds must be listed here with the kind it is.
REALWORLD_KINDS = {
    "news-crawl__feed-with-sitemap-namespace.xml": "rss",
    "news-crawl__sitemap-news.xml": "urlset",
    "rss-fetcher__real-cnn.rss": "rss",
    "rss-fetcher__real-korean-times.rss": "rss",
    "trafilatura__feed1.atom": "atom",
    "trafilatura__feed2.rss": "rss",
    "trafilatura__sitemap-hreflang.xml": "urlset",
    "trafilatura__sitemap.xml": "urlset",
    "trafilatura__sitemap.xml.gz": "urlset",
    "trafilatura__sitemap2.xml": "sitemapindex",
}
_ENTRY_TAG = {"rss": "item", "atom": "entry", "urlset": "url", "sitemapindex": "sitemap"}


def _rss(items: str, channel_extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel><title>T</title>{channel_extra}{items}</channel></rss>"
    ).encode()


def _gzip_chunks(chunks: Iterator[bytes]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as writer:
        for chunk in chunks:
            writer.write(chunk)
    return buffer.getvalue()


def _expected_count(text: str, kind: str) -> int:
    """Entries counted with regexes, independently of the parser under test."""
    tag = _ENTRY_TAG[kind]
    if kind != "atom":
        return len(re.findall(rf"<{tag}[\s>]", text))
    # Atom entries whose only links are rel="self" name no article page.
    blocks = re.findall(r"<entry[\s>].*?</entry>", text, re.S)
    return sum(1 for block in blocks if re.search(r'<link\b(?![^>]*rel="self")', block))


# --- recorded real-world feeds and sitemaps --------------------------------------


def test_every_realworld_feed_has_an_expected_kind(realworld: Path) -> None:
    assert sorted(path.name for path in (realworld / "feeds").iterdir()) == sorted(REALWORLD_KINDS)


@pytest.mark.parametrize(("name", "kind"), sorted(REALWORLD_KINDS.items()))
def test_realworld_file_parses(realworld: Path, name: str, kind: str) -> None:
    body = (realworld / "feeds" / name).read_bytes()
    text = (gzip.decompress(body) if name.endswith(".gz") else body).decode("utf-8")
    found = parse_feed_or_sitemap(body, f"https://example.net/{name}")
    assert sniff(body) == kind
    assert found.kind == kind
    assert len(found.entries) == _expected_count(text, kind)
    assert all(entry.url.startswith(("http://", "https://")) for entry in found.entries)


def test_google_news_sitemap_fields(realworld: Path) -> None:
    body = (realworld / "feeds" / "news-crawl__sitemap-news.xml").read_bytes()
    [entry] = parse_feed_or_sitemap(body, "https://www.example.com/sitemap-news.xml").entries
    assert entry.url == "http://www.example.com/business/article55.html"
    assert entry.title == "Companies A, B in Merger Talks"
    assert entry.published == "2008-12-23"
    assert entry.lang == "en"
    assert ("de", "http://www.example.com/de/business/article55.html") in entry.alternates


def test_sitemap_hreflang_alternates(realworld: Path) -> None:
    body = (realworld / "feeds" / "trafilatura__sitemap-hreflang.xml").read_bytes()
    entries = parse_feed_or_sitemap(body, "https://www.example.com/sitemap.xml").entries
    expected = (
        ("de", "http://www.example.com/deutsch/page.html"),
        ("de-ch", "http://www.example.com/schweiz-deutsch/page.html"),
        ("en", "http://www.example.com/english/page.html"),
    )
    assert [entry.alternates for entry in entries] == [expected] * 3
    # The alternate pointing back at <loc> tells each page's own language.
    assert [entry.lang for entry in entries] == ["en", "de", "de-ch"]


def test_gzipped_sitemap_equals_plain(realworld: Path) -> None:
    feeds = realworld / "feeds"
    plain = parse_feed_or_sitemap((feeds / "trafilatura__sitemap.xml").read_bytes(), FEED_URL)
    gzipped = parse_feed_or_sitemap((feeds / "trafilatura__sitemap.xml.gz").read_bytes(), FEED_URL)
    assert gzipped == plain
    assert plain.entries[0] == Entry(url="https://www.sitemaps.org/", lastmod="2016-11-21")


def test_feed_declaring_sitemap_namespace_is_a_feed(realworld: Path) -> None:
    body = (realworld / "feeds" / "news-crawl__feed-with-sitemap-namespace.xml").read_bytes()
    found = parse_feed_or_sitemap(body, "https://example.com/feed/lorem")
    assert found.kind == "rss"
    assert found.entries[0].lang == "en-us"
    assert found.entries[0].published == "Fri, 24 Jan 2025 15:32:41 -0500"


# --- formats ------------------------------------------------------------------------


def test_rss2_dates_languages_guid_and_relative_links() -> None:
    body = _rss(
        "<item><title> A\n story </title><link>/news/1</link><pubDate>Thu, 12 Mar 2026 14:30:00 +0300</pubDate>"
        "<dc:language>ru</dc:language></item>"
        "<item><title>B</title><dc:date>2026-03-12T10:00:00Z</dc:date>"
        '<guid isPermaLink="true">https://news.example.com/news/2</guid></item>'
        '<item><title>no link</title><guid isPermaLink="false">tag:x,2026:3</guid></item>',
        channel_extra="<language>en-US</language>",
    )
    found = parse_feed_or_sitemap(body, FEED_URL)
    assert found.entries == [
        Entry("https://news.example.com/news/1", "A story", "Thu, 12 Mar 2026 14:30:00 +0300", "ru"),
        Entry("https://news.example.com/news/2", "B", "2026-03-12T10:00:00Z", "en-US"),
    ]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>", " "])
def test_unfetchable_links_are_dropped(href: str) -> None:
    body = _rss(f"<item><link>{href.replace('<', '&lt;')}</link></item><item><link>/ok</link></item>")
    assert [e.url for e in parse_feed_or_sitemap(body, FEED_URL).entries] == ["https://news.example.com/ok"]


def test_rss1_rdf() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/"><title>T</title><dc:language>ar</dc:language></channel>
  <item rdf:about="https://news.example.com/a/1"><title>One</title><link>https://news.example.com/a/1</link>
    <dc:date>2026-03-12T14:30:00+03:00</dc:date></item>
  <item rdf:about="https://news.example.com/a/2"><title>Two</title></item>
</rdf:RDF>"""
    found = parse_feed_or_sitemap(body, FEED_URL)
    assert (found.kind, sniff(body)) == ("rss", "rss")
    assert found.entries == [
        Entry("https://news.example.com/a/1", "One", "2026-03-12T14:30:00+03:00", "ar"),
        Entry("https://news.example.com/a/2", "Two", None, "ar"),
    ]


def test_atom_links_languages_and_dates() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://news.example.com/en/">
  <title>T</title>
  <entry><title>One</title><link rel="self" href="/atom/1"/><link rel="edit" href="/edit/1"/>
    <link rel="alternate" type="text/html" href="news/1"/>
    <published>2026-03-12T11:30:00Z</published><updated>2026-03-13T09:00:00Z</updated></entry>
  <entry xml:lang="ru"><title>Two</title><link href="https://news.example.com/ru/news/2"/>
    <updated>2026-03-14T09:00:00Z</updated></entry>
  <entry><title>Self only</title><link rel="self" href="/atom/3"/></entry>
</feed>"""
    found = parse_feed_or_sitemap(body, FEED_URL)
    assert found.kind == "atom"
    assert found.entries == [
        Entry("https://news.example.com/en/news/1", "One", "2026-03-12T11:30:00Z", "en", "2026-03-13T09:00:00Z"),
        Entry("https://news.example.com/ru/news/2", "Two", "2026-03-14T09:00:00Z", "ru", "2026-03-14T09:00:00Z"),
    ]


def test_sitemap_index_and_relative_locs() -> None:
    body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>/sitemaps/news-ar.xml.gz</loc><lastmod>2026-03-12</lastmod></sitemap>
  <sitemap><loc>javascript:void(0)</loc></sitemap>
</sitemapindex>"""
    found = parse_feed_or_sitemap(body, "https://news.example.com/sitemap_index.xml")
    assert found == parse_feed_or_sitemap(gzip.compress(body), "https://news.example.com/sitemap_index.xml")
    assert found.kind == "sitemapindex"
    assert found.entries == [Entry("https://news.example.com/sitemaps/news-ar.xml.gz", lastmod="2026-03-12")]


def test_gzip_with_several_members_and_leading_blank_lines() -> None:
    body = gzip.compress(b"\n\n  <?xml version='1.0'?><urlset><url><loc>/a") + gzip.compress(b"</loc></url></urlset>")
    assert [e.url for e in parse_feed_or_sitemap(body, FEED_URL).entries] == ["https://news.example.com/a"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"<rss/>", "rss"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "atom"),
        (gzip.compress(b'<?xml version="1.0"?>\n<urlset/>', mtime=0), "urlset"),
        (b"<sitemapindex>" + b"<sitemap/>" * 100_000, "sitemapindex"),
        (b"<!DOCTYPE html><html><body>feed moved</body></html>", None),
        (b"not xml at all", None),
        (b"\x1f\x8b\x08 broken gzip", None),
        (b"", None),
    ],
)
def test_sniff(body: bytes, kind: str | None) -> None:
    assert sniff(body) == kind


# --- broken and hostile input ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<?xml version='1.0'?>\n<rss>\n<channel><item>", "invalid XML at line 3"),
        (b"<rss><channel><item><title>a & b</title></item></channel></rss>", "invalid XML at line 1"),
        (b"<html><body><p>hello</p></body></html>", "unknown root element <html>"),
        (b"   \n", "empty body"),
        (gzip.compress(b"<rss><channel>", mtime=0)[:-12], "truncated gzip data"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff", "invalid gzip data"),
    ],
)
def test_bad_documents_raise_naming_the_url(body: bytes, reason: str) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_feed_or_sitemap(body, FEED_URL)
    assert caught.value.url == FEED_URL
    assert caught.value.reason.startswith(reason)
    assert str(caught.value).startswith(f"{FEED_URL}: {reason}")
    assert isinstance(pickle.loads(pickle.dumps(caught.value)), DiscoveryError)


def test_plain_body_over_the_cap_is_refused() -> None:
    with pytest.raises(DiscoveryError, match="body larger than 100 bytes"):
        parse_feed_or_sitemap(_rss("<item><link>/a</link></item>" * 10), FEED_URL, max_size=100)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """200 MiB of zeros, about 200 KiB compressed."""
    return _gzip_chunks(bytes(1 << 20) for _ in range(200))


def test_gzip_bomb_is_refused_early(gzip_bomb: bytes) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(DiscoveryError, match=r"gzip larger than 1048576 bytes"):
            parse_feed_or_sitemap(gzip_bomb, FEED_URL, max_size=1 << 20)
        assert sniff(gzip_bomb) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 8 << 20


def _laughs(depth: int) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)]
    return _rss(f"<item><title>&lol{depth};</title><link>/a</link></item>").replace(
        b"<rss", f"<!DOCTYPE rss [{''.join(entities)}]>\n<rss".encode(), 1
    )


def test_small_entity_expansion_is_left_unexpanded() -> None:
    [entry] = parse_feed_or_sitemap(_laughs(3), FEED_URL).entries
    assert entry.title == "&lol3;"


def test_billion_laughs_is_not_expanded() -> None:
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        found = parse_feed_or_sitemap(_laughs(9), FEED_URL)
    except DiscoveryError as exc:
        # libxml2 refuses the declared amplification outright; either way nothing expands.
        assert exc.url == FEED_URL
    else:
        assert all(len(entry.title or "") < 100 for entry in found.entries)
    assert time.monotonic() - started < 2
    # ru_maxrss is in KiB on Linux; a real expansion would need gigabytes.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100 * 1024


@pytest.fixture
def hit_counter() -> Iterator[tuple[str, list[str]]]:
    """A 127.0.0.1 server recording every path requested from it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_external_file_entity_is_not_read() -> None:
    doctype = b'<!DOCTYPE rss [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>\n'
    body = _rss("<item><title>&passwd;</title><link>/a/&passwd;</link><dc:language>&passwd;</dc:language></item>")
    found = parse_feed_or_sitemap(body.replace(b"<rss", doctype + b"<rss", 1), FEED_URL)
    assert "root:" not in repr(found)
    assert found.entries[0].title == "&passwd;"


def test_external_dtd_and_entities_are_not_fetched(hit_counter: tuple[str, list[str]]) -> None:
    # The libxml2 in current lxml wheels has no HTTP client at all; this guards builds that do.
    base, hits = hit_counter
    doctype = (
        f'<!DOCTYPE rss SYSTEM "{base}/dtd" [<!ENTITY remote SYSTEM "{base}/entity">'
        f'<!ENTITY % param SYSTEM "{base}/param"> %param;]>\n'
    )
    body = _rss("<item><title>&remote;&leak;</title><link>/a</link></item>")
    found = parse_feed_or_sitemap(body.replace(b"<rss", doctype.encode() + b"<rss", 1), FEED_URL)
    assert hits == []
    assert found.entries == [Entry("https://news.example.com/a", "&remote;&leak;")]


# --- robots.txt -----------------------------------------------------------------


def test_robots_sitemaps() -> None:
    robots = (
        "\ufeffUser-agent: *\nDisallow: /private/\n"
        "Sitemap: https://news.example.com/sitemap_index.xml\n"
        "sitemap: /sitemaps/news.xml  # news only\n"
        "SITEMAP:/sitemaps/pages.xml\n"
        "Sitemap:\n"
        "Sitemap: ftp://news.example.com/s.xml\n"
        "Sitemap: https://news.example.com/sitemap_index.xml\n"
        "# Sitemap: /commented-out.xml\n"
    )
    assert robots_sitemaps(robots, "https://news.example.com/robots.txt") == [
        "https://news.example.com/sitemap_index.xml",
        "https://news.example.com/sitemaps/news.xml",
        "https://news.example.com/sitemaps/pages.xml",
    ]
    assert robots_sitemaps("User-agent: *\nDisallow:\n", "https://news.example.com/robots.txt") == []

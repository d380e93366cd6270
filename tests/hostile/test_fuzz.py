"""Fuzzing: random bytes and mutated real pages through decoding, extraction, language detection, date
parsing and discovery. No exception escapes, outputs respect the documented caps (crawler.limits,
crawler.discovery.listings.MAX_ENTRIES, crawler.extract.dates.MAX_INPUT_CHARS), and the memory a page costs stays
bounded by the caps whatever its size (measured with tracemalloc). No wall-clock time is asserted.

Examples are derandomized so that CI sees the same inputs on every run.
"""

from __future__ import annotations

import gzip
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery.listings import MAX_ENTRIES, DiscoveryError, parse_feed_or_sitemap, robots_sitemaps, sniff
from crawler.extract.article import Extracted, extract_article
from crawler.extract.dates import parse_date
from crawler.extract.encoding import decode_html
from crawler.extract.language import detect_language
from crawler.limits import MAX_HTML_CHARS, MAX_HTML_TAGS, MAX_URL_LENGTH, cap_html, looks_binary, url_trap
from crawler.urls import is_fetchable

URL = "https://news.example.org/world/2026/03/02/story"
FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
# Python memory one extraction may take, as a multiple of the characters it reads at most: the capped
# page, its UTF-8 copy for the parser, the texts taken from it and the extractor's own structures. Real
# pages peak at up to half of it; without the cap, forty copies of a large real page take over twice it.
MEMORY_PER_CAPPED_CHAR = 32

# Fragments that break parsers in practice, spliced into real pages.
SNIPPETS = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"<script>",
    b"</script>",
    b"<!--",
    b"<![CDATA[",
    b"<title>",
    b"</html>",
    b'<meta charset="utf-16">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=x-unknown">',
    b'<base href="javascript:alert(1)">',
    b'<link rel="canonical" href="http://[::1">',
    b'<link rel="alternate" hreflang="ru" href="' + b"r" * 5000 + b'">',
    b'<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"99999-99-99",'
    b'"headline":{"name":[[[[["x"]]]]]},"author":' + b"[" * 500 + b"]" * 500 + b"}</script>",
    b"<div " + b" ".join(b'a%d="1"' % n for n in range(3000)) + b">",
    b"<p>" * 3000,
    b'<time datetime="1970-01-01T00:00:00Z">',
    "<p>١٢ آذار ٢٠٢٦ — 12 марта 2026 г.</p>".encode(),
    b"&#0;&#xD800;&#1114112;&nbsp;&unknown;",
]
DATE_LIKE = st.sampled_from(
    [
        "2026-03-02T09:15:00+03:00",
        "Mon, 02 Mar 2026 06:15:00 GMT",
        "12 марта 2026 г., 14:30",
        "١٢ آذار ٢٠٢٦",
        "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:59",
        "0000-00-00 00:00:00",
        "2026-02-30",
        "yesterday",
        "-1e309",
    ]
)


# --- inputs ---------------------------------------------------------------------------------------------


def _sample(folder: Path, pattern: str, count: int) -> list[Path]:
    paths = sorted(folder.glob(pattern))
    step = max(1, len(paths) // count)
    return paths[::step][:count]


@pytest.fixture(scope="module")
def real_pages(realworld: Path) -> list[bytes]:
    """A spread of recorded pages (several languages, corpora, encodings), as the bytes served."""
    chosen = [path for lang in ("ru", "ar", "en") for path in _sample(realworld, f"*/{lang}/*.gz", 4)]
    return [gzip.decompress(path.read_bytes()) for path in chosen]


@pytest.fixture(scope="module")
def real_feeds(realworld: Path) -> list[bytes]:
    return [path.read_bytes() for path in sorted((realworld / "feeds").iterdir()) if path.is_file()]


@st.composite
def mutated(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """A real document cut, pierced, spliced with hostile fragments, or with a part repeated many times.

    Positions and lengths come from a seeded Random drawn from Hypothesis: spread over the whole
    document rather than crowded at its start, and still reproducible.
    """
    data = bytearray(draw(st.sampled_from(originals)))
    rnd = draw(st.randoms(use_true_random=False))
    operations = ["delete", "insert", "splice", "splice", "repeat", "flip", "truncate"]
    for operation in draw(st.lists(st.sampled_from(operations), min_size=1, max_size=5)):
        at = rnd.randrange(len(data) + 1)
        if operation == "truncate":
            del data[at:]
        elif operation == "delete":
            del data[at : at + rnd.randrange(1, 5000)]
        elif operation == "insert":
            data[at:at] = rnd.randbytes(rnd.randrange(1, 300))
        elif operation == "splice":
            data[at:at] = rnd.choice(SNIPPETS) * rnd.randrange(1, 50)
        elif operation == "repeat":
            data[at:at] = bytes(data[at : at + rnd.randrange(1, 4000)]) * rnd.randrange(2, 500)
        else:
            for _ in range(rnd.randrange(1, 50)):
                if data:
                    data[rnd.randrange(len(data))] = rnd.randrange(256)
    return bytes(data)


CHARSETS = st.sampled_from([None, "utf-8", "windows-1251", "windows-1256", "utf-16", "iso-8859-1", "x-bogus", ""])
HINTS = st.fixed_dictionaries(
    {}, optional={"title": st.text(max_size=300), "published": st.one_of(DATE_LIKE, st.text(max_size=100))}
)


# --- checks ---------------------------------------------------------------------------------------------


def check_extracted(extracted: Extracted) -> None:
    assert isinstance(extracted, Extracted)
    assert len(extracted.body) <= MAX_HTML_CHARS
    for text in (extracted.title, extracted.description):
        assert text is None or len(text) <= MAX_HTML_CHARS
    assert "\x00" not in extracted.body
    for moment in (extracted.published_at, extracted.modified_at):
        assert moment is None or moment.utcoffset() is not None
    assert extracted.drop_reason in (None, "not_article", "empty_body")


def check_language(text: str, declared: str | None = None) -> None:
    guess = detect_language(text, declared)
    assert guess.lang is None or (guess.lang.isalpha() and len(guess.lang) in (2, 3))
    assert 0.0 <= guess.confidence <= 1.0


def check_discovery(body: bytes, url: str = URL) -> None:
    try:
        found = parse_feed_or_sitemap(body, url)
    except DiscoveryError as exc:
        assert exc.url == url and exc.reason
    else:
        assert found.kind in ("rss", "atom", "urlset", "sitemapindex")
        assert len(found.entries) <= MAX_ENTRIES
        assert all(is_fetchable(entry.url) for entry in found.entries)
    assert sniff(body) in (None, "rss", "atom", "urlset", "sitemapindex")


def extract_bytes(body: bytes, charset: str | None, hints: dict | None = None) -> Extracted:
    html, encoding = decode_html(body, charset)
    assert isinstance(html, str) and encoding
    extracted = extract_article(html, URL, timezone="Europe/Moscow", hints=hints or {})
    check_extracted(extracted)
    check_language("\n".join(filter(None, [extracted.title, extracted.body])), extracted.declared_lang)
    return extracted


# --- random bytes -----------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=60)
@given(body=st.binary(max_size=30_000), charset=CHARSETS, hints=HINTS)
def test_random_bytes_through_decoding_extraction_and_language_detection(body, charset, hints):
    extract_bytes(body, charset, hints)
    looks_binary(body)


@settings(FUZZ, max_examples=150)
@given(body=st.binary(max_size=20_000))
def test_random_bytes_through_discovery(body):
    check_discovery(body)
    check_discovery(b"\x1f\x8b\x08\x00" + body)  # as if gzipped
    robots_sitemaps(body.decode("utf-8", "replace"), URL)


@settings(FUZZ, max_examples=200)
@given(text=st.one_of(st.text(max_size=6000), DATE_LIKE), tz=st.sampled_from(["UTC", "Europe/Moscow", "Asia/Riyadh"]))
def test_any_text_through_date_parsing(text, tz):
    moment = parse_date(text, tz)
    assert moment is None or (isinstance(moment, datetime) and moment.tzinfo == UTC)


@settings(FUZZ, max_examples=200)
@given(text=st.text(max_size=20_000), declared=st.one_of(st.none(), st.text(max_size=12)))
def test_any_text_through_language_detection(text, declared):
    check_language(text, declared)


@settings(FUZZ, max_examples=300)
@given(text=st.text(max_size=5000))
def test_caps_hold_for_any_text(text):
    capped = cap_html(text * 3)
    assert len(capped) <= MAX_HTML_CHARS and capped.count("<") <= MAX_HTML_TAGS
    reason = url_trap(URL + "/" + text)
    assert reason in (None, "url_too_long", "too_many_params", "repeated_segments")
    if len(URL + "/" + text) > MAX_URL_LENGTH:
        assert reason == "url_too_long"


# --- mutated real documents -------------------------------------------------------------------------------


@settings(FUZZ, max_examples=30)
@given(data=st.data())
def test_mutated_real_pages_through_decoding_extraction_and_language_detection(real_pages, data):
    body = data.draw(mutated(real_pages), label="page")
    extract_bytes(body, data.draw(CHARSETS, label="charset"), data.draw(HINTS, label="hints"))


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_mutated_real_feeds_and_sitemaps_through_discovery(real_feeds, data):
    check_discovery(data.draw(mutated(real_feeds), label="feed"))


# --- memory ---------------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=6)
@given(data=st.data())
def test_memory_per_page_stays_bounded_by_the_caps(real_pages, data):
    """A page many times the extraction cap costs no more memory than the cap allows."""
    page = data.draw(mutated(real_pages), label="page")
    copies = data.draw(st.sampled_from([1, 10, 40]), label="copies")
    html, _ = decode_html(page, None)
    html *= copies
    tracemalloc.start()
    try:
        extracted = extract_article(html, URL)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check_extracted(extracted)
    assert peak <= MEMORY_PER_CAPPED_CHAR * MAX_HTML_CHARS, f"{peak} bytes for a page of {len(html)} characters"

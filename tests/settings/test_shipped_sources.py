"""The shipped sources against the recorded pages of their publishers (../shared/realworld).

The registry drives these tests: every ground-truth URL is checked against every source's editions, so
a new source file is tested on whatever recorded pages it claims with no new test code. What the
pages themselves declare (canonical, og:url, hreflang alternates, links to articles, feed links) must
agree with the source's hosts, article patterns and feed formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from bench.extraction_quality import Page, load_pages, same_day, shingle_matching, squash
from crawler.extract.alternates import alternate_links_from_tree, parse_html
from crawler.extract.article import extract_article
from crawler.extract.language import detect_language, normalize_lang
from crawler.extract.validation import drop_reason
from settings.sources import Edition, Source, load_sources, parse_sources

from ..conftest import REALWORLD_DIR, REPO_ROOT

SOURCES = load_sources()
DOCS = REPO_ROOT / "docs" / "sources.md"
# Pages each shipped source must claim while the real-world set holds them; a source that loses one
# (a pattern too narrow, a host renamed) fails here rather than silently going untested.
EXPECTED_RECORDED = {
    "tass": {"htmldate_mediacloud/ru/1647262025.html.gz"},
    "euronews": {"fundus/en/EuronewsEN_2024_04_30.html.gz", "fundus/en/EuronewsEN_2026_01_06.html.gz"},
}


@cache
def pages() -> tuple[Page, ...]:
    return tuple(load_pages(REALWORLD_DIR)) if REALWORLD_DIR.is_dir() else ()


def claims() -> list[tuple[Source, Edition, Page]]:
    """Every (source, edition, page) where an edition's patterns match a ground-truth URL."""
    found = []
    for page in pages():
        for source in SOURCES.values():
            edition = source.edition_for_url(page.url)
            if edition is not None:
                found.append((source, edition, page))
    return found


def on_hosts(source: Source, url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(edition.allows_host(host) for edition in source.editions)


def declared_urls(page: Page) -> Iterator[tuple[str | None, str]]:
    """(language or None, URL) pairs the page declares about itself and its translations."""
    tree = parse_html(page.html)
    assert tree is not None
    for href in tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        yield None, urljoin(page.url, href.strip())
    for link in alternate_links_from_tree(tree, page.url):
        yield link.lang, link.url


def feed_links(page: Page) -> list[str]:
    tree = parse_html(page.html)
    assert tree is not None
    types = "contains(@type, 'rss') or contains(@type, 'atom')"
    hrefs = tree.xpath(f"//link[@rel='alternate' and ({types})]/@href | //a[contains(@href, '/rss')]/@href")
    return [urljoin(page.url, href.strip()) for href in hrefs if href.strip()]


def feed_shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return parts.path.rstrip("/"), tuple(sorted(parse_qs(parts.query)))


CLAIMS = claims()


def test_the_recorded_pages_are_there(realworld):
    # Fails under CI=true when ../shared/realworld is missing, so nothing below skips silently.
    assert len(pages()) > 50


def test_every_source_claims_its_recorded_pages(realworld):
    claimed: dict[str, set[str]] = {}
    for source, _edition, page in CLAIMS:
        claimed.setdefault(source.key, set()).add(page.record["file"])
    for key, files in EXPECTED_RECORDED.items():
        assert files <= claimed.get(key, set()), f"{key} no longer claims {sorted(files - claimed.get(key, set()))}"


def test_no_page_is_claimed_by_two_sources_or_by_a_foreign_edition(realworld):
    by_page: dict[str, list[str]] = {}
    for source, edition, page in CLAIMS:
        by_page.setdefault(page.record["file"], []).append(source.key)
        assert edition.lang == page.lang, f"{page.url} ({page.lang}) taken for {source.key}'s {edition.lang} edition"
    assert all(len(keys) == 1 for keys in by_page.values()), by_page


def test_pages_on_a_source_host_in_an_edition_language_match_its_patterns(realworld):
    """A page of a collected language on a source's hosts that no pattern matches is a pattern too narrow."""
    for page in pages():
        for source in SOURCES.values():
            if on_hosts(source, page.url) and page.lang in source.languages:
                assert source.edition_for_url(page.url) is not None, f"{source.key} misses {page.url}"


@pytest.mark.parametrize(
    ("source", "edition", "page"),
    CLAIMS,
    ids=[f"{source.key}-{edition.lang}-{Path(page.record['file']).name}" for source, edition, page in CLAIMS],
)
def test_recorded_page_extracts_as_the_ground_truth_says(source, edition, page):
    extracted = extract_article(page.html, page.url, timezone=source.timezone_of(edition))
    guess = detect_language("\n".join(filter(None, [extracted.title, extracted.body])), extracted.declared_lang)
    assert guess.lang == edition.lang
    assert drop_reason(extracted, guess.lang, edition.lang) is None
    assert source.edition_for_url(extracted.canonical_url) == edition
    record = page.record
    if record.get("title"):
        assert squash(extracted.title) == squash(record["title"])
    if record.get("date"):
        assert same_day(record["date"], extracted.published_at), extracted.published_at
    if record.get("body"):
        tp, fp, fn = shingle_matching(record["body"], extracted.body)
        assert 2 * tp / (2 * tp + fp + fn) >= 0.9


def test_declared_translation_urls_fall_in_the_right_edition(realworld):
    """Canonical, og:url and hreflang URLs on a source's hosts: an edition language lands in that
    edition; another language (de., fr. ...) lands in none, so it is never collected as en or ru."""
    checked = 0
    for page in pages():
        for lang, url in declared_urls(page):
            for source in SOURCES.values():
                if not on_hosts(source, url) or is_front_page(url):
                    continue
                lang = lang or normalize_lang(page.lang)
                edition = source.edition_for_url(url)
                expected = lang if lang in source.languages else None
                assert (edition.lang if edition else None) == expected, (page.record["file"], lang, url)
                checked += 1
    assert checked >= 20


def is_front_page(url: str) -> bool:
    return urlsplit(url).path.strip("/") == ""


def test_article_links_in_recorded_pages_match_the_edition_patterns(realworld):
    """Links that have an article's URL shape (a dated path) on an edition's host are that edition's articles."""
    dated = re.compile(r"/\d{4}/\d{2}/\d{2}/[^/?#]+$")
    checked = 0
    for _source, edition, page in CLAIMS:
        tree = parse_html(page.html)
        for href in tree.xpath("//a/@href"):
            url = urljoin(page.url, href.strip()).split("#")[0]
            if edition.allows_host(urlsplit(url).hostname or "") and dated.search(urlsplit(url).path):
                assert edition.is_article_url(url), url
                checked += 1
    assert checked >= 10


def test_feeds_have_the_format_the_publisher_pages_declare(realworld):
    for key in EXPECTED_RECORDED:
        source = SOURCES[key]
        declared = {feed_shape(url) for owner, _e, page in CLAIMS if owner.key == key for url in feed_links(page)}
        assert declared, f"no recorded page of {key} declares a feed"
        for edition in source.editions:
            for feed in edition.feeds:
                assert feed_shape(feed) in declared, f"{key} {edition.lang}: {feed} is not like {sorted(declared)}"
                assert edition.allows_host(urlsplit(feed).hostname or "")


def documented_rows() -> dict[str, list[str]]:
    """Source key -> its table row cells in docs/sources.md ("| key | name | editions ... |")."""
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] in SOURCES:
            rows[cells[0]] = cells
    return rows


def test_docs_list_every_source_with_its_editions():
    rows = documented_rows()
    assert set(rows) == set(SOURCES), "docs/sources.md must list exactly the shipped sources"
    for key, source in SOURCES.items():
        text = " ".join(rows[key])
        for edition in source.editions:
            assert f"{edition.lang}:" in text and edition.domains[0] in text, (key, edition.lang)


def test_documented_example_urls_resolve_to_their_edition():
    """Every "lang: URL" example in docs/sources.md's source list is an article of that edition."""
    examples = 0
    for key, cells in documented_rows().items():
        for lang, url in re.findall(r"\b([a-z]{2}): <?(https://[^\s>|]+)", " ".join(cells)):
            edition = SOURCES[key].edition_for_url(url)
            assert edition is not None and edition.lang == lang, (key, lang, url)
            examples += 1
    assert examples >= sum(len(source.editions) for source in SOURCES.values())


def test_the_documented_file_format_loads():
    """The annotated example in docs/sources.md is a valid source file, every optional key included."""
    block = re.search(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    (source,) = parse_sources(block.group(1), "docs/sources.md")
    assert source.edition("ru").timezone == "Europe/Moscow" and source.translations.url_id

"""The demo site served over loopback: discovery files, charsets, counters, generations, truth."""

from __future__ import annotations

import gzip
import html
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from crawler.demo.catalog import build_catalog
from crawler.demo.data import load_stories, parse_stories
from crawler.demo.server import DemoServer
from crawler.demo.site import build_site
from crawler.demo.truth import ExpectedPage, Truth, build_truth
from settings.sources import parse_sources

MOSCOW = timezone(timedelta(hours=3))
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Namespace and vocabulary URLs are identifiers, not links, so they may name other hosts.
IDENTIFIERS = (
    "http://www.sitemaps.org/",
    "http://www.google.com/schemas/",
    "http://www.w3.org/",
    "http://purl.org/dc/",
    "https://schema.org",
)

RU_WORDS = "Городской совет утвердил бюджет на 2026 год и выделил 42 миллиона рублей на ремонт школ"
EN_WORDS = "The city council approved the 2026 budget and set aside 42 million for school repairs"
AR_WORDS = "وافق مجلس المدينة على ميزانية عام 2026 وخصص 42 مليون لإصلاح المدارس"
WORDS = {"ru": RU_WORDS, "en": EN_WORDS, "ar": AR_WORDS}


def _version(story_id: int, lang: str) -> dict[str, Any]:
    words = WORDS[lang]
    return {
        "title": f"{words[:40].rstrip()} {story_id}",
        "description": words,
        "author": {"ru": "Анна Петрова", "en": "Mark Hale", "ar": "ليلى حداد"}[lang],
        "paragraphs": [f"{words} ({story_id}, {n})." for n in range(3)],
    }


def _story(story_id: int, linking: str, langs: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": story_id,
        "slug": f"story-{story_id}",
        "section": ("politics", "economy", "world", "science", "culture", "sport")[story_id % 6],
        "published": f"2026-03-{story_id - 90:02d}T14:30:00+03:00",
        "linking": linking,
        "decoy_of": None,
        "versions": {lang: _version(story_id, lang) for lang in langs.split()},
        **extra,
    }


# Small, but it has every case: enough stories per edition to reach each positional rule.
SAMPLE: dict[str, Any] = {
    "stories": [
        _story(101, "hreflang", "ru en ar"),
        _story(102, "switcher", "ru en ar"),
        _story(103, "url_id", "ru en"),
        _story(104, "content", "ru en ar", ids={"ru": 3104, "ar": 5104}),
        _story(105, "single", "ru"),
        _story(106, "hreflang", "en ar", decoy_of=101),
        _story(107, "single", "ar"),
    ],
    "wire": [
        {"id": 501, "lang": "en", "copy_of": 101, "kind": "verbatim"},
        {
            "id": 502,
            "lang": "ru",
            "copy_of": 103,
            "kind": "edited",
            "title": "Совет принял бюджет",
            "add_paragraph": "Ещё одна фраза.",
            "drop_paragraph": 1,
            "append_boilerplate": "Demo Wire.",
        },
    ],
    "updates": [{"story": 104, "lang": "en", "paragraphs": ["A second-crawl paragraph about the budget."]}],
    "wrong_language": [{"id": 190, "edition": "en", "copy_of": 105, "lang": "ru"}],
}


@pytest.fixture(scope="module", params=["sample", "packaged"])
def stories(request: pytest.FixtureRequest) -> dict[str, Any]:
    return SAMPLE if request.param == "sample" else load_stories()


@pytest.fixture(scope="module")
def demo(stories: dict[str, Any]) -> Iterator[DemoServer]:
    with DemoServer(slow_seconds=1.0, stories=stories) as server:
        yield server


@pytest.fixture(scope="module")
def truth(demo: DemoServer, stories: dict[str, Any]) -> Truth:
    return build_truth(stories, demo.base)


def fetch(demo: DemoServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    url = path if path.startswith("http") else demo.base + path
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_robots_disallows_private_and_names_the_sitemap_index(demo: DemoServer) -> None:
    status, headers, body = fetch(demo, "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Disallow: /private/"]
    assert f"Sitemap: {demo.base}/sitemap_index.xml" in lines


@pytest.mark.parametrize(
    "path",
    ["/ru/rss.xml", "/en/atom.xml", "/wire/rss.xml", "/sitemap_index.xml", "/sitemaps/pages.xml"],
)
def test_feeds_and_sitemaps_are_well_formed(demo: DemoServer, path: str) -> None:
    status, _, body = fetch(demo, path)
    assert status == 200
    ElementTree.fromstring(body)


def test_ar_feed_is_broken(demo: DemoServer, truth: Truth) -> None:
    status, _, body = fetch(demo, "/ar/rss.xml")
    assert status == 200 and b"<item>" in body
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(body)
    assert truth.errors["bad_feed"] == [demo.base + "/ar/rss.xml"]


def test_news_sitemap_is_gzipped_and_lists_the_ar_edition(demo: DemoServer, truth: Truth) -> None:
    _, _, index = fetch(demo, "/sitemap_index.xml")
    locs = [loc.text for loc in ElementTree.fromstring(index).iter(f"{SITEMAP}loc")]
    assert demo.base + "/sitemaps/news-ar.xml.gz" in locs
    _, _, body = fetch(demo, "/sitemaps/news-ar.xml.gz")
    root = ElementTree.fromstring(gzip.decompress(body))
    entries = {u.findtext(f"{SITEMAP}loc"): u for u in root.iter(f"{SITEMAP}url")}
    ar_articles = {a.url for a in truth.articles if a.lang == "ar" and a.source == "demo"}
    assert ar_articles | set(truth.errors["timeout"]) <= set(entries)
    for url in ar_articles:
        news = entries[url].find(f"{NEWS}news")
        assert news is not None
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "ar"
        assert news.findtext(f"{NEWS}title")
        published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date") or "")
        assert published == _expected(truth, url).published_at


def test_windows_1251_is_named_in_the_header_only(demo: DemoServer, truth: Truth) -> None:
    page = next(a for a in truth.articles if a.encoding == "windows-1251")
    _, headers, body = fetch(demo, page.url)
    assert headers["Content-Type"] == "text/html; charset=windows-1251"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("windows-1251")
    assert f"<title>{html.escape(page.title)} — Demo Meridian</title>" in text
    assert "<meta charset" not in text


def test_windows_1256_is_named_in_the_meta_only(demo: DemoServer, truth: Truth) -> None:
    page = next(a for a in truth.articles if a.encoding == "windows-1256")
    _, headers, body = fetch(demo, page.url)
    assert headers["Content-Type"] == "text/html"
    text = body.decode("windows-1256")
    assert '<meta charset="windows-1256">' in text and html.escape(page.title) in text


def test_one_page_is_utf8_mislabelled_as_latin1(demo: DemoServer, truth: Truth) -> None:
    mislabelled = []
    for page in truth.articles:
        _, headers, body = fetch(demo, page.url)
        if "iso-8859-1" in headers["Content-Type"]:
            mislabelled.append(page)
            assert page.encoding == "utf-8" and html.escape(page.title) in body.decode("utf-8")
            assert b'<meta charset="utf-8">' in body
    assert len(mislabelled) == 1


def test_hits_are_counted_per_path_without_query(demo: DemoServer, truth: Truth) -> None:
    demo.reset_hits()
    path = truth.articles[0].url.removeprefix(demo.base)
    fetch(demo, path)
    fetch(demo, path + "?utm_source=rss&utm_medium=feed")
    fetch(demo, "/nowhere")
    assert demo.hits(path) == 2
    assert demo.hits() == {path: 2, "/nowhere": 1}
    assert demo.hits(truth.never_fetched[0]) == 0


def test_etag_gives_not_modified(demo: DemoServer) -> None:
    _, headers, _ = fetch(demo, "/en/atom.xml")
    assert fetch(demo, "/en/atom.xml", **{"If-None-Match": headers["ETag"]})[0] == 304


def test_generation_switch_changes_the_updated_page(stories: dict[str, Any]) -> None:
    with DemoServer(stories=stories) as server:
        changed = build_truth(stories, server.base).changed
        assert changed
        url, text = next(iter(changed.items()))
        first = fetch(server, url)[2].decode("utf-8")
        server.set_generation(1)
        second = fetch(server, url)[2].decode("utf-8")
        paragraphs = [html.escape(p) for p in text.split("\n\n")]
        assert not all(p in first for p in paragraphs)
        assert all(p in second for p in paragraphs)


def test_failing_urls(demo: DemoServer, truth: Truth) -> None:
    assert fetch(demo, truth.errors["http_404"][0])[0] == 404
    assert fetch(demo, truth.errors["http_500"][0])[0] == 500
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        urllib.request.urlopen(truth.errors["timeout"][0], timeout=0.3)


def test_articles_say_what_truth_expects(demo: DemoServer, truth: Truth) -> None:
    for page in truth.articles:
        status, _, body = fetch(demo, page.url)
        text = html.unescape(body.decode(page.encoding))
        assert status == 200
        assert f'href="{page.url}"' in text or f"href={page.url}>" in text  # canonical
        assert page.title in text
        assert all(p in text for p in page.body.split("\n\n"))
        assert _published(text, page) == page.published_at, page.url


def _published(text: str, page: ExpectedPage) -> datetime:
    """The date the page itself states, read the way its date style says."""
    if page.date_style == "jsonld":
        data = json.loads(re.search(r'ld\+json">(.*?)</script>', text).group(1))  # type: ignore[union-attr]
        return datetime.fromisoformat(data["datePublished"]).astimezone(UTC)
    if page.date_style == "meta":
        match = re.search(r'article:published_time"? content="([^"]+)"', text)
        assert match is not None
        return datetime.fromisoformat(match.group(1)).astimezone(UTC)
    assert "published_time" not in text
    assert "ld+json" not in text
    return _visible(text, MONTHS[page.date_style])


MONTHS = {
    "text_ru": [
        *("января", "февраля", "марта", "апреля", "мая", "июня"),
        *("июля", "августа", "сентября", "октября", "ноября", "декабря"),
    ],
    "text_ar_eg": [
        *("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو"),
        *("يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"),
    ],
    "text_ar_lev": [
        *("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران"),
        *("تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"),
    ],
}


def _visible(text: str, months: list[str]) -> datetime:
    """'12 марта 2026 г., 14:30' or '١٢ آذار ٢٠٢٦، ١٤:٣٠', Moscow wall-clock time."""
    line = re.search(r'<p class="date">(.*?)</p>', text)
    assert line is not None
    folded = line.group(1).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    match = re.fullmatch(r"(\d+) (.+) (\d{4})(?: г\.,|،) (\d\d):(\d\d)", folded)
    assert match is not None, folded
    day, month, year, hour, minute = match.groups()
    local = datetime(int(year), months.index(month) + 1, int(day), int(hour), int(minute), tzinfo=MOSCOW)
    return local.astimezone(UTC)


def _expected(truth: Truth, url: str) -> ExpectedPage:
    return next(a for a in truth.articles if a.url == url)


URL = re.compile(r"https?://[^\s\"'<>]+")


def test_every_absolute_url_uses_the_base(stories: dict[str, Any]) -> None:
    base = "http://127.0.0.1:8123"
    for path, response in build_site(stories, base).items():
        body = gzip.decompress(response.body) if path.endswith(".gz") else response.body
        for url in URL.findall(body.decode("latin-1")):
            assert url.startswith((base + "/", *IDENTIFIERS)), (path, url)


def test_rendering_is_deterministic(stories: dict[str, Any]) -> None:
    first = build_site(stories, "http://127.0.0.1:1")
    again = build_site(stories, "http://127.0.0.1:1")
    assert first == again
    other = build_site(stories, "http://127.0.0.1:2")
    assert first.keys() == other.keys()


def test_fronts_link_every_article_of_their_edition(demo: DemoServer, truth: Truth) -> None:
    fronts = {lang: fetch(demo, f"/{lang}/")[2].decode() for lang in ("ru", "en", "ar")}
    failing = [url for urls in truth.errors.values() for url in urls if "/news/" in url]
    dropped = [url for urls in truth.dropped.values() for url in urls]
    meridian = [a.url for a in truth.articles if a.source == "demo"]
    for url in meridian + failing + dropped:
        lang = url.removeprefix(demo.base).split("/")[1]
        assert f'href="{url}"' in fronts[lang], url


def test_feeds_list_the_variants_and_the_special_pages(demo: DemoServer, truth: Truth) -> None:
    listed = "".join(fetch(demo, path)[2].decode() for path in ("/ru/rss.xml", "/en/atom.xml"))
    listed += gzip.decompress(fetch(demo, "/sitemaps/news-ar.xml.gz")[2]).decode()
    assert any("utm_source" in url for url in truth.url_variants)
    assert any(url.endswith("/amp") for url in truth.url_variants)
    for variant, canonical in truth.url_variants.items():
        assert html.escape(variant) in listed
        status, _, body = fetch(demo, variant)
        assert status == 200
        assert f'<link rel="canonical" href="{html.escape(canonical)}">' in body.decode("utf-8")
    for urls in (*truth.dropped.values(), *truth.errors.values()):
        assert all(url in listed or url.endswith("/ar/rss.xml") for url in urls)


def test_translation_markup_follows_the_linking_mode(demo: DemoServer, truth: Truth) -> None:
    with_locale = []
    for group in truth.groups["hreflang"]:
        for url in group:
            page = _page_text(demo, truth, url)
            assert all(f'hreflang="{_lang(demo, o)}" href="{o}"' in page for o in group)
            assert 'hreflang="x-default"' in page
            with_locale.append('property="og:locale"' in page)
    assert True in with_locale
    assert False in with_locale
    for group in truth.groups["switcher"]:
        for url in group:
            page = _page_text(demo, truth, url)
            switcher = re.search(r'<nav class="lang-switch">(.*?)</nav>', page)
            assert switcher is not None
            assert "hreflang" not in page
            assert all(f'href="{o}"' in switcher.group(1) for o in group - {url})
    for group in truth.groups["url_id"] + truth.groups["content"]:
        for url in group:
            page = _page_text(demo, truth, url)
            assert "hreflang" not in page
            assert not any(f'href="{o}"' in page for o in group - {url})


def test_pages_that_must_be_dropped(demo: DemoServer, truth: Truth) -> None:
    (not_article,) = truth.dropped["not_article"]
    page = fetch(demo, not_article)[2].decode()
    assert "<article" not in page
    assert 'og:type" content="website"' in page
    (empty,) = truth.dropped["empty_body"]
    body = re.search(r'<div class="article-body">(.*?)</div>', fetch(demo, empty)[2].decode(), re.S)
    assert body is not None
    assert "<p" not in body.group(1)
    for url in truth.dropped["wrong_language"]:
        page = fetch(demo, url)[2].decode()
        assert '<html lang="en">' in page
        assert re.search("[а-яА-Я]{4}", page)


def test_a_page_links_the_disallowed_draft(demo: DemoServer, truth: Truth) -> None:
    links = f'href="{demo.base}{truth.never_fetched[0]}"'
    assert any(links in _page_text(demo, truth, a.url) for a in truth.articles)


def test_verbatim_wire_copies_repeat_the_original_body(demo: DemoServer, truth: Truth) -> None:
    assert truth.exact_duplicates
    for copy, original in truth.exact_duplicates.items():
        assert _body(_page_text(demo, truth, copy)) == _body(_page_text(demo, truth, original))
    for copy, original in truth.near_duplicates.items():
        assert _body(_page_text(demo, truth, copy)) != _body(_page_text(demo, truth, original))


def test_truth_counts_match_the_stories(stories: dict[str, Any]) -> None:
    data = parse_stories(stories)
    expected = build_truth(stories, "http://127.0.0.1:1")
    # a copy that only changed its headline has the original's body: an exact duplicate
    edited = [w for w in data.wire if w.add_paragraph or w.drop_paragraph is not None or w.append_boilerplate]
    versions = sum(len(s.versions) for s in data.stories)
    assert len(expected.articles) == versions + len(edited) + 1  # + the malformed article
    assert len({a.url for a in expected.articles}) == len(expected.articles)
    assert len(expected.exact_duplicates) == len(data.wire) - len(edited)
    assert len(expected.near_duplicates) == len(edited)
    assert len(expected.dropped["wrong_language"]) == len(data.wrong_language)
    assert len(expected.changed) == len(data.updates)
    multi = [s for s in data.stories if len(s.versions) > 1]
    assert sum(len(groups) for groups in expected.groups.values()) == len(multi)
    assert all(a.published_at.utcoffset() == timedelta(0) for a in expected.articles)


def test_every_case_is_covered(stories: dict[str, Any]) -> None:
    expected = build_truth(stories, "http://127.0.0.1:1")
    catalog = build_catalog(parse_stories(stories))
    styles = {"meta", "jsonld", "text_ru", "text_ar_eg", "text_ar_lev"}
    assert {a.date_style for a in expected.articles} == styles
    assert {p.charset for p in catalog.pages} == {
        "utf-8",
        "windows-1251",
        "windows-1256",
        "mislabelled",
    }
    assert all(expected.groups[mode] for mode in ("hreflang", "switcher", "url_id", "content"))
    assert any(s.linking == "single" for s in catalog.stories.stories)
    assert expected.decoys
    assert expected.changed
    assert all(expected.dropped.values())


def test_sources_file_points_at_the_server(demo: DemoServer, tmp_path: Path) -> None:
    path = demo.write_sources(tmp_path)
    sources = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [s["key"] for s in sources] == ["demo", "wire"]
    assert "{base}" not in path.read_text(encoding="utf-8")
    demo_source = sources[0]
    assert demo_source["timezone"] == "Europe/Moscow"
    assert [e["lang"] for e in demo_source["editions"]] == ["ru", "en", "ar"]
    assert demo_source["editions"][0]["feeds"] == [demo.base + "/ru/rss.xml"]
    en = demo_source["editions"][1]["article_urls"][0]
    assert re.search(en, demo.base + "/en/news/101-budget-vote")
    assert not re.search(en, demo.base + "/en/politics/")
    assert re.findall(demo_source["translations"]["url_id"], "/ru/news/3101-x") == ["3101"]


def test_source_patterns_sort_every_url_into_its_edition(demo: DemoServer, truth: Truth) -> None:
    meridian, wire = parse_sources(demo.sources_yaml(), "demo.yaml")
    by_key = {"demo": meridian, "wire": wire}
    for page in truth.articles:
        edition = by_key[page.source].edition_for_url(page.url)
        assert edition is not None
        assert edition.lang == page.lang
    others = [*truth.url_variants, *truth.exact_duplicates, *(u for urls in truth.dropped.values() for u in urls)]
    assert all(meridian.edition_for_url(url) or wire.edition_for_url(url) for url in others)
    fronts = [demo.base + path for path in ("/", "/ru/", "/en/politics/", "/en/about", "/private/secret-draft")]
    assert not any(meridian.edition_for_url(url) or wire.edition_for_url(url) for url in fronts)
    assert meridian.homepage == demo.base + "/"


def _lang(demo: DemoServer, url: str) -> str:
    return url.removeprefix(demo.base).split("/")[1]


def _page_text(demo: DemoServer, truth: Truth, url: str) -> str:
    encoding = next((a.encoding for a in truth.articles if a.url == url), "utf-8")
    return html.unescape(fetch(demo, url)[2].decode(encoding))


def _body(page: str) -> list[str]:
    body = re.search(r'<div class="article-body">(.*?)</div>', page, re.S)
    assert body is not None
    return re.findall(r"<p>(.*?)</p>", body.group(1))

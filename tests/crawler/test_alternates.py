"""Translation evidence read from a page: hreflang, og:locale:alternate and switcher anchors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.extract.alternates import (
    HREFLANG,
    OG_LOCALE,
    SWITCHER,
    Alternate,
    find_alternate_links,
    find_alternates,
    is_section_front,
)
from crawler.extract.encoding import decode_html
from crawler.extract.language import normalize_lang
from crawler.urls import canonicalize

PAGE = "https://news.example/en/news/101-budget-vote"


def page(head: str = "", body: str = "", lang: str = "en") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head><title>t</title>{head}</head><body>{body}</body></html>'


def hreflang(lang: str, href: str) -> str:
    return f'<link rel="alternate" hreflang="{lang}" href="{href}">'


def test_hreflang_reduces_regions_drops_x_default_and_the_page_itself() -> None:
    head = "".join(
        (
            hreflang("en", PAGE),
            hreflang("ru-RU", "/ru/news/101-golosovanie"),
            hreflang("ar", "https://news.example/ar/news/101-tasweet?utm_source=x"),
            hreflang("x-default", PAGE),
        )
    )
    links = find_alternate_links(page(head), PAGE)
    assert links == [
        Alternate("ru", "https://news.example/ru/news/101-golosovanie", HREFLANG),
        Alternate("ar", "https://news.example/ar/news/101-tasweet", HREFLANG),
    ]


def test_the_page_itself_is_recognised_through_rel_canonical() -> None:
    amp = PAGE + "/amp"
    head = f'<link rel="canonical" href="{PAGE}">' + hreflang("en", PAGE) + hreflang("ru", "/ru/news/101-x")
    assert find_alternates(page(head), amp) == {"ru": "https://news.example/ru/news/101-x"}


def test_another_url_in_the_page_language_is_kept() -> None:
    head = hreflang("en-US", PAGE) + hreflang("en-GB", "https://news.example/uk/news/101-budget-vote")
    assert find_alternates(page(head), PAGE) == {"en": "https://news.example/uk/news/101-budget-vote"}


def test_relative_hrefs_resolve_against_base_href() -> None:
    head = '<base href="https://cdn.example/site/">' + hreflang("ru", "ru/101")
    assert find_alternates(page(head), PAGE) == {"ru": "https://cdn.example/site/ru/101"}


def test_feed_links_and_unusable_hrefs_are_ignored() -> None:
    head = "".join(
        (
            '<link rel="alternate" type="application/rss+xml" hreflang="ru" href="/ru/rss.xml">',
            hreflang("ar", "javascript:void(0)"),
            hreflang("fr", ""),
            hreflang("not a language", "/xx/101"),
        )
    )
    assert find_alternate_links(page(head), PAGE) == []


def test_og_locale_alternate_counts_only_with_a_hreflang_url() -> None:
    head = "".join(
        (
            '<meta property="og:locale" content="en_GB">',
            '<meta property="og:locale:alternate" content="ru_RU">',
            '<meta property="og:locale:alternate" content="ar_AR">',
            hreflang("ru", "/ru/news/101-x"),
        )
    )
    links = find_alternate_links(page(head), PAGE)
    assert Alternate("ru", "https://news.example/ru/news/101-x", OG_LOCALE) in links
    assert {link.lang for link in links} == {"ru"}


@pytest.mark.parametrize(
    ("label", "lang"),
    [("Ru", "ru"), ("EN", "en"), ("عربي", "ar"), ("Русский", "ru"), ("English", "en"), ("العربية", "ar"),
     ("[ Рус ]", "ru"), ("Français", "fr"), ("🇬🇧 English", "en")],
)  # fmt: skip
def test_switcher_labels_name_the_language(label: str, lang: str) -> None:
    body = f'<nav class="lang-switch"><a href="/{lang}/news/101-x">{label}</a></nav>'
    assert find_alternate_links(page(body=body, lang="xx"), PAGE) == [
        Alternate(lang, f"https://news.example/{lang}/news/101-x", SWITCHER)
    ]


def test_switcher_with_hreflang_or_lang_attributes() -> None:
    body = (
        '<a hreflang="ru" href="/ru/news/101-x">Читать</a>'
        '<a lang="ar" href="/ar/news/101-x">اقرأ</a>'
        '<a title="English" href="/en/news/102-y"><img src="gb.png"></a>'
    )
    assert find_alternates(page(body=body, lang="fr"), "https://news.example/fr/news/101-x") == {
        "ru": "https://news.example/ru/news/101-x",
        "ar": "https://news.example/ar/news/101-x",
        "en": "https://news.example/en/news/102-y",
    }


def test_switcher_links_to_section_fronts_are_not_translations() -> None:
    body = (
        '<nav><a href="/ru/">Ru</a> <a href="https://news.example/ar">عربي</a> <a href="/">English</a>'
        '<a href="https://ru.news.example/">Русский</a> <a href="/ar/index.html">العربية</a></nav>'
    )
    assert find_alternate_links(page(body=body), PAGE) == []


def test_ordinary_links_are_not_switchers() -> None:
    body = (
        '<a href="/en/news/102-other">Read the English-language report on the budget</a>'
        '<a href="/en/news/103-it">It</a>'
        '<p lang="ru">Цитата <a href="/ru/news/104-y">со ссылкой</a></p>'
        '<a lang="ru" href="/ru/news/105-z">Очень длинный заголовок другой статьи на русском языке</a>'
        '<a lang="en" href="/en/news/106-w">Same language</a>'
    )
    assert find_alternate_links(page(body=body), PAGE) == []


def test_the_current_language_item_is_not_an_alternate() -> None:
    body = f'<nav><a href="{PAGE}">En</a> <a href="/ru/news/101-x">Ru</a></nav>'
    assert find_alternates(page(body=body), PAGE) == {"ru": "https://news.example/ru/news/101-x"}


def test_hreflang_wins_over_switcher_for_one_language() -> None:
    head = hreflang("ru", "/ru/news/101-x")
    body = '<a href="/ru/news/999-other">Ru</a>'
    links = find_alternate_links(page(head, body), PAGE)
    assert [link.method for link in links] == [HREFLANG, SWITCHER]
    assert find_alternates(page(head, body), PAGE) == {"ru": "https://news.example/ru/news/101-x"}


@pytest.mark.parametrize(
    "html",
    ["", "   ", "\x00\x01\x02\ufffd\ufffd garbage", "<html", "<a href='http://[::1'>Ru</a>",
     "<html><body>" + "<div>" * 50_000 + "</body></html>",
     '<?xml version="1.0" encoding="utf-8"?><html><head>' + hreflang("ru", "/ru/x/y") + "</head></html>"],
)  # fmt: skip
def test_garbage_never_raises(html: str) -> None:
    assert isinstance(find_alternate_links(html, PAGE), list)
    assert isinstance(find_alternates(html, "not a url"), dict)


@pytest.mark.parametrize(
    ("url", "front"),
    [("https://x.example/", True), ("https://x.example/ru/", True), ("https://x.example/en", True),
     ("https://x.example/en/index.html", True), ("https://x.example/pt-br/", True),
     ("https://x.example/en/politics/", True), ("https://x.example/ru/news", True),
     ("https://x.example/ru/news/101-x", False), ("https://x.example/politics/2026/budget", False),
     ("https://x.example/en/budget-vote", False), ("https://x.example/en/123456", False),
     ("https://x.example/ru/%D0%BF%D1%80%D0%BE", False), ("http://[oops/", False),
     ("https://x.example/sport", True), ("https://x.example/en/us/", True),
     ("https://x.example/dare-to-play-3/", False), ("https://x.example/the-budget-vote", False),
     ("https://x.example/2026/03/budget-vote", False)],
)  # fmt: skip
def test_is_section_front(url: str, front: bool) -> None:
    assert is_section_front(url) is front


def expected_hreflang(alternates: list[dict[str, str]], page_url: str) -> set[tuple[str, str]]:
    """The listed declarations as find_alternate_links reports them (see its docstring).

    Region subtags reduced, x-default dropped, URLs canonicalized, and the
    declaration of the page's own URL removed.
    """
    own = canonicalize(page_url)
    pairs = set()
    for alternate in alternates:
        lang, url = normalize_lang(alternate["hreflang"]), canonicalize(alternate["href"])
        if lang is not None and url != own:
            pairs.add((lang, url))
    return pairs


def test_realworld_hreflang_declarations_are_found_exactly(realworld: Path) -> None:
    listed = json.loads((realworld / "hreflang_alternates.json").read_text(encoding="utf-8"))
    truth = {
        record["file"]: record
        for path in sorted(realworld.glob("*/groundtruth.json"))
        for record in json.loads(path.read_text(encoding="utf-8"))
    }
    assert len(listed) >= 10
    for entry in listed:
        url = truth[entry["file"]]["url"]
        html, _ = decode_html(gzip.decompress((realworld / entry["file"]).read_bytes()), None)
        links = find_alternate_links(html, url)
        found = {(link.lang, link.url) for link in links if link.method == HREFLANG}
        expected = expected_hreflang(entry["alternates"], url)
        assert expected, entry["file"]
        assert found == expected, entry["file"]
        alternates = find_alternates(html, url)
        assert all(alternates[lang] == link_url for lang, link_url in found), entry["file"]

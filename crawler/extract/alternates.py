"""Other-language versions a page declares: the explicit evidence for translation linking.

Publishers announce translations in three ways, of decreasing reliability:
``<link rel=alternate hreflang>`` in the head, ``og:locale:alternate`` metadata,
and language-switcher anchors ("Ru", "En", "عربي", ...) in the page. Switchers
often point to a section front instead of the translated article, and a wrong link
misleads every consumer, so those are filtered out (see ``is_section_front``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.extract.language import normalize_lang
from crawler.urls import canonicalize, is_fetchable

HREFLANG = "hreflang"
OG_LOCALE = "og_locale"
SWITCHER = "switcher"
# Strongest first: it decides which URL wins when methods disagree on a language.
METHOD_RANK: dict[str, int] = {HREFLANG: 0, OG_LOCALE: 1, SWITCHER: 2}

# An anchor with a lang attribute is a switcher entry only when its text is a short
# label; a long text is a headline quoted in another language, not a translation.
MAX_LANG_ATTR_LABEL = 30

# Labels seen on language switchers, case-folded. Two-letter codes are listed
# explicitly instead of accepting any two letters, so "It" or "Us" menus stay out.
_LABELS: dict[str, tuple[str, ...]] = {
    "ru": ("ru", "rus", "рус", "русский", "russian", "на русском", "по-русски", "русская версия"),
    "en": ("en", "eng", "english", "англ", "in english", "english version", "الإنجليزية", "الانجليزية", "إنجليزي"),
    "ar": ("ar", "arabic", "عربي", "عربى", "العربية", "عربية", "النسخة العربية", "арабский"),
    "uk": ("uk", "ua", "укр", "українська", "українською", "ukrainian"),
    "fr": ("fr", "français", "francais", "french"),
    "de": ("de", "deutsch", "german"),
    "es": ("es", "español", "espanol", "spanish"),
    "it": ("italiano", "italian"),
    "pt": ("pt", "português", "portugues", "portuguese"),
    "tr": ("tr", "türkçe", "turkce", "turkish"),
    "fa": ("fa", "فارسی", "persian", "farsi"),
    "zh": ("zh", "中文", "简体中文", "繁體中文", "chinese"),
    "ja": ("ja", "日本語", "japanese"),
    "ko": ("ko", "한국어", "korean"),
    "he": ("he", "עברית", "hebrew"),
    "kk": ("kk", "kz", "қазақша", "kazakh"),
    "be": ("be", "беларуская", "belarusian"),
    "hy": ("hy", "հայերեն", "armenian"),
    "ka": ("ka", "ქართული", "georgian"),
    "az": ("az", "azərbaycan", "azerbaijani"),
    "uz": ("uz", "oʻzbekcha", "o'zbekcha", "uzbek"),
    "ky": ("ky", "кыргызча", "kyrgyz"),
    "tg": ("tg", "тоҷикӣ", "tajik"),
    "pl": ("pl", "polski", "polish"),
    "ro": ("ro", "română", "romana", "romanian"),
    "bg": ("bg", "български", "bulgarian"),
    "sr": ("sr", "српски", "srpski", "serbian"),
    "el": ("el", "ελληνικά", "greek"),
    "hi": ("hi", "हिन्दी", "hindi"),
    "ur": ("ur", "اردو", "urdu"),
    "id": ("bahasa indonesia", "indonesian"),
    "ms": ("bahasa melayu", "malay"),
}
LANGUAGE_LABELS: dict[str, str] = {label: code for code, labels in _LABELS.items() for label in labels}

# Switcher labels come decorated: "RU |", "[En]", "• عربي", a flag emoji before the name.
_LABEL_JUNK = re.compile(r"[\s\W_]+$|^[\s\W_]+")
_SPACES = re.compile(r"\s+")
# Index documents at the root of an edition ("/en/index.html") are fronts too.
_INDEX_FILE = re.compile(r"^(index|default|home|main)(\.\w+)?$", re.IGNORECASE)
_HTML_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})
# A language code with at most one subtag ("ru", "pt-br", "zh-hans", "es-419"); more would match slugs.
_LANG_SEGMENT = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,4})?$", re.IGNORECASE)
# Section names are plain words; article slugs carry ids, hyphens or percent-escapes.
_SECTION_WORD = re.compile(r"^[^\W\d_]+$")


@dataclass(frozen=True)
class Alternate:
    """One other-language version of a page and the evidence that declared it."""

    lang: str  # ISO 639-1, region subtag removed
    url: str  # absolute, in crawler.urls.canonicalize form
    method: str  # "hreflang" | "og_locale" | "switcher"


def parse_html(html: str) -> Any | None:
    """Parse a document leniently; None when there is nothing to parse.

    Encoding to UTF-8 bytes first lets lxml accept pages that keep an XML
    declaration with an encoding, which it refuses in a str. libxml2 caps the
    nesting depth, so hostile nesting cannot exhaust the stack later on.
    """
    if not html or not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None


def find_alternates(html: str, url: str) -> dict[str, str]:
    """Every other-language version the page declares, as {lang: canonical url}.

    The dict view of ``find_alternate_links``: for a language given by several
    methods the strongest wins (hreflang, then og:locale, then switcher), and
    within one method the first in document order.
    """
    return alternates_dict(find_alternate_links(html, url))


def find_alternate_links(html: str, url: str) -> list[Alternate]:
    """Every (language, URL) version the page declares, with the method that found it.

    Rules:
    - hreflang: each ``<link rel=alternate hreflang=X href=U>``; X is reduced to its
      ISO 639-1 language ("pt-br" -> "pt", "en-GB" -> "en"), "x-default" and
      unknown codes are dropped, U is resolved against ``<base href>``/``url``
      and canonicalized. A link whose URL is the page itself (``url`` or its
      rel=canonical, compared canonicalized) is dropped; every other one is kept,
      including another URL in the page's own language (a regional edition).
    - og_locale: an ``og:locale:alternate`` language, only when a hreflang link of
      that language supplies its URL (the Open Graph tag itself carries no URL).
    - switcher: an ``<a>`` whose label (text, or title/aria-label/img alt when the
      text is empty) is a language name or code, or that carries a hreflang
      attribute, or a lang attribute differing from the page's own with a short
      label. Links to section fronts and site roots are not translations and
      are dropped (``is_section_front``).
    The same (lang, url) may appear once per method; the list is the evidence.
    """
    tree = parse_html(html)
    if tree is None:
        return []
    return alternate_links_from_tree(tree, url)


def alternates_dict(links: Iterable[Alternate]) -> dict[str, str]:
    """Reduce evidence to one URL per language, the strongest method winning."""
    chosen: dict[str, Alternate] = {}
    for link in links:
        current = chosen.get(link.lang)
        if current is None or METHOD_RANK[link.method] < METHOD_RANK[current.method]:
            chosen[link.lang] = link
    return {lang: link.url for lang, link in chosen.items()}


def alternate_links_from_tree(tree: Any, url: str) -> list[Alternate]:
    """``find_alternate_links`` on an already parsed document (see there for the rules)."""
    base = _base_url(tree, url)
    own = _own_urls(tree, url, base)
    declared = list(_hreflang_pairs(tree, base))
    links = [Alternate(lang, href, HREFLANG) for lang, href in declared if href not in own]
    links += _og_locale_links(tree, declared, own)
    links += _switcher_links(tree, base, own, _page_lang(tree))
    return list(dict.fromkeys(links))


def is_section_front(url: str) -> bool:
    """True for a site root or an edition or section front.

    That is a path that, after leading language segments ("/en/", "/pt-br/", "/en/us/") and an
    index file are set aside, is empty or one plain word ("/sport", "/ru/politics/"). Article slugs
    carry ids, hyphens or percent-escapes. Language switchers and hreflang on many sites lead to the
    other edition's front; such links say nothing about which article is the translation.
    """
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return False
    if segments and _INDEX_FILE.match(segments[-1]):
        segments = segments[:-1]
    while segments and _LANG_SEGMENT.match(segments[0]):
        segments = segments[1:]
    return not segments or (len(segments) == 1 and bool(_SECTION_WORD.match(segments[0])))


def _base_url(tree: Any, url: str) -> str:
    for href in tree.xpath("//base/@href"):
        if str(href).strip():
            return _join(url, str(href).strip()) or url
    return url


def _join(base: str, href: str) -> str | None:
    try:
        return urljoin(base, href)
    except ValueError:  # malformed hosts such as "http://[oops"
        return None


def _resolve(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    absolute = _join(base, href.strip())
    return canonicalize(absolute) if absolute and is_fetchable(absolute) else None


def _own_urls(tree: Any, url: str, base: str) -> frozenset[str]:
    own = {canonicalize(url)}
    for href in tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"):
        resolved = _resolve(base, href)
        if resolved:
            own.add(resolved)
    return frozenset(own)


def _page_lang(tree: Any) -> str | None:
    return normalize_lang(tree.get("lang") or tree.get("xml:lang"))


def _rel_has(element: Any, value: str) -> bool:
    return value in (element.get("rel") or "").lower().split()


def _hreflang_pairs(tree: Any, base: str) -> Iterator[tuple[str, str]]:
    for link in tree.iter("link"):
        # rel=alternate also announces feeds and print versions; only HTML pages are translations.
        kind = (link.get("type") or "text/html").strip().lower()
        if not _rel_has(link, "alternate") or kind not in _HTML_TYPES:
            continue
        lang = normalize_lang((link.get("hreflang") or "").strip())
        href = _resolve(base, link.get("href"))
        if lang and href:
            yield lang, href


def _og_locale_links(tree: Any, declared: list[tuple[str, str]], own: frozenset[str]) -> list[Alternate]:
    by_lang: dict[str, str] = {}
    for lang, href in declared:
        if href not in own:
            by_lang.setdefault(lang, href)
    links = []
    for content in tree.xpath("//meta[@property='og:locale:alternate']/@content"):
        locale = normalize_lang(str(content).strip())
        if locale and locale in by_lang:
            links.append(Alternate(locale, by_lang[locale], OG_LOCALE))
    return links


def _switcher_links(tree: Any, base: str, own: frozenset[str], page_lang: str | None) -> list[Alternate]:
    links = []
    for anchor in tree.iter("a"):
        lang = _anchor_lang(anchor, page_lang)
        if lang is None:
            continue
        href = _resolve(base, anchor.get("href"))
        if href and href not in own and not is_section_front(href):
            links.append(Alternate(lang, href, SWITCHER))
    return links


def _anchor_lang(anchor: Any, page_lang: str | None) -> str | None:
    label = _label(anchor)
    by_label = LANGUAGE_LABELS.get(label)
    if by_label:
        return by_label
    by_hreflang = normalize_lang((anchor.get("hreflang") or "").strip())
    if by_hreflang:
        return by_hreflang
    # lang on an anchor states the language of its text; inherited-looking values say nothing.
    by_lang = normalize_lang((anchor.get("lang") or "").strip())
    if by_lang and by_lang != page_lang and 0 < len(label) <= MAX_LANG_ATTR_LABEL:
        return by_lang
    return None


def _label(anchor: Any) -> str:
    text = anchor.text_content()
    if not text.strip():
        images = anchor.xpath(".//img/@alt")
        text = anchor.get("title") or anchor.get("aria-label") or (images[0] if images else "")
    return _LABEL_JUNK.sub("", _SPACES.sub(" ", text)).casefold()

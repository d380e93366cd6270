"""The article's fields read from its metadata: headline, canonical URL, declared language, authors,
description and tags, with the site rules where a publisher's template misleads the generic ones."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.alternates import (
    is_section_front,
)
from crawler.extract.boilerplate import normalised
from crawler.extract.language import normalize_lang
from crawler.extract.page import Page, ld_strings, link_href, meta_value
from crawler.urls import canonicalize, strip_amp

_SUBHEADINGS = ("h2", "h3", "h4", "h5", "h6")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•/»«]+|--)\s+|\s*::\s*")


@dataclass(frozen=True)
class SiteRules:
    """Where one publisher's template misleads the generic rules; the default changes nothing."""

    # The headline is og:title; the h1 (and <title>) carry a longer search-engine title.
    title_from_meta: bool = False


# Keyed by registered domain; a page on it or any subdomain gets the rules. Each entry is
# justified by recorded pages of the site (tests/settings/test_shipped_sources.py).
SITE_RULES: dict[str, SiteRules] = {
    "euronews.com": SiteRules(title_from_meta=True),
}


def site_rules(url: str) -> SiteRules:
    try:
        host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    except ValueError:  # a malformed URL ("http://[::1") has no site
        return SiteRules()
    for domain, rules in SITE_RULES.items():
        if host == domain or host.endswith("." + domain):
            return rules
    return SiteRules()


# --- fields -------------------------------------------------------------------------------------------------


def canonical_url(page: Page) -> str:
    """rel=canonical unless it names a front page for an article URL (a common template bug)."""
    own = canonicalize(page.url)
    declared = link_href(page, "canonical")
    if declared and not (is_section_front(declared) and not is_section_front(own)):
        return declared
    non_amp = strip_amp(page.url)
    return canonicalize(non_amp) if non_amp else own


def declared_lang(page: Page) -> str | None:
    candidates = [page.tree.get("lang"), page.tree.get("xml:lang"), meta_value(page, "og:locale")]
    candidates += [meta_value(page, "content-language", "language", "dc.language")]
    candidates += ld_strings(page.ld.get("inLanguage"))
    for candidate in candidates:
        lang = normalize_lang(candidate.strip()) if candidate else None
        if lang:
            return lang
    return None


def find_title(page: Page, site_name: Any, hint: str | None, *, meta_first: bool = False) -> str | None:
    """The headline: an h1 that the title metadata repeats, else og:title / JSON-LD
    headline, else <title>, else any h1; site names cut off. ``meta_first`` puts
    og:title / headline before the h1 (a site rule).

    An h1 needs the confirmation because templates put the logo or a section
    name in one. A feed's title picks among the candidates when it equals one;
    the page wins otherwise, since feeds truncate headlines.
    """
    names = [name for name in (meta_value(page, "og:site_name", "application-name"), site_name) if name]
    names += ld_strings(page.ld.get("publisher"))
    headline = ld_strings(page.ld.get("headline"))[:1]
    meta_titles = [text for text in (meta_value(page, "og:title", "twitter:title"), *headline) if text]
    doc_title = _doc_title(page)
    headings = h1s(page)
    raw = [*meta_titles, *([doc_title] if doc_title else [])]
    confirmed = [heading for heading in headings if any(_starts_title(text, heading) for text in raw)]
    stripped = [_strip_site_name(text, names) for text in raw]
    ordered = (stripped[: len(meta_titles)] if meta_first else []) + confirmed + stripped + headings
    candidates = [text for text in ordered if text]
    if hint:
        matching = [text for text in candidates if normalised(text) == normalised(hint)]
        if matching:
            return matching[0]
    return candidates[0] if candidates else (" ".join(hint.split()) if hint else None)


def _starts_title(title: str, heading: str) -> bool:
    """True when ``title`` is ``heading`` alone or followed by a separator and more ("H1 | Site")."""
    title, heading = normalised(title).replace("’", "'"), normalised(heading).replace("’", "'")
    rest = title.removeprefix(heading)
    return len(rest) < len(title) and (not rest or not rest[0].isalnum())


def _doc_title(page: Page) -> str | None:
    # SVG icons carry <title> elements too; the document's is the first in the head.
    titles = page.tree.xpath("//head/title") or page.tree.xpath("//title")
    text = " ".join(titles[0].text_content().split()) if titles else ""
    return text or None


def h1s(page: Page) -> list[str]:
    headings = page.tree.xpath("//article//h1") + page.tree.xpath("//h1")
    texts = (" ".join(heading.text_content().split()) for heading in headings)
    return list(dict.fromkeys(text for text in texts if text))


def header_headings(page: Page) -> list[str]:
    """Texts of the h2-h6 in the <header> that holds a headline: its kicker and sub-headline."""
    headers = page.tree.xpath("//header[.//h1]")
    texts = (" ".join(heading.text_content().split()) for header in headers for heading in header.iter(*_SUBHEADINGS))
    return list(dict.fromkeys(text for text in texts if text))


def _strip_site_name(title: str, names: Iterable[str]) -> str:
    title = " ".join(title.split())
    for name in names:
        name = " ".join(name.split())
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2 or not name:
            continue
        if normalised(parts[-1]) == normalised(name):
            return _rejoin(title, parts[:-1])
        if normalised(parts[0]) == normalised(name):
            return _rejoin(title, parts[1:])
    return title


def _rejoin(title: str, parts: list[str]) -> str:
    """Cut ``title`` down to the span covering ``parts``, keeping the separators between them."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def find_authors(page: Page, fallback: Any) -> list[str]:
    found = ld_strings(page.ld.get("author"))
    found += page.meta.get("author", []) + page.meta.get("article:author", [])
    if not found and isinstance(fallback, str):
        found = fallback.split(";")
    names = [" ".join(name.split()) for name in found]
    return list(dict.fromkeys(name for name in names if 0 < len(name) <= 100 and not _is_url(name)))


def find_description(page: Page, fallback: Any) -> str | None:
    found = meta_value(page, "description", "og:description", "twitter:description")
    found = found or next(iter(ld_strings(page.ld.get("description"))), None)
    found = found or (fallback if isinstance(fallback, str) else None)
    text = " ".join((found or "").split())
    return text or None


def find_tags(page: Page, document: Any) -> list[str]:
    found = list(page.meta.get("article:tag", []))
    for value in [*page.meta.get("news_keywords", []), *ld_strings(page.ld.get("keywords"))]:
        found += value.split(",")
    if not found:
        found = list(getattr(document, "tags", None) or []) + list(getattr(document, "categories", None) or [])
    tags = [" ".join(str(tag).split()) for tag in found]
    return list(dict.fromkeys(tag for tag in tags if tag and len(tag) <= 100))


def hint_text(hints: Mapping[str, Any], key: str) -> str | None:
    value = hints.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//", "www."))

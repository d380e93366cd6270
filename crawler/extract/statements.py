"""Where a page states its publication and modification dates: JSON-LD, meta tags, itemprop, <time>, the
URL, the visible dateline, the feed, htmldate's guess; crawler/extract/published.py chooses among them."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import htmldate

from crawler.extract.dates import parse_date
from crawler.extract.page import Page, ld_strings
from crawler.extract.published import (
    Published,
    choose,
    dateline_labels,
    first_label_dates,
    in_aside,
    time_values,
    url_day,
)

# Meta names and properties for the publication time, the most specific first.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
# --- dates --------------------------------------------------------------------------------------------------


def find_published(page: Page, hints: Mapping[str, Any], guess: Any) -> Published | None:
    """The publication time the page's own sources agree on (crawler/extract/published.py): the first
    statement of each kind (JSON-LD, meta tags, itemprop, <time>, the URL, the visible dateline), the
    feed's date, and htmldate's guess (via trafilatura; htmldate itself when trafilatura gave no
    document and the page states no date anywhere else)."""
    zone = page.timezone
    hint = hints.get("published")
    statements: list[tuple[str, list[Any]]] = [
        ("jsonld", ld_strings(page.ld.get("datePublished"))[:1]),
        ("meta", [value for key in _PUBLISHED_META for value in page.meta.get(key, [])[:1]]),
        ("itemprop", _itemprop_values(page, "datePublished")),
        ("time", time_values(page.tree)),
        ("url", [day for day in (url_day(page.url),) if day]),
        ("label", dateline_labels(page.tree)),
        ("hint", [hint.isoformat() if isinstance(hint, datetime) else hint]),
        ("guess", [guess]),
    ]
    found = [found for kind, values in statements for found in first_label_dates(kind, values, zone, 1)]
    if not found:
        found = list(first_label_dates("guess", [_htmldate(page)], zone, 1))
    return choose(found)


def _htmldate(page: Page) -> str | None:
    try:
        # htmldate prunes the tree it is given; the page's tree is read again afterwards.
        guess = htmldate.find_date(copy.deepcopy(page.tree), url=page.url, original_date=True)
    except Exception:  # a heuristic over arbitrary markup; no date is the answer when it fails
        return None
    return guess if isinstance(guess, str) else None


def modified_values(page: Page) -> list[str]:
    return [*ld_strings(page.ld.get("dateModified"))[:1], *_meta_values(page, _MODIFIED_META)]


def _meta_values(page: Page, keys: Iterable[str]) -> list[str]:
    values = [value for key in keys for value in page.meta.get(key, [])[:1]]
    return values + [value for key in keys for value in _itemprop_values(page, _camel(key))]


def _itemprop_values(page: Page, name: str) -> list[str]:
    """The value of the first element with ``itemprop=name`` outside asides (content, datetime or text)."""
    for element in page.tree.xpath(f"//*[@itemprop='{name}' or @itemprop='{name.lower()}']"):
        if not in_aside(element):
            return [element.get("content") or element.get("datetime") or element.text_content()]
    return []


def _camel(key: str) -> str:
    return {"datepublished": "datePublished", "datemodified": "dateModified"}.get(key, key)


def first_date(page: Page, values: Iterable[str | None]) -> datetime | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            parsed = parse_date(value.strip(), page.timezone)
            if parsed is not None:
                return parsed
    return None

"""Which pages are stored: the rule shared by the pipeline and ``newsagg inspect``.

Also what a stored page may claim about itself: a publication date in 1970 (Unix time 0 from a
broken template) or years ahead is cleared rather than stored, since consumers sort and window by
it, and URLs too long for the database are set aside rather than failing the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.extract.article import Extracted
from crawler.limits import MAX_URL_LENGTH
from crawler.urls import canonicalize

EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
"""Dates before this are not publication dates of web news: epoch zero, a template default, a typo."""

FUTURE_TOLERANCE = timedelta(days=1)
"""How far past the fetch a date may lie: a zone read wrongly shifts a date by up to 14 hours."""


def drop_reason(extracted: Extracted, lang: str | None, edition_lang: str | None) -> str | None:
    """Why a page is not stored as an article of the edition (None: no edition takes its URL), or None
    when it is."""
    if edition_lang is None:
        return "no_edition"
    if not extracted.body.strip():
        return "empty_body"
    if not extracted.is_article:
        return extracted.drop_reason or "not_article"
    if lang is None:
        return "unknown_language"
    if lang != edition_lang:
        return "wrong_language"
    return None


def plausible_date(moment: datetime | None, fetched_at: datetime) -> bool:
    """False for a date before EARLIEST_DATE or more than FUTURE_TOLERANCE after ``fetched_at``."""
    return moment is None or EARLIEST_DATE <= moment <= fetched_at + FUTURE_TOLERANCE


def without_implausible_dates(extracted: Extracted, fetched_at: datetime) -> tuple[Extracted, int]:
    """``extracted`` with implausible publication and modification dates cleared, and how many were."""
    cleared: dict[str, Any] = {
        name: None
        for name in ("published_at", "modified_at")
        if not plausible_date(getattr(extracted, name), fetched_at)
    }
    count = len(cleared)
    if "published_at" in cleared:  # the local form names the same implausible moment
        cleared["published_local"] = None
    return (replace(extracted, **cleared) if cleared else extracted), count


def fits(url: str | None) -> bool:
    """Whether ``url`` fits the database's URL columns once canonicalized."""
    return url is None or len(canonicalize(url)) <= MAX_URL_LENGTH


def without_oversized_urls(extracted: Extracted) -> tuple[Extracted, int]:
    """``extracted`` without URLs longer than MAX_URL_LENGTH: a long rel=canonical falls back to the
    page's own address, long alternates and AMP links are left out. Also how many distinct URLs were."""
    changes: dict[str, Any] = {}
    removed: set[str] = set()
    if not fits(extracted.canonical_url):
        removed.add(extracted.canonical_url)
        changes["canonical_url"] = canonicalize(extracted.url)
    if extracted.amp_url is not None and not fits(extracted.amp_url):
        removed.add(extracted.amp_url)
        changes["amp_url"] = None
    links = [link for link in extracted.alternate_links if fits(link.url)]
    if len(links) != len(extracted.alternate_links):
        removed.update(link.url for link in extracted.alternate_links if link not in links)
        changes["alternate_links"] = links
    alternates = {lang: url for lang, url in extracted.alternates.items() if fits(url)}
    if len(alternates) != len(extracted.alternates):
        removed.update(url for url in extracted.alternates.values() if url not in alternates.values())
        changes["alternates"] = alternates
    return (replace(extracted, **changes) if changes else extracted), len(removed)


def hint_alternates_that_fit(hints: Mapping[str, Any]) -> list[Any]:
    """A sitemap's alternates from the item's hints, without those too long to store."""
    pairs = hints.get("alternates") or []
    return [pair for pair in pairs if not isinstance(pair, list | tuple) or len(pair) != 2 or fits(str(pair[1]))]

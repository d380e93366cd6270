"""Per-URL fetch state: when a page was fetched, what its feed said of it, and the validators of a feed.

Crawl bookkeeping, not consumer data: it lets a re-crawl skip pages that have not changed and fetch
feeds and sitemaps with If-None-Match / If-Modified-Since. A listing's body is kept beside its
validators, so that a 304 is read exactly like the 200 it confirms: a sitemap index that did not change
still leads to its child sitemaps, and pages that failed last time are asked for again.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.conflicts import insert_or_read
from storage.models import FetchState

MAX_LISTING_BODY = 4 * 1024 * 1024
"""Largest listing body kept (after compression); a bigger one is always fetched in full."""


@dataclass(frozen=True)
class Validators:
    """HTTP validators of a response, as its headers gave them."""

    etag: str | None
    last_modified: str | None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class CachedListing:
    validators: Validators
    body: bytes


def get(session: Session, url: str) -> FetchState | None:
    return session.scalar(select(FetchState).where(FetchState.url == url))


def _row(session: Session, url: str, fetched_at: datetime) -> FetchState:
    row = get(session, url)
    if row is None:  # another crawl process may be adding it at this moment: whichever inserts first wins
        row = insert_or_read(session, FetchState, {"url": url}, first_fetched_at=fetched_at, fetched_at=fetched_at)
    return row


def record_page(session: Session, url: str, *, fetched_at: datetime, lastmod: datetime | None) -> FetchState:
    """A page was fetched; ``lastmod`` is what the feed or sitemap that listed it said (None if nothing).

    A lastmod once known is kept when a later listing says nothing, so a feed without dates never
    hides a change another listing announced.
    """
    row = _row(session, url, fetched_at)
    row.fetched_at = fetched_at
    if lastmod is not None and (row.lastmod is None or lastmod > row.lastmod):
        row.lastmod = lastmod
    session.flush()
    return row


def note_lastmod(session: Session, url: str, lastmod: datetime) -> None:
    """A listing gave ``lastmod`` for a page fetched in the same crawl; a later lastmod is kept."""
    row = get(session, url)
    if row is not None and (row.lastmod is None or lastmod > row.lastmod):
        row.lastmod = lastmod
        session.flush()


def cached_listing(session: Session, url: str) -> CachedListing | None:
    """The validators and body of a feed or sitemap as last fetched, if both are known."""
    row = get(session, url)
    if row is None or row.body is None:
        return None
    found = Validators(row.etag, row.last_modified)
    return CachedListing(found, zlib.decompress(row.body)) if found else None


def save_listing(session: Session, url: str, found: Validators, body: bytes, *, fetched_at: datetime) -> bool:
    """Keep a listing's validators and body for the next conditional GET; False when it is too big
    to keep (then any earlier copy is forgotten, so that no stale body stands for it)."""
    if not found and get(session, url) is None:
        return False
    row = _row(session, url, fetched_at)
    packed = zlib.compress(body, 6) if found else None
    keep = packed is not None and len(packed) <= MAX_LISTING_BODY
    row.etag, row.last_modified = (found.etag, found.last_modified) if keep else (None, None)
    row.body = packed if keep else None
    row.fetched_at = fetched_at
    session.flush()
    return keep

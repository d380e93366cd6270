"""How far back a crawl reads a sitemap index.

News sites point robots.txt at archive indexes that go back years (one child sitemap per day or
month since 2005). A crawl every few minutes only needs the newest children, so a bounded crawl reads
them newest first, one at a time, and stops at the first child whose entries are all older than its
cutoff: the source's ``max_age`` before now, or the ``--since`` date. A crawl of a source with nothing
stored yet is not bounded (docs/sources.md, "How far back a crawl reads sitemap indexes").

Only children that look like parts of a series are walked that way: those with a lastmod, or a date
or number in their name. An undated child with a plain name ("news.xml", "pages.xml") is a kind of
listing of its own, not a slice of the archive, and is always read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.discovery.listings import Entry
from crawler.extract.dates import parse_date
from storage.articles import source_has_articles
from storage.db import Database

# A date in a child sitemap's name ("sitemap-2024-05-01.xml", "/2024/05/", "posts-202405.xml") orders
# an index that gives no lastmod.
_URL_DATE = re.compile(r"(?<!\d)(\d{4})[-_/]?(\d{2})(?:[-_/]?(\d{2}))?(?!\d)")


def aware(value: str | datetime) -> datetime:
    """A ``since`` argument as an aware time; a date or time without an offset is UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def cutoff(since: datetime | None, max_age: timedelta, *, first_crawl: bool, now: datetime) -> datetime | None:
    """The oldest moment a crawl reads back to in sitemap indexes; None reads them whole."""
    if since is not None:
        return since
    return None if first_crawl else now - max_age


def entry_date(entry: Entry, timezone: str = "UTC") -> datetime | None:
    """The newest date an entry gives (lastmod or news publication date), in UTC."""
    dates = [parse_date(text, timezone) for text in (entry.lastmod, entry.published) if text]
    known = [moment for moment in dates if moment is not None]
    return max(known) if known else None


def _url_date(url: str) -> int | None:
    match = _URL_DATE.search(url)
    if match is None or not 1990 <= int(match.group(1)) <= 2100 or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)) * 10_000 + int(match.group(2)) * 100 + int(match.group(3) or 0)


def newest_first(children: Sequence[Entry], timezone: str = "UTC") -> list[Entry]:
    """Child sitemaps newest first: by lastmod, else by a date in their URL; the undated keep their
    order after the dated ones."""
    moments = [entry_date(child, timezone) for child in children]
    keys = [m.timestamp() if m is not None else None for m in moments]
    if all(key is None for key in keys):
        keys = [float(d) if (d := _url_date(child.url)) is not None else None for child in children]

    def order(index: int) -> tuple[bool, float, int]:
        key = keys[index]
        return key is None, -(key or 0.0), index

    return [children[index] for index in sorted(range(len(children)), key=order)]


_NUMBERED = re.compile(r"\d")


def walk_plan(children: Sequence[Entry], since: datetime, timezone: str = "UTC") -> tuple[list[Entry], list[Entry]]:
    """A bounded crawl's reading of an index: (the series, newest first, to read one at a time while
    each reaches ``since``; the listings of their own, read anyway). Children whose lastmod is older
    than ``since`` are in neither."""
    series: list[Entry] = []
    own: list[Entry] = []
    for child in newest_first(children, timezone):
        moment = entry_date(child, timezone)
        if moment is None and not _NUMBERED.search(child.url.rsplit("/", 1)[-1]):
            own.append(child)
        elif moment is None or moment >= since:
            series.append(child)
    return series, own


def reaches(entries: Iterable[Entry], since: datetime, timezone: str = "UTC") -> bool:
    """Whether a sitemap read holds an entry dated ``since`` or later: if not, older siblings are not read."""
    return any((moment := entry_date(entry, timezone)) is not None and moment >= since for entry in entries)


def is_first_crawl(crawler: Any, source_key: str) -> bool:
    """Whether the source has nothing stored yet (its crawl is not bounded); the schema must be current.
    Without a database (a spider only asked which requests it would make) every crawl is a first one."""
    if not crawler.settings.get("NEWSAGG_DATABASE_URL"):
        return True
    database = Database.from_crawler(crawler)
    database.check_schema()
    with database.session() as session:
        return not source_has_articles(session, source_key)

"""The publication date chosen among everything the page says, on evidence rather than a fixed order.

A page states its date in several places: JSON-LD, meta tags, ``<time>`` and itemprop elements,
its URL, the visible dateline, and the feed that linked it. Any of them can be wrong (a template
default, a JSON-LD filled at republication, a comment's date read as the article's), so each
candidate day is scored by how many kinds of source name it, weighted by how much each kind is
trusted. A single source is believed; a disagreement goes to the day the others corroborate.

Days are the page's own: an instant stated in UTC ("...Z") may be any neighbouring local day
(offsets run from UTC-12 to UTC+14), so it corroborates those too, while a date the page gives in its
own terms names one day. Dates in comments, related-article lists and other asides never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.extract.dates import parse_local, to_utc

# How much one kind of source is trusted on its own. Structured metadata is written by the CMS for
# machines; the visible dateline and the URL are what the editor sees; htmldate's guess
# (via trafilatura) is a heuristic over all of these.
WEIGHTS: dict[str, float] = {
    "jsonld": 3.0,
    "meta": 3.0,
    "itemprop": 2.5,
    "time": 2.0,
    "url": 2.0,
    "label": 2.0,
    "hint": 2.0,
    "guess": 1.0,
}
# A UTC instant counts for a neighbouring local day (one that another source names in the page's own
# terms) at this share of its weight: it agrees with that day, but only for some offsets.
NEIGHBOUR_SHARE = 0.8
EARLIEST_YEAR = 1990
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)
MAX_LABEL_CHARS = 120
MAX_LABELS = 60

_LABEL_HINT = re.compile(r"date|time|publish|posted|byline|author|stamp|meta|datum|дата|время", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
# Labels of a later change, not of the publication.
_UPDATE_WORDS = re.compile(
    r"updated|modified|edited|aktualisiert|geändert|mis à jour|actualizad|обновлен|изменен|تحديث|آخر تعديل",
    re.IGNORECASE,
)
# Containers whose dates belong to other texts: comments, related or recommended articles, sidebars.
_ASIDE_NAMES = re.compile(
    r"comment|related|recommend|sidebar|teaser|popular|trending|most-?read|read-?more|widget|respond|reply"
    r"|disqus|similar|also-?read|more-?stories|more-?news",
    re.IGNORECASE,
)
_ASIDE_TAGS = frozenset({"aside", "nav"})
_STOP_TAGS = frozenset({"article", "main", "body", "html"})
# /2020/04/07/, /2020-04-07-slug, /20200407/: a full day in the path.
_URL_DAY = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([/_.-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])")
# /2017/7/12/: path segments may drop the leading zeros.
_URL_SEGMENTS_DAY = re.compile(r"/((?:19|20)[0-9]{2})/([1-9]|0[1-9]|1[0-2])/([1-9]|0[1-9]|[12][0-9]|3[01])(?:/|$)")


@dataclass(frozen=True)
class Candidate:
    """One statement of the date: its kind of source and the moment as the page gives it."""

    kind: str
    local: datetime  # aware in the page's own offset when the page states one, naive otherwise
    utc: datetime

    @property
    def day(self) -> date:
        return self.local.date()

    @property
    def is_utc_instant(self) -> bool:
        """Stated as a UTC moment ("Z", "+00:00"): its local day is unknown within the world's offsets."""
        offset = self.local.utcoffset()
        return offset is not None and offset == timedelta(0) and (self.local.hour, self.local.minute) != (0, 0)

    def days(self) -> set[date]:
        if not self.is_utc_instant:
            return {self.day}
        return {(self.utc + EARLIEST_OFFSET).date(), self.day, (self.utc + LATEST_OFFSET).date()}


@dataclass(frozen=True)
class Published:
    at: datetime  # aware UTC
    local: str  # ISO 8601 as the page gives it; the first 10 characters are the page's own day


def candidate(kind: str, text: Any, timezone: str) -> Candidate | None:
    if not isinstance(text, str) or not text.strip():
        return None
    local = parse_local(text.strip())
    if local is None or local.year < EARLIEST_YEAR:
        return None
    try:
        return Candidate(kind, local, to_utc(local, timezone))
    except (ValueError, OverflowError):
        return None


def choose(candidates: Iterable[Candidate]) -> Published | None:
    """The day the candidates corroborate best, told by its most trusted and most precise statement."""
    found = list(candidates)
    if not found:
        return None
    local_days = {c.day for c in found if not c.is_utc_instant}
    days = {c.day for c in found}
    best_day = max(days, key=lambda day: (_support(found, day, local_days), _own_support(found, day), -day.toordinal()))
    teller = max(
        (c for c in found if c.day == best_day), key=lambda c: (WEIGHTS[c.kind], _precision(c), -found.index(c))
    )
    if _precision(teller) == 0:
        # The day alone ("27 November 2020", a URL): a UTC instant that falls on it tells the moment.
        instants = [c for c in found if c.is_utc_instant and best_day in c.days()]
        if instants:
            moment = max(instants, key=lambda c: WEIGHTS[c.kind])
            return Published(moment.utc, best_day.isoformat())
    return Published(teller.utc, teller.local.isoformat())


def _support(found: list[Candidate], day: date, local_days: set[date]) -> float:
    """Per kind of source, the weight of its best candidate for ``day``; summed over kinds. A UTC instant
    supports a neighbouring day only when a source in the page's own terms names that day."""
    best: dict[str, float] = {}
    for c in found:
        if c.day == day:
            weight = WEIGHTS[c.kind]
        elif c.is_utc_instant and day in local_days and day in c.days():
            weight = WEIGHTS[c.kind] * NEIGHBOUR_SHARE
        else:
            continue
        best[c.kind] = max(best.get(c.kind, 0.0), weight)
    return sum(best.values())


def _own_support(found: list[Candidate], day: date) -> float:
    return max((WEIGHTS[c.kind] for c in found if c.day == day), default=0.0)


def _precision(found_candidate: Candidate) -> int:
    """An offset beats none, a time of day beats midnight."""
    local = found_candidate.local
    return (local.utcoffset() is not None) * 2 + ((local.hour, local.minute, local.second) != (0, 0, 0))


# --- where the candidates come from -------------------------------------------------------------------------


def url_day(url: str) -> str | None:
    """The day a URL's path names (/2020/04/07/...), as YYYY-MM-DD, or None."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    match = _URL_DAY.search(path)
    segments = _URL_SEGMENTS_DAY.search(path)
    if match is not None:
        year, _, month, day = match.groups()
    elif segments is not None:
        year, month, day = segments.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def in_aside(element: Any) -> bool:
    """Whether ``element`` sits in a comment, a related-article list or another aside of the page.

    The walk up stops at the article, the main content and any container of the headline: page-wide
    wrappers carry layout classes ("has-sidebar", "comments-open") that say nothing of their content.
    """
    node = element
    while node is not None and isinstance(node.tag, str):
        if node.tag in _STOP_TAGS:
            return False
        if node.tag in _ASIDE_TAGS:
            return True
        names = " ".join(node.get(name) or "" for name in ("class", "id"))
        if names and _ASIDE_NAMES.search(names):
            return True
        if node is not element and node.find(".//h1") is not None:
            return False
        node = node.getparent()
    return False


def header_first(tree: Any, elements: list[Any]) -> list[Any]:
    """Elements inside <article> or after the first <h1> first: a date before them is often today's date."""
    order = {element: index for index, element in enumerate(tree.iter())}
    headings = tree.xpath("//h1")
    start = order.get(headings[0], 0) if headings else 0

    def rank(element: Any) -> tuple[int, int]:
        in_article = bool(element.xpath("ancestor::article"))
        return (0 if in_article or order.get(element, 0) >= start else 1, order.get(element, 0))

    return sorted(elements, key=rank)


def _label_elements(tree: Any) -> list[Any]:
    """Elements that may hold a dateline or byline: <time>, or a class or id that says so."""
    return [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and element.tag not in ("script", "style", "html", "body", "head")
        and (element.tag == "time" or _LABEL_HINT.search(_names(element)))
    ]


def header_labels(tree: Any) -> list[str]:
    """Short texts of dateline, byline and time elements outside asides, those of the article first."""
    texts = (" ".join(element.text_content().split()) for element in header_first(tree, _label_elements(tree)))
    return [text for text in texts if 0 < len(text) <= MAX_LABEL_CHARS][:MAX_LABELS]


def dateline_labels(tree: Any) -> list[str]:
    """The labels that may state the publication date: with a digit, outside asides, not an update's."""
    labels: list[str] = []
    for element in header_first(tree, _label_elements(tree)):
        text = " ".join(element.text_content().split())
        if _HAS_DIGIT.search(text) and not _UPDATE_WORDS.search(text) and len(text) <= MAX_LABEL_CHARS:
            labels += [] if in_aside(element) else [text]
        if len(labels) >= MAX_LABELS:
            break
    return labels


def time_values(tree: Any) -> list[str]:
    """``<time datetime>`` values outside asides and update notes, those of the article first."""
    elements = [
        element
        for element in tree.xpath("//time[@datetime]")
        if not in_aside(element) and not _UPDATE_WORDS.search(_names(element) + " " + (element.text or ""))
    ]
    return [element.get("datetime") for element in header_first(tree, elements)[:MAX_LABELS]]


def first_label_dates(kind: str, texts: Iterable[Any], timezone: str, limit: int) -> Iterator[Candidate]:
    """Candidates of the first ``limit`` texts that parse as dates: the dateline comes first."""
    count = 0
    for text in texts:
        if count >= limit:
            return
        found = candidate(kind, text, timezone)
        if found is not None:
            count += 1
            yield found


def _names(element: Any) -> str:
    return " ".join(element.get(name) or "" for name in ("class", "id", "itemprop"))

"""Which source and edition take a URL, by which pattern, or why none does.

One decision for the crawl (the spider asks it before requesting a page), ``newsagg inspect`` and
``newsagg sources --match``, so an operator sees exactly what a crawl would do with a URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from crawler.limits import MAX_URL_LENGTH, url_trap
from crawler.urls import canonicalize, is_fetchable, strip_amp
from settings.sources import Source

NOT_FETCHABLE = "not_fetchable"
"""Not an absolute http(s) URL."""
OFF_HOSTS = "off_hosts"
"""No configured edition lists the URL's host among its domains."""
NO_PATTERN = "no_pattern"
"""A source has the host, but none of its editions' article patterns matches the URL."""


@dataclass(frozen=True)
class Claim:
    url: str  # as given
    target: str  # the URL a crawl requests: canonical, AMP variant folded
    source: str | None = None
    lang: str | None = None  # the claiming edition's language
    pattern: str | None = None
    reason: str | None = None  # None when the crawl requests the URL; else why not

    @property
    def claimed(self) -> bool:
        return self.reason is None

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        del found["target"]
        return found


def crawl_target(url: str) -> str:
    """The form of ``url`` a crawl requests and matches patterns against."""
    canonical = canonicalize(url)
    return strip_amp(canonical) or canonical


def claim(source: Source, url: str, max_length: int = MAX_URL_LENGTH) -> Claim:
    """Whether a crawl of ``source`` requests ``url``, as which edition and by which pattern."""
    if not is_fetchable(url):
        return Claim(url, url, reason=NOT_FETCHABLE)
    target = crawl_target(url)
    for edition in source.editions:
        pattern = edition.article_pattern(target)
        if pattern is not None:
            # A trap URL matches its edition but is never requested: the reason says which rule.
            trap = url_trap(target, max_length)
            return Claim(url, target, source.key, edition.lang, pattern, trap)
    host = urlsplit(target).hostname or ""
    on_hosts = any(edition.allows_host(host) for edition in source.editions)
    return Claim(url, target, source.key if on_hosts else None, reason=NO_PATTERN if on_hosts else OFF_HOSTS)


def claim_in(sources: Iterable[Source], url: str, max_length: int = MAX_URL_LENGTH) -> Claim:
    """``claim`` across a registry: the first source whose edition takes ``url``; otherwise the most
    telling refusal (an edition's match that is a trap, a source with the host but no pattern, ...)."""
    refusals = [claim(source, url, max_length) for source in sources]
    taken = next((found for found in refusals if found.claimed), None)
    if taken is not None:
        return taken
    rank = {NO_PATTERN: 1, NOT_FETCHABLE: 2, OFF_HOSTS: 3}
    refusals.sort(key=lambda found: rank.get(found.reason or "", 0))
    fallback = Claim(url, crawl_target(url) if is_fetchable(url) else url, reason=OFF_HOSTS)
    return refusals[0] if refusals else fallback


class CrawlClaims:
    """``claim`` for one crawl's source, remembered by URL: pages repeat their navigation links, so each
    URL is canonicalised and matched once. Past ``kept`` URLs all are forgotten at once, which bounds
    memory and changes no answer."""

    def __init__(self, source: Source, max_length: int = MAX_URL_LENGTH, kept: int = 50_000) -> None:
        self.source = source
        self.max_length = max_length
        self.kept = kept
        self._known: dict[str, Claim] = {}

    def __call__(self, url: str) -> Claim:
        found = self._known.get(url)
        if found is None:
            if len(self._known) >= self.kept:
                self._known.clear()
            found = self._known[url] = claim(self.source, url, self.max_length)
        return found

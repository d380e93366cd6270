"""What discovery finds: feed and sitemap entries, and the error for a listing that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    url: str
    title: str | None = None
    published: str | None = None  # raw text as in the feed/sitemap (parsed later with the source tz)
    lang: str | None = None  # news:language / dc:language / xml:lang, raw
    lastmod: str | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # sitemap xhtml:link hreflang (lang, url)


@dataclass(frozen=True)
class Discovered:
    kind: str  # "rss" | "atom" | "sitemapindex" | "urlset"
    entries: list[Entry]  # article candidates, or child sitemaps for "sitemapindex"


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read; ``reason`` says what was wrong with it."""

    def __init__(self, url: str, reason: str) -> None:
        # Both go to args so the exception survives pickling between processes.
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"

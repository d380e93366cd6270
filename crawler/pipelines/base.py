"""What every pipeline step shares: the crawler, its source, its stats and a counted drop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from storage.db import Database

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from settings.sources import Source


class Step:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    @property
    def source(self) -> Source:
        source: Source = getattr(self.crawler.spider, "source")  # noqa: B009 - set by NewsSpider
        return source

    @property
    def database(self) -> Database:
        return Database.from_crawler(self.crawler)

    def count(self, key: str, value: int = 1) -> None:
        self.stats.inc_value(f"newsagg/{key}", value)

    def drop(self, reason: str, item: Any, detail: str = "") -> DropItem:
        """Count the drop by reason and build the exception that carries it."""
        self.count(f"dropped/{reason}")
        url = getattr(item, "url", "?")
        return DropItem(f"{reason}: {url}" + (f" ({detail})" if detail else ""))

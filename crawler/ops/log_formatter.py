"""Log lines about items that name the page instead of printing it.

Scrapy's LogFormatter writes the whole item into the log when it is dropped, scraped or fails in a
pipeline; an ArticleItem carries the page's HTML (up to DOWNLOAD_MAXSIZE), so a site serving huge
pages would flood the log with them, one warning per dropped page. Here the item is shown as its
source, edition and URL, and the rest of each message is kept as Scrapy writes it.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

from crawler.items import ArticleItem

MAX_ITEM_CHARS = 500
"""Longest rendering of an item that is not an ArticleItem."""


def short_item(item: Any) -> str:
    if isinstance(item, ArticleItem):
        return f"<ArticleItem {item.source}/{item.edition_lang} {item.url}>"
    text = repr(item)
    return text if len(text) <= MAX_ITEM_CHARS else text[:MAX_ITEM_CHARS] + " …"


class ShortItemLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return self._shorten(super().scraped(item, response, spider), item)

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return self._shorten(super().dropped(item, exception, response, spider), item)

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return self._shorten(super().item_error(item, exception, response, spider), item)

    @staticmethod
    def _shorten(result: LogFormatterResult, item: Any) -> LogFormatterResult:
        args = result["args"]
        if isinstance(args, dict) and "item" in args:
            result["args"] = {**args, "item": short_item(item)}
        return result

"""One line per failure at the default log level.

Scrapy logs a failed robots.txt, DNS, TLS or connection error with a full traceback (37 lines for a
refused connection); a crawl of one dead host printed four of them. Below INFO (the default is
WARNING) every record here is cut to its message: the URL and the reason. ``--verbose`` or
``NEWSAGG_LOG_LEVEL=INFO``/``DEBUG`` keep the tracebacks.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
# The loggers that attach tracebacks to download and processing failures. The filter sits on them,
# not on a handler: Scrapy replaces its root handler when each crawl starts.
NOISY_LOGGERS = (
    ROBOTS_LOGGER,
    "scrapy.core.scraper",
    "scrapy.core.engine",
    "scrapy.core.downloader",
    "scrapy.downloadermiddlewares.retry",
    "scrapy.utils.signal",
    "scrapy.utils.defer",
    "twisted",
)


class OneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ROBOTS_LOGGER and isinstance(record.args, dict) and "request" in record.args:
            # Scrapy names the page that waited for robots.txt, not robots.txt: say what failed.
            args: dict[str, Any] = record.args
            record.msg = "robots.txt of %(site)s cannot be read (%(reason)s); its pages are crawled as if allowed"
            record.args = {
                "site": urlsplit(str(getattr(args["request"], "url", ""))).netloc,
                "reason": args.get("f_exception"),
            }
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def quiet_tracebacks(level: str | int) -> None:
    """Cut the noisy loggers' records to one line unless ``level`` shows INFO or more."""
    number = logging.getLevelName(level) if isinstance(level, str) else level
    verbose = isinstance(number, int) and number <= logging.INFO
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, OneLine)]:
            logger.removeFilter(old)
        if not verbose:
            logger.addFilter(OneLine())

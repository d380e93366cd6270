"""Wait before a retry: as long as the server's Retry-After asks, else with exponential backoff.

Scrapy's RetryMiddleware (2.19) retries a 429, a 5xx or a dropped connection at once and ignores
Retry-After, so a rate-limited crawl answers "slow down" by hammering harder. This middleware sits just
before it (a higher order number, so it sees responses and exceptions first), waits without blocking
the reactor, then hands the response or exception on for RetryMiddleware to retry and count as usual.

- A retryable status with ``Retry-After`` (seconds or an HTTP date) waits that long. A server asking
  for more than ``NEWSAGG_RETRY_AFTER_MAX`` seconds is not retried in this crawl: the response goes on
  as a failure (counted ``errors/http_429``) rather than being retried before it allows.
- Other retryable statuses and exceptions wait ``NEWSAGG_RETRY_BACKOFF`` seconds, doubled for each
  retry already made (1, 2, 4 s by default), never more than ``NEWSAGG_RETRY_AFTER_MAX``.
- The last failure, after RETRY_TIMES retries, is not delayed: RetryMiddleware gives up on it.

Counted: ``newsagg/retry/retry_after`` (waits a server asked for), ``newsagg/retry/backoff`` (waits
chosen here), ``newsagg/retry/retry_after_too_long`` (retries given up because the wait was too long).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header value asks to wait (RFC 9110 10.2.3), or None when it is unusable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.exceptions = tuple(
            load_object(name) if isinstance(name, str) else name for name in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff = settings.getfloat("NEWSAGG_RETRY_BACKOFF")
        self.max_wait = settings.getfloat("NEWSAGG_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.codes or not self._will_retry(request):
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.max_wait:
            # Retrying sooner than the server allows is what it asked us not to do.
            request.meta["dont_retry"] = True
            self._count("retry/retry_after_too_long")
            return response
        if asked is not None:
            self._count("retry/retry_after")
            await sleep(asked)
        else:
            await self._back_off(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.exceptions) and self._will_retry(request):
            await self._back_off(request)

    def _will_retry(self, request: Request) -> bool:
        if request.meta.get("dont_retry", False):
            return False
        return int(request.meta.get("retry_times", 0)) < int(request.meta.get("max_retry_times", self.max_retry_times))

    async def _back_off(self, request: Request) -> None:
        delay = min(self.backoff * 2 ** int(request.meta.get("retry_times", 0)), self.max_wait)
        if delay > 0:
            self._count("retry/backoff")
            await sleep(delay)

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsagg/{key}")

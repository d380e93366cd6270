"""Feeds and sitemaps fetched with If-None-Match / If-Modified-Since.

:class:`ConditionalGetMiddleware` answers a 304 with the body it confirms, kept from the last 200
(``newsagg/listings/not_modified``): the spider reads an unchanged listing as before, and the pages it
lists are skipped or fetched by :mod:`crawler.fetch.incremental`. Off with ``NEWSAGG_CONDITIONAL_GET = False``.
"""

from __future__ import annotations

from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from crawler.fetch.incremental import skip_request
from storage import fetch_state
from storage.db import Database
from storage.types import utcnow


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database = Database.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSAGG_CONDITIONAL_GET"):
            raise NotConfigured("NEWSAGG_CONDITIONAL_GET is off")
        if not crawler.settings.get("NEWSAGG_DATABASE_URL"):
            raise NotConfigured("NEWSAGG_DATABASE_URL is not set")
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.database.check_schema()

    def process_request(self, request: Request) -> None:
        if not request.meta.get("listing"):
            return
        with self.database.session() as session:
            cached = fetch_state.cached_listing(session, request.url)
        if cached is None:
            return
        if cached.validators.etag:
            request.headers.setdefault("If-None-Match", cached.validators.etag)
        if cached.validators.last_modified:
            request.headers.setdefault("If-Modified-Since", cached.validators.last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("listing"):
            return response
        if response.status == 304:
            with self.database.session() as session:
                cached = fetch_state.cached_listing(session, request.url)
            if cached is None:  # a 304 we did not ask for
                raise skip_request(request, "not_modified")
            self._count("listings/not_modified")
            return Response(request.url, status=200, body=cached.body, request=request, flags=["not_modified"])
        if response.status == 200:
            found = fetch_state.Validators(_header(response, b"ETag"), _header(response, b"Last-Modified"))
            with self.database.session() as session:
                fetch_state.save_listing(session, request.url, found, response.body, fetched_at=utcnow())
        return response

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsagg/{key}")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None

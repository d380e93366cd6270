"""Stop redirect loops at the first step back, with a name.

Scrapy's RedirectMiddleware ends a chain after REDIRECT_MAX_TIMES, but a loop (``/a`` → ``/b`` → ``/a``)
ends earlier and silently: the duplicate filter drops the repeated URL, and the page is lost without
a reason in the crawl's counts. This middleware sits just before RedirectMiddleware (a higher order
number, so it sees responses first) and fails such a response as a :class:`RedirectLoop`, which the
spider counts as ``errors/redirect_loop``.
"""

from __future__ import annotations

from typing import Self
from urllib.parse import urljoin

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from crawler.urls import canonicalize

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already visited in the same chain (tracking parameters aside)."""


class RedirectLoopMiddleware:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in _REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        try:
            target = urljoin(request.url, safe_url_string(location.decode("latin-1")))
        except ValueError:  # a malformed Location: RedirectMiddleware's concern
            return response
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize(target) in {canonicalize(url) for url in chain}:
            raise RedirectLoop(f"redirect loop: {request.url} redirects back to {target}")
        return response

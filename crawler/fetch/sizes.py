"""Tell a download cut off at DOWNLOAD_MAXSIZE from one cancelled for another reason.

When a body without a Content-Length grows past DOWNLOAD_MAXSIZE, Scrapy's HTTP handler cancels the
download and the request fails with a bare ``DownloadCancelledError``, the same failure as a download
cancelled at shutdown. This extension counts the bytes of each download as they arrive
(``bytes_received``) and marks a request that went past its cap, so that crawler.fetch.errors can name the
failure ``too_large``. Counts are kept per request object (a retry is a new one) and vanish with it.
"""

from __future__ import annotations

from typing import Any, Self
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request

TOO_LARGE = "newsagg_too_large"
"""Request meta key: True once the body went past the request's DOWNLOAD_MAXSIZE."""


class DownloadSizeRecorder:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.received: WeakKeyDictionary[Request, int] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        recorder = cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        crawler.signals.connect(recorder.bytes_received, signal=signals.bytes_received)
        return recorder

    def bytes_received(self, data: bytes, request: Request, **_: Any) -> None:
        received = self.received[request] = self.received.get(request, 0) + len(data)
        maxsize = request.meta.get("download_maxsize", self.maxsize)
        if maxsize and received > maxsize:
            request.meta[TOO_LARGE] = True

"""Fetch failures named the way crawl jobs count them."""

from __future__ import annotations

import re

from scrapy import exceptions
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.fetch.redirects import RedirectLoop
from crawler.fetch.sizes import TOO_LARGE

# Scrapy wraps Twisted's errors in its own since 2.13; both are named so either surfaces the same way.
_KINDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((exceptions.DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError), "timeout"),
    ((exceptions.CannotResolveHostError, twisted_errors.DNSLookupError), "dns"),
    # The connection closed before the Content-Length the server announced had arrived.
    ((exceptions.ResponseDataLossError,), "truncated"),
    (
        (
            exceptions.DownloadConnectionRefusedError,
            exceptions.DownloadFailedError,
            twisted_errors.ConnectionRefusedError,
            twisted_errors.ConnectionDone,
            twisted_errors.ConnectionLost,
            ResponseFailed,
            ResponseNeverReceived,
        ),
        "connection",
    ),
    ((exceptions.DownloadCancelledError,), "cancelled"),
    ((exceptions.UnsupportedURLSchemeError,), "unsupported_scheme"),
    ((RedirectLoop,), "redirect_loop"),
]

# Scrapy's components stop a download with a generic exception and say why only in its message.
_MESSAGES: list[tuple[type[BaseException], re.Pattern[str], str]] = [
    # The download handler, past DOWNLOAD_MAXSIZE (announced or received).
    (
        exceptions.DownloadCancelledError,
        re.compile(r"^(Expected to receive|Received) \d+ bytes which is larger"),
        "too_large",
    ),
    # HttpCompressionMiddleware, past DOWNLOAD_MAXSIZE while decompressing (gzip/deflate/br bombs).
    (exceptions.IgnoreRequest, re.compile(r"^Ignored response .* exceeded DOWNLOAD_MAXSIZE"), "too_large"),
    # RedirectMiddleware, past REDIRECT_MAX_TIMES.
    (exceptions.IgnoreRequest, re.compile(r"^max redirections reached$"), "too_many_redirects"),
]


def failure_kind(failure: Failure) -> str:
    """A short stable name: ``http_404``, ``timeout``, ``dns``, ``connection``, ``truncated``, ``too_large``,
    ``redirect_loop``, ``too_many_redirects``, ``ignored`` (robots.txt and deliberate skips), ..."""
    if failure.check(HttpError):  # type: ignore[no-untyped-call]
        response = getattr(failure.value, "response", None)
        return f"http_{response.status}" if response is not None else "http"
    request = getattr(failure, "request", None)
    if failure.check(exceptions.DownloadCancelledError) and request is not None and request.meta.get(TOO_LARGE):  # type: ignore[no-untyped-call]
        return "too_large"
    message = str(failure.value)
    for kind_type, pattern, name in _MESSAGES:
        if isinstance(failure.value, kind_type) and pattern.search(message):
            return name
    for types, kind in _KINDS:
        if failure.check(*types):  # type: ignore[no-untyped-call]
            return kind
    if failure.check(exceptions.IgnoreRequest):  # type: ignore[no-untyped-call]
        return "ignored"
    return type(failure.value).__name__.lower()

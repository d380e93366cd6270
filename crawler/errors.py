"""Fetch failures named the way crawl jobs count them."""

from __future__ import annotations

from scrapy import exceptions
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

# Scrapy wraps Twisted's errors in its own since 2.13; both are named so either surfaces the same way.
_KINDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((exceptions.DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError), "timeout"),
    ((exceptions.CannotResolveHostError, twisted_errors.DNSLookupError), "dns"),
    (
        (
            exceptions.DownloadConnectionRefusedError,
            exceptions.DownloadFailedError,
            exceptions.ResponseDataLossError,
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
    ((exceptions.IgnoreRequest,), "ignored"),
]


def failure_kind(failure: Failure) -> str:
    """A short stable name: ``http_404``, ``timeout``, ``dns``, ``connection``, ``ignored``, ..."""
    if failure.check(HttpError):  # type: ignore[no-untyped-call]
        response = getattr(failure.value, "response", None)
        return f"http_{response.status}" if response is not None else "http"
    for types, kind in _KINDS:
        if failure.check(*types):  # type: ignore[no-untyped-call]
            return kind
    return type(failure.value).__name__.lower()

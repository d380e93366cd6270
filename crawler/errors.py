"""Fetch failures named the way crawl jobs count them."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def failure_kind(failure: Failure) -> str:
    """A short stable name: ``http_404``, ``timeout``, ``dns``, ``connection``, ``ignored``, ..."""
    if failure.check(HttpError):
        response = getattr(failure.value, "response", None)
        return f"http_{response.status}" if response is not None else "http"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(DNSLookupError):
        return "dns"
    if failure.check(ConnectionRefusedError, ConnectionDone, ConnectionLost, ResponseFailed, ResponseNeverReceived):
        return "connection"
    if failure.check(IgnoreRequest):
        return "ignored"
    return type(failure.value).__name__.lower()

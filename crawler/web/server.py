"""Serve the web application with uvicorn: one event loop, so a slow or half-open client holds no
thread; a deep listen backlog; no ``Server`` header; a deadline for every request head."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from crawler.web.app import access_log, create_app

BACKLOG = 1024
HEAD_TIMEOUT = 10.0
"""Seconds a connection may take to send a whole request head (also between keep-alive requests)."""


class HeadDeadlineProtocol(H11Protocol):
    """HTTP/1.1 that closes a connection whose request head does not arrive in time (uvicorn waits forever)."""

    head_timeout = HEAD_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.call_later(self.head_timeout, self._head_overdue)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._deadline.cancel()
        self._deadline = self.loop.call_later(self.head_timeout, self._head_overdue)

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)

    def _head_overdue(self) -> None:
        # A request in progress (its head arrived) is left alone: only waiting for a head is timed.
        if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
            self.transport.close()


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def make_web_server(database_url: str, *, quiet: bool = False, head_timeout: float = HEAD_TIMEOUT) -> uvicorn.Server:
    protocol = type("Protocol", (HeadDeadlineProtocol,), {"head_timeout": head_timeout})
    config = uvicorn.Config(
        create_app(database_url),
        http=protocol,
        backlog=BACKLOG,
        server_header=False,
        timeout_keep_alive=5,
        access_log=False,  # crawler.web.app writes its own line, with control characters escaped
        log_config=None,
        lifespan="on",  # closes the app's database pool on shutdown
    )
    if not quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
    access_log.propagate = False
    return uvicorn.Server(config)

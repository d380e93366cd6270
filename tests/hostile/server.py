"""A hostile web server on 127.0.0.1: each route serves one kind of broken, hostile or failing answer.

The stdlib ThreadingHTTPServer on an ephemeral port, in a daemon thread. Every request is logged with
its time, Host header and path, so tests can see what a crawl asked for (never an off-site host, never
the target of an external entity), how often (retries, redirect loops, traps) and when (Retry-After,
backoff). Sleeps end when the server stops, so no test waits on a slow route longer than it runs.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

Route = Callable[["Exchange"], None]


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    host: str  # the Host header without the port: 127.0.0.1, or localhost for the "other site"
    path: str  # with the query string


class Exchange:
    """One request, and the ways a route can answer it."""

    def __init__(self, handler: _Handler, server: HostileServer, number: int) -> None:
        self.handler = handler
        self.server = server
        self.path = handler.path
        self.number = number  # how many requests this path (query included) received, this one included

    def reply(
        self,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
        length: int | None = None,
    ) -> None:
        """A complete answer; ``length`` overrides the Content-Length header (a lie, for truncation)."""
        handler = self.handler
        handler.send_response(status)
        if content_type is not None:
            handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        self.write(body)

    def head(
        self, *, status: int = 200, content_type: str = "text/html", headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Status and headers; without a Content-Length among them the body ends when the connection does."""
        handler = self.handler
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()

    def write(self, data: bytes) -> bool:
        """Send ``data``; False once the client has hung up (a size cap or timeout cut it off)."""
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except OSError:
            return False
        return True

    def stream(self, chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            if self.server.stopping.is_set() or not self.write(chunk):
                return

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing server or middlebox does."""
        connection = self.handler.connection
        with contextlib.suppress(OSError):
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
        self.handler.close_connection = True

    def wait(self, seconds: float) -> None:
        """Sleep, but never past the server's stop."""
        self.server.stopping.wait(seconds)


class HostileServer:
    """Routes by exact path, else by the longest matching prefix; anything else is a plain 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- set-up ---

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def route_prefix(self, prefix: str, handler: Route) -> None:
        self.prefixes[prefix] = handler

    def start(self) -> HostileServer:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def other_site(self) -> str:
        """The same server under another host name: a different site to the crawler."""
        return f"http://localhost:{self.port}"

    # --- what was asked ---

    def hits(self, prefix: str = "/", *, host: str | None = "127.0.0.1") -> list[Hit]:
        """Requests whose path starts with ``prefix`` (any host when ``host`` is None), in arrival order."""
        with self._lock:
            return [hit for hit in self.log if hit.path.startswith(prefix) and host in (None, hit.host)]

    def count(self, prefix: str = "/", *, host: str | None = "127.0.0.1") -> int:
        return len(self.hits(prefix, host=host))

    # --- serving ---

    def _record(self, host: str, path: str) -> int:
        with self._lock:
            self.log.append(Hit(time.monotonic(), host, path))
            return sum(1 for hit in self.log if hit.path == path)

    def _find(self, path: str) -> Route | None:
        plain = urlsplit(path).path
        if plain in self.routes:
            return self.routes[plain]
        matches = [prefix for prefix in self.prefixes if plain.startswith(prefix)]
        return self.prefixes[max(matches, key=len)] if matches else None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many crawlers connect at once

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (caps, timeouts) and routes that reset are the point here."""


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        owner = self.server.owner
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        number = owner._record(host, self.path)
        route = owner._find(self.path)
        exchange = Exchange(self, owner, number)
        with contextlib.suppress(OSError):
            if route is None:
                exchange.reply(b"not found", status=404, content_type="text/plain")
            else:
                route(exchange)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server's own log is the record."""

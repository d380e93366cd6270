"""Serve the demo site on loopback for `newsagg demo` and the tests.

The stdlib server is enough: the site is a dict of prerendered responses, and tests need to see
exactly which paths a crawl requested (robots rules, re-crawl skips), which the hit counter gives.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from crawler.demo.modes import MODES, apply_mode
from crawler.demo.site import Response, build_site, load_stories, not_found

SOURCES_FILE = "demo.yaml"


class DemoServer:
    """The demo site on 127.0.0.1 in a daemon thread; use as a context manager.

    ``mode`` (or :meth:`set_mode` while it runs) breaks the site on purpose: ``empty``, ``errors`` or
    ``untitled``, see :mod:`crawler.demo.modes`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        slow_seconds: float = 10.0,
        *,
        stories: Mapping[str, Any] | None = None,
        mode: str = "normal",
    ) -> None:
        self.host = host
        self.port = port
        self.slow_seconds = slow_seconds
        self.base = ""
        self._stories = stories
        self._generation = 0
        self._mode = "normal"
        self.set_mode(mode)
        self._sites: dict[tuple[int, str], dict[str, Response]] = {}
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()  # guards the hit counter and the generation
        self._render_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DemoServer:
        if self._httpd is not None:
            raise RuntimeError("the demo server is already running")
        if self._stories is None:
            self._stories = load_stories()
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        self.base = f"http://{self.host}:{self.port}"
        self._site()  # render now, so bad stories fail here rather than on the first request
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # wakes the slow page's sleep so its thread can end
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def hits(self, path: str | None = None) -> int | dict[str, int]:
        """Requests received per path (query string dropped), or for one path."""
        with self._lock:
            return dict(self._hits) if path is None else self._hits[path]

    def reset_hits(self) -> None:
        with self._lock:
            self._hits.clear()

    @property
    def generation(self) -> int:
        return self._generation

    def set_generation(self, n: int) -> None:
        """0 is the first crawl's site; 1 applies stories.json's updates."""
        if n < 0:
            raise ValueError(f"generation must be 0 or more, got {n}")
        with self._lock:
            self._generation = n

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Serve the site ``normal``, or broken: ``empty``, ``errors``, ``untitled`` (crawler.demo.modes)."""
        if mode not in MODES:
            raise ValueError(f"unknown demo mode {mode!r} (one of {', '.join(MODES)})")
        self._mode = mode

    def sources_yaml(self) -> str:
        """The demo and wire source declarations pointing at this server."""
        if not self.base:
            raise RuntimeError("start the demo server before asking for its sources")
        template = files("crawler.demo").joinpath("sources.yaml.tmpl").read_text(encoding="utf-8")
        return template.replace("{base}", self.base)

    def write_sources(self, directory: str | Path) -> Path:
        path = Path(directory) / SOURCES_FILE
        path.write_text(self.sources_yaml(), encoding="utf-8")
        return path

    def respond(self, raw_path: str) -> Response:
        """Count the request and find its response; the query string never changes the page."""
        path = urlsplit(raw_path).path or "/"
        with self._lock:
            self._hits[path] += 1
        return self._site().get(path) or not_found()

    def hold(self) -> None:
        """Sleep for the slow page, but no longer than the server lives."""
        self._stopping.wait(self.slow_seconds)

    def _site(self) -> dict[str, Response]:
        with self._render_lock:
            key = (self._generation, self._mode)
            site = self._sites.get(key)
            if site is None:
                if self._stories is None:
                    raise RuntimeError("the demo server has not been started")
                site = build_site(self._stories, self.base, key[0])
                site = self._sites[key] = apply_mode(site, key[1]) if key[1] != "normal" else site
            return site


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # A crawl opens many connections at once; the default backlog of 5 makes some of them time out.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early (the slow page's timeout) are normal here, not worth a traceback."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], demo: DemoServer) -> None:
        self.demo = demo
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "DemoMeridian/1.0"

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the hit counter is the request log."""

    def _serve(self, *, with_body: bool) -> None:
        demo = self.server.demo
        response = demo.respond(self.path)
        if response.slow:
            demo.hold()
        # The client may have given up waiting (the slow page); then there is nothing left to do.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(response, with_body=with_body)

    def _send(self, response: Response, *, with_body: bool) -> None:
        headers = dict(response.headers)
        etag = headers.get("ETag")
        if etag is not None and etag == self.headers.get("If-None-Match"):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

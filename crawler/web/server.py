"""Serve the WSGI app with the standard library, one thread per request."""

from __future__ import annotations

import sys
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from crawler.web.app import App


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    """One short line per request on stderr, without the reverse DNS lookup of the default handler."""

    def address_string(self) -> str:
        return str(self.client_address[0])

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def make_web_server(database_url: str, host: str, port: int, *, quiet: bool = False) -> WSGIServer:
    handler = type("Handler", (QuietHandler,), {"log_message": lambda *a, **k: None}) if quiet else QuietHandler
    return make_server(host, port, App(database_url), server_class=ThreadingWSGIServer, handler_class=handler)

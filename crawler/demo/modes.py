"""Ways to break the demo site on purpose, so that tests and operators can see the health rules fire.

- ``normal``: the site as its stories describe it.
- ``empty``: the site is up but lists nothing: feeds, sitemaps and section pages have no entries and
  pages no links, so a crawl stores nothing.
- ``errors``: every HTML page answers 500; robots.txt, feeds and sitemaps still work, so a crawl finds
  the articles and fails to fetch each of them.
- ``untitled``: no page or feed carries a headline (no ``<title>``, ``<h1>``, ``og:title``, JSON-LD
  ``headline``, feed or news-sitemap title), so articles are stored without one.

Each mode rewrites the rendered responses; the stories and the ground truth stay those of ``normal``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Mapping

from crawler.demo.site import Response

MODES = ("normal", "empty", "errors", "untitled")

_LISTED = re.compile(
    rb"<(item|entry|url|sitemap)\b[^>]*>.*?</\1>|<a\b[^>]*>.*?</a>|<link\b[^>]*\bhreflang=[^>]*>", re.S | re.I
)
_HEADLINES = re.compile(
    rb"<(title|h1|news:title)\b[^>]*>.*?</\1>\s*"
    rb"|<meta\s+(?:property|name)=\"(?:og|twitter):title\"[^>]*>\s*"
    rb'|"headline":\s*"(?:[^"\\]|\\.)*",\s*',
    re.S | re.I,
)


def apply_mode(site: Mapping[str, Response], mode: str) -> dict[str, Response]:
    """The ``site`` as served in ``mode``."""
    if mode not in MODES:
        raise ValueError(f"unknown demo mode {mode!r} (one of {', '.join(MODES)})")
    change: Callable[[Response], Response] = {
        "normal": lambda response: response,
        "empty": lambda response: _rewrite(response, _LISTED),
        "errors": _fail_html,
        "untitled": lambda response: _rewrite(response, _HEADLINES),
    }[mode]
    return {path: change(response) for path, response in site.items()}


def _content_type(response: Response) -> str:
    return next((value for name, value in response.headers if name.lower() == "content-type"), "")


def _rewrite(response: Response, pattern: re.Pattern[bytes]) -> Response:
    if response.status != 200:
        return response
    if _content_type(response).startswith("application/gzip"):
        body = gzip.compress(pattern.sub(b"", gzip.decompress(response.body)), mtime=0)
    else:
        body = pattern.sub(b"", response.body)
    # Drop the ETag: the rewritten body is another document.
    headers = tuple((name, value) for name, value in response.headers if name.lower() != "etag")
    return Response(response.status, headers, body, response.slow)


def _fail_html(response: Response) -> Response:
    if not _content_type(response).startswith("text/html"):
        return response
    body = b"<!doctype html><title>500</title><h1>Internal Server Error</h1>"
    return Response(500, (("Content-Type", "text/html; charset=utf-8"),), body)

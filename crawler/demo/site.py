"""The whole demo site as a mapping from path to response, rendered from the stories.

Pure: the same stories, base and generation always give the same bytes. The server only looks
paths up here (ignoring the query string, so tracking variants reach the same page).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.demo import articles, feeds, fronts, specials
from crawler.demo.catalog import CP1256_META, MISLABELLED, Catalog, Page, amp_path, build_catalog
from crawler.demo.data import LANGS, SECTIONS, load_stories, parse_stories

__all__ = ["Response", "build_site", "load_stories", "not_found", "render_catalog"]


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    slow: bool = False  # the server holds it back past the crawl's download timeout


def build_site(raw: Mapping[str, Any], base: str, generation: int = 0) -> dict[str, Response]:
    """Every path of the site; generation 1 applies stories.json's updates."""
    return render_catalog(build_catalog(parse_stories(raw), generation), base)


def render_catalog(catalog: Catalog, base: str) -> dict[str, Response]:
    return {
        **_discovery(catalog, base),
        **_fronts(catalog, base),
        **_articles(catalog, base),
        **_failing(),
        "/": _html(fronts.root(base)),
        "/en/about": _html(fronts.about(base)),
        specials.PRIVATE_PATH: _html(fronts.private_draft()),
    }


def not_found() -> Response:
    return _html(fronts.error_page(404), status=404)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _response(body: bytes, content_type: str, status: int = 200) -> Response:
    headers = [("Content-Type", content_type)]
    if status == 200:
        headers.append(("ETag", _etag(body)))
    return Response(status=status, headers=tuple(headers), body=body)


def _html(text: str, status: int = 200) -> Response:
    return _response(text.encode("utf-8"), "text/html; charset=utf-8", status)


def _xml(text: str, content_type: str = "application/xml") -> Response:
    return _response(text.encode("utf-8"), f"{content_type}; charset=utf-8")


def _discovery(catalog: Catalog, base: str) -> dict[str, Response]:
    # mtime=0 keeps the gzip bytes identical from run to run
    news = gzip.compress(feeds.news_sitemap_ar(catalog, base).encode("utf-8"), mtime=0)
    return {
        "/robots.txt": _response(feeds.robots(base).encode("ascii"), "text/plain; charset=utf-8"),
        "/ru/rss.xml": _xml(feeds.ru_rss(catalog, base), "application/rss+xml"),
        "/en/atom.xml": _xml(feeds.en_atom(catalog, base), "application/atom+xml"),
        "/ar/rss.xml": _xml(feeds.ar_rss_broken(catalog, base), "application/rss+xml"),
        "/wire/rss.xml": _xml(feeds.wire_rss(catalog, base), "application/rss+xml"),
        "/sitemap_index.xml": _xml(feeds.sitemap_index(base)),
        "/sitemaps/news-ar.xml.gz": _response(news, "application/gzip"),
        "/sitemaps/pages.xml": _xml(feeds.pages_sitemap(catalog, base)),
    }


def _fronts(catalog: Catalog, base: str) -> dict[str, Response]:
    site = {f"/{lang}/": _html(fronts.edition_front(catalog, lang, base)) for lang in LANGS}
    for lang in LANGS:
        for section in SECTIONS:
            site[f"/{lang}/{section}/"] = _html(fronts.section_front(catalog, lang, section, base))
    return site


def _articles(catalog: Catalog, base: str) -> dict[str, Response]:
    site = {page.path: _page(page, catalog, base) for page in catalog.pages}
    for page in catalog.pages:
        if page.has_amp:  # AMP is always UTF-8
            site[amp_path(page.path)] = _html(articles.article_html(page, catalog, base, amp=True))
    return site


def _page(page: Page, catalog: Catalog, base: str) -> Response:
    if page.kind == "not_article":
        return _html(fronts.live_index(page, catalog, base))
    if page.kind == "malformed":
        return _html(articles.malformed_html(page, base))
    if page.source == "wire":
        return _html(articles.wire_html(page, base))
    return _encoded(page, articles.article_html(page, catalog, base))


def _encoded(page: Page, text: str) -> Response:
    """Bytes in the page's codec; characters it lacks become character references."""
    body = text.encode(page.encoding, errors="xmlcharrefreplace")
    if page.charset == MISLABELLED:
        content_type = "text/html; charset=iso-8859-1"
    elif page.charset == CP1256_META:
        content_type = "text/html"
    else:
        content_type = f"text/html; charset={page.charset}"
    return _response(body, content_type)


def _failing() -> dict[str, Response]:
    slow = _html(fronts.slow_page(specials.SLOW.version.title))
    return {
        specials.MISSING.path: _html(fronts.error_page(404), status=404),
        specials.ERROR.path: _html(fronts.error_page(500), status=500),
        specials.SLOW.path: Response(slow.status, slow.headers, slow.body, slow=True),
    }

"""Cases for the hostile server, their source files, and a real crawl over them.

A case is one source whose pages live under ``/<key>/`` on the server: its feed, sitemap or section
page leads to its article pages at ``/<key>/a/...``. A module's cases are crawled together, one Scrapy
crawler per source in one process (what ``newsagg crawl A B C`` does), so each case's stats and
``crawl_jobs`` row tell what that case produced.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from crawler.demo.data import load_stories
from storage.db import session_scope, upgrade
from storage.models import Article, CrawlJob, SourceRow

from ..crawl_process import crawl_here
from .server import Exchange, HostileServer, Route

PUBLISHED = "2026-03-02T09:15:00+03:00"


# --- pages ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]

    @property
    def body_start(self) -> str:
        return self.paragraphs[0][:60]


class Stories:
    """Distinct real-looking stories (the demo site's), handed out once each so no two cases dedup."""

    def __init__(self) -> None:
        raw = load_stories()["stories"]
        self._versions = {
            lang: [
                Story(s["versions"][lang]["title"], tuple(s["versions"][lang]["paragraphs"]))
                for s in raw
                if lang in s["versions"]
            ]
            for lang in ("ru", "en", "ar")
        }

    def take(self, lang: str = "en") -> Story:
        return self._versions[lang].pop(0)


def article_html(
    story: Story,
    *,
    lang: str = "en",
    published: str | None = PUBLISHED,
    head: str = "",
    after: str = "",
    meta_charset: str | None = "utf-8",
) -> str:
    """A plain news article page: JSON-LD and meta tags, a headline and the story's paragraphs."""
    charset = f'<meta charset="{meta_charset}">' if meta_charset else ""
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{charset}<title>{html.escape(story.title)}</title>'
        f'<meta property="og:type" content="article">{date}{head}</head>'
        f"<body><article><h1>{html.escape(story.title)}</h1>{paragraphs}</article>{after}</body></html>"
    )


def rss(items: Iterable[tuple[str, str]], *, prolog: str = "", namespace: str = "") -> bytes:
    """An RSS 2.0 feed of (link, title) items."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f"<pubDate>Mon, 02 Mar 2026 06:15:00 GMT</pubDate></item>"
        for link, title in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"{xmlns}><channel><title>Feed</title>'
        f"{entries}</channel></rss>"
    ).encode()


def urlset(locs: Iterable[str], *, namespace: str = "http://www.sitemaps.org/schemas/sitemap/0.9") -> bytes:
    urls = "".join(f"<url><loc>{html.escape(loc)}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{namespace}">{urls}</urlset>'.encode()


# --- routes -----------------------------------------------------------------------------------------------


def serve(
    body: bytes | str,
    *,
    content_type: str | None = "text/html; charset=utf-8",
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
) -> Route:
    data = body.encode() if isinstance(body, str) else body
    fixed = tuple(headers)

    def route(exchange: Exchange) -> None:
        exchange.reply(data, status=status, content_type=content_type, headers=fixed)

    return route


def serve_xml(body: bytes, content_type: str = "application/xml") -> Route:
    return serve(body, content_type=content_type)


def redirect(location: str, status: int = 302) -> Route:
    def route(exchange: Exchange) -> None:
        exchange.reply(b"", status=status, content_type=None, headers=[("Location", location)])

    return route


# --- cases ------------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One source on the server; paths are relative to ``/<key>/``, except absolute URLs in the lists."""

    key: str
    routes: Callable[[str], Mapping[str, Route]]  # base of the case (http://127.0.0.1:PORT/<key>) -> routes
    feeds: tuple[str, ...] = ("feed.xml",)
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    lang: str = "en"
    article_urls: tuple[str, ...] | None = None  # None: the case's /a/ pages; () any page of the site
    prefixes: Callable[[str], Mapping[str, Route]] = field(default=lambda base: {})
    editions: Callable[[str], list[dict[str, Any]]] | None = None

    def mount(self, server: HostileServer) -> None:
        base = f"{server.base}/{self.key}"
        for path, route in self.routes(base).items():
            server.route(f"/{self.key}/{path}", route)
        for prefix, route in self.prefixes(base).items():
            server.route_prefix(f"/{self.key}/{prefix}", route)

    def source(self, server: HostileServer) -> dict[str, Any]:
        base = f"{server.base}/{self.key}"

        def absolute(paths: tuple[str, ...]) -> list[str]:
            return [p if "://" in p else f"{base}/{p}" for p in paths]

        editions = self.editions(base) if self.editions else None
        if editions is None:
            patterns = [f"^{base}/a/"] if self.article_urls is None else list(self.article_urls)
            edition: dict[str, Any] = {"lang": self.lang, "domains": ["127.0.0.1"], "article_urls": patterns}
            for name, paths in (("feeds", self.feeds), ("sitemaps", self.sitemaps), ("start_urls", self.start_urls)):
                if paths:
                    edition[name] = absolute(paths)
            editions = [edition]
        return {"key": self.key, "name": self.key, "editions": editions}


# --- the crawl --------------------------------------------------------------------------------------------


@dataclass
class Crawl:
    server: HostileServer
    database_url: str
    stats: dict[str, dict[str, Any]]
    log: str

    def stat(self, key: str, name: str) -> int:
        """A ``newsagg/<name>`` counter of one source's crawl."""
        return int(self.stats[key].get(f"newsagg/{name}", 0))

    def scrapy_stat(self, key: str, name: str) -> Any:
        return self.stats[key].get(name, 0)

    def job(self, key: str) -> CrawlJob:
        with session_scope(self.database_url) as session:
            return session.scalars(select(CrawlJob).where(CrawlJob.source_key == key)).one()

    def articles(self, key: str) -> list[Article]:
        with session_scope(self.database_url) as session:
            query = select(Article).join(SourceRow, Article.source_id == SourceRow.id).where(SourceRow.key == key)
            return list(session.scalars(query.order_by(Article.id)))

    def outcome(self, key: str) -> str:
        """What one case produced, in a line (for failure messages and the report)."""
        job = self.job(key)
        titles = [a.title for a in self.articles(key)]
        return (
            f"{key}: status {job.status}, pages {job.pages}, stored {titles}, dropped {job.dropped}, "
            f"errors {job.errors}, skipped "
            f"{ {k.removeprefix('newsagg/skipped/'): v for k, v in self.stats[key].items() if 'skipped/' in k} }"
        )


def crawl(
    server: HostileServer,
    cases: Iterable[Case],
    folder: Path,
    database_url: str,
    overrides: Mapping[str, Any] | None = None,
) -> Crawl:
    """Mount ``cases`` on the running ``server`` and crawl all of them in this process, one crawler each."""
    cases = list(cases)
    for case in cases:
        case.mount(server)
    sources = folder / "hostile.yaml"
    sources.write_text(yaml.safe_dump([case.source(server) for case in cases], allow_unicode=True), encoding="utf-8")
    upgrade(database_url)  # as `newsagg crawl` does for a new SQLite file
    stats, log = crawl_here(database_url, sources, [case.key for case in cases], overrides)
    (folder / "crawl.log").write_text(log, encoding="utf-8")
    return Crawl(server, database_url, stats, log)

"""NewsSpider: one generic spider for every source.

It reads the source's feeds (RSS, Atom), sitemaps (indexes, gzipped, Google News; also those named
in robots.txt) and section pages, and requests every URL that matches an edition's article patterns.
Article pages go to the item pipeline as :class:`~crawler.items.ArticleItem`; links found on them
(related stories, translation links) are followed while they match the patterns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.selector import Selector
from twisted.python.failure import Failure

from crawler.discovery.listings import DiscoveryError, Entry, parse_feed_or_sitemap, robots_sitemaps
from crawler.extract.encoding import decode_html
from crawler.fetch.errors import failure_kind
from crawler.items import ArticleItem
from crawler.limits import MAX_URL_LENGTH, cap_html, looks_binary, strip_nul, url_trap
from crawler.urls import canonicalize, is_fetchable, strip_amp
from settings.sources import Edition, Source, SourceConfigError, load_sources
from storage.types import utcnow


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        source: str | None = None,
        lang: str | None = None,
        limit: str | int | None = None,
        sources: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not source:
            raise SourceConfigError("NewsSpider needs a source: scrapy crawl news -a source=KEY")
        self.source_key = source
        self.lang_filter = {code.strip() for code in lang.split(",") if code.strip()} if lang else set()
        self.limit = int(limit) if limit not in (None, "") else None
        self.extra_sources = [Path(p) for p in (sources or "").split(",") if p]
        self.source: Source
        self.registry: dict[str, Source] = {}  # every configured source (copies belong to other sources)
        self.listing_maxsize: int  # NEWSAGG_LISTING_MAXSIZE and URLLENGTH_LIMIT, set in from_crawler
        self.max_url_length = MAX_URL_LENGTH
        self.scheduled_articles: set[str] = set()
        # Stored pages the seen-URL middleware skipped: asked for again only when a listing gives a lastmod.
        self.skipped_known: set[str] = set()
        # The lastmod listings gave for each article URL, whichever request was made first (see middlewares).
        self.lastmods: dict[str, str] = {}
        self.variants: dict[str, list[tuple[str, str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        paths = [Path(p) for p in crawler.settings.getlist("NEWSAGG_SOURCE_PATHS")] + spider.extra_sources
        registry = load_sources(paths)
        if spider.source_key not in registry:
            known = ", ".join(sorted(registry)) or "none"
            raise SourceConfigError(f"unknown source {spider.source_key!r} (configured: {known})")
        spider.registry = registry
        spider.source = registry[spider.source_key]
        unknown = spider.lang_filter - set(spider.source.languages)
        if unknown:
            raise SourceConfigError(
                f"source {spider.source_key!r} has no edition in {', '.join(sorted(unknown))} "
                f"(it has {', '.join(spider.source.languages)})"
            )
        spider.allowed_domains = spider.source.domains  # type: ignore[attr-defined]
        spider.listing_maxsize = crawler.settings.getint("NEWSAGG_LISTING_MAXSIZE")
        # Longer URLs would not fit the database, whatever URLLENGTH_LIMIT says (0 there: no limit).
        spider.max_url_length = min(crawler.settings.getint("URLLENGTH_LIMIT") or MAX_URL_LENGTH, MAX_URL_LENGTH)
        return spider

    @property
    def editions(self) -> list[Edition]:
        return [e for e in self.source.editions if not self.lang_filter or e.lang in self.lang_filter]

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_for_editions():
            yield request

    def start_requests_for_editions(self) -> Iterator[Request]:
        seen_hosts: set[str] = set()
        for edition in self.editions:
            for url in [*edition.feeds, *edition.sitemaps]:
                yield self._listing_request(url)
            for url in edition.start_urls:
                yield Request(url, callback=self.parse_section, errback=self.on_error)
            for url in [*edition.feeds, *edition.sitemaps, *edition.start_urls]:
                parts = urlsplit(url)
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in seen_hosts:
                    seen_hosts.add(origin)
                    yield Request(f"{origin}/robots.txt", callback=self.parse_robots, errback=self.on_robots_error)

    def _listing_request(self, url: str) -> Request:
        meta = {"listing": True, "download_maxsize": self.listing_maxsize}
        return Request(url, callback=self.parse_listing, errback=self.on_error, meta=meta)

    # --- discovery ---

    def parse_robots(self, response: Response) -> Iterator[Request]:
        for url in robots_sitemaps(response.text if isinstance(response, TextResponse) else "", response.url):
            if self._within_domains(url):
                yield self._listing_request(url)

    def on_robots_error(self, failure: Failure) -> None:
        # A site without robots.txt is normal; Scrapy's robots middleware already handles obeying it.
        self.logger.debug("no robots.txt: %s", failure.getErrorMessage())

    def parse_listing(self, response: Response) -> Iterator[Request]:
        try:
            found = parse_feed_or_sitemap(response.body, response.url, max_size=self.listing_maxsize)
        except DiscoveryError as exc:
            self._count("errors/bad_feed")
            self.logger.warning("%s", exc)
            return
        self._count(f"discovery/{found.kind}")
        if not found.entries:
            self._count("discovery/empty")
            self.logger.info("no entries in %s %s", found.kind, response.url)
        for entry in found.entries:
            if found.kind == "sitemapindex":
                if self._within_domains(entry.url):
                    yield self._listing_request(entry.url)
                continue
            request = self.article_request(entry.url, hints=_hints(entry))
            if request is not None:
                yield request
            # Sitemap alternates are translations: followed, and named in the hints as link evidence.
            for _lang, url in entry.alternates:
                request = self.article_request(url, hints=_alternates_hint(entry))
                if request is not None:
                    yield request

    def parse_section(self, response: Response) -> Iterator[Request]:
        self._count("pages/section")
        yield from self._follow_article_links(response)

    # --- articles ---

    def article_request(self, url: str, hints: dict[str, Any] | None = None) -> Request | None:
        """A request for the canonical form of ``url`` if it is an article of a selected edition."""
        if not is_fetchable(url):
            return None
        canonical = canonicalize(url)
        target = strip_amp(canonical) or canonical
        edition = self.source.edition_for_url(target)
        if edition is None or (self.lang_filter and edition.lang not in self.lang_filter):
            return None
        trap = url_trap(target, self.max_url_length)
        if trap is not None:
            self._count(f"skipped/{trap}")
            return None
        variants = self.variants.setdefault(target, [])
        if url != target and all(url != seen for seen, _ in variants):
            variants.append((url, "amp" if target != canonical else "tracking"))
        if hints and hints.get("lastmod"):
            self.lastmods[target] = hints["lastmod"]
        if target in self.scheduled_articles:
            return None
        if target in self.skipped_known and not (hints or {}).get("lastmod"):
            return None
        if self.limit is not None and len(self.scheduled_articles) >= self.limit:
            return None
        self.scheduled_articles.add(target)
        return Request(
            target,
            callback=self.parse_article,
            errback=self.on_error,
            meta={"edition": edition.lang, "hints": hints or {}, "article": True},
            # A page skipped as known may be asked for again with a lastmod; Scrapy's dupefilter saw it once.
            dont_filter=target in self.skipped_known,
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        self._count("pages/article")
        # Images, archives and random bytes are served as text/html too.
        if not isinstance(response, TextResponse) or looks_binary(response.body):
            self._count("dropped/not_html")
            self.logger.info("not HTML (%s): %s", response.headers.get(b"Content-Type"), response.url)
            return
        header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        charset = header.split("charset=", 1)[1].split(";")[0].strip(" \"'") if "charset=" in header else None
        html, encoding = decode_html(response.body, charset)
        requested = response.request.url if response.request is not None else response.url
        yield ArticleItem(
            source=self.source.key,
            edition_lang=response.meta["edition"],
            url=requested,
            final_url=response.url,
            html=html,
            encoding=encoding,
            fetched_at=utcnow(),
            seen_urls=list(self.variants.get(requested, [])),
            hints=dict(response.meta.get("hints") or {}),
        )
        yield from self._follow_article_links(response, html)

    def _follow_article_links(self, response: Response, html: str | None = None) -> Iterator[Request]:
        if not isinstance(response, TextResponse) or looks_binary(response.body):
            return
        # Parsed under the same caps as extraction: a hostile page must not cost more here.
        page = Selector(text=cap_html(strip_nul(response.text if html is None else html)), type="html")
        hrefs = page.xpath("//a/@href | //link[@rel='alternate'][@hreflang]/@href").getall()
        for href in hrefs:
            try:
                url = urljoin(response.url, href.strip())
            except ValueError:  # a malformed address on the page ("http://[::1")
                continue
            request = self.article_request(url)
            if request is not None:
                yield request

    # --- accounting ---

    def on_error(self, failure: Failure) -> None:
        kind = failure_kind(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if kind == "ignored":
            skip = request.meta.get("newsagg_skip") if request is not None else None
            self._count(f"skipped/{skip or 'robots'}")
            if skip == "known" and request is not None:
                self.scheduled_articles.discard(request.url)
                self.skipped_known.add(request.url)
            return
        self._count(f"errors/{kind}")
        self.logger.warning("%s: %s (%s)", kind, url, failure.getErrorMessage())

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsagg/{key}")

    def _within_domains(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return is_fetchable(url) and any(e.allows_host(host) for e in self.source.editions)


def _hints(entry: Entry) -> dict[str, Any]:
    return {
        key: value
        for key, value in (
            ("title", entry.title),
            ("published", entry.published),
            ("lang", entry.lang),
            ("lastmod", entry.lastmod),
        )
        if value
    } | _alternates_hint(entry)


def _alternates_hint(entry: Entry) -> dict[str, Any]:
    """The sitemap's hreflang alternates of an entry, as [lang, url] pairs (JSON-safe for Redis queues)."""
    return {"alternates": [[lang, url] for lang, url in entry.alternates]} if entry.alternates else {}

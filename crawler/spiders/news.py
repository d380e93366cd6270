"""NewsSpider: one generic spider for every source.

It reads the source's feeds (RSS, Atom), sitemaps (indexes, gzipped, Google News; also those named
in robots.txt) and section pages, and requests every URL that matches an edition's article patterns.
Article pages go to the item pipeline as :class:`~crawler.items.ArticleItem`; links found on them
(related stories, translation links) are followed while they match the patterns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.discovery.claims import CrawlClaims
from crawler.discovery.listings import DiscoveryError, Entry, parse_feed_or_sitemap, robots_sitemaps
from crawler.discovery.sitemap_window import aware, cutoff, is_first_crawl, newest_first, reaches, walk_plan
from crawler.extract.encoding import decode_html
from crawler.fetch.errors import failure_kind
from crawler.items import ArticleItem
from crawler.limits import MAX_URL_LENGTH, cap_html, looks_binary, strip_nul
from crawler.spiders.hints import alternates_hint, entry_hints
from crawler.spiders.links import LinkFilter, page_hrefs
from crawler.urls import canonicalize, is_fetchable
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
        since: str | datetime | None = None,
        replay_only: bool = False,  # `newsagg db replay`: open (which replays the spool), fetch nothing
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not source:
            raise SourceConfigError("NewsSpider needs a source: scrapy crawl news -a source=KEY")
        self.source_key = source
        self.lang_filter = {code.strip() for code in lang.split(",") if code.strip()} if lang else set()
        self.limit = int(limit) if limit not in (None, "") else None
        self.extra_sources = [Path(p) for p in (sources or "").split(",") if p]
        self.since = aware(since) if since else None
        self.replay_only = replay_only
        # How far back sitemap indexes are read (crawler.discovery.sitemap_window); None: whole indexes.
        self.read_back_to: datetime | None = None
        self.source: Source
        self.registry: dict[str, Source] = {}  # every configured source (copies belong to other sources)
        self.listing_maxsize: int  # NEWSAGG_LISTING_MAXSIZE and URLLENGTH_LIMIT, set in from_crawler
        self.max_url_length = MAX_URL_LENGTH
        self.scheduled_articles: set[str] = set()
        # Stored pages the seen-URL middleware skipped: asked for again only when a listing gives a lastmod.
        self.skipped_known: set[str] = set()
        # The lastmod listings gave for each article URL, whichever request was made first (see middlewares).
        self.lastmods: dict[str, str] = {}
        # The hints of article requests not yet answered, by URL: a listing read meanwhile adds its lastmod.
        self.pending_hints: dict[str, dict[str, Any]] = {}
        self.variants: dict[str, list[tuple[str, str]]] = {}
        self.claim: CrawlClaims
        self.links: LinkFilter

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
        spider.links = LinkFilter(spider.source.editions)
        spider.read_back_to = cutoff(
            spider.since,
            spider.source.max_age,
            first_crawl=is_first_crawl(crawler, spider.source_key),
            now=utcnow(),
        )
        spider.listing_maxsize = crawler.settings.getint("NEWSAGG_LISTING_MAXSIZE")
        # Longer URLs would not fit the database, whatever URLLENGTH_LIMIT says (0 there: no limit).
        spider.max_url_length = min(crawler.settings.getint("URLLENGTH_LIMIT") or MAX_URL_LENGTH, MAX_URL_LENGTH)
        spider.claim = CrawlClaims(spider.source, spider.max_url_length)
        return spider

    @property
    def editions(self) -> list[Edition]:
        return [e for e in self.source.editions if not self.lang_filter or e.lang in self.lang_filter]

    async def start(self) -> AsyncIterator[Any]:
        for request in [] if self.replay_only else self.start_requests_for_editions():
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

    def _listing_request(self, url: str, older: Sequence[str] = ()) -> Request:
        """A feed or sitemap; ``older`` are its older siblings in a bounded index walk, read after it
        while it reaches back far enough."""
        meta = {"listing": True, "download_maxsize": self.listing_maxsize, "older_siblings": list(older)}
        return Request(url, callback=self.parse_listing, errback=self.on_listing_error, meta=meta)

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
            yield from self._older_sibling(response.meta, reached=True)
            return
        self._count(f"discovery/{found.kind}")
        if not found.entries:
            self._count("discovery/empty")
            self.logger.info("no entries in %s %s", found.kind, response.url)
        if found.kind == "sitemapindex":
            yield from self._read_index(found.entries)
        for entry in found.entries if found.kind != "sitemapindex" else ():
            yield from filter(None, [self.article_request(entry.url, hints=entry_hints(entry))])
            # Sitemap alternates are translations: followed, and named in the hints as link evidence.
            for _lang, url in entry.alternates:
                yield from filter(None, [self.article_request(url, hints=alternates_hint(entry))])
        since = self.read_back_to
        reached = since is None or reaches(found.entries, since, self.source.timezone)
        yield from self._older_sibling(response.meta, reached)

    def _read_index(self, children: list[Entry]) -> Iterator[Request]:
        """Every child of a sitemap index, or in a bounded crawl the newest of a series, then older
        ones in turn (crawler.discovery.sitemap_window)."""
        ordered = [child for child in newest_first(children, self.source.timezone) if self._within_domains(child.url)]
        if self.read_back_to is None:
            for child in ordered:
                yield self._listing_request(child.url)
            return
        series, own = walk_plan(ordered, self.read_back_to, self.source.timezone)
        if len(series) + len(own) < len(ordered):
            self._count("discovery/sitemaps_not_read", len(ordered) - len(series) - len(own))
        if series:
            yield self._listing_request(series[0].url, [child.url for child in series[1:]])
        for child in own:
            yield self._listing_request(child.url)

    def on_listing_error(self, failure: Failure) -> Iterator[Request]:
        self.on_error(failure)
        request = getattr(failure, "request", None)
        # A listing that failed says nothing about the age of its older siblings: the walk goes on.
        yield from self._older_sibling(request.meta if request is not None else {}, reached=True)

    def _older_sibling(self, meta: dict[str, Any], reached: bool) -> Iterator[Request]:
        """The next child of a bounded index walk, while the one just read reached back far enough."""
        older = meta.get("older_siblings") or []
        if older and reached:
            yield self._listing_request(older[0], older[1:])
        elif older:
            self._count("discovery/sitemaps_not_read", len(older))

    def parse_section(self, response: Response) -> Iterator[Request]:
        self._count("pages/section")
        yield from self._follow_article_links(response)

    # --- articles ---

    def article_request(self, url: str, hints: dict[str, Any] | None = None) -> Request | None:
        """A request for the canonical form of ``url`` if it is an article of a selected edition."""
        found = self.claim(url)
        if found.lang is None or (self.lang_filter and found.lang not in self.lang_filter):
            return None
        if found.reason is not None:  # a trap rule
            self._count(f"skipped/{found.reason}")
            return None
        target = found.target
        variants = self.variants.setdefault(target, [])
        if url != target and all(url != seen for seen, _ in variants):
            variants.append((url, "amp" if target != canonicalize(url) else "tracking"))
        if hints and hints.get("lastmod"):
            self.lastmods[target] = hints["lastmod"]
        if target in self.scheduled_articles:
            waiting = self.pending_hints.get(target)
            if waiting is not None and hints and hints.get("lastmod"):
                # Asked for through a link and not yet checked as known: the listing's lastmod goes with it.
                waiting["lastmod"] = hints["lastmod"]
            return None
        if target in self.skipped_known and not (hints or {}).get("lastmod"):
            return None
        if self.limit is not None and len(self.scheduled_articles) >= self.limit:
            return None
        self.scheduled_articles.add(target)
        request_hints = dict(hints or {})
        self.pending_hints[target] = request_hints
        return Request(
            target,
            callback=self.parse_article,
            errback=self.on_error,
            meta={"edition": found.lang, "hints": request_hints, "article": True},
            # A page skipped as known may be asked for again with a lastmod; Scrapy's dupefilter saw it once.
            dont_filter=target in self.skipped_known,
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        self._count("pages/article")
        self.pending_hints.pop(response.request.url if response.request is not None else response.url, None)
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
        hrefs = page_hrefs(cap_html(strip_nul(response.text if html is None else html)))
        for url in self.links.candidates(response.url, hrefs):
            request = self.article_request(url)
            if request is not None:
                yield request

    # --- accounting ---

    def on_error(self, failure: Failure) -> None:
        kind = failure_kind(failure)
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None:
            self.pending_hints.pop(request.url, None)
        if kind == "ignored":
            skip = request.meta.get("newsagg_skip") if request is not None else None
            self._count(f"skipped/{skip or 'robots'}")
            if skip == "known" and request is not None:
                self.scheduled_articles.discard(request.url)
                self.skipped_known.add(request.url)
            return
        self._count(f"errors/{kind}")
        self.logger.warning("%s: %s (%s)", kind, url, failure.getErrorMessage())

    def _count(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsagg/{key}", count)

    def _within_domains(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return is_fetchable(url) and self.links.allows_host(host)

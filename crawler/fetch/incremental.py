"""The downloader middleware that skips stored pages: incremental crawling of articles.

:class:`SeenUrlMiddleware` skips article pages that are stored already, unless their feed or sitemap
  announces a newer lastmod or the re-crawl interval has passed (``NEWSAGG_RECRAWL_INTERVAL``, within
  ``NEWSAGG_RECRAWL_MAX_AGE`` of the first fetch). With Redis it reads the shared seen set first and
  claims each page before downloading it, so that two crawl processes never fetch one page twice.
  Off with ``NEWSAGG_SKIP_SEEN_URLS = False``.
  A page fetched again is counted as ``newsagg/refetch/<lastmod|interval>``. A skipped page raises
  :class:`~scrapy.exceptions.IgnoreRequest` with ``request.meta["newsagg_skip"]`` set to the reason
  (``known``, ``claimed``); the spider counts it as ``newsagg/skipped/<reason>``.

Feeds and sitemaps are read incrementally by :mod:`crawler.fetch.conditional_get`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crawler.extract.dates import parse_date
from storage import fetch_state, redis_state
from storage.articles import find_url, has_articles, record_url
from storage.db import Database
from storage.models import Article
from storage.redis_state import RedisState, RedisUnavailable, SeenRecord
from storage.retry import is_transient
from storage.types import utcnow

logger = logging.getLogger(__name__)

SKIP_META = "newsagg_skip"


def lastmod_hint(hints: Mapping[str, Any], timezone: str) -> datetime | None:
    """The lastmod a feed or sitemap gave for a page (Atom <updated>, sitemap <lastmod>), in UTC."""
    raw = hints.get("lastmod")
    return parse_date(str(raw), timezone) if raw else None


@dataclass(frozen=True)
class RecrawlPolicy:
    """When a stored page is worth fetching again."""

    interval: float
    """Seconds after its last fetch; 0 never re-fetches by age alone."""
    max_age: float
    """Seconds after its first fetch during which the interval applies; 0 means always."""

    def reason_to_fetch(self, seen: SeenRecord, lastmod: datetime | None, now: datetime) -> str | None:
        """``lastmod`` or ``interval`` when the page should be fetched again, else None."""
        reference = seen.lastmod or seen.fetched_at
        if lastmod is not None and lastmod > reference:
            return "lastmod"
        due = self.interval > 0 and now - seen.fetched_at >= timedelta(seconds=self.interval)
        young = self.max_age <= 0 or now - seen.first_fetched_at <= timedelta(seconds=self.max_age)
        return "interval" if due and young else None


def skip_request(request: Request, reason: str) -> IgnoreRequest:
    request.meta[SKIP_META] = reason
    return IgnoreRequest(f"{reason}: {request.url}")


def _stored_record(session: Session, url: str, article: Article) -> SeenRecord:
    state = fetch_state.get(session, url)
    if state is not None:
        return SeenRecord(state.fetched_at, state.first_fetched_at, state.lastmod)
    # Stored before fetch state was kept.
    return SeenRecord(article.last_fetched_at, article.first_fetched_at, None)


class SeenUrlMiddleware:
    def __init__(self, crawler: Crawler, policy: RecrawlPolicy, state: RedisState | None, claim_ttl: int) -> None:
        self.crawler = crawler
        self.database = Database.from_crawler(crawler)
        self.policy = policy
        self.redis = state
        self.claim_ttl = claim_ttl
        # Names this crawl in Redis claims; unique even for two crawls of one process.
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.claimed: list[str] = []
        self._heartbeat: threading.Thread | None = None
        self._closing = threading.Event()
        self.downloaded: dict[str, str] = {}  # article URL fetched by this crawl -> its edition

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("NEWSAGG_SKIP_SEEN_URLS"):
            raise NotConfigured("NEWSAGG_SKIP_SEEN_URLS is off")
        if not settings.get("NEWSAGG_DATABASE_URL"):
            raise NotConfigured("NEWSAGG_DATABASE_URL is not set")
        policy = RecrawlPolicy(
            interval=settings.getfloat("NEWSAGG_RECRAWL_INTERVAL"), max_age=settings.getfloat("NEWSAGG_RECRAWL_MAX_AGE")
        )
        state = redis_state.for_crawl(settings, Database.from_crawler(crawler))
        middleware = cls(crawler, policy, state, settings.getint("NEWSAGG_CLAIM_TTL"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.database.check_schema()
        if self.redis is None:
            return
        # Claims last NEWSAGG_CLAIM_TTL seconds unless renewed, so they die with this process. A thread of
        # its own renews them: a reactor busy with a run of CPU-heavy items must not let them lapse.
        self._heartbeat = threading.Thread(target=self._keep_claims, name="newsagg-claims", daemon=True)
        self._heartbeat.start()
        with self.database.session() as session:
            empty = not has_articles(session)
        if empty:  # a database recreated under the same URL: what Redis remembers is not in it
            with contextlib.suppress(*RedisUnavailable):
                self.redis.forget_seen()

    def spider_closed(self, spider: Spider) -> None:
        self._closing.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=10)
        self._record_lastmods(spider)
        # A finished (or failed) crawl lets go of the pages it claimed; a killed one's claims expire.
        if self.redis is not None and self.claimed:
            with contextlib.suppress(*RedisUnavailable):
                self.redis.release(self.claimed, self.token)
        self.claimed = []

    def process_request(self, request: Request) -> None:
        # On the reactor thread on purpose: the spider re-asks for a skipped page when a later listing
        # gives it a newer lastmod, which only works if the skip is recorded before that listing is read.
        if request.meta.get("article"):
            self.check(request)

    def check(self, request: Request) -> None:
        """Skip (raise) or let the download go."""
        try:
            seen = self._seen(request)
        except DBAPIError as error:
            if not is_transient(error):
                raise
            # A lookup the database cannot answer now costs a download; the item's own unit of work
            # waits the outage out (storage.retry), so the page is not lost.
            self._count("db/seen_lookup_failed")
            seen = None
        if seen is not None:
            lastmod = lastmod_hint(request.meta.get("hints") or {}, self._timezone(request.meta.get("edition")))
            reason = self.policy.reason_to_fetch(seen, lastmod, utcnow())
            if reason is None:
                raise skip_request(request, "known")
            self._count(f"refetch/{reason}")
        if self.redis is not None and not self._claim(request.url):
            raise skip_request(request, "claimed")

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("article") and response.status == 200:
            self.downloaded[request.url] = request.meta["edition"]
        return response

    def _record_lastmods(self, spider: Spider) -> None:
        """A listing read after a page was fetched still says which lastmod the stored text answers to;
        without it, the next crawl could not tell a newer lastmod from the one it already has."""
        lastmods: dict[str, str] = getattr(spider, "lastmods", {})
        wanted = sorted(set(self.downloaded) & set(lastmods))
        if not wanted:
            return
        with self.database.session() as session:
            for url in wanted:
                lastmod = lastmod_hint({"lastmod": lastmods[url]}, self._timezone(self.downloaded[url]))
                if lastmod is not None:
                    fetch_state.note_lastmod(session, url, lastmod)
        self.downloaded = {}

    def _seen(self, request: Request) -> SeenRecord | None:
        """What is known of a stored page: the Redis seen set first, then the database (the truth).

        One lookup of the URL in the database serves both: a Redis record is trusted only while the database
        holds the page (a restored older copy lacks what Redis remembers), and is the record otherwise."""
        remembered = self._remembered(request.url)
        with self.database.session() as session:
            known = find_url(session, request.url)
            if known is None:
                if remembered is not None and self.redis is not None:
                    self._count("redis/seen_not_stored")
                    with contextlib.suppress(*RedisUnavailable):
                        self.redis.forget_seen(request.url)
                return None
            article, _kind = known
            record = remembered or _stored_record(session, request.url, article)
            self._record_variants(session, request, article)
        if remembered is None and self.redis is not None:
            try:
                self.redis.mark_seen([request.url], record)
            except RedisUnavailable:
                self._count("redis/unavailable")
        return record

    def _remembered(self, url: str) -> SeenRecord | None:
        """The shared seen set's record of ``url``, if Redis is configured and answers."""
        if self.redis is None:
            return None
        try:
            return self.redis.seen(url)
        except RedisUnavailable:
            self._count("redis/unavailable")
            return None

    def _record_variants(self, session: Session, request: Request, article: Article) -> None:
        """Addresses that led to a page it will not fetch are recorded all the same: tracking and AMP
        variants the spider met, and the URLs a redirect came from."""
        variants: dict[str, list[tuple[str, str]]] = getattr(self.crawler.spider, "variants", {})
        found = [*variants.get(request.url, []), *((url, "alias") for url in request.meta.get("redirect_urls", []))]
        for url, kind in found:
            record_url(session, article, url, kind, refresh=False)

    def _claim(self, url: str) -> bool:
        assert self.redis is not None
        try:
            if not self.redis.claim(url, self.token, self.claim_ttl):
                return False
        except RedisUnavailable:
            self._count("redis/unavailable")
            return True  # without Redis nobody can claim: fetching twice costs bandwidth, not data
        self.claimed.append(url)
        return True

    def _keep_claims(self) -> None:
        assert self.redis is not None
        while not self._closing.wait(max(self.claim_ttl / 3, 0.2)):
            held = list(self.claimed)
            try:
                if held:
                    self.redis.renew(held, self.token, self.claim_ttl)
            except RedisUnavailable as error:  # the claims may lapse: another process may fetch a page again
                logger.warning("could not renew download claims in Redis: %s", error)

    def _timezone(self, edition: str | None) -> str:
        """Dates a listing gives without a zone are read in the edition's time zone."""
        source = getattr(self.crawler.spider, "source", None)
        if source is None or edition is None:
            return "UTC"
        return str(source.timezone_of(source.edition(edition)))

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newsagg/{key}")

"""Steps 4-6 as one unit of work per item: dedupe → store → link in a single transaction, off the reactor.

Every item's database work runs on the writer thread of the crawl's Database, so the reactor keeps downloading and
parsing while the database works, and a crawl's writes never contend with each other. A database that is
briefly unreachable is waited out (``NEWSAGG_DB_RETRY_SECONDS``, storage.retry). If another crawl
process stored the same page or text between our read and our write (a unique constraint fails), the
whole unit is rolled back and decided again. The near-duplicate index and the shared seen set hear of a
write only after its commit. An item that still cannot be written when that time is up goes to the
spool (crawler.pipelines.spool), which the next crawl of its source replays before it fetches anything,
as `newsagg db replay` does.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.exc import DBAPIError, IntegrityError

from crawler.fetch.database_thread import DatabaseThread
from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from crawler.pipelines.dedupe import DedupeStep
from crawler.pipelines.extract import ExtractPipeline
from crawler.pipelines.language import LanguagePipeline
from crawler.pipelines.link import LinkStep
from crawler.pipelines.spool import Spool
from crawler.pipelines.store import StoreStep, Written
from crawler.pipelines.validate import ValidatePipeline
from storage.db import one_line
from storage.retry import is_transient, retrying

log = logging.getLogger(__name__)


class PersistPipeline(Step):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.dedupe = DedupeStep(crawler)
        self.store = StoreStep(crawler)
        self.link = LinkStep(crawler)
        settings = crawler.settings
        self.spool = Spool.for_database(settings.get("NEWSAGG_SPOOL_DIR"), settings.get("NEWSAGG_DATABASE_URL"))
        # A spooled page goes through the whole pipeline again.
        self.before = (ExtractPipeline(crawler), LanguagePipeline(crawler), ValidatePipeline(crawler))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.database.check_schema()
        self.dedupe.open_spider()
        self.store.open_spider()
        # Before the first download, so that blocking the reactor here holds nothing up.
        self.replay()

    def replay(self) -> None:
        """Store the pages this source's earlier crawls spooled; those that fail again are spooled again."""
        for claimed, items in self.spool.claim(self.source.key):
            try:
                for item in items:
                    try:
                        for step in self.before:
                            item = step.process_item(item)
                        self.persist(item)
                        self.count("db/replayed")
                    except DropItem as drop:
                        log.info("replayed %s: %s", item.url, drop)
            except BaseException:
                self.spool.release(claimed)  # the stored ones are found unchanged on the next replay
                raise
            claimed.unlink()

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        # One writer per Database: crawls that share one (several sources in one run) write one item at a
        # time, so a copy and its original are never decided at the same moment. Stopped when it closes.
        writer = self.database.shared("writer", lambda: DatabaseThread("newsagg-writer"))
        return await writer.run(self.persist, item)

    def persist(self, item: ArticleItem) -> ArticleItem:
        """The item's unit of work; runs on the writer thread (or directly, in tests). A database outage of
        up to NEWSAGG_DB_RETRY_SECONDS is waited out (storage.retry)."""
        seconds = self.crawler.settings.getfloat("NEWSAGG_DB_RETRY_SECONDS")

        def retried(error: BaseException, pause: float) -> None:
            self.count("db/retried")
            log.warning("database unavailable, storing %s again in %.1f s: %s", item.url, pause, one_line(error))

        for attempt in (1, 2):
            try:
                written = retrying(lambda: self._unit(item), seconds, retried)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
                self.count("store/raced")
            except DBAPIError as error:
                if not is_transient(error):
                    raise
                path = self.spool.add(item, one_line(error))
                log.error("database unavailable for %.0f s: %s kept in %s for the next crawl", seconds, item.url, path)
                raise self.drop("spooled", item, one_line(error)) from None
        self.store.after_commit(written)
        return item

    def _unit(self, item: ArticleItem) -> Written:
        with self.database.session() as session:
            self.dedupe.process(session, item)
            written = self.store.process(session, item)
            self.link.process(session, item)
        return written

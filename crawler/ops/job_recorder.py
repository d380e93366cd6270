"""Record every crawl in ``crawl_jobs``: a row at start, progress while running, the outcome at the end.

The row is written before the first request, so a run that fails still leaves a trace; the figures
are read from the namespaced ``newsagg/*`` stats that the spider and pipeline steps count. A run that
ended normally is checked against its source's health rules (:mod:`crawler.ops.health`) and becomes
``degraded`` when it breaks one; a degraded or failed run sends the configured alert
(:mod:`crawler.ops.alerts`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any, Self, cast

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet import task
from twisted.internet.interfaces import IReactorTime

from crawler.ops import health
from crawler.ops.alerts import AlertHooks, notify
from settings.sources import ITEM_FIELDS, Health, Source
from storage import jobs
from storage.db import Database, one_line, redact
from storage.models import CrawlJob

log = logging.getLogger(__name__)

# Stats through which the command that ran the crawl learns its job's id, or why it has none.
JOB_ID_STAT = "newsagg/job_id"
JOB_ERROR_STAT = "newsagg/job_error"


def figures_from_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The job row's counters, derived from the crawl's stats."""
    dropped: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for key, value in stats.items():
        if key.startswith("newsagg/dropped/"):
            dropped[key.removeprefix("newsagg/dropped/")] += int(value)
        elif key.startswith("newsagg/errors/"):
            errors[key.removeprefix("newsagg/errors/")] += int(value)
    errors["spider_exception"] += sum(int(v) for k, v in stats.items() if k.startswith("spider_exceptions/"))
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "stored": int(stats.get("newsagg/stored/new", 0)),
        "updated": int(stats.get("newsagg/stored/updated", 0)),
        "unchanged": int(stats.get("newsagg/stored/unchanged", 0)),
        "duplicates": sum(int(v) for k, v in stats.items() if k.startswith("newsagg/duplicates/")),
        "dropped": dict(sorted(dropped.items())),
        "errors": {k: v for k, v in sorted(errors.items()) if v},
    }


def outcome(finish_reason: str, figures: Mapping[str, Any]) -> tuple[str, str | None]:
    """The job's status and reason from how the crawl ended and what it counted."""
    if finish_reason == "shutdown":
        return "interrupted", "stopped before it finished (signal or shutdown)"
    if finish_reason != "finished":
        return "failed", f"crawl ended: {finish_reason}"
    errors = figures["errors"]
    if figures["pages"] == 0 and errors:
        summary = ", ".join(f"{k} {v}" for k, v in errors.items())
        return "failed", f"no page could be fetched ({summary})"
    return "finished", None


class JobRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database = Database.from_crawler(crawler)
        self.trigger = str(crawler.settings.get("NEWSAGG_JOB_TRIGGER"))
        self.interval = crawler.settings.getfloat("NEWSAGG_JOB_UPDATE_INTERVAL")
        self.alerts = AlertHooks.from_settings(crawler.settings)
        self.job_id: int | None = None
        self._ticker: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("NEWSAGG_DATABASE_URL"):
            raise NotConfigured("NEWSAGG_DATABASE_URL is not set")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.item_scraped, signal=signals.item_scraped)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.database.check_schema()
        assert self.crawler.stats is not None
        try:
            with self.database.session() as session:
                source_key = getattr(spider, "source_key", spider.name)
                self.job_id = jobs.start_job(session, source_key, self.trigger, _langs(spider)).id
        except SQLAlchemyError as exc:
            # A database that cannot take the job row (read-only, disk full) cannot take the pages either:
            # stop at once, and let the command say why instead of reporting an empty success.
            cause = one_line(getattr(exc, "orig", None) or exc)
            why = f"cannot record the job in {redact(self.database.given_url)}: {cause}"
            log.error(why)
            self.crawler.stats.set_value(JOB_ERROR_STAT, why)
            from twisted.internet import reactor  # the one Scrapy installed; importing it earlier would install one

            task.deferLater(cast("IReactorTime", reactor), 0, self._stop)  # once the spider is fully open
            return
        # The CLI reads the id back from the stats to report on this run.
        self.crawler.stats.set_value(JOB_ID_STAT, self.job_id)
        if self.interval > 0:
            self._ticker = task.LoopingCall(self.record_progress)
            self._ticker.start(self.interval, now=False)

    def _stop(self) -> None:
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="job_not_recorded"))

    def item_scraped(self, item: Any) -> None:
        """Count the fields each stored item lacks, for the missing_fields rule."""
        extracted = getattr(item, "extracted", None)
        if extracted is None:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(health.ITEMS_KEY)
        for name in ITEM_FIELDS:
            if not getattr(extracted, name, None):
                self.crawler.stats.inc_value(health.MISSING_PREFIX + name)

    def record_progress(self) -> None:
        if self.job_id is None:
            return
        try:
            with self.database.session() as session:
                jobs.record_progress(session, self.job_id, figures_from_stats(self._stats()))
        except SQLAlchemyError as error:  # the next tick writes again; a stopped ticker would freeze the row
            log.warning("could not record the progress of job %s: %s", self.job_id, one_line(error))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        if self.job_id is None:
            return
        stats = self._stats()
        figures = figures_from_stats(stats)
        status, why = outcome(reason, figures)
        source: Source | None = getattr(spider, "source", None)
        rules = source.health_for(_langs(spider)) if source is not None else Health()
        if getattr(spider, "replay_only", False):  # it fetched nothing: no crawl rule can judge it
            rules = Health.off()
        with self.database.session() as session:
            job = session.get_one(CrawlJob, self.job_id)
            baseline = jobs.baseline_items(session, job.source_key, job.langs, rules.baseline_runs, exclude_id=job.id)
            measures = health.measure(stats, figures, baseline)
            breaches = health.evaluate(rules, measures)
            if status == "finished" and breaches:
                status, why = "degraded", health.reason(breaches)
            job = jobs.finish_job(session, self.job_id, status, why, figures, health.report(measures, breaches))
            record = jobs.job_dict(job)
        notify(self.alerts, record)

    def _stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_stats()


def _langs(spider: Spider) -> list[str]:
    """The editions a run covers when it was limited to some (``--lang``); empty for all."""
    chosen = set(getattr(spider, "lang_filter", None) or ())
    source: Source | None = getattr(spider, "source", None)
    if source is not None and chosen >= set(source.languages):
        return []
    return sorted(chosen)

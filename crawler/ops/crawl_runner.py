"""Run Scrapy crawls from the command line: one crawler (and one crawl_jobs row) per source."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from scrapy.crawler import Crawler, CrawlerProcess, CrawlerRunner
from scrapy.settings import Settings
from twisted.internet.defer import Deferred

from crawler.ops.job_recorder import JOB_ERROR_STAT, JOB_ID_STAT
from crawler.ops.log_lines import quiet_tracebacks
from crawler.spiders.news import NewsSpider
from storage.db import Database


def crawl_settings(database_url: str, source_paths: Sequence[Path], overrides: Mapping[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("settings.crawl", priority="project")
    settings.set("NEWSAGG_DATABASE_URL", database_url, priority="cmdline")
    settings.set("NEWSAGG_SOURCE_PATHS", [str(p) for p in source_paths], priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


@dataclass
class CrawlRun:
    source: str
    crawler: Crawler

    @property
    def stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_stats()

    @property
    def job_id(self) -> int | None:
        value = self.stats.get(JOB_ID_STAT)
        return int(value) if value is not None else None

    @property
    def job_error(self) -> str:
        """Why this run has no job row (only meaningful when :attr:`job_id` is None)."""
        return str(self.stats.get(JOB_ERROR_STAT) or "the crawl did not start (see the log above)")


def progress_line(runs: Sequence[CrawlRun]) -> str:
    parts = []
    for run in runs:
        stats = run.stats
        dropped = sum(v for k, v in stats.items() if k.startswith("newsagg/dropped/"))
        errors = sum(v for k, v in stats.items() if k.startswith("newsagg/errors/"))
        parts.append(
            f"{run.source}: pages {stats.get('response_received_count', 0)}, "
            f"stored {stats.get('newsagg/stored/new', 0)}, dropped {dropped}, errors {errors}"
        )
    return " | ".join(parts)


def run_crawls(
    sources: Sequence[str],
    settings: Settings,
    *,
    spider_args: Mapping[str, Any] | None = None,
    progress: TextIO | None = sys.stderr,
    progress_every: float = 3.0,
    before_start: Callable[[], None] | None = None,
) -> list[CrawlRun]:
    """Crawl ``sources`` in this process (Twisted's reactor runs once per process) and wait for the end.

    Raises :class:`~storage.db.DatabaseError` before anything is fetched when the database's schema is not
    current: a crawl never migrates (``newsagg db upgrade`` does), and must not run half-blind.
    """
    database = Database.from_settings(settings)
    try:
        database.check_schema()
        return _run(database, sources, settings, spider_args, progress, progress_every, before_start)
    finally:
        database.close()


def crawl_in_reactor(
    sources: Sequence[str], settings: Settings, *, spider_args: Mapping[str, Any] | None = None
) -> Deferred[list[CrawlRun]]:
    """Crawl ``sources`` on a reactor that already runs (an application or a test that runs one): fires
    with the runs when every crawl has ended. Checks the schema first, as :func:`run_crawls` does."""
    database = Database.from_settings(settings)
    try:
        database.check_schema()
        runner = CrawlerRunner(settings)
        runs = _schedule(runner, database, sources, spider_args)
    except BaseException:
        database.close()
        raise

    def finished(result: object) -> list[CrawlRun]:
        database.close()
        return runs

    joined: Deferred[list[CrawlRun]] = runner.join().addBoth(finished)
    return joined


def _schedule(
    runner: CrawlerRunner, database: Database, sources: Sequence[str], spider_args: Mapping[str, Any] | None
) -> list[CrawlRun]:
    """One crawler per source, each with the crawl's database, started on ``runner``."""
    runs = []
    for key in sources:
        crawler = runner.create_crawler(NewsSpider)
        database.attach(crawler)
        runner.crawl(crawler, source=key, **dict(spider_args or {}))
        runs.append(CrawlRun(key, crawler))
    return runs


def _run(
    database: Database,
    sources: Sequence[str],
    settings: Settings,
    spider_args: Mapping[str, Any] | None,
    progress: TextIO | None,
    progress_every: float,
    before_start: Callable[[], None] | None,
) -> list[CrawlRun]:
    process = CrawlerProcess(settings)
    quiet_tracebacks(settings.get("LOG_LEVEL"))
    runs = _schedule(process, database, sources, spider_args)
    # Progress lines are for a person watching; a pipe or a log file gets the summary alone.
    if progress is not None and progress.isatty():
        from twisted.internet import reactor, task

        def report() -> None:
            print(f"  … {progress_line(runs)}", file=progress, flush=True)

        ticker = task.LoopingCall(report)
        reactor.callWhenRunning(ticker.start, progress_every, False)
    if before_start is not None:
        before_start()
    process.start()
    return runs

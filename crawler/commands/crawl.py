"""``newsagg crawl``: crawl the given sources into the database, then say what this run did."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crawler.commands import (
    UserError,
    add_db_option,
    add_settings_option,
    add_sources_option,
    close_stale_jobs,
    create_or_require_database,
    database_url,
    parse_time,
    registry,
    setting_overrides,
    source_paths,
)
from crawler.commands.report import report_runs
from crawler.ops.locks import EXIT_BUSY
from storage.db import redact

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from crawler.ops.locks import SourceLock


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crawl = commands.add_parser("crawl", help="crawl the given sources")
    crawl.add_argument("source", nargs="+", help="source key(s), see `newsagg sources`")
    crawl.add_argument("--lang", help="only these editions, e.g. ru,en")
    crawl.add_argument("--limit", type=int, help="at most N article pages per source")
    crawl.add_argument(
        "--since", metavar="DATE", help="read sitemap indexes back to DATE (default: the source's max_age)"
    )
    crawl.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    crawl.add_argument(
        "--force",
        action="store_true",
        help=f"crawl a source even while another run of it holds its lock (otherwise exit {EXIT_BUSY})",
    )
    add_settings_option(crawl, scope="this crawl")
    add_db_option(crawl)
    add_sources_option(crawl)
    crawl.set_defaults(handler=cmd_crawl)


def take_source_locks(sources: Sequence[str], settings: Settings, *, force: bool) -> list[SourceLock] | None:
    """The per-source locks that ``newsagg schedule`` respects, held for this crawl; None (after one line
    per source) when a source is running elsewhere or its lock cannot be taken, unless ``force``."""
    from crawler.ops.crawl_process import lock_for
    from crawler.ops.locks import LockBusy, LockUnavailable

    held: list[SourceLock] = []
    refused = False
    for key in sources:
        lock = lock_for(key, settings)
        try:
            lock.acquire()
            held.append(lock)
        except (LockBusy, LockUnavailable) as exc:
            why = f"is {exc}" if isinstance(exc, LockBusy) else f"has no lock: {exc}"
            if force:
                print(f"newsagg crawl: {key} {why}; crawling it anyway (--force)", file=sys.stderr)
            else:
                print(f"newsagg crawl: {key} {why}; not started (--force crawls it anyway)", file=sys.stderr)
                refused = True
    if refused:
        for lock in held:
            lock.release()
        return None
    return held


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.ops.crawl_runner import crawl_settings, run_crawls

    known = registry(args)
    unknown = [key for key in args.source if key not in known]
    if unknown:
        raise UserError(f"unknown source {', '.join(unknown)} (configured: {', '.join(sorted(known)) or 'none'})")
    langs = [code.strip() for code in (args.lang or "").split(",") if code.strip()]
    for key in args.source:
        missing = set(langs) - set(known[key].languages)
        if missing:
            raise UserError(f"source {key} has no edition in {', '.join(sorted(missing))}")
    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be a positive number of articles")
    since = parse_time(args.since).isoformat() if args.since else None
    chosen = setting_overrides(args)
    db_url = database_url(args)
    create_or_require_database(db_url)
    overrides: dict[str, Any] = {**chosen, "NEWSAGG_JOB_TRIGGER": "manual"}
    if args.verbose:
        overrides["LOG_LEVEL"] = "INFO"
    settings = crawl_settings(db_url, source_paths(args), overrides)
    spider_args = {"lang": ",".join(langs) or None, "limit": args.limit, "since": since}
    close_stale_jobs(db_url, settings.getfloat("NEWSAGG_JOB_STALE_AFTER"), "newsagg crawl")
    held = take_source_locks(args.source, settings, force=args.force)
    if held is None:
        return EXIT_BUSY
    try:
        runs = run_crawls(args.source, settings, spider_args=spider_args, progress=sys.stderr)
    finally:
        for lock in held:
            lock.release()
    return report_runs("newsagg crawl", db_url, runs, heading=f"Crawl finished: {redact(db_url)}", as_json=args.json)

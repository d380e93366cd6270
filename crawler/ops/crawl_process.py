"""One scheduled crawl, in a process of its own: ``python -m crawler.ops.crawl_process SOURCE ...``.

``newsagg schedule`` starts this for each due run (Twisted's reactor runs once per process). It takes
the source's lock (:mod:`crawler.ops.locks`) before the crawl writes its job row and keeps it until the
row is closed, so two runs of one source never overlap, whichever scheduler started them. Exit
status: 0 finished, 1 any other outcome, 2 a configuration error, 75 (EX_TEMPFAIL) skipped because
the source was already running.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scrapy.settings import Settings

from crawler.ops.crawl_runner import crawl_settings, run_crawls
from crawler.ops.cron import parse_overrides
from crawler.ops.locks import EXIT_BUSY, LockBusy, LockUnavailable, SourceLock, source_lock
from settings.sources import SourceConfigError
from storage.db import DatabaseError, session_scope
from storage.models import CrawlJob


def lock_for(source_key: str, settings: Settings) -> SourceLock:
    return source_lock(
        source_key,
        redis_url=settings.get("NEWSAGG_REDIS_URL") or None,
        database_url=str(settings.get("NEWSAGG_DATABASE_URL")),
        ttl=settings.getfloat("NEWSAGG_LOCK_TTL"),
        lock_dir=settings.get("NEWSAGG_LOCK_DIR") or None,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crawler.ops.crawl_process", description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("--lang", help="only these editions, e.g. ru,en")
    parser.add_argument("--db", required=True, metavar="URL")
    parser.add_argument("--sources", action="append", default=[], metavar="FILE")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="overrides")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = f"{args.source}[{args.lang}]" if args.lang else args.source
    try:
        overrides = {"NEWSAGG_JOB_TRIGGER": "schedule", **parse_overrides(args.overrides)}
    except ValueError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    settings = crawl_settings(args.db, [Path(p) for p in args.sources], overrides)
    lock = lock_for(args.source, settings)
    try:
        lock.acquire()
    except LockBusy as busy:
        print(f"{name}: skipped, {busy}", file=sys.stderr)
        return EXIT_BUSY
    except LockUnavailable as exc:
        print(f"{name}: not started: {exc}", file=sys.stderr)
        return 1
    try:
        runs = run_crawls([args.source], settings, spider_args={"lang": args.lang}, progress=None)
        job_id = runs[0].job_id if runs else None
        if job_id is None:
            why = runs[0].job_error if runs else "the crawl did not start (see the log above)"
            print(f"{name}: {why}", file=sys.stderr)
            return 1
        with session_scope(args.db) as session:
            status = session.get_one(CrawlJob, job_id).status
    except (SourceConfigError, DatabaseError) as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    finally:
        lock.release()
    return 0 if status == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())

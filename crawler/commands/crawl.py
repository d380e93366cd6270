"""``newsagg crawl``: crawl the given sources into the database, then say what this run did."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import (
    UserError,
    add_db_option,
    add_settings_option,
    add_sources_option,
    create_or_require_database,
    database_url,
    parse_time,
    registry,
    setting_overrides,
    source_paths,
)
from crawler.commands.report import crawl_summary, report_run
from storage.db import redact


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    crawl = commands.add_parser("crawl", help="crawl the given sources")
    crawl.add_argument("source", nargs="+", help="source key(s), see `newsagg sources`")
    crawl.add_argument("--lang", help="only these editions, e.g. ru,en")
    crawl.add_argument("--limit", type=int, help="at most N article pages per source")
    crawl.add_argument(
        "--since", metavar="DATE", help="read sitemap indexes back to DATE (default: the source's max_age)"
    )
    crawl.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add_settings_option(crawl, scope="this crawl")
    add_db_option(crawl)
    add_sources_option(crawl)
    crawl.set_defaults(handler=cmd_crawl)


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
    runs = run_crawls(args.source, settings, spider_args=spider_args, progress=sys.stderr)
    job_ids = [run.job_id for run in runs if run.job_id is not None]
    result = crawl_summary(db_url, job_ids)
    return report_run("newsagg crawl", result, heading=f"Crawl finished: {redact(db_url)}", as_json=args.json)

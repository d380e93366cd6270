"""The ``newsagg`` command."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import urllib.error
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.commands import (
    UserError,
    add_db_option,
    add_sources_option,
    create_or_require_database,
    database_url,
    registry,
    require_database,
    source_paths,
)
from crawler.commands.report import render_summary, to_json
from settings.sources import SourceConfigError, load_sources
from storage.db import DatabaseError, redact, session_scope, upgrade

# Sub-commands that live in their own module (crawler/commands/<name>.py, each with register()).
COMMAND_MODULES: list[str] = [
    "crawler.commands.schedule",
    "crawler.commands.jobs",
    "crawler.commands.serve",
    "crawler.commands.link",
]

# The demo site is on loopback and written for this: no need for politeness delays, and its slow page
# must time out quickly.
DEMO_OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_TIMEOUT": 4,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "ERROR",
}


def _summary(database_url: str, job_ids: Sequence[int] | None = None) -> dict[str, Any]:
    from storage.jobs import recent_jobs
    from storage.models import CrawlJob
    from storage.stats import summary

    with session_scope(database_url) as session:
        result = summary(session, job_ids)
        if job_ids is not None:
            rows = [session.get_one(CrawlJob, job_id) for job_id in job_ids]
        else:
            rows = recent_jobs(session, limit=5)
        result["jobs"] = [{"id": j.id, "source": j.source_key, "status": j.status, "reason": j.reason} for j in rows]
        result["job_id"] = job_ids[0] if job_ids else None
        result["job_ids"] = list(job_ids or [])
    return result


# --- commands ---


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer
    from crawler.ops.crawl_runner import crawl_settings, run_crawls

    db_url = database_url(args)
    upgrade(db_url)
    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="newsagg-demo-") as folder:
        sources_file = server.write_sources(Path(folder))
        demo_sources = load_sources([sources_file], include_shipped=False)
        print(f"newsagg demo: serving the demo site at {server.base}", file=sys.stderr)
        print(f"crawling {', '.join(demo_sources)} into {redact(db_url)}", file=sys.stderr)
        settings = crawl_settings(db_url, [sources_file], {**DEMO_OVERRIDES, "NEWSAGG_JOB_TRIGGER": "demo"})
        runs = run_crawls(list(demo_sources), settings, progress=sys.stderr)
        site = server.base
    job_ids = [run.job_id for run in runs if run.job_id is not None]
    result = _summary(db_url, job_ids)
    result["site"] = site
    if args.json:
        print(to_json(result))
    else:
        print(render_summary(result, heading=f"Demo crawl finished: {redact(db_url)}"))
    return 0 if all(j["status"] == "finished" for j in result["jobs"]) else 1


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
    db_url = database_url(args)
    create_or_require_database(db_url)
    settings = crawl_settings(db_url, source_paths(args), {"NEWSAGG_JOB_TRIGGER": "manual"})
    spider_args = {"lang": ",".join(langs) or None, "limit": args.limit}
    runs = run_crawls(args.source, settings, spider_args=spider_args, progress=sys.stderr)
    job_ids = [run.job_id for run in runs if run.job_id is not None]
    result = _summary(db_url, job_ids)
    if args.json:
        print(to_json(result))
    else:
        print(render_summary(result, heading=f"Crawl finished: {redact(db_url)}"))
    return 0 if all(j["status"] == "finished" for j in result["jobs"]) else 1


def cmd_sources(args: argparse.Namespace) -> int:
    known = registry(args)
    if args.json:
        print(to_json([source.model_dump() for source in known.values()]))
        return 0
    for source in known.values():
        print(f"{source.key}: {source.name} (timezone {source.timezone}, schedule {source.schedule!r})")
        for edition in source.editions:
            where = ", ".join(edition.domains)
            print(
                f"  {edition.lang}: {where}; feeds {len(edition.feeds)}, sitemaps {len(edition.sitemaps)}, "
                f"start pages {len(edition.start_urls)}"
            )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    db_url = database_url(args)
    require_database(db_url)
    result = _summary(db_url)
    if args.json:
        print(to_json(result))
    else:
        print(render_summary(result, heading=f"Database: {redact(db_url)}"))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    db_url = database_url(args)
    upgrade(db_url)
    print(f"database {redact(db_url)} is at the latest schema")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from crawler.commands.inspection import fetch, inspect_page, read_file

    source = None
    if args.source:
        known = registry(args)
        if args.source not in known:
            raise UserError(f"unknown source {args.source} (configured: {', '.join(sorted(known))})")
        source = known[args.source]
    target = args.target
    path = Path(target)
    charset = None
    if path.exists():
        if not args.url:
            raise UserError(f"{target} is a file: give the page's address with --url URL")
        body, url = read_file(path), args.url
    elif target.startswith(("http://", "https://")):
        body, charset, url = fetch(target)
    else:
        raise UserError(f"{target}: neither an http(s) URL nor an existing file")
    result = inspect_page(body, url, charset=charset, source=source)
    if args.json:
        print(to_json(result))
        return 0
    for key, value in result.items():
        if key == "body":
            value = (value[:600] + " …") if len(value) > 600 else value
        print(f"{key}: {value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsagg", description="Multilingual news crawler (ru/en/ar).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="serve the bundled demo site on 127.0.0.1 and crawl it end to end")
    add_db_option(demo)
    demo.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    demo.set_defaults(handler=cmd_demo)

    crawl = commands.add_parser("crawl", help="crawl the given sources")
    crawl.add_argument("source", nargs="+", help="source key(s), see `newsagg sources`")
    crawl.add_argument("--lang", help="only these editions, e.g. ru,en")
    crawl.add_argument("--limit", type=int, help="at most N article pages per source")
    crawl.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add_db_option(crawl)
    add_sources_option(crawl)
    crawl.set_defaults(handler=cmd_crawl)

    sources = commands.add_parser("sources", help="configured sources and their editions")
    sources.add_argument("--json", action="store_true")
    add_sources_option(sources)
    sources.set_defaults(handler=cmd_sources)

    stats = commands.add_parser("stats", help="articles by language and source, groups, duplicates")
    stats.add_argument("--json", action="store_true")
    add_db_option(stats)
    stats.set_defaults(handler=cmd_stats)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations (build or update the schema)")
    add_db_option(db_upgrade)
    db_upgrade.set_defaults(handler=cmd_db)

    inspect = commands.add_parser("inspect", help="show what the pipeline extracts from one page, storing nothing")
    inspect.add_argument("target", metavar="URL|FILE", help="a page URL, or a saved page (.html or .html.gz)")
    inspect.add_argument("--url", help="the address of a saved page")
    inspect.add_argument("--source", metavar="KEY", help="read dates in this source's time zone, check its edition")
    inspect.add_argument("--json", action="store_true")
    add_sources_option(inspect)
    inspect.set_defaults(handler=cmd_inspect)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except (UserError, SourceConfigError, DatabaseError) as exc:
        print(f"newsagg: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, urllib.error.URLError, ValueError) as exc:
        print(f"newsagg: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsagg: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())

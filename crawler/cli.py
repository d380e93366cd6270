"""The ``newsagg`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import urllib.error
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler import __version__
from crawler.commands import (
    UserError,
    add_db_option,
    add_sources_option,
    create_or_require_database,
    database_url,
    parse_time,
    registry,
    require_database,
    source_paths,
)
from crawler.commands.demo import DEMO_OVERRIDES as DEMO_OVERRIDES  # imported from here by scripts
from crawler.commands.report import crawl_summary, render_summary, run_line, to_json
from settings.sources import SourceConfigError
from storage.db import DatabaseError, redact, upgrade

# Sub-commands that live in their own module (crawler/commands/<name>.py, each with register()).
COMMAND_MODULES: list[str] = [
    "crawler.commands.demo",
    "crawler.commands.schedule",
    "crawler.commands.jobs",
    "crawler.commands.serve",
    "crawler.commands.link",
    "crawler.commands.sources",
    "crawler.commands.export",
]


# --- commands ---


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
    db_url = database_url(args)
    create_or_require_database(db_url)
    overrides: dict[str, Any] = {"NEWSAGG_JOB_TRIGGER": "manual"}
    if args.verbose:
        overrides["LOG_LEVEL"] = "INFO"
    settings = crawl_settings(db_url, source_paths(args), overrides)
    spider_args = {"lang": ",".join(langs) or None, "limit": args.limit, "since": since}
    runs = run_crawls(args.source, settings, spider_args=spider_args, progress=sys.stderr)
    job_ids = [run.job_id for run in runs if run.job_id is not None]
    result = crawl_summary(db_url, job_ids)
    print(run_line("newsagg crawl", result), file=sys.stderr)
    if args.json:
        print(to_json(result))
    else:
        print(render_summary(result, heading=f"Crawl finished: {redact(db_url)}"))
    return 0 if all(j["status"] == "finished" for j in result["jobs"]) else 1


def cmd_stats(args: argparse.Namespace) -> int:
    db_url = database_url(args)
    require_database(db_url)
    result = crawl_summary(db_url)
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

    known = registry(args)
    if args.source and args.source not in known:
        raise UserError(f"unknown source {args.source} (configured: {', '.join(sorted(known))})")
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
    result = inspect_page(body, url, charset=charset, sources=known, source=args.source)
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
    parser.add_argument("--version", action="version", version=f"newsagg {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log more, with tracebacks (as NEWSAGG_LOG_LEVEL=INFO)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", help="crawl the given sources")
    crawl.add_argument("source", nargs="+", help="source key(s), see `newsagg sources`")
    crawl.add_argument("--lang", help="only these editions, e.g. ru,en")
    crawl.add_argument("--limit", type=int, help="at most N article pages per source")
    crawl.add_argument(
        "--since", metavar="DATE", help="read sitemap indexes back to DATE (default: the source's max_age)"
    )
    crawl.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add_db_option(crawl)
    add_sources_option(crawl)
    crawl.set_defaults(handler=cmd_crawl)

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
    inspect.add_argument("--source", metavar="KEY", help="this source only (default: every configured one)")
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
    except BrokenPipeError:
        # The reader went away (`newsagg export | head`): not an error of ours, and nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("newsagg: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())

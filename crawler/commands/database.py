"""``newsagg stats``, ``newsagg db upgrade`` and ``newsagg db replay``: what the database holds, bringing its
schema up to date, and storing the pages spooled during an outage."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import (
    UserError,
    add_db_option,
    add_settings_option,
    add_sources_option,
    database_url,
    registry,
    require_database,
    require_writable,
    setting_overrides,
    source_paths,
)
from crawler.commands.report import crawl_summary, render_summary, to_json
from storage.db import redact, upgrade


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser("stats", help="articles by language and source, groups, duplicates")
    stats.add_argument("--json", action="store_true")
    add_db_option(stats)
    stats.set_defaults(handler=cmd_stats)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations (build or update the schema)")
    add_db_option(db_upgrade)
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
    db_replay = db_commands.add_parser(
        "replay", help="store the pages spooled while the database was unreachable (NEWSAGG_SPOOL_DIR)"
    )
    add_db_option(db_replay)
    add_sources_option(db_replay)
    add_settings_option(db_replay, scope="the replay")
    db_replay.set_defaults(handler=cmd_db_replay)


def cmd_stats(args: argparse.Namespace) -> int:
    db_url = database_url(args)
    require_database(db_url)
    result = crawl_summary(db_url)
    if args.json:
        print(to_json(result))
    else:
        print(render_summary(result, heading=f"Database: {redact(db_url)}"))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db_url = database_url(args)
    upgrade(db_url)
    print(f"database {redact(db_url)} is at the latest schema")
    return 0


def cmd_db_replay(args: argparse.Namespace) -> int:
    from crawler.ops.crawl_runner import crawl_settings, run_crawls
    from crawler.pipelines.spool import Spool

    db_url = database_url(args)
    require_database(db_url)
    require_writable(db_url)
    overrides = {**setting_overrides(args), "NEWSAGG_JOB_TRIGGER": "replay"}
    settings = crawl_settings(db_url, source_paths(args), overrides)
    spool = Spool.for_database(settings.get("NEWSAGG_SPOOL_DIR"), db_url)
    keys = spool.sources()
    if not keys:
        print(f"nothing spooled for {redact(db_url)} in {spool.folder}")
        return 0
    unknown = sorted(set(keys) - set(registry(args)))
    if unknown:
        raise UserError(f"pages spooled for unknown sources {', '.join(unknown)}: give their files with --sources")
    pages = spool.count()
    runs = run_crawls(keys, settings, spider_args={"replay_only": True}, progress=None)
    stored = sum(int(run.stats.get("newsagg/db/replayed", 0)) for run in runs)
    left = spool.count()
    print(f"replayed {pages} spooled pages into {redact(db_url)}: {stored} stored, {pages - stored - left} dropped")
    if left:
        print(f"newsagg db replay: {left} pages are still spooled in {spool.folder}", file=sys.stderr)
        return 1
    return 0

"""``newsagg stats`` and ``newsagg db upgrade``: what the database holds, and bringing its schema up to date."""

from __future__ import annotations

import argparse

from crawler.commands import add_db_option, database_url, require_database
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

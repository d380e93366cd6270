"""Pieces shared by the ``newsagg`` sub-commands.

A command lives in its own module here with ``register(commands)``, which adds its sub-parser and sets
``handler``; ``crawler.cli.COMMAND_MODULES`` lists the modules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from settings.environment import read_environment
from settings.sources import Source, load_sources
from storage.db import Database, normalize_url, upgrade


class UserError(Exception):
    """A mistake the user can fix; reported as one line, exit status 2."""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $NEWSAGG_DATABASE_URL or sqlite:///newsagg.db)"
    )


def add_sources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", metavar="FILE", action="append", help="extra source file or folder (repeatable)")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def add_settings_option(parser: argparse.ArgumentParser, *, scope: str) -> None:
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="overrides",
        help=f"a crawl setting for {scope}, e.g. -s DOWNLOAD_DELAY=2 (repeatable)",
    )


def setting_overrides(args: argparse.Namespace) -> dict[str, str]:
    """The ``-s NAME=VALUE`` settings of a command, or a :class:`UserError` naming the bad one."""
    from crawler.ops.cron import parse_overrides

    try:
        return parse_overrides(args.overrides)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def database_url(args: argparse.Namespace) -> str:
    return str(getattr(args, "db", None) or read_environment().database_url)


def source_paths(args: argparse.Namespace) -> list[Path]:
    return [*read_environment().source_paths, *[Path(p) for p in getattr(args, "sources", None) or []]]


def registry(args: argparse.Namespace) -> dict[str, Source]:
    return load_sources(source_paths(args))


def parse_time(value: str) -> Any:
    """An ISO 8601 date or time given on the command line, as UTC (a bare date is midnight UTC)."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{value!r} is not a date: give it as YYYY-MM-DD or an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def require_database(url: str) -> None:
    """For commands that use a database someone else made: it must exist and have the current schema."""
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        raise UserError(f"no database at {path}: crawl into it first, or create it with `newsagg db upgrade`")
    database = Database(url)
    try:
        database.check_schema()
    finally:
        database.close()


def close_stale_jobs(url: str, stale_after: float, command: str) -> None:
    """Close as failed the ``running`` rows of crawls that are gone (as ``newsagg jobs`` does), one line each,
    so that a crawl killed earlier is not counted as running beside the one about to start."""
    from crawler.ops.abandoned_jobs import sweep_abandoned
    from crawler.ops.alerts import AlertHooks

    env = read_environment()
    for job in sweep_abandoned(url, stale_after, AlertHooks(env.alert_webhook, env.alert_command)):
        print(f"{command}: job {job.id} ({job.source_key}) closed as failed: {job.reason}", file=sys.stderr)


def create_or_require_database(url: str) -> None:
    """For commands that crawl: a new SQLite file is created with the current schema; any other database
    must have it already (``newsagg db upgrade`` migrates, so that workers never migrate at once)."""
    _create_or_require(url)
    require_writable(url)


def require_writable(url: str) -> None:
    """For commands that crawl: the database must take writes (not a read-only file or server)."""
    database = Database(url)
    try:
        database.check_writable()
    finally:
        database.close()


def _create_or_require(url: str) -> None:
    path = _sqlite_file(url)
    # An empty file is one that another command has just begun to create: the migration lock makes this
    # upgrade wait for that one, then find the schema current.
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        upgrade(url)
        return
    require_database(url)

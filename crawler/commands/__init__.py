"""Pieces shared by the ``newsagg`` sub-commands.

A command lives in its own module here with ``register(commands)``, which adds its sub-parser and sets
``handler``; ``crawler.cli.COMMAND_MODULES`` lists the modules.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from settings.environment import read_environment
from settings.sources import Source, load_sources


class UserError(Exception):
    """A mistake the user can fix; reported as one line, exit status 2."""


Subcommands = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="URL", help="database URL (default: $NEWSAGG_DATABASE_URL or sqlite:///newsagg.db)"
    )


def add_sources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", metavar="FILE", action="append", help="extra source file or folder (repeatable)")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


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

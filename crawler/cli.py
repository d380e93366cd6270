"""The ``newsagg`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import urllib.error
from collections.abc import Sequence

from crawler import __version__
from crawler.commands import UserError
from crawler.commands.demo import DEMO_OVERRIDES as DEMO_OVERRIDES  # imported from here by scripts
from settings.sources import SourceConfigError
from storage.db import DatabaseError

# Every sub-command lives in its own module (crawler/commands/<name>.py, with register()), in help order.
COMMAND_MODULES: list[str] = [
    "crawler.commands.demo",
    "crawler.commands.crawl",
    "crawler.commands.sources",
    "crawler.commands.database",
    "crawler.commands.inspect_page",
    "crawler.commands.schedule",
    "crawler.commands.jobs",
    "crawler.commands.serve",
    "crawler.commands.link",
    "crawler.commands.export",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsagg", description="Multilingual news crawler (ru/en/ar).")
    parser.add_argument("--version", action="version", version=f"newsagg {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log more, with tracebacks (as NEWSAGG_LOG_LEVEL=INFO)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

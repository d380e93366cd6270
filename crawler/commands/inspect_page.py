"""``newsagg inspect``: what the pipeline extracts from one page and which edition claims it, storing nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.commands import UserError, add_sources_option, registry
from crawler.commands.report import to_json


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = commands.add_parser("inspect", help="show what the pipeline extracts from one page, storing nothing")
    inspect.add_argument("target", metavar="URL|FILE", help="a page URL, or a saved page (.html or .html.gz)")
    inspect.add_argument("--url", help="the address of a saved page")
    inspect.add_argument("--source", metavar="KEY", help="this source only (default: every configured one)")
    inspect.add_argument("--json", action="store_true")
    add_sources_option(inspect)
    inspect.set_defaults(handler=cmd_inspect)


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

"""``newsagg sources``: the configured sources, which of them takes a URL, and what their listings yield."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from crawler.commands import UserError, add_sources_option, registry
from crawler.commands.report import to_json
from settings.sources import Source


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sources", help="configured sources and their editions; which takes a URL; what their listings yield"
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--match",
        nargs="+",
        metavar="URL",
        help="which source and edition take each URL (by which pattern), or why none does",
    )
    action.add_argument(
        "--check", metavar="KEY", help="fetch the source's feeds, sitemaps and start pages and count what each yields"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_sources_option(parser)
    parser.set_defaults(handler=cmd_sources)


def cmd_sources(args: argparse.Namespace) -> int:
    known = registry(args)
    if args.match:
        return _match(known, args.match, as_json=args.json)
    if args.check:
        return _check(known, args.check, as_json=args.json)
    if args.json:
        print(to_json([source.model_dump(mode="json") for source in known.values()]))
        return 0
    for source in known.values():
        print(
            f"{source.key}: {source.name} (timezone {source.timezone}, schedule {source.schedule!r}, "
            f"max_age {age_text(source.max_age)})"
        )
        for edition in source.editions:
            where = ", ".join(edition.domains)
            print(
                f"  {edition.lang}: {where}; feeds {len(edition.feeds)}, sitemaps {len(edition.sitemaps)}, "
                f"start pages {len(edition.start_urls)}"
            )
    return 0


def age_text(age: timedelta) -> str:
    """An age as a source file writes it: 2d, 36h, 90m (else seconds)."""
    seconds = int(age.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


REASONS = {
    "off_hosts": "no edition lists this host",
    "no_pattern": "the host is {source}'s, but no article pattern of its editions matches",
    "not_fetchable": "not an absolute http(s) URL",
    "url_too_long": "{source} {lang} matches, but the URL is longer than a crawl requests",
    "too_many_params": "{source} {lang} matches, but the query has more parameters than a crawl follows",
    "repeated_segments": "{source} {lang} matches, but a path segment repeats like a crawler trap",
}


def _match(known: dict[str, Source], urls: list[str], *, as_json: bool) -> int:
    from crawler.discovery.claims import claim_in

    found = [claim_in(known.values(), url) for url in urls]
    if as_json:
        print(to_json([item.as_dict() for item in found]))
    for item in found if not as_json else ():
        if item.claimed:
            print(f"{item.url}\n  {item.source} {item.lang}, by {item.pattern}")
        else:
            why = REASONS.get(item.reason or "", "{reason}").format(**item.as_dict())
            print(f"{item.url}\n  no edition: {item.reason} ({why})")
    return 0


def _check(known: dict[str, Source], key: str, *, as_json: bool) -> int:
    from crawler.commands.source_check import check_passed, check_source, render_check

    if key not in known:
        raise UserError(f"unknown source {key} (configured: {', '.join(sorted(known)) or 'none'})")
    reports: list[dict[str, Any]] = check_source(known[key])
    print(to_json({"source": key, "editions": reports}) if as_json else render_check(key, reports))
    return 0 if check_passed(reports) else 1

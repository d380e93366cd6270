"""``newsagg schedule``: run each source's crawls on its cron schedule (see crawler.ops.schedule_loop)."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import (
    UserError,
    add_db_option,
    add_settings_option,
    add_sources_option,
    create_or_require_database,
    database_url,
    registry,
    setting_overrides,
    source_paths,
)
from storage.db import redact


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "schedule",
        help="run crawls on each source's schedule (cron), each in its own process",
        description=(
            "Run each source on its cron schedule (UTC), one crawl process per run and never two runs of "
            "one source at once (across machines too, with NEWSAGG_REDIS_URL). SIGTERM or Ctrl-C stops "
            "cleanly: running crawls are recorded as interrupted."
        ),
    )
    parser.add_argument("--once", action="store_true", help="run what is due now, wait for it, and exit")
    parser.add_argument(
        "--source", action="append", metavar="KEY", help="schedule only this source (repeatable; default: all)"
    )
    add_settings_option(parser, scope="every run")
    add_db_option(parser)
    add_sources_option(parser)
    parser.set_defaults(handler=cmd_schedule)


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.ops.crawl_runner import crawl_settings
    from crawler.ops.cron import next_fire, plan
    from crawler.ops.schedule_loop import Scheduler
    from storage.types import utcnow

    known = registry(args)
    unknown = sorted(set(args.source or ()) - set(known))
    if unknown:
        raise UserError(f"unknown source {', '.join(unknown)} (configured: {', '.join(sorted(known)) or 'none'})")
    units = plan(known, args.source or ())
    if not units:
        raise UserError("no source to schedule (see `newsagg sources`)")
    overrides = setting_overrides(args)
    db_url = database_url(args)
    create_or_require_database(db_url)
    paths = source_paths(args)
    settings = crawl_settings(db_url, paths, overrides)
    now = utcnow()
    print(f"newsagg schedule: {len(units)} run units into {redact(db_url)}", file=sys.stderr)
    for unit in units:
        print(f"  {unit.name}: '{unit.cron}', next {next_fire(unit.cron, now):%Y-%m-%d %H:%M:%S} UTC", file=sys.stderr)
    scheduler = Scheduler(units, db_url, settings, source_paths=paths, overrides=overrides)
    return scheduler.run(once=args.once)

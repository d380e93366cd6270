"""``newsagg jobs``: recent crawl runs with status, duration, counts and reason.

Before showing anything it closes the rows of crawls that died without closing them (their process
is gone from this machine, or they stopped reporting progress), as the scheduler does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from crawler.commands import UserError, add_db_option, add_json_option, database_url, require_database
from crawler.commands.report import to_json
from storage.db import redact

COLUMNS = ("ID", "SOURCE", "TRIGGER", "STATUS", "STARTED (UTC)", "TIME", "PAGES", "ITEMS", "NEW", "DROP", "ERR")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("jobs", help="recent crawl jobs with status, duration, counts and reason")
    parser.add_argument("--source", metavar="KEY", help="only this source's runs")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs (default 20)")
    parser.add_argument("--watch", action="store_true", help="refresh until interrupted (Ctrl-C)")
    parser.add_argument("--interval", type=float, default=2.0, metavar="S", help="seconds between refreshes")
    add_json_option(parser)
    add_db_option(parser)
    parser.set_defaults(handler=cmd_jobs)


def collect(db_url: str, source: str | None, limit: int) -> list[dict[str, Any]]:
    from crawler.ops.abandoned_jobs import sweep_abandoned
    from crawler.ops.alerts import AlertHooks
    from settings.crawl import NEWSAGG_JOB_STALE_AFTER
    from settings.environment import read_environment
    from storage.db import session_scope
    from storage.jobs import job_dict, recent_jobs

    env = read_environment()
    sweep_abandoned(db_url, NEWSAGG_JOB_STALE_AFTER, AlertHooks(env.alert_webhook, env.alert_command))
    with session_scope(db_url) as session:
        return [job_dict(job) for job in recent_jobs(session, limit=limit, source_key=source)]


def _duration(value: float) -> str:
    seconds = round(value)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def render(rows: Sequence[Mapping[str, Any]]) -> str:
    """A table of runs, newest first, each followed by its reason when it has one."""
    if not rows:
        return "no crawl jobs yet"
    table = [list(COLUMNS)]
    notes: dict[int, str] = {}
    for row in rows:
        source = row["source"] + (f"[{','.join(row['langs'])}]" if row["langs"] else "")
        table.append(
            [
                str(row["id"]),
                source,
                row["trigger"],
                row["status"],
                row["started_at"][:19].replace("T", " "),
                _duration(row["duration_seconds"]),
                str(row["pages"]),
                str(row["items"]),
                str(row["stored"]),
                str(sum(row["dropped"].values())),
                str(sum(row["errors"].values())),
            ]
        )
        if row["reason"]:
            notes[len(table) - 1] = row["reason"]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    numeric = {0, 6, 7, 8, 9, 10}
    lines = []
    for index, line in enumerate(table):
        cells = [
            cell.rjust(w) if i in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index in notes:
            lines.append(f"{'':>{widths[0]}}  ↳ {notes[index]}")
    return "\n".join(lines)


def cmd_jobs(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UserError("--limit must be a positive number of runs")
    if args.interval <= 0:
        raise UserError("--interval must be a positive number of seconds")
    db_url = database_url(args)
    require_database(db_url)
    if not args.watch:
        rows = collect(db_url, args.source, args.limit)
        print(to_json(rows) if args.json else render(rows))
        return 0
    clear = sys.stdout.isatty() and not args.json
    try:
        while True:
            rows = collect(db_url, args.source, args.limit)
            running = sum(1 for row in rows if row["status"] == "running")
            if clear:
                print("\x1b[H\x1b[2J", end="")
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, default=str), flush=True)  # one line per refresh
            else:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
                heading = f"{redact(db_url)} at {stamp} UTC: {running} running (Ctrl-C to stop)"
                print(f"{heading}\n{render(rows)}\n", flush=True)
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0

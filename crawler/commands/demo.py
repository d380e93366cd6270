"""``newsagg demo``: serve the bundled demo site on 127.0.0.1 and crawl it end to end, or, with
``--serve``, only serve it (and write its sources file) so that a user can try every command on it."""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from crawler.commands import UserError, add_db_option, close_stale_jobs, database_url, require_writable
from crawler.commands.report import report_runs
from settings.sources import load_sources
from storage.db import redact, upgrade

# The demo site is on loopback and written for this: no need for politeness delays, and its slow page
# must time out quickly.
DEMO_OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_TIMEOUT": 4,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "ERROR",
}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="serve the bundled demo site on 127.0.0.1 and crawl it end to end")
    add_db_option(demo)
    demo.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    demo.add_argument("--serve", action="store_true", help="only serve the demo site until interrupted (no crawl)")
    demo.add_argument("--port", type=int, default=0, help="with --serve: the site's port (default: a free one)")
    demo.add_argument(
        "--sources-out",
        metavar="FILE",
        default="demo-sources.yaml",
        help="with --serve: write the demo site's sources here (default demo-sources.yaml)",
    )
    demo.set_defaults(handler=cmd_demo)


def serve_only(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer

    if not 0 <= args.port <= 65535:
        raise UserError("--port must be from 0 to 65535")
    out = Path(args.sources_out)
    try:
        server = DemoServer(port=args.port).start()
    except OSError as exc:
        raise UserError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    try:
        out.write_text(server.sources_yaml(), encoding="utf-8")
        keys = ", ".join(load_sources([out], include_shipped=False))
        print(f"newsagg demo: serving the demo site at {server.base}/ until interrupted", flush=True)
        print(f"sources {keys} written to {out}; try for example:", flush=True)
        for example in (
            f"newsagg inspect {server.base}/en/ --sources {out}",
            f"newsagg crawl demo --sources {out}",
            f"newsagg schedule --sources {out}",
            "newsagg serve",
        ):
            print(f"  {example}", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("newsagg demo: stopped", file=sys.stderr)
    finally:
        server.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer
    from crawler.ops.crawl_runner import crawl_settings, run_crawls
    from settings.crawl import NEWSAGG_JOB_STALE_AFTER

    if args.serve:
        return serve_only(args)
    db_url = database_url(args)
    upgrade(db_url)
    require_writable(db_url)
    close_stale_jobs(db_url, NEWSAGG_JOB_STALE_AFTER, "newsagg demo")
    overrides = {**DEMO_OVERRIDES, "NEWSAGG_JOB_TRIGGER": "demo"}
    if getattr(args, "verbose", False):
        overrides["LOG_LEVEL"] = "INFO"
    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="newsagg-demo-") as folder:
        sources_file = server.write_sources(Path(folder))
        demo_sources = load_sources([sources_file], include_shipped=False)
        print(f"newsagg demo: serving the demo site at {server.base}", file=sys.stderr)
        print(f"crawling {', '.join(demo_sources)} into {redact(db_url)}", file=sys.stderr)
        settings = crawl_settings(db_url, [sources_file], overrides)
        runs = run_crawls(list(demo_sources), settings, progress=sys.stderr)
        site = server.base
    heading = f"Demo crawl finished: {redact(db_url)}"
    return report_runs("newsagg demo", db_url, runs, heading=heading, as_json=args.json, extra={"site": site})

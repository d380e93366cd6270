"""``newsagg serve``: the read-only HTTP API, operator dashboard and /metrics (crawler.web)."""

from __future__ import annotations

import argparse
import sys

from crawler.commands import UserError, add_db_option, database_url, require_database
from storage.db import redact


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="read-only HTTP API, operator dashboard and Prometheus /metrics",
        description="Serve the dashboard (/), the JSON API (/api/...), /healthz and /metrics until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    add_db_option(parser)
    parser.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.web.server import make_web_server

    if not 0 <= args.port <= 65535:
        raise UserError("--port must be from 0 to 65535")
    db_url = database_url(args)
    require_database(db_url)
    try:
        server = make_web_server(db_url, args.host, args.port, quiet=args.quiet)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    host, port = str(server.server_address[0]), int(server.server_address[1])
    # The first line tells scripts (and tests) where to connect when --port 0 picked the port.
    print(f"newsagg serve: http://{host}:{port}/ (database {redact(db_url)})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("newsagg serve: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0

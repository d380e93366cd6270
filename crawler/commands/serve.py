"""``newsagg serve``: the read API with its OpenAPI description, the dashboard and /metrics (crawler.web).

Read-only: it never creates or migrates a database.
"""

from __future__ import annotations

import argparse
import sys

from crawler.commands import UserError, add_db_option, database_url, require_database


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="read-only HTTP API (OpenAPI at /openapi.json), operator dashboard and Prometheus /metrics",
        description="Serve the dashboard (/), the JSON API (/api/...), /openapi.json, /healthz and /metrics "
        "until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--head-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="close a connection that sends no complete request head for this long (default 10)",
    )
    add_db_option(parser)
    parser.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from crawler.web.server import listen, make_web_server

    if not 0 <= args.port <= 65535:
        raise UserError("--port must be from 0 to 65535")
    if not args.head_timeout > 0:
        raise UserError("--head-timeout must be a positive number of seconds")
    db_url = database_url(args)
    require_database(db_url)
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    host, port = sock.getsockname()[:2]
    server = make_web_server(db_url, quiet=args.quiet, head_timeout=args.head_timeout)
    # The first line tells scripts (and tests) where to connect when --port 0 picked the port.
    shown = f"[{host}]" if ":" in host else host
    print(f"newsagg serve: http://{shown}:{port}/", flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print("newsagg serve: stopped", file=sys.stderr)
    return 0

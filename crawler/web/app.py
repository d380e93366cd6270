"""The WSGI application: routes, query parameters, responses. Read-only: GET and HEAD only.

Routes: ``/`` (dashboard), ``/articles/<id>`` (one article), ``/api/jobs``, ``/api/stats``,
``/api/articles``, ``/api/articles/<id>``, ``/healthz`` and ``/metrics``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from crawler.ops.metrics import registry_for
from crawler.web import pages
from storage import browse
from storage.db import redact, session_scope
from storage.jobs import job_dict, recent_jobs
from storage.stats import summary

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

# Every page is built from text the crawled sites wrote: no script may run, whatever slipped through.
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
MAX_LIMIT = 500


class HttpError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


class App:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.registry = registry_for(database_url)
        self.routes: list[tuple[re.Pattern[str], Callable[[Environ, re.Match[str]], tuple[str, str, bytes]]]] = [
            (re.compile(r"/"), self.dashboard),
            (re.compile(r"/articles/(\d+)"), self.article_page),
            (re.compile(r"/api/jobs"), self.api_jobs),
            (re.compile(r"/api/stats"), self.api_stats),
            (re.compile(r"/api/articles"), self.api_articles),
            (re.compile(r"/api/articles/(\d+)"), self.api_article),
            (re.compile(r"/healthz"), self.healthz),
            (re.compile(r"/metrics"), self.metrics),
        ]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        try:
            if method not in ("GET", "HEAD"):
                raise HttpError("405 Method Not Allowed", "read-only: only GET and HEAD")
            for pattern, handler in self.routes:
                match = pattern.fullmatch(path)
                if match:
                    status, content_type, body = handler(environ, match)
                    break
            else:
                raise HttpError("404 Not Found", f"no such page: {path}")
        except HttpError as error:
            status, content_type, body = self._error(path, error.status, str(error))
        except SQLAlchemyError as exc:
            message = f"the database {redact(self.database_url)} cannot be read: {type(exc).__name__}"
            status, content_type, body = self._error(path, "503 Service Unavailable", message)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *SECURITY_HEADERS]
        if status.startswith("405"):
            headers.append(("Allow", "GET, HEAD"))
        start_response(status, headers)
        return [b""] if method == "HEAD" else [body]

    def _error(self, path: str, status: str, message: str) -> tuple[str, str, bytes]:
        if path.startswith("/api/"):
            return status, "application/json", _json({"error": message})
        return status, "text/html; charset=utf-8", pages.error_page(status, message).encode("utf-8")

    # --- pages ---

    def dashboard(self, environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        params = _params(environ)
        lang, source = params.get("lang"), params.get("source")
        with session_scope(self.database_url) as session:
            page = pages.dashboard(
                database=redact(self.database_url),
                overview=browse.source_overview(session),
                per_day=browse.articles_per_day(session),
                jobs=[job_dict(job) for job in recent_jobs(session, limit=20)],
                articles=browse.recent_articles(session, limit=20, lang=lang, source=source),
                filters={"lang": lang, "source": source},
            )
        return "200 OK", "text/html; charset=utf-8", page.encode("utf-8")

    def article_page(self, _environ: Environ, match: re.Match[str]) -> tuple[str, str, bytes]:
        with session_scope(self.database_url) as session:
            article = browse.article_detail(session, int(match.group(1)))
        if article is None:
            raise HttpError("404 Not Found", f"no article {match.group(1)}")
        return "200 OK", "text/html; charset=utf-8", pages.article(article).encode("utf-8")

    # --- API ---

    def api_jobs(self, environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        params = _params(environ)
        limit = _limit(params, 20)
        with session_scope(self.database_url) as session:
            rows = [job_dict(job) for job in recent_jobs(session, limit=limit, source_key=params.get("source"))]
        return "200 OK", "application/json", _json(rows)

    def api_stats(self, _environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        with session_scope(self.database_url) as session:
            result = summary(session)
            result["sources"] = browse.source_overview(session)
            result["per_day"] = browse.articles_per_day(session)
        return "200 OK", "application/json", _json(result)

    def api_articles(self, environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        params = _params(environ)
        with session_scope(self.database_url) as session:
            rows = browse.recent_articles(
                session, limit=_limit(params, 50), lang=params.get("lang"), source=params.get("source")
            )
        return "200 OK", "application/json", _json(rows)

    def api_article(self, _environ: Environ, match: re.Match[str]) -> tuple[str, str, bytes]:
        with session_scope(self.database_url) as session:
            article = browse.article_detail(session, int(match.group(1)))
        if article is None:
            raise HttpError("404 Not Found", f"no article {match.group(1)}")
        return "200 OK", "application/json", _json(article)

    def healthz(self, _environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        with session_scope(self.database_url) as session:
            recent_jobs(session, limit=1)
        return "200 OK", "text/plain; charset=utf-8", b"ok\n"

    def metrics(self, _environ: Environ, _match: re.Match[str]) -> tuple[str, str, bytes]:
        return "200 OK", CONTENT_TYPE_LATEST, generate_latest(self.registry)


def _params(environ: Environ) -> dict[str, str]:
    parsed = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=False)
    return {key: values[-1] for key, values in parsed.items()}


def _limit(params: dict[str, str], default: int) -> int:
    raw = params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise HttpError("400 Bad Request", f"limit must be a whole number from 1 to {MAX_LIMIT}, got {raw!r}")
    return int(raw)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")

"""The web application: the dashboard (/), article pages, the read API (/api, crawler.web.api),
/healthz, /metrics and the OpenAPI description (/openapi.json, browsable at /docs is left out: it
would need scripts from elsewhere, which the CSP forbids).

Read-only: GET (and HEAD) only. Errors are one JSON object (API) or a short page, never a stack or
the database's address.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crawler import __version__
from crawler.ops.metrics import registry_for
from crawler.web import api, pages
from storage import browse
from storage.db import Database
from storage.jobs import job_dict, recent_jobs
from storage.stories import coverage, recent_stories

# Every page is built from text the crawled sites wrote: no script may run, whatever slipped through.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
access_log = logging.getLogger("newsagg.web.access")


def printable(text: str) -> str:
    """``text`` with control characters escaped: a request line must not write raw ESC or CR to a log."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _message(error: RequestValidationError) -> str:
    # The offending input is left out: it can be thousands of characters long.
    parts = [f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in error.errors()]
    return "; ".join(parts)


def create_app(database_url: str) -> FastAPI:
    # One engine and connection pool for the life of the service, closed when it stops.
    database = Database(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.close()

    app = FastAPI(
        lifespan=lifespan,
        title="newsagg read API",
        version=__version__,
        description="Articles, stories (translation groups), sources and crawl jobs. Read-only.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.database = database
    registry = registry_for(database_url)
    app.include_router(api.router)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD"):
            response: Response = _error(request, 405, "read-only: only GET and HEAD")
            response.headers["Allow"] = "GET, HEAD"
        elif request.method == "HEAD":
            # HEAD is GET without the body; the routes are declared for GET only.
            request.scope["method"] = "GET"
            answer = await call_next(request)
            response = Response(b"", status_code=answer.status_code, headers=dict(answer.headers))
            request.scope["method"] = "HEAD"
        else:
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        query = f"?{request.url.query}" if request.url.query else ""
        access_log.info(
            "%s %s %s%s %d",
            request.client.host if request.client else "-",
            request.method,
            printable(request.url.path),
            printable(query),
            response.status_code,
        )
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return _error(request, 422, _message(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail))

    @app.exception_handler(SQLAlchemyError)
    async def unreadable(request: Request, error: SQLAlchemyError) -> Response:
        return _error(request, 503, f"the database cannot be read ({type(error).__name__})")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(
        lang: Annotated[str | None, Query(pattern=r"^(|[a-z]{2,3})$")] = None,
        source: Annotated[str | None, Query(pattern=r"^(|[a-z0-9_-]{1,64})$")] = None,
    ) -> HTMLResponse:
        with database.session() as session:
            page = pages.dashboard(
                overview=browse.source_overview(session),
                per_day=browse.articles_per_day(session),
                coverage=coverage(session),
                jobs=[job_dict(job) for job in recent_jobs(session, limit=20)],
                stories=recent_stories(session, limit=30, lang=lang or None, source=source or None),
                filters={"lang": lang or "", "source": source or ""},
            )
        return HTMLResponse(page)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: Annotated[int, PathParam(ge=1, le=api.MAX_ID)]) -> HTMLResponse:
        with database.session() as session:
            found = browse.article_detail(session, article_id)
        if found is None:
            raise HTTPException(404, f"no article {article_id}")
        return HTMLResponse(pages.article(found))

    @app.get("/healthz", response_class=PlainTextResponse, summary="ok when the database answers")
    def healthz() -> str:
        with database.session() as session:
            recent_jobs(session, limit=1)
        return "ok\n"

    @app.get("/metrics", summary="Prometheus metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message}, status_code=status)
    return HTMLResponse(pages.error_page(f"{status}", message), status_code=status)

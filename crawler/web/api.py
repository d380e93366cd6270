"""The read API under ``/api``: articles (filters, cursor pages), one article, stories, sources, jobs, stats.

Read-only by construction: only GET routes. Every parameter is typed and bounded, so a bad one is a
4xx with a message (crawler.web.app turns validation errors into ``{"error": ...}``), never a 5xx.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from storage import browse
from storage.jobs import job_dict, recent_jobs
from storage.listing import ArticleFilter, Cursor, article_page
from storage.stats import summary
from storage.stories import get_story

MAX_PAGE = 200
# Ids are PostgreSQL integers: anything larger names no row and must not reach the database.
MAX_ID = 2**31 - 1
# Printable text only: PostgreSQL refuses NUL in strings, and control bytes have no business here.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

router = APIRouter(prefix="/api")


def session(request: Request) -> Iterator[Session]:
    with request.app.state.database.session() as opened:
        yield opened


DB = Annotated[Session, Depends(session)]
Lang = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", description="language code, e.g. ru, en, ar")]
SourceKey = Annotated[str | None, Query(pattern=r"^[a-z0-9_-]{1,64}$", description="source key")]
StoryId = Annotated[str, PathParam(pattern=r"^[ag][1-9][0-9]{0,9}$", description="g<group id> or a<article id>")]
ArticleId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def encode_cursor(cursor: Cursor) -> str:
    raw = f"{cursor.stored_at.isoformat()}|{cursor.article_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        moment, _, article_id = raw.partition("|")
        stored_at = _utc(datetime.fromisoformat(moment))
        number = int(article_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HTTPException(400, "cursor: not a cursor this API gave out (use next_cursor as it is)") from None
    if stored_at is None or not 1 <= number <= MAX_ID:
        raise HTTPException(400, "cursor: not a cursor this API gave out (use next_cursor as it is)")
    return Cursor(stored_at, number)


@router.get("/articles", summary="Articles, newest stored first, a page at a time")
def articles(
    db: DB,
    lang: Lang = None,
    source: SourceKey = None,
    since: Annotated[datetime | None, Query(description="stored at or after (ISO 8601; UTC if no zone)")] = None,
    until: Annotated[datetime | None, Query(description="stored before (ISO 8601; UTC if no zone)")] = None,
    story: Annotated[str | None, Query(pattern=r"^[ag][1-9][0-9]{0,9}$", description="story id")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=PRINTABLE, description="text in title or body")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="next_cursor of the previous page")
    ] = None,
) -> dict[str, Any]:
    since, until = _utc(since), _utc(until)
    if since is not None and until is not None and since >= until:
        raise HTTPException(400, "since must be earlier than until")
    where = ArticleFilter(lang=lang, source=source, since=since, until=until, story=story, text=q)
    rows, following = article_page(db, where, limit, decode_cursor(cursor) if cursor else None)
    return {"items": rows, "next_cursor": encode_cursor(following) if following else None}


@router.get("/articles/{article_id}", summary="One article with its translations, sightings and link evidence")
def article(db: DB, article_id: ArticleId) -> dict[str, Any]:
    found = browse.article_detail(db, article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id}")
    return found


@router.get("/stories/{story_id}", summary="One story: its ru, en and ar articles")
def story(db: DB, story_id: StoryId) -> dict[str, Any]:
    found = get_story(db, story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id}")
    return found


@router.get("/sources", summary="Sources with article counts, latest runs and error rates")
def sources(db: DB) -> list[dict[str, Any]]:
    return browse.source_overview(db)


@router.get("/jobs", summary="Recent crawl jobs, newest first")
def jobs(
    db: DB, source: SourceKey = None, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
) -> list[dict[str, Any]]:
    return [job_dict(job) for job in recent_jobs(db, limit=limit, source_key=source)]


@router.get("/stats", summary="Database totals")
def stats(db: DB) -> dict[str, Any]:
    result = summary(db)
    result["sources"] = browse.source_overview(db)
    result["per_day"] = browse.articles_per_day(db)
    return result

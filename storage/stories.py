"""The ``stories`` view (revision 0007): one row per story, with its ru, en and ar articles side by side.

A story is a translation group, or an article that is in none. Its id is ``g<group id>`` or
``a<article id>`` (docs/schema.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Integer, MetaData, String, Table, Text, case, cast, func, select
from sqlalchemy.orm import Session

from storage.models import Article, SourceRow
from storage.types import UTCDateTime

STORY_LANGS = ("ru", "en", "ar")

# Its own MetaData: the view is built by its revision, never by create_all.
stories = Table(
    "stories",
    MetaData(),
    Column("story_id", String, primary_key=True),
    Column("group_id", Integer),
    Column("source_id", Integer),
    Column("articles", Integer),
    Column("published_at", UTCDateTime()),
    Column("first_fetched_at", UTCDateTime()),
    *[
        column
        for lang in STORY_LANGS
        for column in (Column(f"{lang}_id", Integer), Column(f"{lang}_title", Text), Column(f"{lang}_url", Text))
    ],
)


def story_id_of(article: type[Article] | Any = Article) -> ColumnElement[str]:
    """The story id of an article, as SQL (the same rule as the view)."""
    return case(
        (article.group_id.is_(None), "a" + cast(article.id, String)),
        else_="g" + cast(article.group_id, String),
    )


def story_key(group_id: int | None, article_id: int) -> str:
    return f"a{article_id}" if group_id is None else f"g{group_id}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def story_dict(row: Any, source: str | None) -> dict[str, Any]:
    return {
        "id": row.story_id,
        "group_id": row.group_id,
        "source": source,
        "articles": row.articles,
        "published_at": _iso(row.published_at),
        "first_fetched_at": _iso(row.first_fetched_at),
        "langs": {
            lang: {
                "id": getattr(row, f"{lang}_id"),
                "title": getattr(row, f"{lang}_title"),
                "url": getattr(row, f"{lang}_url"),
            }
            for lang in STORY_LANGS
            if getattr(row, f"{lang}_id") is not None
        },
    }


def _query() -> Any:
    return select(stories, SourceRow.key).outerjoin(SourceRow, SourceRow.id == stories.c.source_id)


def get_story(session: Session, story_id: str) -> dict[str, Any] | None:
    row = session.execute(_query().where(stories.c.story_id == story_id)).first()
    return story_dict(row, row.key) if row is not None else None


def recent_stories(
    session: Session, limit: int = 30, lang: str | None = None, source: str | None = None
) -> list[dict[str, Any]]:
    """The newest stories by publication time (fetch time when the page gave none), newest first."""
    newest = func.coalesce(stories.c.published_at, stories.c.first_fetched_at)
    query = _query().order_by(newest.desc(), stories.c.story_id.desc()).limit(limit)
    if lang in STORY_LANGS:
        query = query.where(stories.c[f"{lang}_id"].is_not(None))
    elif lang:
        return []
    if source:
        query = query.where(SourceRow.key == source)
    return [story_dict(row, row.key) for row in session.execute(query)]


def coverage(session: Session) -> dict[str, dict[str, float]]:
    """For each language, the share of its stories that also have each other language."""
    counts = {lang: func.sum(case((stories.c[f"{lang}_id"].is_not(None), 1), else_=0)) for lang in STORY_LANGS}
    result: dict[str, dict[str, float]] = {}
    for lang in STORY_LANGS:
        has = stories.c[f"{lang}_id"].is_not(None)
        row = session.execute(select(*counts.values()).where(has)).one()
        total = row[STORY_LANGS.index(lang)] or 0
        result[lang] = {
            other: round((row[i] or 0) / total, 4) if total else 0.0
            for i, other in enumerate(STORY_LANGS)
            if other != lang
        }
    return result


def story_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(stories)) or 0)

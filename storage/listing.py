"""Articles by filter, for the read API (pages with a keyset cursor) and ``newsagg export`` (a stream).

Both read in one stable order: when the article was stored (``first_fetched_at``), then its id. That
time never changes, so a cursor or a ``since`` taken from the last record resumes exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Article, SourceRow
from storage.stories import STORY_LANGS, stories, story_dict, story_id_of, story_key


@dataclass(frozen=True)
class ArticleFilter:
    lang: str | None = None
    source: str | None = None
    since: datetime | None = None
    """Stored at or after this time (inclusive)."""
    until: datetime | None = None
    """Stored before this time (exclusive)."""
    story: str | None = None
    text: str | None = None
    """Case-insensitive substring of the title or the text."""


@dataclass(frozen=True)
class Cursor:
    """The last article of a page: the next page starts after it."""

    stored_at: datetime
    article_id: int


def _filtered(query: Select[Any], where: ArticleFilter) -> Select[Any]:
    if where.lang:
        query = query.where(Article.lang == where.lang)
    if where.source:
        query = query.where(SourceRow.key == where.source)
    if where.since is not None:
        query = query.where(Article.first_fetched_at >= where.since)
    if where.until is not None:
        query = query.where(Article.first_fetched_at < where.until)
    if where.story:
        # "g<group>" or "a<article>" (storage.stories), read as the indexed column it names.
        number = int(where.story[1:]) if where.story[1:].isdigit() else -1
        if where.story.startswith("g"):
            query = query.where(Article.group_id == number)
        else:
            query = query.where(Article.id == number, Article.group_id.is_(None))
    if where.text:
        query = query.where(
            or_(
                Article.title.icontains(where.text, autoescape=True),
                Article.body.icontains(where.text, autoescape=True),
            )
        )
    return query


def _record(article: Article, source: str, story: Any) -> dict[str, Any]:
    return {
        "id": article.id,
        "story_id": story.story_id,
        "source": source,
        "lang": article.lang,
        "title": article.title,
        "url": article.canonical_url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "stored_at": article.first_fetched_at.isoformat(),
        "translations": {
            lang: getattr(story, f"{lang}_url")
            for lang in STORY_LANGS
            if lang != article.lang and getattr(story, f"{lang}_url") is not None
        },
    }


class _StoryUrls:
    """The parts of a ``stories`` row that :func:`_record` reads, built from a group's members."""

    def __init__(self, story_id: str, urls: dict[str, str]) -> None:
        self.story_id = story_id
        for lang in STORY_LANGS:
            setattr(self, f"{lang}_url", urls.get(lang))


def _group_urls(session: Session, group_ids: set[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    if group_ids:
        query = select(Article.group_id, Article.lang, Article.canonical_url).where(Article.group_id.in_(group_ids))
        for group_id, lang, url in session.execute(query.order_by(Article.id.desc())):
            if group_id is not None:
                found.setdefault(group_id, {})[lang] = url  # the lowest id wins, as in the view
    return found


def _base() -> Select[Any]:
    return (
        select(Article, SourceRow.key, stories)
        .join(SourceRow, Article.source_id == SourceRow.id)
        .join(stories, stories.c.story_id == story_id_of(Article))
    )


def article_page(
    session: Session, where: ArticleFilter, limit: int, after: Cursor | None = None
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """Up to ``limit`` articles, newest stored first, and the cursor of the next page (None at the end)."""
    # The page first, then its translations: the view is not scanned for a page of 50.
    joined = cast("Select[Any]", select(Article, SourceRow.key).join(SourceRow, Article.source_id == SourceRow.id))
    query = _filtered(joined, where).order_by(Article.first_fetched_at.desc(), Article.id.desc())
    if after is not None:
        query = query.where(
            or_(
                Article.first_fetched_at < after.stored_at,
                and_(Article.first_fetched_at == after.stored_at, Article.id < after.article_id),
            )
        )
    rows = session.execute(query.limit(limit + 1)).all()
    members = _group_urls(session, {row[0].group_id for row in rows[:limit] if row[0].group_id is not None})
    page = []
    for article, source in rows[:limit]:
        story = _StoryUrls(story_key(article.group_id, article.id), members.get(article.group_id or -1, {}))
        page.append(_record(article, source, story))
    last = rows[limit - 1][0] if len(rows) > limit else None
    return page, (Cursor(last.first_fetched_at, last.id) if last is not None else None)


def stream_articles(session: Session, where: ArticleFilter, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every matching article, oldest stored first, read ``batch`` rows at a time (constant memory)."""
    query = _filtered(_base(), where).order_by(Article.first_fetched_at, Article.id)
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield _record(row[0], row[1], row)
        session.expunge(row[0])


def stream_stories(session: Session, where: ArticleFilter, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every story with at least one matching article, by its first stored time, ``batch`` rows at a time."""
    matching = _filtered(select(story_id_of(Article)).join(SourceRow, Article.source_id == SourceRow.id), where)
    query = (
        select(stories, SourceRow.key)
        .outerjoin(SourceRow, SourceRow.id == stories.c.source_id)
        .where(stories.c.story_id.in_(matching))
        .order_by(stories.c.first_fetched_at, stories.c.story_id)
    )
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield story_dict(row, row.key)


def count_articles(session: Session, where: ArticleFilter) -> int:
    query = _filtered(select(func.count(Article.id)).join(SourceRow, Article.source_id == SourceRow.id), where)
    return int(session.scalar(query) or 0)

"""Bounded queries for translation linking: stored link features, URL ids and content candidates.

No query here reads the whole articles table: content candidates come from one source and a time
window through ``ix_articles_source_id_published_at`` and are capped in number; URL-id matches
come through ``ix_link_features_source_id_url_id``. So linking one article costs the same at a
thousand stored articles as at a million.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Article, LinkFeatures
from storage.types import utcnow

# Which stored features a row holds: they change only with the article's text or the extractor's version.
FeaturesKey = tuple[str, int, datetime]


@dataclass(frozen=True)
class StoredCandidate:
    """A stored article that content linking may pair with another, with its features as stored (JSON), or
    None when the caller said it already holds the features of ``features_key``."""

    article_id: int
    lang: str
    group_id: int | None
    published_at: datetime
    features: dict[str, Any] | None
    features_key: FeaturesKey


def features_of(session: Session, article_id: int) -> LinkFeatures | None:
    return session.get(LinkFeatures, article_id)


def save_features(
    session: Session, article: Article, features: dict[str, Any] | None, url_id: str | None, version: int
) -> tuple[LinkFeatures, bool]:
    """Store the article's link features (``None``: keep the stored ones, only refresh the source
    and URL id). Returns the row and whether anything linking depends on changed."""
    row = session.get(LinkFeatures, article.id)
    if row is None:
        assert features is not None
        row = LinkFeatures(
            article_id=article.id,
            source_id=article.source_id,
            url_id=url_id,
            content_hash=article.content_hash,
            version=version,
            features=features,
        )
        session.add(row)
        session.flush()
        return row, True
    changed = (row.source_id, row.url_id) != (article.source_id, url_id)
    row.source_id, row.url_id = article.source_id, url_id
    if features is not None:
        changed = True
        row.features, row.content_hash, row.version = features, article.content_hash, version
    if changed:
        row.updated_at = utcnow()
        session.flush()
    return row, changed


def is_current(row: LinkFeatures | None, article: Article, version: int) -> bool:
    """Whether stored features describe the article's present text with the extractor of ``version``."""
    return row is not None and row.content_hash == article.content_hash and row.version == version


def same_url_id(session: Session, article: Article, url_id: str) -> list[Article]:
    """Other articles of the article's source whose URL carries the same id."""
    query = (
        select(Article)
        .join(LinkFeatures, LinkFeatures.article_id == Article.id)
        .where(LinkFeatures.source_id == article.source_id, LinkFeatures.url_id == url_id, Article.id != article.id)
        .order_by(Article.id)
    )
    return list(session.scalars(query))


def _window_query(source_id: int, exclude_id: int) -> Select[int, datetime | None]:
    return (
        select(Article.id, Article.published_at)
        .join(LinkFeatures, LinkFeatures.article_id == Article.id)
        .where(Article.source_id == source_id, Article.id != exclude_id)
    )


def content_candidates(
    session: Session,
    article: Article,
    *,
    window: timedelta,
    limit: int,
    lang: str | None = None,
    around: datetime | None = None,
    held: Callable[[int, FeaturesKey], bool] | None = None,
) -> list[StoredCandidate]:
    """Articles of the same source published within ``window`` of ``around`` (default: the
    article's own time), in ``lang`` or, by default, in any language but the article's.

    At most ``limit``, the closest in time on either side (an article at the end of a day has its
    candidates before it): each side is read in index order from the centre outwards, up to
    ``limit`` rows of ids and times, and only the chosen candidates' features are loaded: those
    ``held(article_id, key)`` says the caller already holds are not read again.
    """
    centre = around or article.published_at
    if centre is None:
        return []
    base = _window_query(article.source_id, article.id)
    base = base.where(Article.lang == lang) if lang is not None else base.where(Article.lang != article.lang)
    before = base.where(Article.published_at >= centre - window, Article.published_at < centre)
    before = before.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
    after = base.where(Article.published_at >= centre, Article.published_at <= centre + window)
    after = after.order_by(Article.published_at, Article.id).limit(limit)
    times = [*session.execute(before).all(), *session.execute(after).all()]
    chosen = sorted(times, key=lambda row: (abs(_aware(row.published_at) - _aware(centre)), row.id))[:limit]
    if not chosen:
        return []
    key_columns = (LinkFeatures.content_hash, LinkFeatures.version, LinkFeatures.updated_at)
    query = (
        select(Article.id, Article.lang, Article.group_id, Article.published_at, *key_columns)
        .join(LinkFeatures, LinkFeatures.article_id == Article.id)
        .where(Article.id.in_([row.id for row in chosen]))
    )
    rows = session.execute(query).all()
    keys = {row.id: (row.content_hash, row.version, row.updated_at) for row in rows}
    wanted = [row.id for row in rows if held is None or not held(row.id, keys[row.id])]
    features: dict[int, dict[str, Any]] = {}
    if wanted:
        loaded = select(LinkFeatures.article_id, LinkFeatures.features).where(LinkFeatures.article_id.in_(wanted))
        features = {row.article_id: row.features for row in session.execute(loaded)}
    return [
        StoredCandidate(row.id, row.lang, row.group_id, row.published_at, features.get(row.id), keys[row.id])
        for row in sorted(rows, key=lambda r: (r.published_at, r.id))
    ]


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive times (UTC); compare them with aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def article_ids(session: Session, since: datetime | None, *, batch: int = 500) -> Iterator[list[int]]:
    """Ids of the articles published (or, without a date, first fetched) since ``since``, oldest
    first, in batches; every article when ``since`` is None."""
    query = select(Article.id)
    if since is not None:
        query = query.where(
            (Article.published_at >= since) | (Article.published_at.is_(None) & (Article.first_fetched_at >= since))
        )
    ids = list(session.scalars(query.order_by(Article.published_at, Article.id)))
    for start in range(0, len(ids), batch):
        yield ids[start : start + batch]

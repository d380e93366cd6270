"""Queries about articles and the URLs they were seen under."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from settings.sources import Source
from storage.conflicts import insert_ignoring_conflicts, insert_or_read
from storage.models import Article, ArticleUrl, ArticleVersion, SourceRow
from storage.types import utcnow

# Kinds of article_urls rows (docs/schema.md); "canonical" is the article's own URL.
# Sightings of the article's text at another address: an exact copy, a near copy, a declared syndication.
DUPLICATE_KINDS = ("duplicate", "near_duplicate", "syndicated")


def ensure_source(session: Session, source: Source) -> int:
    row = session.scalar(select(SourceRow).where(SourceRow.key == source.key))
    if row is None:  # another crawl process may be adding it at this moment
        row = insert_or_read(session, SourceRow, {"key": source.key}, name=source.name, homepage=source.homepage)
    if (row.name, row.homepage) != (source.name, source.homepage):
        row.name, row.homepage = source.name, source.homepage
    return row.id


def find_article(session: Session, *urls: str) -> Article | None:
    """The article stored under any of ``urls``, as its canonical URL or any URL seen for it."""
    found = find_url(session, *urls)
    return found[0] if found is not None else None


def find_articles(session: Session, urls: Iterable[str]) -> dict[str, Article]:
    """The stored article of each of ``urls`` that leads to one (canonical or seen), in two queries."""
    wanted = list(dict.fromkeys(u for u in urls if u))
    if not wanted:
        return {}
    found = {a.canonical_url: a for a in session.scalars(select(Article).where(Article.canonical_url.in_(wanted)))}
    rest = [u for u in wanted if u not in found]
    if rest:
        query = select(ArticleUrl.url, Article).join(Article, ArticleUrl.article_id == Article.id)
        found.update({url: article for url, article in session.execute(query.where(ArticleUrl.url.in_(rest)))})
    return found


def find_url(session: Session, *urls: str) -> tuple[Article, str] | None:
    """The article stored under any of ``urls`` and how that URL relates to it (an article_urls kind).

    The article's own addresses come first, so a URL that is both an article and a copy's sighting
    resolves to the article.
    """
    wanted = [u for u in urls if u]
    if not wanted:
        return None
    article = session.scalar(select(Article).where(Article.canonical_url.in_(wanted)).limit(1))
    if article is not None:
        return article, "canonical"
    rows = session.execute(
        select(Article, ArticleUrl.kind)
        .join(ArticleUrl, ArticleUrl.article_id == Article.id)
        .where(ArticleUrl.url.in_(wanted))
    ).all()
    if not rows:
        return None
    own = [(a, kind) for a, kind in rows if kind not in DUPLICATE_KINDS]
    article, kind = (own or rows)[0]
    return article, kind


def urls_of(session: Session, article_id: int) -> list[str]:
    """Every URL the article was seen under (its own, variants and copies)."""
    return list(session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article_id)))


def source_keys(session: Session, source_id: int | None = None) -> dict[int, str]:
    """Source keys by row id: of every source, or of the one with ``source_id``."""
    query = select(SourceRow.id, SourceRow.key)
    if source_id is not None:
        query = query.where(SourceRow.id == source_id)
    return {row_id: key for row_id, key in session.execute(query)}


def has_articles(session: Session) -> bool:
    return session.scalar(select(Article.id).limit(1)) is not None


def source_has_articles(session: Session, source_key: str) -> bool:
    """Whether any article of the source is stored: a crawl before the first reads sitemaps further back."""
    query = select(Article.id).join(SourceRow, SourceRow.id == Article.source_id).where(SourceRow.key == source_key)
    return session.scalar(query.limit(1)) is not None


def find_by_hash(session: Session, content_hash: str) -> Article | None:
    return session.scalar(select(Article).where(Article.content_hash == content_hash))


@dataclass(frozen=True)
class ArticleText:
    """What one fetch of a page says; the fields a version change replaces."""

    title: str | None
    body: str
    description: str | None
    authors: list[str]
    tags: list[str]
    lang: str
    declared_lang: str | None
    lang_confidence: float
    published_at: datetime | None
    published_local: str | None
    modified_at: datetime | None
    content_hash: str
    image_url: str | None = None


def insert_article(
    session: Session, *, source_id: int, canonical_url: str, text: ArticleText, fetched_at: datetime
) -> Article:
    article = Article(
        source_id=source_id,
        canonical_url=canonical_url,
        first_fetched_at=fetched_at,
        last_fetched_at=fetched_at,
        version=1,
        **_text_fields(text),
    )
    session.add(article)
    session.flush()
    record_url(session, article, canonical_url, "canonical", seen_at=fetched_at)
    return article


def replace_text(session: Session, article: Article, text: ArticleText, fetched_at: datetime) -> None:
    """A changed page: keep the old text as a version, bump the version, set ``modified_at``."""
    session.add(
        ArticleVersion(
            article_id=article.id,
            version=article.version,
            title=article.title,
            body=article.body,
            content_hash=article.content_hash,
            fetched_at=article.last_fetched_at,
        )
    )
    fields = _text_fields(text)
    if fields["modified_at"] is None:
        fields["modified_at"] = fetched_at
    for name, value in fields.items():
        setattr(article, name, value)
    article.version += 1
    article.last_fetched_at = fetched_at
    session.flush()


def _text_fields(text: ArticleText) -> dict[str, Any]:
    return {
        "title": text.title,
        "body": text.body,
        "description": text.description,
        "authors": list(text.authors),
        "tags": list(text.tags),
        "lang": text.lang,
        "declared_lang": text.declared_lang,
        "lang_confidence": text.lang_confidence,
        "published_at": text.published_at,
        "published_local": text.published_local,
        "modified_at": text.modified_at,
        "content_hash": text.content_hash,
        "image_url": text.image_url,
    }


def record_url(
    session: Session,
    article: Article,
    url: str,
    kind: str,
    *,
    source_id: int | None = None,
    similarity: float | None = None,
    seen_at: datetime | None = None,
    refresh: bool = True,
) -> ArticleUrl:
    """Remember that ``url`` leads to ``article``; a URL seen again only refreshes its timestamp
    (unless ``refresh`` is false: then a known URL is left exactly as it is)."""
    seen_at = seen_at or utcnow()
    row = session.scalar(select(ArticleUrl).where(ArticleUrl.url == url))
    if row is None:  # another crawl process may be recording it at this moment: the first one stands
        row = insert_or_read(
            session,
            ArticleUrl,
            {"url": url},
            article_id=article.id,
            source_id=source_id if source_id is not None else article.source_id,
            kind=kind,
            similarity=similarity,
            first_seen_at=seen_at,
            last_seen_at=seen_at,
        )
    elif refresh:
        row.last_seen_at = seen_at
    return row


def record_urls(
    session: Session,
    article: Article,
    seen: Sequence[tuple[str, str]],
    *,
    source_id: int,
    seen_at: datetime,
    refresh: bool = True,
) -> None:
    """:func:`record_url` for many (url, kind) pairs: one query for those already known, one insert for the rest."""
    wanted = list(dict.fromkeys(url for url, _kind in seen))
    known = {row.url: row for row in session.scalars(select(ArticleUrl).where(ArticleUrl.url.in_(wanted)))}
    new: dict[str, dict[str, Any]] = {}
    for url, kind in seen:
        if url in known:
            if refresh:
                known[url].last_seen_at = seen_at
        elif url not in new:
            new[url] = {
                "url": url,
                "article_id": article.id,
                "source_id": source_id,
                "kind": kind,
                "first_seen_at": seen_at,
                "last_seen_at": seen_at,
            }
    if new:
        session.execute(insert_ignoring_conflicts(session, ArticleUrl), list(new.values()))


def promote_earlier_copy(
    session: Session,
    article: Article,
    *,
    source_id: int,
    canonical_url: str,
    text: ArticleText,
    kind: str = "duplicate",
    similarity: float = 1.0,
) -> None:
    """A copy published earlier than the stored article becomes the article.

    The article stays one row (its id, group and links are kept) and takes the earlier copy's URL,
    publisher and text; the URL it had becomes a sighting of ``kind`` with ``similarity``. So whichever
    copy the crawl met first, the earliest publisher is the one stored.
    """
    old = session.scalar(select(ArticleUrl).where(ArticleUrl.url == article.canonical_url))
    if old is not None:
        old.kind = kind
        old.similarity = similarity
    for name, value in _text_fields(text).items():
        setattr(article, name, value)
    article.source_id = source_id
    article.canonical_url = canonical_url
    session.flush()
    row = record_url(session, article, canonical_url, "canonical", source_id=source_id)
    row.kind, row.similarity, row.source_id = "canonical", None, source_id


# --- fingerprints (near-duplicate search) ---

"""The database schema: SQLAlchemy 2.x typed models. Consumers read these tables (docs/schema.md).

No I/O here; queries live in the per-concern modules beside this one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

# Stable constraint names, so that Alembic revisions can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}

    def __repr__(self) -> str:
        pk = ", ".join(f"{c.name}={getattr(self, c.key, None)!r}" for c in self.__table__.primary_key)
        return f"{type(self).__name__}({pk})"


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TranslationGroup(Base):
    __tablename__ = "translation_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A group whose articles all joined another points to it; a group made of articles that left
    # a bigger one points to where they came from (docs/schema.md).
    merged_into_id: Mapped[int | None]
    split_from_id: Mapped[int | None]
    articles: Mapped[list[Article]] = relationship(back_populates="group")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_lang_published_at", "lang", "published_at"),
        Index("ix_articles_source_id_lang", "source_id", "lang"),
        # The read API and export page through articles in this order (storage/listing.py).
        Index("ix_articles_first_fetched_at_id", "first_fetched_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    lang: Mapped[str] = mapped_column(String(8))
    declared_lang: Mapped[str | None] = mapped_column(String(8))
    lang_confidence: Mapped[float]
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None]
    published_local: Mapped[str | None] = mapped_column(String(40))
    modified_at: Mapped[datetime | None]
    first_fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("translation_groups.id"), index=True)
    image_url: Mapped[str | None] = mapped_column(String(2048))

    group: Mapped[TranslationGroup | None] = relationship(back_populates="articles")
    source: Mapped[SourceRow] = relationship()


class ArticleUrl(Base):
    """Every URL seen for an article, with how it relates to it."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(32))
    similarity: Mapped[float | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleVersion(Base):
    """An earlier text of an article whose page changed."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int]
    title: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class TranslationLink(Base):
    """Evidence that two articles are translations; stored once per pair (lower id first)."""

    __tablename__ = "translation_links"
    __table_args__ = (
        UniqueConstraint("article_id", "other_article_id"),
        CheckConstraint("article_id < other_article_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    other_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    score: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text)  # content links: the evidence, as JSON


class PendingLink(Base):
    """A declared translation whose target page is not stored yet; resolved when it arrives."""

    __tablename__ = "pending_links"
    __table_args__ = (UniqueConstraint("article_id", "target_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    target_url: Mapped[str] = mapped_column(String(2048), index=True)
    target_lang: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlJob(Base):
    __tablename__ = "crawl_jobs"
    __table_args__ = (Index("ix_crawl_jobs_source_key_started_at", "source_key", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    stored: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    dropped: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pid: Mapped[int | None]
    hostname: Mapped[str | None] = mapped_column(String(255))
    # Editions crawled, comma-separated ("ru,en"); null when the run covered every edition.
    langs: Mapped[str | None] = mapped_column(String(64))
    # What the health rules measured and which ones the run broke (docs/schema.md).
    health: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ArticleFingerprint(Base):
    """The MinHash signature of an article's current text, for near-duplicate search.

    ``id`` only grows (AUTOINCREMENT on SQLite too): a replaced signature gets a new row, so an index that
    has read up to some id knows exactly which rows it has not seen yet.
    """

    __tablename__ = "article_fingerprints"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    lang: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FetchState(Base):
    """What the crawler knows of one URL's last fetch: feed lastmod for pages; for feeds and sitemaps,
    the validators and the body they validate (zlib), so that a 304 is read like the 200 it confirms."""

    __tablename__ = "fetch_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    lastmod: Mapped[datetime | None]
    first_fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- translation linking (docs/schema.md) ---

# Content-link candidates are the articles of one source published within a time window.
ARTICLES_BY_SOURCE_AND_TIME = Index("ix_articles_source_id_published_at", Article.source_id, Article.published_at)


class LinkFeatures(Base):
    """What translation linking compares, computed once per article text (crawler.linking.features)."""

    __tablename__ = "link_features"
    __table_args__ = (Index("ix_link_features_source_id_url_id", "source_id", "url_id"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url_id: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    features: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RejectedLink(Base):
    """Translation evidence that was found and not accepted, with the reason; one row per pair and method."""

    __tablename__ = "rejected_links"
    __table_args__ = (
        UniqueConstraint("article_id", "other_article_id", "method"),
        CheckConstraint("article_id < other_article_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    other_article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(32))
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

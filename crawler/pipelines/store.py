"""Step 5: write the article (or its new version, or the sighting of a copy), every URL seen, the text's
fingerprint and the page's fetch state.

A re-fetched page whose text did not change writes nothing about the article: only its fetch_state row
says when it was fetched. The near-duplicate index and the Redis seen set are told after the commit,
so neither ever names a row the database does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crawler.dedup import near_index
from crawler.dedup.fingerprints import METHOD, fingerprint_text, signature, to_bytes
from crawler.dedup.near_index import Entry
from crawler.fetch.incremental import lastmod_hint
from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from crawler.pipelines.dedupe import own_canonical
from crawler.urls import canonicalize
from storage import fetch_state, redis_state
from storage.articles import (
    DUPLICATE_KINDS,
    ArticleText,
    ensure_source,
    find_url,
    insert_article,
    promote_earlier_copy,
    record_url,
    record_urls,
    replace_text,
)
from storage.fingerprints import drop_fingerprint, save_fingerprint
from storage.models import Article
from storage.redis_state import RedisState, RedisUnavailable, SeenRecord


@dataclass
class Written:
    """What one item's transaction wrote, for the work that waits for its commit."""

    counter: str
    entry: Entry | None = None
    discard: int | None = None
    seen: list[str] = field(default_factory=list)
    record: SeenRecord | None = None


class StoreStep(Step):
    """Writes the item's outcome inside the item's unit of work (:mod:`crawler.pipelines.persist`); the
    near-duplicate index and the shared seen set learn of it once that unit has committed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source_id: int | None = None
        self._redis: RedisState | None = None

    def open_spider(self) -> None:
        with self.database.session() as session:
            self._source_id = ensure_source(session, self.source)
        self.index = near_index.from_crawler(self.crawler)
        self._redis = redis_state.for_crawl(self.crawler.settings, self.database)

    def process(self, session: Session, item: ArticleItem) -> Written:
        return self._store(session, item)

    def after_commit(self, written: Written) -> None:
        self.count(written.counter)
        if written.entry is not None:
            self.index.add(written.entry)
        if written.discard is not None:
            self.index.discard(written.discard)
        if self._redis is not None and written.record is not None:
            try:
                self._redis.mark_seen(written.seen, written.record)
            except RedisUnavailable:
                self.count("redis/unavailable")  # the database still knows the page: only a lookup is lost

    def canonical_url(self, item: ArticleItem) -> str:
        """The page's rel=canonical when it stays within the source's domains, else the fetched URL."""
        return own_canonical(item, self.source) or canonicalize(item.final_url)

    def _store(self, session: Session, item: ArticleItem) -> Written:
        assert self._source_id is not None
        # changed: the article's text is new or replaced; again: this page was stored before as it is now.
        changed, again = True, False
        if item.outcome == "new":
            article = insert_article(
                session,
                source_id=self._source_id,
                canonical_url=self.canonical_url(item),
                text=self._text(item),
                fetched_at=item.fetched_at,
            )
            written = Written("stored/new")
        elif item.outcome in DUPLICATE_KINDS:
            article, changed, again = self._record_copy(session, item)
            written = Written(f"duplicates/{item.outcome}")
        elif item.outcome == "updated":
            article = session.get_one(Article, item.article_id)
            replace_text(session, article, self._text(item), item.fetched_at)
            written = Written("stored/updated")
        else:
            article = session.get_one(Article, item.article_id)
            changed, again = False, True
            written = Written("stored/unchanged")
        self._record_seen_urls(session, article, item, refresh=not again)
        if changed:
            self._fingerprint(session, article, written)
        edition = self.source.edition(item.edition_lang)
        state = fetch_state.record_page(
            session,
            item.url,
            fetched_at=item.fetched_at,
            lastmod=lastmod_hint(item.hints, self.source.timezone_of(edition)),
        )
        written.seen = sorted({item.url, canonicalize(item.final_url)})
        written.record = SeenRecord(state.fetched_at, state.first_fetched_at, state.lastmod)
        item.article_id = article.id
        return written

    def _record_copy(self, session: Session, item: ArticleItem) -> tuple[Article, bool, bool]:
        """Record the copy against its article. Says whether an earlier-published copy became the article
        (its text changed) and whether this copy was recorded before (then nothing is written)."""
        assert item.extracted is not None and self._source_id is not None and item.outcome is not None
        article = session.get_one(Article, item.duplicate_of)
        url = self.canonical_url(item)
        similarity = item.similarity if item.similarity is not None else 1.0
        published = item.extracted.published_at
        if url != article.canonical_url and (
            published is not None and (article.published_at is None or published < article.published_at)
        ):
            promote_earlier_copy(
                session,
                article,
                source_id=self._source_id,
                canonical_url=url,
                text=self._text(item),
                kind=item.outcome,
                similarity=similarity,
            )
            return article, True, False
        again = find_url(session, url) is not None
        row = record_url(
            session, article, url, item.outcome, source_id=self._source_id, similarity=similarity, refresh=not again
        )
        if row.kind in DUPLICATE_KINDS and item.similarity is not None and row.similarity != item.similarity:
            row.similarity = item.similarity
        return article, False, again

    def _record_seen_urls(self, session: Session, article: Article, item: ArticleItem, *, refresh: bool) -> None:
        assert self._source_id is not None and item.extracted is not None
        seen = [(canonicalize(item.final_url), "redirect"), (item.url, "alias"), *item.seen_urls]
        if item.extracted.amp_url:
            seen.append((item.extracted.amp_url, "amp"))
        others = [(url, kind) for url, kind in seen if url != article.canonical_url]
        if others:
            record_urls(session, article, others, source_id=self._source_id, seen_at=item.fetched_at, refresh=refresh)

    def _fingerprint(self, session: Session, article: Article, written: Written) -> None:
        values = signature(fingerprint_text(article.title, article.body))
        if values is None:
            drop_fingerprint(session, article)
            written.discard = article.id
            return
        row = save_fingerprint(session, article, to_bytes(values), METHOD)
        written.entry = Entry(row.id, article.id, article.lang, values)

    @staticmethod
    def _text(item: ArticleItem) -> ArticleText:
        assert item.extracted is not None and item.lang is not None and item.content_hash is not None
        extracted = item.extracted
        return ArticleText(
            title=extracted.title,
            body=extracted.body,
            description=extracted.description,
            authors=extracted.authors,
            tags=extracted.tags,
            lang=item.lang,
            declared_lang=extracted.declared_lang,
            lang_confidence=item.lang_confidence,
            published_at=extracted.published_at,
            published_local=extracted.published_local,
            modified_at=extracted.modified_at,
            content_hash=item.content_hash,
            image_url=extracted.image_url,
        )

"""Step 5: write the article (or its new version, or the sighting of a copy) and every URL seen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from crawler.urls import canonicalize
from storage.articles import (
    ArticleText,
    ensure_source,
    insert_article,
    promote_earlier_copy,
    record_url,
    replace_text,
)
from storage.db import session_scope, upgrade
from storage.models import Article


class StorePipeline(Step):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source_id: int | None = None

    def open_spider(self) -> None:
        upgrade(self.database_url)
        with session_scope(self.database_url) as session:
            self._source_id = ensure_source(session, self.source)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert self._source_id is not None
        with session_scope(self.database_url) as session:
            if item.outcome == "new":
                article = insert_article(
                    session,
                    source_id=self._source_id,
                    canonical_url=self.canonical_url(item),
                    text=self._text(item),
                    fetched_at=item.fetched_at,
                )
                self.count("stored/new")
            elif item.outcome == "duplicate":
                article = self._record_copy(session, item)
            else:
                article = session.get_one(Article, item.article_id)
                if item.outcome == "updated":
                    replace_text(session, article, self._text(item), item.fetched_at)
                    self.count("stored/updated")
                else:
                    article.last_fetched_at = item.fetched_at
                    self.count("stored/unchanged")
            self._record_seen_urls(session, article, item)
            item.article_id = article.id
        return item

    def canonical_url(self, item: ArticleItem) -> str:
        """The page's rel=canonical when it stays within the source's domains, else the fetched URL."""
        assert item.extracted is not None
        declared = item.extracted.canonical_url
        host = urlsplit(declared).hostname or ""
        if any(e.allows_host(host) for e in self.source.editions):
            return declared
        return canonicalize(item.final_url)

    def _record_copy(self, session: Session, item: ArticleItem) -> Article:
        assert item.extracted is not None and self._source_id is not None
        article = session.get_one(Article, item.duplicate_of)
        url = self.canonical_url(item)
        published = item.extracted.published_at
        if published is not None and (article.published_at is None or published < article.published_at):
            promote_earlier_copy(session, article, source_id=self._source_id, canonical_url=url, text=self._text(item))
        else:
            record_url(session, article, url, "duplicate", source_id=self._source_id, similarity=item.similarity)
        self.count("duplicates/exact")
        return article

    def _record_seen_urls(self, session: Session, article: Article, item: ArticleItem) -> None:
        assert self._source_id is not None
        seen = [(canonicalize(item.final_url), "redirect"), (item.url, "alias"), *item.seen_urls]
        for url, kind in seen:
            if url != article.canonical_url:
                record_url(session, article, url, kind, source_id=self._source_id, seen_at=item.fetched_at)

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
            modified_at=extracted.modified_at,
            content_hash=item.content_hash,
        )

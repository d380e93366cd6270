"""Step 4 (in the unit of work): is this page new, a changed version, unchanged, or a copy of a stored article?

In this order: the page's own address (canonical URL, requested and final URL) names a stored article
(``unchanged`` or ``updated``, or the copy it was recorded as); a ``rel=canonical`` on another site
names a stored article with a similar text (``syndicated``); a stored article has the same normalised
body (``duplicate``); a stored article of the same language has a MinHash similarity at or above
``NEWSAGG_NEAR_DUPLICATE_THRESHOLD`` (``near_duplicate``); else ``new``.

The database's unique constraints (canonical URL, content hash) are the source of truth; the
near-duplicate index is a search aid (crawler.dedup.near_index).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from crawler.dedup import near_index
from crawler.dedup.fingerprints import (
    Signature,
    content_hash,
    fingerprint_text,
    from_bytes,
    signature,
    similarity,
)
from crawler.dedup.near_index import NearDuplicateIndex
from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from settings.sources import Source
from storage.articles import DUPLICATE_KINDS, find_article, find_by_hash, find_url
from storage.fingerprints import fingerprint_of
from storage.models import Article


def own_canonical(item: ArticleItem, source: Source) -> str | None:
    """The page's rel=canonical when it stays within the source's domains (else it names a copy's origin)."""
    assert item.extracted is not None
    declared = item.extracted.canonical_url
    host = urlsplit(declared).hostname or ""
    return declared if any(e.allows_host(host) for e in source.editions) else None


class Deduplicator:
    """The decision, apart from the pipeline so that the store step can take it again after a race."""

    def __init__(self, index: NearDuplicateIndex) -> None:
        self.index = index

    def classify(self, session: Session, item: ArticleItem, source: Source) -> None:
        """Set the item's ``content_hash``, ``outcome``, ``article_id`` or ``duplicate_of`` and ``similarity``."""
        assert item.extracted is not None and item.lang is not None
        extracted = item.extracted
        item.content_hash = content_hash(extracted.body)
        item.article_id = item.duplicate_of = item.similarity = None
        values = signature(fingerprint_text(extracted.title, extracted.body))
        own = own_canonical(item, source)
        same_text = find_by_hash(session, item.content_hash)

        known = find_url(session, *(u for u in (own, item.url, item.final_url) if u))
        if known is not None:
            article, kind = known
            if kind in DUPLICATE_KINDS:  # a copy's address met again
                item.outcome, item.duplicate_of = kind, article.id
                item.similarity = self._similarity(session, article, item.content_hash, values)
                return
            if same_text is None or same_text.id == article.id:
                item.article_id = article.id
                item.outcome = "unchanged" if article.content_hash == item.content_hash else "updated"
                return
            # The page now carries another stored article's text: it is a copy of that one.

        declared = extracted.canonical_url
        if own is None and declared:
            origin = find_article(session, declared)
            if origin is not None and origin.lang == item.lang:
                score = self._similarity(session, origin, item.content_hash, values)
                if score is not None and score >= self.index.threshold:
                    item.outcome, item.duplicate_of, item.similarity = "syndicated", origin.id, score
                    return

        if same_text is not None:
            item.outcome, item.duplicate_of, item.similarity = "duplicate", same_text.id, 1.0
            return

        if values is not None:
            with self.index.using(session):
                self.index.refresh()
                match = self.index.best_match(item.lang, values)
            # The database is the truth: a match counts only as its stored signature confirms it (an index
            # that outlived its database, or an entry older than the article's text, matches nothing).
            stored = fingerprint_of(session, match.article_id) if match is not None else None
            if match is not None and stored is not None:
                score = similarity(from_bytes(stored.signature), values)
                if score >= self.index.threshold:
                    # Stored by another worker after the hash lookup above: the same text is still a duplicate.
                    original = session.get(Article, match.article_id)
                    if original is not None and original.content_hash == item.content_hash:
                        item.outcome, item.duplicate_of, item.similarity = "duplicate", match.article_id, 1.0
                    else:
                        item.outcome, item.duplicate_of, item.similarity = "near_duplicate", match.article_id, score
                    return
        item.outcome = "new"

    @staticmethod
    def _similarity(session: Session, article: Article, text_hash: str, values: Signature | None) -> float | None:
        """How close the page's text is to the article's: 1.0 for the same body, else the estimate."""
        if article.content_hash == text_hash:
            return 1.0
        stored = fingerprint_of(session, article.id)
        if stored is None or values is None:
            return None
        return similarity(from_bytes(stored.signature), values)


class DedupeStep(Step):
    """Decides the item's outcome inside the item's unit of work (:mod:`crawler.pipelines.persist`)."""

    def open_spider(self) -> None:
        self.deduplicator = Deduplicator(near_index.from_crawler(self.crawler))

    def process(self, session: Session, item: ArticleItem) -> None:
        self.deduplicator.classify(session, item, self.source)
        self.count(f"dedupe/{item.outcome}")

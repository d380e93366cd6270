"""Step 4: is this page new, a changed version, unchanged, or a copy of a stored article?

The database's unique constraints (canonical URL, content hash) are the source of truth.
"""

from __future__ import annotations

from crawler.dedup import content_hash
from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from storage.articles import find_by_hash, find_by_url
from storage.db import session_scope


class DedupePipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.extracted is not None
        item.content_hash = content_hash(item.extracted.body)
        with session_scope(self.database_url) as session:
            known = find_by_url(session, item.extracted.canonical_url, item.url, item.final_url)
            same_text = find_by_hash(session, item.content_hash)
            if known is not None and (same_text is None or same_text.id == known.id):
                item.article_id = known.id
                item.outcome = "unchanged" if known.content_hash == item.content_hash else "updated"
            elif same_text is not None:
                item.outcome, item.duplicate_of, item.similarity = "duplicate", same_text.id, 1.0
            else:
                item.outcome = "new"
        self.count(f"dedupe/{item.outcome}")
        return item

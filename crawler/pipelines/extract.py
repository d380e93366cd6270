"""Step 1: page HTML → article fields (trafilatura). No I/O."""

from __future__ import annotations

from crawler.extract.article import extract_article
from crawler.items import ArticleItem
from crawler.pipelines.base import Step


class ExtractPipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        edition = self.source.edition(item.edition_lang)
        item.extracted = extract_article(
            item.html, item.final_url, timezone=self.source.timezone_of(edition), hints=item.hints
        )
        return item

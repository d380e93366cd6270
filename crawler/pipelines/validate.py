"""Step 3: drop what is not an article of the edition, counted by reason."""

from __future__ import annotations

from crawler.items import ArticleItem
from crawler.pipelines.base import Step
from crawler.validation import drop_reason


class ValidatePipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.extracted is not None
        reason = drop_reason(item.extracted, item.lang, item.edition_lang)
        if reason is not None:
            detail = f"detected {item.lang}, edition {item.edition_lang}" if reason == "wrong_language" else ""
            raise self.drop(reason, item, detail)
        return item

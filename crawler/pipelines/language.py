"""Step 2: the language of the body (seeded langdetect, checked against script and declaration)."""

from __future__ import annotations

from crawler.extract.language import detect_language
from crawler.items import ArticleItem
from crawler.pipelines.base import Step


class LanguagePipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.extracted is not None
        text = "\n".join(filter(None, [item.extracted.title, item.extracted.body]))
        guess = detect_language(text, item.extracted.declared_lang)
        item.lang, item.lang_confidence = guess.lang, guess.confidence
        return item

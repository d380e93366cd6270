"""Step 3: drop what is not an article of the edition, counted by reason; clear what it cannot claim.

An implausible date (crawler.extract.validation: before 1990 or over a day past the fetch) is cleared and
counted ``newsagg/dates/implausible``: the article is kept without that date. URLs too long for the
database are set aside and counted ``newsagg/urls/too_long``; a page whose own address is too long is
dropped as ``url_too_long``.
"""

from __future__ import annotations

from crawler.extract.validation import (
    drop_reason,
    fits,
    hint_alternates_that_fit,
    without_implausible_dates,
    without_oversized_urls,
)
from crawler.items import ArticleItem
from crawler.pipelines.base import Step


class ValidatePipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.extracted is not None
        reason = drop_reason(item.extracted, item.lang, item.edition_lang)
        if reason is None and not (fits(item.url) and fits(item.final_url)):
            reason = "url_too_long"
        if reason is not None:
            detail = f"detected {item.lang}, edition {item.edition_lang}" if reason == "wrong_language" else ""
            raise self.drop(reason, item, detail)
        item.extracted, cleared = without_implausible_dates(item.extracted, item.fetched_at)
        if cleared:
            self.count("dates/implausible", cleared)
        item.extracted, removed = without_oversized_urls(item.extracted)
        if "alternates" in item.hints:
            kept = hint_alternates_that_fit(item.hints)
            removed += len(item.hints["alternates"]) - len(kept)
            item.hints["alternates"] = kept
        if removed:
            self.count("urls/too_long", removed)
        return item

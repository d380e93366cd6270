"""Step 6 (in the unit of work): link the article with its other-language versions, now or when they arrive.

Declared evidence is read from the page (hreflang, og:locale, switcher links) and from the sitemap
that listed it (its alternates arrive in the item's hints). For a new or changed text (or a copy
that changed publisher) the article's content links are checked again, then the source's URL-id
pattern and content evidence are tried (see :mod:`crawler.linking.article_linker`). Outcomes are counted as
``newsagg/link/<method>/<outcome>``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crawler.items import ArticleItem
from crawler.linking.article_linker import Linker, LinkSettings, sitemap_alternates
from crawler.pipelines.base import Step
from settings.sources import Source
from storage.articles import source_keys
from storage.models import Article


class LinkStep(Step):
    """Links the item's article inside the item's unit of work (:mod:`crawler.pipelines.persist`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.linker = Linker(LinkSettings.from_settings(self.crawler.settings), lambda key: self.count(f"link/{key}"))
        self._keys: dict[int, str | None] = {}

    @property
    def sources(self) -> dict[str, Source]:
        # Copies and promoted copies belong to other sources: their URL-id patterns are needed too. The
        # spider loaded (and validated) every configured source before the crawl started.
        registry: dict[str, Source] = getattr(self.crawler.spider, "registry")  # noqa: B009 - set by NewsSpider
        return registry

    def process(self, session: Session, item: ArticleItem) -> None:
        # Copies count too: a copy's declared translations are translations of the same text, and a copy
        # that became the article (an earlier publisher) brings the URL that pending links wait for.
        if item.article_id is None:
            return
        assert item.extracted is not None
        article = session.get_one(Article, item.article_id)
        source = self._source_of(session, article.source_id)
        pattern = source.translations.url_id if source and source.translations else None
        changed = self.linker.refresh(session, article, pattern, known=source is not None)
        alternates = [*item.extracted.alternate_links, *sitemap_alternates(item.hints)]
        self.linker.declared(session, article, alternates)
        self.linker.resolve_pending(session, article)
        if changed:
            self.linker.recheck(session, article)
            self.linker.url_ids(session, article)
            self.linker.content(session, article)

    def _source_of(self, session: Session, source_id: int) -> Source | None:
        if source_id not in self._keys:
            self._keys[source_id] = source_keys(session, source_id).get(source_id)
        key = self._keys[source_id]
        return self.sources.get(key) if key else None

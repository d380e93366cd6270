"""Step 6: link the article with its other-language versions, now or when they arrive.

Declared evidence is read from the page (hreflang, og:locale, switcher links) and from the sitemap
that listed it (its alternates arrive in the item's hints). For a new or changed text (or a copy
that changed publisher) the article's content links are checked again, then the source's URL-id
pattern and content evidence are tried (see :mod:`crawler.linking.article_linker`). Outcomes are counted as
``newsagg/link/<method>/<outcome>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from crawler.items import ArticleItem
from crawler.linking.article_linker import Linker, LinkSettings, sitemap_alternates
from crawler.pipelines.base import Step
from settings.sources import Source, SourceConfigError, load_sources
from storage.db import session_scope
from storage.models import Article, SourceRow


class LinkPipeline(Step):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.linker = Linker(LinkSettings.from_settings(self.crawler.settings), lambda key: self.count(f"link/{key}"))
        self._sources: dict[str, Source] = {}
        self._keys: dict[int, str | None] = {}

    def open_spider(self) -> None:
        # Copies and promoted copies belong to other sources: their URL-id patterns are needed too.
        paths = [Path(p) for p in self.crawler.settings.getlist("NEWSAGG_SOURCE_PATHS")]
        paths += list(getattr(self.crawler.spider, "extra_sources", []))
        try:
            self._sources = load_sources(paths)
        except SourceConfigError:  # the spider has loaded the same files already; keep its own source
            self._sources = {}
        self._sources.setdefault(self.source.key, self.source)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        # Copies count too: a copy's declared translations are translations of the same text, and a copy
        # that became the article (an earlier publisher) brings the URL that pending links wait for.
        if item.article_id is None:
            return item
        assert item.extracted is not None
        with session_scope(self.database_url) as session:
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
        return item

    def _source_of(self, session: Any, source_id: int) -> Source | None:
        if source_id not in self._keys:
            self._keys[source_id] = session.scalar(select(SourceRow.key).where(SourceRow.id == source_id))
        key = self._keys[source_id]
        return self._sources.get(key) if key else None

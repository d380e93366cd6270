"""Step 6: link the article with its other-language versions, now or when they arrive."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.items import ArticleItem
from crawler.linking import method_score
from crawler.pipelines.base import Step
from crawler.urls import canonicalize
from storage import groups
from storage.articles import find_by_url
from storage.db import session_scope
from storage.models import Article, ArticleUrl


class LinkPipeline(Step):
    def process_item(self, item: ArticleItem) -> ArticleItem:
        # Copies count too: a copy's declared translations are translations of the same text, and a copy
        # that became the article (an earlier publisher) brings the URL that pending links wait for.
        if item.article_id is None:
            return item
        assert item.extracted is not None
        with session_scope(self.database_url) as session:
            article = session.get_one(Article, item.article_id)
            for alternate in item.extracted.alternate_links:
                if alternate.lang == article.lang:
                    continue
                target = canonicalize(alternate.url)
                other = find_by_url(session, target)
                if other is None:
                    groups.add_pending(session, article, target, alternate.lang, alternate.method)
                    self.count("link/pending")
                else:
                    self._link(session, article, other, alternate.method)
            self._resolve_pending(session, article)
        return item

    def _link(self, session: Session, a: Article, b: Article, method: str) -> None:
        result = groups.link(session, a, b, method, method_score(method))
        self.count(f"link/{result.reason}")

    def _resolve_pending(self, session: Session, article: Article) -> None:
        urls = list(session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article.id)))
        for pending in groups.pending_for(session, [article.canonical_url, *urls]):
            waiting = session.get_one(Article, pending.article_id)
            self._link(session, waiting, article, pending.method)
            groups.resolve(session, pending)

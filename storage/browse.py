"""Read-only queries for the operator dashboard and the HTTP API (``newsagg serve``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.jobs import recent_jobs
from storage.models import Article, ArticleUrl, CrawlJob, SourceRow, TranslationLink
from storage.types import utcnow


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _brief(article: Article, source: str) -> dict[str, Any]:
    return {
        "id": article.id,
        "source": source,
        "lang": article.lang,
        "title": article.title,
        "url": article.canonical_url,
        "published_at": _iso(article.published_at),
        "first_fetched_at": _iso(article.first_fetched_at),
        "group_id": article.group_id,
    }


def _translations(session: Session, articles: Sequence[Article]) -> dict[int, list[dict[str, Any]]]:
    """The other members of each article's translation group, by group id."""
    group_ids = {a.group_id for a in articles if a.group_id is not None}
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not group_ids:
        return members
    rows = session.execute(
        select(Article, SourceRow.key)
        .join(SourceRow, Article.source_id == SourceRow.id)
        .where(Article.group_id.in_(group_ids))
        .order_by(Article.lang, Article.id)
    )
    for article, source in rows:
        assert article.group_id is not None
        members[article.group_id].append(_brief(article, source))
    return members


def recent_articles(
    session: Session, limit: int = 20, lang: str | None = None, source: str | None = None
) -> list[dict[str, Any]]:
    """The newest stored articles, each with its translations (the rest of its group)."""
    query = (
        select(Article, SourceRow.key)
        .join(SourceRow, Article.source_id == SourceRow.id)
        .order_by(Article.first_fetched_at.desc(), Article.id.desc())
        .limit(limit)
    )
    if lang:
        query = query.where(Article.lang == lang)
    if source:
        query = query.where(SourceRow.key == source)
    rows = session.execute(query).all()
    groups = _translations(session, [article for article, _ in rows])
    result = []
    for article, key in rows:
        item = _brief(article, key)
        item["translations"] = [m for m in groups.get(article.group_id or -1, []) if m["id"] != article.id]
        result.append(item)
    return result


def article_detail(session: Session, article_id: int) -> dict[str, Any] | None:
    """One article with its text, every URL seen for it, its translations and the links' evidence."""
    row = session.execute(
        select(Article, SourceRow.key)
        .join(SourceRow, Article.source_id == SourceRow.id)
        .where(Article.id == article_id)
    ).first()
    if row is None:
        return None
    article, key = row
    item = _brief(article, key)
    item.update(
        description=article.description,
        body=article.body,
        authors=list(article.authors or []),
        tags=list(article.tags or []),
        modified_at=_iso(article.modified_at),
        last_fetched_at=_iso(article.last_fetched_at),
        version=article.version,
        urls=[
            {"url": u.url, "kind": u.kind, "similarity": u.similarity}
            for u in session.scalars(
                select(ArticleUrl).where(ArticleUrl.article_id == article.id).order_by(ArticleUrl.id)
            )
        ],
    )
    item["translations"] = [
        m for m in _translations(session, [article]).get(article.group_id or -1, []) if m["id"] != article.id
    ]
    item["links"] = [
        {"articles": [link.article_id, link.other_article_id], "method": link.method, "score": link.score}
        for link in session.scalars(
            select(TranslationLink).where(
                or_(TranslationLink.article_id == article.id, TranslationLink.other_article_id == article.id)
            )
        )
    ]
    return item


def articles_per_day(session: Session, days: int = 14, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Articles first fetched on each of the last ``days`` UTC days, by language (newest day first)."""
    now = now or utcnow()
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    counts: dict[str, dict[str, int]] = {
        (now - timedelta(days=offset)).strftime("%Y-%m-%d"): {} for offset in range(days)
    }
    for moment, lang in session.execute(
        select(Article.first_fetched_at, Article.lang).where(Article.first_fetched_at >= start)
    ):
        day = counts.setdefault(moment.strftime("%Y-%m-%d"), {})
        day[lang] = day.get(lang, 0) + 1
    return counts


def source_overview(session: Session, recent: int = 10) -> list[dict[str, Any]]:
    """Per source: articles by language, the latest run, the latest healthy run, the recent error rate."""
    names = dict(session.execute(select(SourceRow.key, SourceRow.name)).all())
    by_lang: dict[str, dict[str, int]] = defaultdict(dict)
    for key, lang, count in session.execute(
        select(SourceRow.key, Article.lang, func.count(Article.id))
        .join(Article, Article.source_id == SourceRow.id)
        .group_by(SourceRow.key, Article.lang)
    ):
        by_lang[key][lang] = count
    keys = sorted(set(names) | set(session.scalars(select(CrawlJob.source_key).distinct())))
    overview = []
    for key in keys:
        runs = recent_jobs(session, limit=recent, source_key=key)
        last_success = session.scalar(
            select(func.max(CrawlJob.finished_at)).where(CrawlJob.source_key == key, CrawlJob.status == "finished")
        )
        overview.append(
            {
                "source": key,
                "name": names.get(key, key),
                "articles": sum(by_lang[key].values()),
                "by_lang": dict(sorted(by_lang[key].items())),
                "last_status": runs[0].status if runs else None,
                "last_started_at": _iso(runs[0].started_at) if runs else None,
                "last_success_at": _iso(last_success),
                "running": sum(1 for run in runs if run.status == "running"),
                "error_rate": _error_rate(runs),
                "drop_rate": _drop_rate(runs),
            }
        )
    return overview


def _error_rate(runs: Sequence[CrawlJob]) -> float | None:
    """Failed requests over requests with an answer, across ``runs`` (as the error_rate rule counts)."""
    errors = answered = 0
    for run in runs:
        run_errors = sum(int(v) for v in (run.errors or {}).values())
        measures = (run.health or {}).get("measures") or {}
        errors += run_errors
        # Rows written before the health rules existed: every response counts as answered.
        answered += int(measures.get("answered", max(run.pages - run_errors, 0)))
    return round(errors / (errors + answered), 4) if errors + answered else None


def _drop_rate(runs: Sequence[CrawlJob]) -> float | None:
    """Items dropped over items that reached the pipeline, across ``runs``."""
    dropped = sum(sum(int(v) for v in (run.dropped or {}).values()) for run in runs)
    kept = sum(run.stored + run.updated + run.unchanged + run.duplicates for run in runs)
    return round(dropped / (dropped + kept), 4) if dropped + kept else None

"""The summary shown by ``newsagg stats`` and at the end of ``newsagg demo``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.articles import DUPLICATE_KINDS
from storage.groups import group_count
from storage.models import Article, ArticleUrl, CrawlJob, SourceRow


def summary(session: Session, job_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """Articles by language and source, groups and duplicates; drops and errors of the given jobs (or all)."""
    by_lang = dict(
        session.execute(select(Article.lang, func.count()).group_by(Article.lang).order_by(Article.lang)).all()
    )
    by_source = dict(
        session.execute(
            select(SourceRow.key, func.count(Article.id))
            .join(Article, Article.source_id == SourceRow.id)
            .group_by(SourceRow.key)
            .order_by(SourceRow.key)
        ).all()
    )
    duplicates = dict(
        session.execute(
            select(ArticleUrl.kind, func.count()).where(ArticleUrl.kind.in_(DUPLICATE_KINDS)).group_by(ArticleUrl.kind)
        ).all()
    )
    jobs_query = select(CrawlJob)
    if job_ids is not None:
        jobs_query = jobs_query.where(CrawlJob.id.in_(job_ids))
    dropped: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for job in session.scalars(jobs_query):
        dropped.update(job.dropped or {})
        errors.update(job.errors or {})
    return {
        "articles": sum(by_lang.values()),
        "by_lang": by_lang,
        "by_source": by_source,
        "groups": group_count(session),
        "duplicates": duplicates,
        "dropped": dict(sorted(dropped.items())),
        "errors": dict(sorted(errors.items())),
    }


def run_figures(jobs: Sequence[CrawlJob]) -> dict[str, Any]:
    """What the given runs did, added up: pages fetched, articles new and updated, drops and errors by reason."""
    dropped: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for job in jobs:
        dropped.update(job.dropped or {})
        errors.update(job.errors or {})
    return {
        "pages": sum(job.pages for job in jobs),
        "new": sum(job.stored for job in jobs),
        "updated": sum(job.updated for job in jobs),
        "unchanged": sum(job.unchanged for job in jobs),
        "duplicates": sum(job.duplicates for job in jobs),
        "dropped": dict(sorted(dropped.items())),
        "errors": dict(sorted(errors.items())),
    }

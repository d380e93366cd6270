"""What ``/metrics`` reports, read from the database: sums over every crawl job row, and counts of what the
article tables hold now (crawler/ops/metrics.py turns them into Prometheus families)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleUrl, CrawlJob, SourceRow, TranslationLink


@dataclass
class JobFigures:
    sums: dict[str, dict[str, float]] = field(default_factory=dict)  # source -> job column -> sum over rows
    statuses: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (source, status)
    dropped: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (source, reason)
    errors: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (source, kind)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # of ended jobs, seconds
    last_success: dict[str, datetime] = field(default_factory=dict)  # end of the latest finished job


@dataclass
class ContentFigures:
    articles: list[tuple[str, str, int]]  # (source, lang, stored articles)
    urls: list[tuple[str, int]]  # (kind, recorded URLs)
    links: list[tuple[str, int]]  # (method, translation links)
    groups: int  # stories with linked translations


def job_figures(session: Session, columns: Sequence[str]) -> JobFigures:
    """The sums of the job ``columns`` per source, and the per-row maps and times of every job row."""
    figures = JobFigures()
    sums = select(CrawlJob.source_key, *(func.sum(getattr(CrawlJob, column)) for column in columns))
    for source, *values in session.execute(sums.group_by(CrawlJob.source_key)):
        figures.sums[source] = {column: float(value or 0) for column, value in zip(columns, values, strict=True)}
    rows = select(
        CrawlJob.source_key,
        CrawlJob.status,
        CrawlJob.dropped,
        CrawlJob.errors,
        CrawlJob.started_at,
        CrawlJob.finished_at,
    )
    for source, status, dropped, errors, started, finished in session.execute(rows):
        figures.statuses[(source, status)] += 1
        _add(figures.dropped, source, dropped)
        _add(figures.errors, source, errors)
        if finished is not None:
            figures.durations[source].append((finished - started).total_seconds())
    latest = (
        select(CrawlJob.source_key, func.max(CrawlJob.finished_at))
        .where(CrawlJob.status == "finished")
        .group_by(CrawlJob.source_key)
    )
    figures.last_success = {source: moment for source, moment in session.execute(latest) if moment is not None}
    return figures


def content_figures(session: Session) -> ContentFigures:
    articles = (
        select(SourceRow.key, Article.lang, func.count(Article.id))
        .join(Article, Article.source_id == SourceRow.id)
        .group_by(SourceRow.key, Article.lang)
        .order_by(SourceRow.key, Article.lang)
    )
    urls = select(ArticleUrl.kind, func.count()).group_by(ArticleUrl.kind)
    links = select(TranslationLink.method, func.count()).group_by(TranslationLink.method)
    return ContentFigures(
        articles=[(source, lang, count) for source, lang, count in session.execute(articles)],
        urls=[(kind, count) for kind, count in session.execute(urls)],
        links=[(method, count) for method, count in session.execute(links)],
        groups=session.scalar(select(func.count(func.distinct(Article.group_id)))) or 0,
    )


def _add(target: dict[tuple[str, str], int], source: str, counts: Mapping[str, Any] | None) -> None:
    for key, value in (counts or {}).items():
        target[(source, str(key))] += int(value)

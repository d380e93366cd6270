"""Prometheus metrics derived from the database, so that crawls in any process show up.

Crawls run in processes of their own (often on other machines), so in-process counters would see
none of them. This collector reads ``crawl_jobs`` and the article tables when ``/metrics`` is
scraped: the ``*_total`` counters are sums over every job row (a row's figures only grow, so the
sums only grow while rows are kept), the rest are gauges of what the database holds now.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from storage.db import session_scope
from storage.metric_figures import content_figures, job_figures

# Job counters: column -> (metric name without _total, help).
JOB_COUNTERS = {
    "pages": ("newsagg_pages_fetched", "Responses received by crawls, per source."),
    "stored": ("newsagg_items_stored", "New articles stored by crawls, per source."),
    "updated": ("newsagg_items_updated", "Articles whose text changed, stored as a new version, per source."),
    "unchanged": ("newsagg_items_unchanged", "Articles fetched again without a change, per source."),
    "duplicates": ("newsagg_duplicates", "Copies of stored articles recorded by crawls, per source."),
}


class DatabaseCollector(Collector):
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("newsagg_database_up", "1 when the database answered this scrape.")
        try:
            with session_scope(self.database_url) as session:
                families = [*_job_metrics(session), *_content_metrics(session)]
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _job_metrics(session: Session) -> list[Metric]:
    figures = job_figures(session, list(JOB_COUNTERS))
    counters = {
        column: CounterMetricFamily(name, text, labels=["source"]) for column, (name, text) in JOB_COUNTERS.items()
    }
    for source, sums in figures.sums.items():
        for column, value in sums.items():
            counters[column].add_metric([source], value)
    dropped_family = CounterMetricFamily(
        "newsagg_items_dropped", "Pages not stored as articles, per source and reason.", labels=["source", "reason"]
    )
    for (source, reason), count in sorted(figures.dropped.items()):
        dropped_family.add_metric([source, reason], count)
    error_family = CounterMetricFamily(
        "newsagg_errors", "Requests that failed for good, per source and kind.", labels=["source", "kind"]
    )
    for (source, kind), count in sorted(figures.errors.items()):
        error_family.add_metric([source, kind], count)
    jobs_family = GaugeMetricFamily(
        "newsagg_jobs", "Crawl job rows per source and status.", labels=["source", "status"]
    )
    for (source, status), count in sorted(figures.statuses.items()):
        jobs_family.add_metric([source, status], count)
    duration_family = SummaryMetricFamily(
        "newsagg_job_duration_seconds", "Duration of ended crawl jobs, per source.", labels=["source"]
    )
    for source, values in sorted(figures.durations.items()):
        duration_family.add_metric([source], count_value=len(values), sum_value=sum(values))
    last_success = GaugeMetricFamily(
        "newsagg_last_success_timestamp_seconds",
        "When the source's latest finished (healthy) crawl ended, as a Unix time.",
        labels=["source"],
    )
    for source, moment in figures.last_success.items():
        last_success.add_metric([source], moment.timestamp())
    return [*counters.values(), dropped_family, error_family, jobs_family, duration_family, last_success]


def _content_metrics(session: Session) -> list[Metric]:
    figures = content_figures(session)
    articles = GaugeMetricFamily(
        "newsagg_articles", "Stored articles per source and language.", labels=["source", "lang"]
    )
    for source, lang, count in figures.articles:
        articles.add_metric([source, lang], count)
    urls = GaugeMetricFamily(
        "newsagg_article_urls", "URLs recorded for stored articles, per kind (duplicates included).", labels=["kind"]
    )
    for kind, count in figures.urls:
        urls.add_metric([kind], count)
    links = GaugeMetricFamily(
        "newsagg_translation_links", "Translation links between articles, per method.", labels=["method"]
    )
    for method, count in figures.links:
        links.add_metric([method], count)
    groups = GaugeMetricFamily("newsagg_translation_groups", "Stories with linked translations.")
    groups.add_metric([], figures.groups)
    return [articles, urls, links, groups]


def registry_for(database_url: str) -> CollectorRegistry:
    """A registry holding only the database collector (no process metrics of the web server)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(database_url))
    return registry

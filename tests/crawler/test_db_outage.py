"""A database outage while items are stored: waited out, so it costs time and never an article."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.db import session_scope, upgrade
from storage.models import Article

from ..conftest import fresh_postgres_database
from ..fault_proxy import FaultProxy
from .dedup_pages import HARBOUR, TRAINS, Pipeline, article_html

pytestmark = pytest.mark.postgres

HARBOUR_URL = "https://paper.example/news/harbour-wall"
TRAINS_URL = "https://paper.example/news/night-trains"


def test_an_item_stored_during_an_outage_is_stored_when_the_database_is_back(tmp_path):
    with fresh_postgres_database() as url, FaultProxy(5432) as proxy:
        upgrade(url)
        through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        paper = Pipeline(through_proxy, tmp_path, "paper", {"NEWSAGG_DB_RETRY_SECONDS": 30})
        try:
            first = paper.page(HARBOUR_URL, article_html("Harbour wall", HARBOUR, canonical=HARBOUR_URL))
            proxy.outage(2.0)  # the pool's connections are cut and none can be made for two seconds
            second = paper.page(TRAINS_URL, article_html("Night trains", TRAINS, canonical=TRAINS_URL))
            retried = paper.stats().get("newsagg/db/retried", 0)
        finally:
            paper.close()
        assert (first.outcome, second.outcome) == ("new", "new")
        assert retried >= 1
        with session_scope(url) as session:
            assert session.scalar(select(func.count()).select_from(Article)) == 2


def test_an_error_in_the_work_itself_is_not_repeated(tmp_path):
    from sqlalchemy.exc import IntegrityError

    from storage.retry import retrying

    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with pytest.raises(IntegrityError):
        retrying(failing, 30, sleep=lambda _pause: None)
    assert calls == [1]


def test_a_progress_write_that_fails_does_not_stop_the_next_ones(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from crawler.ops.job_recorder import JobRecorder
    from storage.models import CrawlJob

    from ..conftest import project_settings

    with fresh_postgres_database() as url, FaultProxy(5432) as proxy:
        upgrade(url)
        through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        settings = {"NEWSAGG_DATABASE_URL": through_proxy, "NEWSAGG_JOB_UPDATE_INTERVAL": 0}
        crawler = get_crawler(Spider, project_settings(settings))
        recorder = JobRecorder.from_crawler(crawler)
        recorder.spider_opened(Spider(name="paper"))
        assert crawler.stats is not None and recorder.job_id is not None
        try:
            crawler.stats.set_value("response_received_count", 3)
            proxy.outage(30)
            recorder.record_progress()  # logged, not raised: a ticker would go on
            proxy.outage(0)
            crawler.stats.set_value("response_received_count", 5)
            recorder.record_progress()
        finally:
            recorder.database.close()
        with session_scope(url) as session:
            assert session.get_one(CrawlJob, recorder.job_id).pages == 5


def test_a_page_whose_lookup_fails_in_an_outage_is_downloaded_not_lost(tmp_path):
    from scrapy import Request

    from crawler.fetch.incremental import SeenUrlMiddleware

    with fresh_postgres_database() as url, FaultProxy(5432) as proxy:
        upgrade(url)
        through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        paper = Pipeline(through_proxy, tmp_path, "paper")
        try:
            paper.page(HARBOUR_URL, article_html("Harbour wall", HARBOUR, canonical=HARBOUR_URL))
            middleware = SeenUrlMiddleware.from_crawler(paper.crawler)
            middleware.spider_opened(paper.crawler.spider)
            request = Request(TRAINS_URL, meta={"article": True, "edition": "en", "hints": {}})
            proxy.outage(30)
            middleware.check(request)  # not skipped, and no error: the page is fetched
            failed = paper.stats().get("newsagg/db/seen_lookup_failed", 0)
        finally:
            proxy.outage(0)
            paper.close()
        assert failed == 1

"""Slow and failing servers: timeouts and resets are retried then counted, Retry-After is honoured,
5xx bursts are retried with backoff, and one failing edition does not stop the others.

Crawled with short waits (DOWNLOAD_TIMEOUT 2 s, NEWSAGG_RETRY_BACKOFF 0.25 s) so the cases end quickly;
the shipped retry count (RETRY_TIMES 2: three requests in all) is kept. Waits are checked from the
server's side as lower bounds only: a busy machine makes them longer, never shorter.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.utils import formatdate
from itertools import pairwise
from time import time

import pytest

from settings import crawl as shipped

from .server import Exchange, HostileServer
from .site import Case, Crawl, Stories, article_html, crawl, rss, serve, serve_xml

STORIES = Stories()
FEED = "application/rss+xml"
BACKOFF = 0.25
OVERRIDES = {
    "DOWNLOAD_TIMEOUT": 2,
    "NEWSAGG_RETRY_BACKOFF": BACKOFF,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
}
ATTEMPTS = shipped.RETRY_TIMES + 1


def one_article(key: str, page, **options) -> Case:
    return Case(
        key, lambda base: {"feed.xml": serve_xml(rss([(f"{base}/a/1", "an article")]), FEED), "a/1": page}, **options
    )


def hang(exchange: Exchange) -> None:
    exchange.wait(30)


def drip(exchange: Exchange) -> None:
    """Headers at once, then a byte every 0.3 s: never done within the download timeout."""
    exchange.head()
    for _ in range(200):
        if not exchange.write(b" "):
            return
        exchange.wait(0.3)


def reset(exchange: Exchange) -> None:
    exchange.reset()


def reset_mid_body(exchange: Exchange) -> None:
    exchange.head(headers=[("Content-Length", "100000")])
    exchange.write(b"<html><body><p>" + b"x" * 5000)
    exchange.reset()


def hang_up(exchange: Exchange) -> None:
    """Close the connection without a word."""
    exchange.handler.close_connection = True


def status_then_page(statuses: list[tuple[int, list[tuple[str, str]]]], page: str):
    """Answer the n-th request with ``statuses[n]``, and with ``page`` once they are used up."""

    def route(exchange: Exchange) -> None:
        if exchange.number <= len(statuses):
            status, headers = statuses[exchange.number - 1]
            exchange.reply(b"busy", status=status, content_type="text/plain", headers=headers)
        else:
            exchange.reply(page.encode())

    return route


def retry_after_date(page: str):
    def route(exchange: Exchange) -> None:
        if exchange.number == 1:
            when = formatdate(time() + 3, usegmt=True)
            exchange.reply(b"busy", status=503, content_type="text/plain", headers=[("Retry-After", when)])
        else:
            exchange.reply(page.encode())

    return route


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SECONDS = STORIES.take()
DATE = STORIES.take()
BURST = STORIES.take()
EDITION_EN = STORIES.take()
NEVER = STORIES.take()


def two_editions(base: str) -> list[dict]:
    dead = f"http://127.0.0.1:{closed_port()}"
    return [
        {"lang": "ru", "domains": ["127.0.0.1"], "feeds": [f"{dead}/ru/feed.xml"], "article_urls": [f"^{dead}/ru/"]},
        {"lang": "en", "domains": ["127.0.0.1"], "feeds": [f"{base}/feed.xml"], "article_urls": [f"^{base}/a/"]},
    ]


CASES = [
    one_article("timeout", hang),
    one_article("slow-drip", drip),
    one_article("connection-reset", reset),
    one_article("reset-mid-body", reset_mid_body),
    one_article("no-response", hang_up),
    one_article("not-found", serve(b"gone", status=404, content_type="text/plain")),
    one_article("retry-after-seconds", status_then_page([(429, [("Retry-After", "2")])], article_html(SECONDS))),
    one_article("retry-after-date", retry_after_date(article_html(DATE))),
    one_article("retry-after-too-long", status_then_page([(429, [("Retry-After", "86400")])], article_html(NEVER))),
    one_article("5xx-burst", status_then_page([(503, []), (502, [])], article_html(BURST))),
    one_article("5xx-forever", serve(b"down", status=500, content_type="text/plain")),
    Case(
        "one-failing-edition",
        lambda base: {"feed.xml": serve_xml(rss([(f"{base}/a/1", "x")]), FEED), "a/1": serve(article_html(EDITION_EN))},
        editions=two_editions,
    ),
]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    folder = tmp_path_factory.mktemp("failing")
    with HostileServer() as server:
        yield crawl(server, CASES, folder, f"sqlite:///{folder / 'failing.db'}", OVERRIDES)


def assert_failed_as(crawled: Crawl, key: str, kind: str, attempts: int = ATTEMPTS) -> None:
    job = crawled.job(key)
    assert (job.errors, crawled.articles(key)) == ({kind: 1}, []), crawled.outcome(key)
    assert crawled.server.count(f"/{key}/a/1") == attempts


def gaps(crawled: Crawl, path: str) -> list[float]:
    times = [hit.at for hit in crawled.server.hits(path)]
    return [later - earlier for earlier, later in pairwise(times)]


def stored(crawled: Crawl, key: str):
    articles = crawled.articles(key)
    assert len(articles) == 1, crawled.outcome(key)
    return articles[0]


# --- timeouts and broken connections ------------------------------------------------------------------------


def test_a_server_that_never_answers_is_retried_then_counted_as_timeout(crawled):
    assert_failed_as(crawled, "timeout", "timeout")


def test_a_body_dripping_slower_than_the_download_timeout_is_cut_off(crawled):
    assert_failed_as(crawled, "slow-drip", "timeout")


def test_a_connection_reset_is_retried_then_counted(crawled):
    assert_failed_as(crawled, "connection-reset", "connection")


def test_a_reset_in_the_middle_of_the_body_is_retried_then_counted_as_truncated(crawled):
    assert_failed_as(crawled, "reset-mid-body", "truncated")


def test_a_server_hanging_up_without_an_answer_is_retried_then_counted(crawled):
    assert_failed_as(crawled, "no-response", "connection")


def test_retries_of_failed_connections_back_off(crawled):
    assert crawled.stat("connection-reset", "retry/backoff") == shipped.RETRY_TIMES
    first, second = gaps(crawled, "/connection-reset/a/1")
    assert first >= BACKOFF and second >= 2 * BACKOFF


def test_a_404_is_counted_and_not_retried(crawled):
    assert_failed_as(crawled, "not-found", "http_404", attempts=1)


# --- 429 and 5xx --------------------------------------------------------------------------------------------


def test_retry_after_in_seconds_is_honoured(crawled):
    assert stored(crawled, "retry-after-seconds").title == SECONDS.title
    (gap,) = gaps(crawled, "/retry-after-seconds/a/1")
    assert gap >= 2
    assert crawled.stat("retry-after-seconds", "retry/retry_after") == 1


def test_retry_after_as_an_http_date_is_honoured(crawled):
    assert stored(crawled, "retry-after-date").title == DATE.title
    (gap,) = gaps(crawled, "/retry-after-date/a/1")
    assert gap >= 1.5  # the date has whole seconds: 3 s ahead, less the part of a second already gone


def test_a_retry_after_beyond_the_longest_wait_is_not_retried_early(crawled):
    assert_failed_as(crawled, "retry-after-too-long", "http_429", attempts=1)
    assert crawled.stat("retry-after-too-long", "retry/retry_after_too_long") == 1


def test_a_5xx_burst_is_retried_with_backoff_and_the_page_stored(crawled):
    assert stored(crawled, "5xx-burst").title == BURST.title
    first, second = gaps(crawled, "/5xx-burst/a/1")
    assert first >= BACKOFF and second >= 2 * BACKOFF


def test_a_server_failing_every_time_is_counted_after_the_retries(crawled):
    assert_failed_as(crawled, "5xx-forever", "http_500")
    assert crawled.scrapy_stat("5xx-forever", "retry/max_reached") == 1


# --- one failing edition ------------------------------------------------------------------------------------


def test_one_failing_edition_does_not_stop_the_others(crawled):
    job = crawled.job("one-failing-edition")
    assert job.errors == {"connection": 1}, crawled.outcome("one-failing-edition")
    assert job.status != "failed"
    article = stored(crawled, "one-failing-edition")
    assert (article.title, article.lang) == (EDITION_EN.title, "en")


def test_every_case_was_crawled_to_the_end_without_a_spider_error(crawled):
    for case in CASES:
        assert crawled.job(case.key).finished_at is not None, crawled.outcome(case.key)
        assert crawled.scrapy_stat(case.key, "spider_exceptions/count") == 0, crawled.outcome(case.key)
    # Scrapy's robots.txt middleware logs a traceback for a host it cannot reach; none may pass our code.
    assert "/crawler/" not in crawled.log and "/storage/" not in crawled.log, crawled.log[-3000:]

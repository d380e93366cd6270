"""One unit of work per item: dedupe, store and link share a transaction, and its queries do not grow with
the URLs and translations a page brings (no query per URL or per alternate)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from crawler.pipelines.persist import PersistPipeline
from storage.db import Database, session_scope
from storage.models import ArticleUrl, PendingLink

from .dedup_pages import HARBOUR, TRAINS, Pipeline, article_html

PAPER = "https://paper.example/news"
LIBRARY = [
    "The city library reopened on Monday after two years of repairs to its roof and reading rooms.",
    "Visitors queued before the doors opened; the first hundred were given a tote bag and a map.",
    "The mayor said the building would now stay open until nine in the evening on weekdays.",
]


@contextmanager
def database_work(database: Database) -> Iterator[Counter[str]]:
    """Statements and commits on the crawl's Database while the block runs."""
    counts: Counter[str] = Counter()

    def statement(*_args: object) -> None:
        counts["statements"] += 1

    def commit(*_args: object) -> None:
        counts["commits"] += 1

    event.listen(database.engine, "before_cursor_execute", statement)
    event.listen(database.engine, "commit", commit)
    try:
        yield counts
    finally:
        event.remove(database.engine, "before_cursor_execute", statement)
        event.remove(database.engine, "commit", commit)


def with_alternates(html: str, urls: list[str]) -> str:
    links = "".join(
        f'<link rel="alternate" hreflang="{lang}" href="{url}">'
        for lang, url in zip(["ru", "ar", "fr", "de", "es", "it", "tr", "fa"], urls, strict=False)
    )
    return html.replace("</head>", f"{links}</head>")


@pytest.fixture
def paper(database_url, tmp_path):
    pipeline = Pipeline(database_url, tmp_path, "paper")
    yield pipeline
    pipeline.close()


def persist_counting(pipeline: Pipeline, url: str, html: str, variants: int) -> tuple[Counter[str], object]:
    item = pipeline.item(url, html)
    item.seen_urls = [(f"{url}?utm_source=feed{n}", "tracking") for n in range(variants)]
    persist = pipeline.steps[-1]
    assert isinstance(persist, PersistPipeline)
    ready = pipeline.run(item, pipeline.steps[:-1])
    with database_work(Database.from_crawler(pipeline.crawler)) as counts:
        stored = persist.persist(ready)
    return counts, stored


def test_a_new_page_costs_one_transaction_and_the_same_queries_however_many_urls_and_translations_it_names(
    paper, database_url
):
    few_html = with_alternates(article_html("Harbour wall", HARBOUR, canonical=f"{PAPER}/1"), [f"{PAPER}/ru/1"])
    many = [f"{PAPER}/{lang}/2" for lang in ["ru", "ar", "fr", "de", "es", "it"]]
    many_html = with_alternates(article_html("Trains run late", TRAINS, canonical=f"{PAPER}/2"), many)

    # The first page of a crawl also reads what every later one finds cached (its source's key).
    persist_counting(paper, f"{PAPER}/0", article_html("Library opens", LIBRARY, canonical=f"{PAPER}/0"), 0)
    few, first = persist_counting(paper, f"{PAPER}/1", few_html, variants=1)
    more, second = persist_counting(paper, f"{PAPER}/2", many_html, variants=7)

    assert (first.outcome, second.outcome) == ("new", "new")
    assert few["commits"] == more["commits"] == 1
    assert more["statements"] == few["statements"]
    with session_scope(database_url) as session:
        assert session.scalar(select(func.count()).select_from(PendingLink)) == 1 + 6
        tracked = select(func.count()).select_from(ArticleUrl).where(ArticleUrl.kind == "tracking")
        assert session.scalar(tracked) == 1 + 7

"""Pages that could not be stored through a whole database outage: spooled on disk, stored by the next
crawl of their source or by `newsagg db replay`, never lost and never stored twice."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from sqlalchemy import func, select

from crawler.items import ArticleItem
from crawler.pipelines.spool import Spool
from storage.db import session_scope, upgrade
from storage.models import Article

from ..conftest import fresh_postgres_database, run_newsagg
from ..fault_proxy import FaultProxy
from .dedup_pages import HARBOUR, SOURCES, TRAINS, Pipeline, article_html, fetched_item

HARBOUR_URL = "https://paper.example/news/harbour-wall"
TRAINS_URL = "https://paper.example/news/night-trains"


def fetched(url: str, title: str, paragraphs: list[str]) -> ArticleItem:
    return fetched_item("paper", url, article_html(title, paragraphs, canonical=url))


def stored(url: str) -> list[str]:
    with session_scope(url) as session:
        return sorted(session.scalars(select(Article.canonical_url)))


def test_a_spooled_page_comes_back_as_it_was_fetched(tmp_path: Path):
    database = "sqlite:///" + str(tmp_path / "a.db")
    item = fetched(HARBOUR_URL, "Harbour wall", HARBOUR)
    item.seen_urls = [(HARBOUR_URL + "?utm_source=x", "tracking")]
    item.hints = {"title": "Harbour wall", "alternates": [["ru", "https://paper.example/ru/1"]]}
    spool = Spool.for_database(str(tmp_path / "spool"), database)
    spool.add(item, "connection refused")
    assert spool.sources() == ["paper"] and spool.count() == 1
    # Another database's spool is another folder.
    assert Spool.for_database(str(tmp_path / "spool"), database + "x").sources() == []
    ((claimed, items),) = list(spool.claim("paper"))
    (back,) = items
    for name in ("source", "edition_lang", "url", "final_url", "html", "encoding", "fetched_at", "hints"):
        assert getattr(back, name) == getattr(item, name), name
    assert back.seen_urls == item.seen_urls
    # Claimed, it is no longer offered to another replayer; given back, it is.
    assert spool.count() == 0 and list(spool.claim("paper")) == []
    spool.release(claimed)
    assert spool.count() == 1


def test_a_line_cut_short_is_skipped_with_its_place_and_the_rest_is_kept(tmp_path: Path, caplog):
    database = "sqlite:///" + str(tmp_path / "a.db")
    item = fetched(HARBOUR_URL, "Harbour wall", HARBOUR)
    spool = Spool.for_database(str(tmp_path / "spool"), database)
    path = spool.add(item, "connection refused")
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"source": "paper", "url": TRAINS_URL})[:30])  # a crash while writing
    with caplog.at_level(logging.WARNING):
        ((_claimed, items),) = list(spool.claim("paper"))
    assert [i.url for i in items] == [item.url]
    assert f"{path.name}" in caplog.text and ":2: not a spooled page" in caplog.text


def test_a_file_claimed_by_a_process_that_died_is_claimed_again(tmp_path: Path):
    database = "sqlite:///" + str(tmp_path / "a.db")
    item = fetched(HARBOUR_URL, "Harbour wall", HARBOUR)
    spool = Spool.for_database(str(tmp_path / "spool"), database)
    path = spool.add(item, "connection refused")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path.rename(path.with_name(f"{path.name}.replaying-{dead.stdout.strip()}"))
    ((claimed, items),) = list(spool.claim("paper"))
    assert [i.url for i in items] == [item.url] and claimed.name.endswith(f".replaying-{os.getpid()}")


@pytest.mark.postgres
def test_an_outage_longer_than_the_retries_spools_the_page_and_the_next_crawl_stores_it(tmp_path: Path):
    spool_dir = {"NEWSAGG_SPOOL_DIR": str(tmp_path / "spool")}
    with fresh_postgres_database() as url, FaultProxy(5432) as proxy:
        upgrade(url)
        through_proxy = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        paper = Pipeline(through_proxy, tmp_path, "paper", {"NEWSAGG_DB_RETRY_SECONDS": 1, **spool_dir})
        try:
            paper.page(HARBOUR_URL, article_html("Harbour wall", HARBOUR, canonical=HARBOUR_URL))
            proxy.outage(4.0)
            with pytest.raises(DropItem, match=r"^spooled: "):
                paper.page(TRAINS_URL, article_html("Night trains", TRAINS, canonical=TRAINS_URL))
            assert paper.stats()["newsagg/dropped/spooled"] == 1
        finally:
            paper.close()
        assert stored(url) == [HARBOUR_URL]
        assert Spool.for_database(spool_dir["NEWSAGG_SPOOL_DIR"], through_proxy).count() == 1
        # The database is back: the next crawl of the source stores the page before it fetches anything.
        proxy.outage(0)
        again = Pipeline(through_proxy, tmp_path, "paper", spool_dir)
        try:
            assert again.stats()["newsagg/db/replayed"] == 1
        finally:
            again.close()
        assert stored(url) == sorted([HARBOUR_URL, TRAINS_URL])
        assert Spool.for_database(spool_dir["NEWSAGG_SPOOL_DIR"], through_proxy).count() == 0


def test_newsagg_db_replay_stores_the_spooled_pages_once(tmp_path: Path):
    database = "sqlite:///" + str(tmp_path / "replay.db")
    upgrade(database)
    spool_dir = tmp_path / "spool"
    items = [fetched(HARBOUR_URL, "Harbour wall", HARBOUR), fetched(TRAINS_URL, "Night trains", TRAINS)]
    spool = Spool.for_database(str(spool_dir), database)
    for item in items:
        spool.add(item, "connection refused")
    spool.add(items[0], "connection refused")  # spooled twice (a retried write): stored once
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    command = ["db", "replay", "--db", database, "--sources", str(sources), "-s", f"NEWSAGG_SPOOL_DIR={spool_dir}"]
    result = run_newsagg(*command)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replayed 3 spooled pages" in result.stdout and "3 stored, 0 dropped" in result.stdout
    assert stored(database) == sorted([HARBOUR_URL, TRAINS_URL])
    with session_scope(database) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2
    again = run_newsagg(*command)
    assert again.returncode == 0 and "nothing spooled" in again.stdout


def test_newsagg_db_replay_names_spooled_sources_it_does_not_know(tmp_path: Path):
    database = "sqlite:///" + str(tmp_path / "replay.db")
    upgrade(database)
    item = fetched(HARBOUR_URL, "Harbour wall", HARBOUR)
    Spool.for_database(str(tmp_path / "spool"), database).add(item, "connection refused")
    result = run_newsagg("db", "replay", "--db", database, "-s", f"NEWSAGG_SPOOL_DIR={tmp_path / 'spool'}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsagg: error: pages spooled for unknown sources paper: give their files with --sources"
    ]

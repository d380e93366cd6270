"""Migrations run twice at once (`newsagg db upgrade`, a crawl into a new SQLite file): they are serialised,
so both succeed and the schema is current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.demo.server import DemoServer
from storage.db import Database, session_scope
from storage.models import CrawlJob

from ..conftest import fresh_postgres_database
from .ops import SET_FAST

pytestmark = pytest.mark.long_running

ROUNDS = 3


def _upgrade_twice_at_once(url: str) -> list[subprocess.CompletedProcess[str]]:
    command = [sys.executable, "-m", "crawler.cli", "db", "upgrade", "--db", url]
    started = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        for _ in range(2)
    ]
    finished = []
    for process in started:
        out, err = process.communicate(timeout=300)
        finished.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return finished


def _assert_both_succeeded_at_head(url: str) -> None:
    for result in _upgrade_twice_at_once(url):
        assert result.returncode == 0, result.stderr[-3000:]
        assert "is at the latest schema" in result.stdout
        assert "Traceback" not in result.stderr
    database = Database(url)
    try:
        database.check_schema()  # raises unless every revision was applied exactly as `upgrade head` does
    finally:
        database.close()


def test_two_upgrades_of_a_new_sqlite_file_at_once_both_succeed(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        _assert_both_succeeded_at_head(f"sqlite:///{tmp_path / f'new-{round_}.db'}")


@pytest.mark.postgres
def test_two_upgrades_of_a_new_postgres_database_at_once_both_succeed() -> None:
    for _ in range(ROUNDS):
        with fresh_postgres_database() as url:
            _assert_both_succeeded_at_head(url)


def test_two_crawls_into_one_new_sqlite_file_at_once_both_build_on_one_schema(tmp_path: Path) -> None:
    """`newsagg crawl` creates a new SQLite file with the schema: two at once (two sources, so that the
    per-source lock keeps neither out) both crawl, whichever of them migrated."""
    with DemoServer() as site:
        sources = site.write_sources(tmp_path)
        for round_ in range(2):
            db = f"sqlite:///{tmp_path / f'crawled-{round_}.db'}"
            command = [sys.executable, "-m", "crawler.cli", "crawl", "--limit", "2", "--sources", str(sources)]
            started = [
                subprocess.Popen(
                    [*command, key, "--db", db, *SET_FAST], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                for key in ("demo", "wire")
            ]
            for process in started:
                _out, err = process.communicate(timeout=300)
                assert process.returncode == 0, err[-3000:]
            with session_scope(db) as session:
                statuses = sorted((job.source_key, job.status) for job in session.scalars(select(CrawlJob)))
            assert statuses == [("demo", "finished"), ("wire", "finished")]

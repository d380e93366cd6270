"""`newsagg db upgrade` run twice at once: migrations are serialised, so both succeed and the schema is current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import Database

from ..conftest import fresh_postgres_database

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

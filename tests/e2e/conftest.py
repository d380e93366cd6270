"""Fixtures of the operations tests (tests/e2e/test_schedule*.py): the demo site and a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.server import DemoServer
from storage.db import upgrade


@pytest.fixture
def demo_site() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def ops_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    return url

"""Shared fixtures: the real-world pages beside the repository and the databases under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REALWORLD_DIR = REPO_ROOT.parent / "shared" / "realworld"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def realworld() -> Iterator[Path]:
    """The third-party pages in ../shared/realworld; absent in a user's fresh clone."""
    if not REALWORLD_DIR.is_dir():
        if in_ci():
            pytest.fail(f"{REALWORLD_DIR} is missing, and CI must run the real-world tests")
        pytest.skip(f"{REALWORLD_DIR} is absent (it sits beside the repository only on dev and CI machines)")
    yield REALWORLD_DIR

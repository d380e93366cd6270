"""Database work per crawled page: statements and transactions, counted on a real demo crawl.

Runs ``newsagg demo`` in this process on a fresh SQLite database (schema built before counting starts) and
counts every SQL statement and every commit the crawl makes, then divides by the pages that went through
the item pipeline. Usage: ``python bench/unit_of_work.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from crawler.cli import main  # noqa: E402
from storage.db import upgrade  # noqa: E402


def count_database_work() -> tuple[Counter[str], dict[str, Any]]:
    counts: Counter[str] = Counter()

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def commit(*_args: Any) -> None:
        counts["commits"] += 1

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        event.listen(Engine, "before_cursor_execute", statement)
        event.listen(Engine, "commit", commit)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["demo", "--db", url, "--json"])
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)
    return counts, json.loads(out.getvalue())


def main_() -> int:
    counts, summary = count_database_work()
    items = int(summary["articles"]) + sum(summary["duplicates"].values())
    print(f"pages through the pipeline (articles + duplicates): {items}")
    print(f"SQL statements: {counts['statements']}  ({counts['statements'] / max(items, 1):.1f} per page)")
    print(f"commits: {counts['commits']}  ({counts['commits'] / max(items, 1):.1f} per page)")
    return 0


if __name__ == "__main__":
    sys.exit(main_())

"""The one way tests start a crawl outside the ``newsagg`` command: ``run_crawls`` in a process of its own
(Twisted's reactor starts once per process), the way ``newsagg crawl`` runs it, with each crawler's stats
printed as the last line of JSON.

Run as ``python crawl_process.py DATABASE_URL SOURCES KEY[,KEY] SETTINGS_JSON``; the database must already
be at the newest schema (crawls never migrate).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Stats = dict[str, dict[str, Any]]


def start_crawl(
    database_url: str,
    sources: Path,
    keys: Iterable[str],
    settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, database_url, str(sources), ",".join(keys), json.dumps(dict(settings or {}))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def finish_crawl(process: subprocess.Popen[str], timeout: float = 600) -> tuple[Stats, str]:
    """Each crawler's stats by source key, and the crawl's log; fails with the log's end if it failed."""
    stdout, stderr = process.communicate(timeout=timeout)
    lines = stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        raise AssertionError(f"the crawl failed ({process.returncode}):\n{stderr[-5000:]}")
    stats: Stats = json.loads(lines[-1])
    return stats, stderr


def main(database_url: str, sources: str, keys: str, settings: str) -> int:
    from crawler.ops.crawl_runner import crawl_settings, run_crawls

    crawl = crawl_settings(database_url, [Path(sources)], json.loads(settings))
    runs = run_crawls(keys.split(","), crawl, progress=None)
    print(json.dumps({run.source: run.stats for run in runs}, default=str))
    return 0


if __name__ == "__main__":
    # Python put this folder first on the path, where tests/crawler and tests/storage would shadow the
    # packages of the same names.
    del sys.path[0]
    sys.exit(main(*sys.argv[1:]))

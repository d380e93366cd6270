"""The two ways tests start a crawl outside the ``newsagg`` command, both through
:mod:`crawler.ops.crawl_runner` as ``newsagg crawl`` runs it:

- :func:`crawl_here` in this process, on the reactor pytest-twisted runs for the session;
- :func:`start_crawl` in a process of its own, for the tests of several crawl processes at once (or one
  that is killed). Run as ``python crawl_process.py DATABASE_URL SOURCES KEY[,KEY] SETTINGS_JSON``, it
  prints each crawler's stats as the last line of JSON.

The database must already be at the newest schema (crawls never migrate).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

Stats = dict[str, dict[str, Any]]


def crawl_here(
    database_url: str, sources: Path, keys: Iterable[str], settings: Mapping[str, Any] | None = None
) -> tuple[Stats, str]:
    """Each crawler's stats by source key (as the crawl process prints them), and the crawl's log at its
    LOG_LEVEL; for fixtures, which wait outside the reactor (a test body yields :func:`crawl_deferred`)."""
    import pytest_twisted

    crawled: tuple[Stats, str] = pytest_twisted.blockon(crawl_deferred(database_url, sources, keys, settings))
    return crawled


def crawl_deferred(
    database_url: str, sources: Path, keys: Iterable[str], settings: Mapping[str, Any] | None = None
) -> Deferred[tuple[Stats, str]]:
    """:func:`crawl_here` as a Deferred, for a test run on the reactor (``@pytest_twisted.inlineCallbacks``)."""
    from crawler.ops.crawl_runner import CrawlRun, crawl_in_reactor, crawl_settings
    from crawler.ops.log_lines import quiet_tracebacks

    crawl = crawl_settings(database_url, [sources], dict(settings or {}))
    level = logging.getLevelName(crawl.get("LOG_LEVEL"))
    quiet_tracebacks(level)
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter(crawl.get("LOG_FORMAT")))
    handler.setLevel(level)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(min(level, previous) if previous else level)

    def stop_logging(result: Any) -> Any:
        root.removeHandler(handler)
        root.setLevel(previous)
        return result

    def collect(runs: list[CrawlRun]) -> tuple[Stats, str]:
        stats: Stats = json.loads(json.dumps({run.source: run.stats for run in runs}, default=str))
        return stats, log.getvalue()

    try:
        crawling = crawl_in_reactor(list(keys), crawl)
    except BaseException:
        stop_logging(None)
        raise
    return crawling.addBoth(stop_logging).addCallback(collect)


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

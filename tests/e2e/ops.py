"""Helpers for the operations tests: demo sources with a schedule, schedulers as real processes, waits.

Waits poll the database with a generous bound; they say what was awaited when the bound is reached.
Nothing is asserted about how long anything takes.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import select

from crawler.cli import DEMO_OVERRIDES
from crawler.demo.server import DemoServer
from storage.db import session_scope
from storage.models import CrawlJob

T = TypeVar("T")

# The demo's own crawl settings (no politeness delays on loopback), and progress written every second.
FAST = {**DEMO_OVERRIDES, "NEWSAGG_JOB_UPDATE_INTERVAL": 1}
SET_FAST = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]
# Failures retried as usual, without the waits between attempts that politeness asks of a real site.
NO_WAITING = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "NEWSAGG_RETRY_BACKOFF=0"]
# Scheduled runs crawl the demo's en edition: every rule of a run shows on it, in a third of the time
# of all three (and without the slow page, which is in the ar edition).
SCHEDULED_LANGS = ("en",)
# The edition with the slow page, which keeps a run going for seconds: long enough to act on it mid-crawl.
LONG_RUN = ("ar",)
EVERY_2_SECONDS = "* * * * * */2"
YEARLY = "0 0 1 1 *"  # due once, when never run before


def demo_sources(
    server: DemoServer,
    folder: Path,
    *,
    schedule: str,
    health: dict[str, Any] | None = None,
    keys=("demo",),
    langs=SCHEDULED_LANGS,
) -> Path:
    """The demo server's sources (only ``keys``, with only their ``langs`` editions) with ``schedule``
    and ``health`` added."""
    chosen = [source for source in yaml.safe_load(server.sources_yaml()) if source["key"] in keys]
    for source in chosen:
        source["editions"] = [edition for edition in source["editions"] if edition["lang"] in langs]
        source["schedule"] = schedule
        if health:
            source["health"] = health
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump(chosen, allow_unicode=True), encoding="utf-8")
    return path


class Scheduler:
    """``newsagg schedule`` as a process of its own, its output in a file (no pipe to fill up)."""

    def __init__(self, db: str, sources: Path, *args: str, env: dict[str, str] | None = None, log: Path) -> None:
        self.log = log
        self._out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in wait()
        command = ["schedule", "--db", db, "--sources", str(sources), "--source", "demo", *SET_FAST, *args]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *command],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 240) -> int:
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._out.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self._out.closed:
            self._out.close()


ONCE = [sys.executable, "-m", "crawler.cli", "schedule", "--once"]


def run_once(db: str, sources: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ONCE, "--db", db, "--sources", str(sources), "--source", "demo", *SET_FAST, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def jobs(db: str) -> list[CrawlJob]:
    with session_scope(db) as session:
        return list(session.scalars(select(CrawlJob).order_by(CrawlJob.id)))


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 240, alive: Any = None) -> T:
    """Poll ``probe`` until it gives a true value; fail naming ``what`` after ``timeout`` seconds, or as
    soon as the ``alive`` process (if given) has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"the process exited (status {alive.returncode}) before {what}")
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")


def running_with_progress(db: str) -> CrawlJob | None:
    """A running job whose row has already been updated with pages fetched so far."""
    return next((job for job in jobs(db) if job.status == "running" and job.pages > 0), None)


def assert_no_overlap(rows: list[CrawlJob]) -> None:
    ordered = sorted(rows, key=lambda job: job.started_at)
    for earlier, later in itertools.pairwise(ordered):
        assert earlier.finished_at is not None, f"job {earlier.id} never closed"
        assert earlier.finished_at <= later.started_at, f"jobs {earlier.id} and {later.id} overlap"

"""``newsagg schedule``: start each due crawl in a process of its own and watch over it.

The loop is small on purpose: croniter says when a unit is due (:mod:`crawler.ops.cron`), and this
module starts ``python -m crawler.ops.crawl_process`` for it, never two of one source at once (the crawl
process also holds the source's lock, which covers other schedulers). It reaps each child and closes
any job row the child left running, and sweeps rows abandoned by crawls that died elsewhere. SIGTERM
or SIGINT stops it cleanly: no new runs start; running crawls may go on for ``NEWSAGG_SCHEDULE_DRAIN``
seconds, are then asked to stop (recorded as interrupted), and are killed after
``NEWSAGG_SCHEDULE_STOP_TIMEOUT`` more seconds.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TextIO

from scrapy.settings import Settings

from crawler.ops.abandoned_jobs import sweep_abandoned
from crawler.ops.alerts import AlertHooks, notify
from crawler.ops.crawl_process import lock_for
from crawler.ops.cron import Unit, is_due, next_fire
from crawler.ops.locks import EXIT_BUSY, LockUnavailable, SourceLock
from storage import jobs
from storage.db import session_scope
from storage.types import utcnow

SWEEP_EVERY = 15.0  # seconds between looks for job rows abandoned by dead crawls


@dataclass
class Child:
    unit: Unit
    process: subprocess.Popen[bytes]
    stopping: bool = False  # the scheduler asked it to stop


@dataclass
class Scheduler:
    units: Sequence[Unit]
    database_url: str
    settings: Settings  # crawl settings with the command line's overrides
    source_paths: Sequence[Path] = ()
    overrides: Mapping[str, str] = field(default_factory=dict)  # passed on to each crawl
    out: TextIO = sys.stdout
    clock: Callable[[], datetime] = utcnow
    poll: float = 0.5

    def __post_init__(self) -> None:
        self.children: list[Child] = []
        self.outcomes: list[str] = []
        self.alerts = AlertHooks.from_settings(self.settings)
        self.stale_after = self.settings.getfloat("NEWSAGG_JOB_STALE_AFTER")
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._hostname = socket.gethostname()
        self._locks: dict[str, SourceLock] = {}

    # --- the loop ---

    def run(self, *, once: bool = False) -> int:
        """Run until stopped (or, with ``once``, until the units due now have run); the exit status."""
        previous = self._install_signals()
        try:
            self._sweep()
            pending = self._due_now()
            fires = {unit: next_fire(unit.cron, self.clock()) for unit in self.units}
            swept = time.monotonic()
            while not self._stop.is_set():
                now = self.clock()
                if not once:
                    for unit in self.units:
                        if now >= fires[unit]:
                            fires[unit] = next_fire(unit.cron, now)
                            if unit not in pending:
                                pending.append(unit)
                pending = self._start_ready(pending)
                self._reap()
                if once and not pending and not self.children:
                    break
                if time.monotonic() - swept >= SWEEP_EVERY:
                    self._sweep()
                    swept = time.monotonic()
                wait = (
                    self.poll
                    if once
                    else min(self.poll, max(0.0, min((f - now).total_seconds() for f in fires.values())))
                )
                self._stop.wait(wait)
            self._shutdown()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        # Stopped by a signal, a long-running scheduler has done its job; --once reports on its runs.
        return 0 if not once or all(status == "finished" for status in self.outcomes) else 1

    def _due_now(self) -> list[Unit]:
        with session_scope(self.database_url) as session:
            history = jobs.last_started(session)
        now = self.clock()
        return [unit for unit in self.units if is_due(unit, history.get((unit.source, unit.langs_value)), now)]

    def _start_ready(self, pending: list[Unit]) -> list[Unit]:
        """Start the pending units whose source is free; the ones that must wait stay pending."""
        waiting = []
        for unit in pending:
            if any(child.unit.source == unit.source for child in self.children):
                waiting.append(unit)  # this scheduler runs the source already: start it after that run
                continue
            try:
                holder = self._lock(unit.source).holder()
            except LockUnavailable as exc:
                self._say(f"{unit.name}: not started: {exc}")
                continue
            if holder is not None:
                self._say(f"{unit.name}: skipped, running on {holder}")
                continue
            self._spawn(unit)
        return waiting

    def _lock(self, source: str) -> SourceLock:
        """The source's lock, to see who holds it (the crawl process takes it; the scheduler only looks)."""
        if source not in self._locks:
            self._locks[source] = lock_for(source, self.settings)
        return self._locks[source]

    def _spawn(self, unit: Unit) -> None:
        command = [sys.executable, "-m", "crawler.ops.crawl_process", unit.source, "--db", self.database_url]
        if unit.langs:
            command += ["--lang", ",".join(unit.langs)]
        for path in self.source_paths:
            command += ["--sources", str(path)]
        for name, value in self.overrides.items():
            command += ["--set", f"{name}={value}"]
        # A session of its own: a Ctrl-C at the terminal reaches the scheduler, which stops crawls in order.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        self.children.append(Child(unit, process))
        self._say(f"{unit.name}: started (pid {process.pid})")

    def _reap(self) -> None:
        for child in list(self.children):
            code = child.process.poll()
            if code is not None:
                self.children.remove(child)
                self._ended(child, code)

    def _ended(self, child: Child, code: int) -> None:
        pid = child.process.pid
        if code == EXIT_BUSY:
            self._say(f"{child.unit.name}: skipped, another run of {child.unit.source} holds its lock")
            return
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        status, why = ("interrupted", "stopped by the scheduler's shutdown") if child.stopping else ("failed", "")
        records = []
        with session_scope(self.database_url) as session:
            for job in jobs.running_jobs(session, child.unit.source):
                if job.pid == pid and job.hostname == self._hostname:
                    reason = why or f"crawl process {pid} {how} before closing its job"
                    if jobs.close_job(session, job.id, status, reason):
                        session.refresh(job)
                        records.append(jobs.job_dict(job))
            latest = jobs.latest_job_of(session, self._hostname, pid)
            result = jobs.job_dict(latest) if latest is not None else None
        for record in records:
            notify(self.alerts, record)
        if result is None:
            self.outcomes.append("failed")
            self._say(f"{child.unit.name}: crawl process {pid} {how} without starting a job")
            return
        self.outcomes.append(result["status"])
        detail = f"; {result['reason']}" if result["reason"] else ""
        self._say(
            f"{child.unit.name}: job {result['id']} {result['status']} in {result['duration_seconds']:.0f} s "
            f"(pages {result['pages']}, items {result['items']}, stored {result['stored']}){detail}"
        )

    def _sweep(self) -> None:
        for job in sweep_abandoned(self.database_url, self.stale_after, self.alerts):
            self._say(f"{job.source_key}: job {job.id} closed as failed: {job.reason}")

    # --- stopping ---

    def _install_signals(self) -> dict[int, signal._HANDLER]:
        previous: dict[int, signal._HANDLER] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop.is_set():
            self._hurry.set()  # a second signal: stop the crawls now
        self._stop.set()

    def stop(self) -> None:
        """Ask the loop to stop, as SIGTERM does."""
        self._stop.set()

    def _shutdown(self) -> None:
        if not self.children:
            return
        names = ", ".join(child.unit.name for child in self.children)
        drain = self.settings.getfloat("NEWSAGG_SCHEDULE_DRAIN")
        if drain > 0:
            self._say(f"stopping: letting {names} finish (up to {drain:g} s)")
            self._wait_children(drain, self._hurry)
        if self.children:
            self._say(f"stopping: asking {', '.join(child.unit.name for child in self.children)} to stop")
            for child in self.children:
                child.stopping = True
                child.process.send_signal(signal.SIGTERM)
            self._wait_children(self.settings.getfloat("NEWSAGG_SCHEDULE_STOP_TIMEOUT"), None)
        for child in list(self.children):
            self._say(f"{child.unit.name}: still running, killed")
            child.process.kill()
            child.process.wait()
        self._reap()

    def _wait_children(self, seconds: float, cut_short: threading.Event | None) -> None:
        deadline = time.monotonic() + seconds
        while self.children and time.monotonic() < deadline:
            self._reap()
            if cut_short is not None and cut_short.is_set():
                return
            time.sleep(min(self.poll, max(0.0, deadline - time.monotonic())))

    def _say(self, line: str) -> None:
        print(f"{self.clock():%Y-%m-%dT%H:%M:%SZ} {line}", file=self.out, flush=True)

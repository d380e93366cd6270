"""`newsagg jobs`: recent runs as a table or JSON, rows of dead crawls closed, and --watch."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

from crawler.demo.server import DemoServer
from storage.db import session_scope, upgrade
from storage.models import CrawlJob
from storage.types import utcnow

from ..conftest import run_newsagg
from .ops import FAST, LONG_RUN, YEARLY, demo_sources, jobs, running_with_progress, wait_for

newsagg = partial(run_newsagg, timeout=120)


def add_running_row(db: str, **fields) -> int:
    with session_scope(db) as session:
        job = CrawlJob(source_key="wire", trigger="schedule", status="running", **fields)
        session.add(job)
        session.flush()
        return job.id


def test_jobs_closes_the_rows_of_dead_crawls_and_lists_every_run(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(db)
    host = socket.gethostname()
    with DemoServer() as site:
        sources = demo_sources(site, tmp_path, schedule=YEARLY, langs=LONG_RUN)
        settings = [arg for name, value in FAST.items() for arg in ("--set", f"{name}={value}")]
        command = [sys.executable, "-m", "crawler.ops.crawl_process", "demo", "--db", db, "--sources", str(sources)]
        crawl = subprocess.Popen(
            [*command, *settings],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        running = wait_for("the crawl's running row", lambda: running_with_progress(db), alive=crawl)
        crawl.kill()
        crawl.wait()
    an_hour_ago = utcnow() - timedelta(hours=1)
    silent = add_running_row(db, hostname="elsewhere", pid=1, started_at=an_hour_ago, updated_at=an_hour_ago)
    alive = add_running_row(db, hostname=host, pid=os.getpid())  # this test process: alive, and recent

    listed = newsagg("jobs", "--json", "--db", db)
    assert listed.returncode == 0, listed.stderr
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert list(rows) == [alive, running.id, silent]  # the newest start first
    killed = rows[running.id]
    assert killed["status"] == "failed" and killed["finished_at"] is not None
    assert (
        killed["reason"] == f"crawl process {running.pid} on {host} ended without closing its job (killed or crashed)"
    )
    assert killed["pages"] > 0 and killed["source"] == "demo" and killed["langs"] is None
    assert rows[silent]["status"] == "failed"
    pattern = r"no progress recorded for \d+ s \(limit 600 s\); its process is presumed dead"
    assert re.fullmatch(pattern, rows[silent]["reason"])
    assert rows[alive]["status"] == "running" and rows[alive]["finished_at"] is None
    assert {row.status for row in jobs(db)} == {"failed", "running"}

    table = newsagg("jobs", "--db", db)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    heading = "ID SOURCE TRIGGER STATUS STARTED (UTC) TIME PAGES ITEMS NEW DROP ERR"
    assert lines[0].split() == heading.split()
    assert any(line.split()[:4] == [str(running.id), "demo", "schedule", "failed"] for line in lines)
    assert f"↳ crawl process {running.pid} on {host} ended without closing its job" in table.stdout

    only_wire = json.loads(newsagg("jobs", "--json", "--source", "wire", "--db", db).stdout)
    assert [row["id"] for row in only_wire] == [alive, silent]
    assert [row["id"] for row in json.loads(newsagg("jobs", "--json", "--limit", "1", "--db", db).stdout)] == [alive]


def test_jobs_watch_refreshes_until_interrupted(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'watch.db'}"
    upgrade(db)
    add_running_row(db, hostname=socket.gethostname(), pid=os.getpid())
    watch = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "jobs", "--watch", "--interval", "0.2", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    headings = []
    deadline = time.monotonic() + 60
    while len(headings) < 2 and time.monotonic() < deadline:
        line = watch.stdout.readline()
        if not line:
            break
        if "running (Ctrl-C to stop)" in line:
            headings.append(line)
    watch.send_signal(signal.SIGINT)
    _, err = watch.communicate(timeout=30)
    assert watch.returncode == 0, err
    assert len(headings) == 2 and all(": 1 running" in heading for heading in headings)


def test_jobs_refuses_a_bad_limit_in_one_line(tmp_path: Path):
    result = newsagg("jobs", "--limit", "0", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["newsagg: error: --limit must be a positive number of runs"]
    missing = newsagg("jobs", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert missing.returncode == 2 and str(tmp_path / "x.db") in missing.stderr
    assert not (tmp_path / "x.db").exists()  # a read-only command creates no database
    upgrade(f"sqlite:///{tmp_path / 'x.db'}")
    empty = newsagg("jobs", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert (empty.returncode, empty.stdout.strip()) == (0, "no crawl jobs yet")

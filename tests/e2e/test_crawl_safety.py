"""`newsagg crawl` tells the truth and plays fair: it honours the per-source lock that the scheduler
respects, closes the job rows that dead crawls left running, and never reports success on a database
it could not write."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from crawler.demo.server import DemoServer
from storage.db import session_scope, upgrade
from storage.models import CrawlJob

from ..conftest import fresh_postgres_database, run_newsagg
from .ops import SET_FAST

pytestmark = pytest.mark.long_running

HOLD_LOCK = """
import sys, time
from pathlib import Path
from crawler.ops.locks import FileSourceLock
lock = FileSourceLock(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
lock.acquire()
print("held", flush=True)
time.sleep(300)
"""


@pytest.fixture(scope="module")
def site() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def crawl_wire(
    site: DemoServer, folder: Path, db: str, *extra: str, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    sources = site.write_sources(folder)
    command = ["crawl", "wire", "--limit", "2", "--sources", str(sources), "--db", db, *SET_FAST, *extra]
    return run_newsagg(*command, timeout=300, preexec_fn=preexec_fn)


def test_crawl_waits_for_no_one_but_refuses_a_source_running_elsewhere_unless_forced(site, tmp_path):
    db = f"sqlite:///{tmp_path / 'locked.db'}"
    locks = tmp_path / "locks"
    lock_dir = ["-s", f"NEWSAGG_LOCK_DIR={locks}"]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(locks), "wire", db], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = crawl_wire(site, tmp_path, db, *lock_dir)
        assert refused.returncode == 75, refused.stderr
        holder_name = f"{socket.gethostname()}:{holder.pid}"
        assert refused.stderr.strip().splitlines() == [
            f"newsagg crawl: wire is running on {holder_name}; not started (--force crawls it anyway)"
        ]
        assert refused.stdout == ""
        with session_scope(db) as session:
            assert session.scalars(select(CrawlJob)).all() == []  # nothing was crawled

        forced = crawl_wire(site, tmp_path, db, *lock_dir, "--force")
        assert forced.returncode == 0, forced.stderr
        assert f"newsagg crawl: wire is running on {holder_name}; crawling it anyway (--force)" in forced.stderr
        with session_scope(db) as session:
            assert [job.status for job in session.scalars(select(CrawlJob))] == ["finished"]
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    # The holder is gone: the lock is free, and a plain crawl runs (and holds it while it does).
    again = crawl_wire(site, tmp_path, db, *lock_dir)
    assert again.returncode == 0, again.stderr
    assert "running on" not in again.stderr


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_crawl_closes_the_running_rows_of_dead_crawls_as_failed(site, tmp_path):
    db = f"sqlite:///{tmp_path / 'stale.db'}"
    upgrade(db)
    host, dead = socket.gethostname(), _dead_pid()
    with session_scope(db) as session:
        stale = CrawlJob(source_key="demo", trigger="manual", status="running", hostname=host, pid=dead)
        alive = CrawlJob(source_key="demo", trigger="manual", status="running", hostname=host, pid=os.getpid())
        session.add_all([stale, alive])
        session.flush()
        stale_id, alive_id = stale.id, alive.id

    result = crawl_wire(site, tmp_path, db)
    assert result.returncode == 0, result.stderr
    reason = f"crawl process {dead} on {host} ended without closing its job (killed or crashed)"
    assert f"newsagg crawl: job {stale_id} (demo) closed as failed: {reason}" in result.stderr.splitlines()
    with session_scope(db) as session:
        closed = session.get_one(CrawlJob, stale_id)
        assert (closed.status, closed.reason) == ("failed", reason)
        assert closed.finished_at is not None
        assert session.get_one(CrawlJob, alive_id).status == "running"  # a live process keeps its row


def _without_root_override() -> None:
    """In the child, before it runs newsagg: root writes any file whatever its mode; drop that power so
    that a 0444 file is read-only for this process too (prctl PR_CAPBSET_DROP)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_crawl_into_a_read_only_sqlite_file_fails_with_one_line(site, tmp_path):
    db_file = tmp_path / "readonly.db"
    db = f"sqlite:///{db_file}"
    first = crawl_wire(site, tmp_path, db)
    assert first.returncode == 0, first.stderr
    with session_scope(db) as session:
        jobs_before = len(session.scalars(select(CrawlJob)).all())
    for path in tmp_path.glob("readonly.db*"):
        path.chmod(0o444)
    result = crawl_wire(site, tmp_path, db, preexec_fn=_without_root_override if os.geteuid() == 0 else None)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"newsagg: error: cannot write to database {db}: attempt to write a readonly database"
    ]
    assert "Crawl finished" not in result.stdout
    with session_scope(db) as session:
        assert len(session.scalars(select(CrawlJob)).all()) == jobs_before


@pytest.mark.postgres
def test_a_crawl_that_cannot_record_its_job_exits_non_zero_and_says_why(site, tmp_path):
    """A database that takes the writability check but not the job row (a full disk, a failing trigger)."""
    with fresh_postgres_database() as db:
        upgrade(db)
        engine = create_engine(db)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$"
                )
            )
            connection.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON crawl_jobs EXECUTE FUNCTION refuse()"))
        engine.dispose()
        result = crawl_wire(site, tmp_path, db)
        assert result.returncode == 1, result.stderr
        expected = (
            f"newsagg crawl: wire failed: cannot record the job in {db}: could not extend file: No space left on device"
        )
        assert expected in result.stderr.splitlines()
        assert "Crawl finished" not in result.stdout and "Errors: none" not in result.stdout
        assert site.hits()  # sanity: the demo site answers

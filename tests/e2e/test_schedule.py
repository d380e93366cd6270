"""`newsagg schedule` against the demo site: job rows, one run per source at a time, clean stops,
killed crawls, and each health rule turning a run degraded (the demo site breaks on request)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from crawler.demo.server import DemoServer
from crawler.demo.truth import truth
from storage.db import upgrade

from ..conftest import REDIS_URL, _unavailable, fresh_postgres_database
from .ops import (
    EVERY_2_SECONDS,
    LONG_RUN,
    YEARLY,
    Scheduler,
    assert_no_overlap,
    demo_sources,
    jobs,
    run_once,
    running_with_progress,
    wait_for,
)


@pytest.fixture
def site() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade(url)
    return url


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A local alert receiver: its URL and the JSON bodies posted to it."""
    received: list[dict] = []
    handler = type("Handler", (Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_scheduled_runs_are_recorded_one_at_a_time_and_sigterm_interrupts_the_running_one(site, db, tmp_path):
    # All three editions: a run of the en edition alone can end between two progress writes.
    sources = demo_sources(site, tmp_path, schedule=EVERY_2_SECONDS, langs=LONG_RUN)
    with Scheduler(db, sources, log=tmp_path / "schedule.log") as scheduler:
        wait_for(
            "two runs closed",
            lambda: sum(job.finished_at is not None for job in jobs(db)) >= 2,
            alive=scheduler.process,
        )
        # The third run writes its progress while it runs.
        running = wait_for("a running job with progress", lambda: running_with_progress(db), alive=scheduler.process)
        assert running.updated_at > running.started_at and running.finished_at is None
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    rows = jobs(db)
    assert len(rows) >= 3, scheduler.output()
    assert {(job.source_key, job.trigger, job.langs) for job in rows} == {("demo", "schedule", None)}
    statuses = [job.status for job in rows]
    assert statuses == ["finished"] * (len(rows) - 1) + ["interrupted"], [job.reason for job in rows]
    first, second, last = rows[0], rows[1], rows[-1]
    assert first.stored == sum(1 for page in truth(site.base).articles if page.source == "demo")
    assert first.health["broken"] == [] and first.health["measures"]["found"] == first.stored
    # The re-crawl skips what is stored: it stored nothing new, but it found every article again.
    assert second.stored == 0 and second.health["measures"]["found"] > 0
    assert last.id == running.id and last.reason == "stopped before it finished (signal or shutdown)"
    assert all(job.finished_at is not None for job in rows)
    assert_no_overlap(rows)
    output = scheduler.output()
    assert f"demo: job {first.id} finished" in output and "stopping: asking demo to stop" in output


def test_with_a_drain_time_sigterm_lets_the_running_crawl_finish(site, db, tmp_path):
    sources = demo_sources(site, tmp_path, schedule=YEARLY, langs=LONG_RUN)
    with Scheduler(db, sources, "-s", "NEWSAGG_SCHEDULE_DRAIN=300", log=tmp_path / "schedule.log") as scheduler:
        running = wait_for("a running job", lambda: running_with_progress(db), alive=scheduler.process)
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    (job,) = jobs(db)
    assert (job.id, job.status, job.reason) == (running.id, "finished", None)
    assert "stopping: letting demo finish (up to 300 s)" in scheduler.output()


ALERT_SCRIPT = """
import os, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(os.environ["NEWSAGG_JOB_STATUS"] + " " + sys.stdin.read().replace("\\n", " ") + "\\n")
"""


def test_a_killed_crawl_is_closed_as_failed_and_alerted(site, db, tmp_path):
    sources = demo_sources(site, tmp_path, schedule=YEARLY, langs=LONG_RUN)
    script = tmp_path / "alert.py"
    script.write_text(ALERT_SCRIPT, encoding="utf-8")
    alerts = tmp_path / "alerts.txt"
    env = {"NEWSAGG_ALERT_COMMAND": f"{sys.executable} {script} {alerts}"}
    with Scheduler(db, sources, env=env, log=tmp_path / "schedule.log") as scheduler:
        running = wait_for("a running job", lambda: running_with_progress(db), alive=scheduler.process)
        os.kill(running.pid, signal.SIGKILL)
        closed = wait_for("the killed job closed", lambda: next((j for j in jobs(db) if j.finished_at), None))
        wait_for("the alert", lambda: alerts.exists() and alerts.read_text(encoding="utf-8"))
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    assert (closed.id, closed.status) == (running.id, "failed")
    assert closed.reason == f"crawl process {running.pid} was killed by SIGKILL before closing its job"
    status, body = alerts.read_text(encoding="utf-8").strip().split(" ", 1)
    alert = json.loads(body)
    assert status == "failed" and alert["job"]["id"] == running.id and alert["job"]["status"] == "failed"
    assert alert["text"] == f"newsagg: job {running.id} (demo) failed: {closed.reason}"


@pytest.mark.parametrize(
    ("mode", "health", "rule", "detail"),
    [
        ("empty", {}, "nothing_stored", "found 0 articles, new or stored before (minimum 1)"),
        ("errors", {"min_items": 0}, "error_rate", "of requests failed"),
        ("untitled", {}, "missing_fields", "title missing on "),
    ],
)
def test_each_health_rule_turns_a_run_degraded_and_alerts(site, db, tmp_path, webhook, mode, health, rule, detail):
    url, received = webhook
    site.set_mode(mode)
    sources = demo_sources(site, tmp_path, schedule=YEARLY, health=health)
    result = run_once(db, sources, env={"NEWSAGG_ALERT_WEBHOOK": url})
    assert result.returncode == 1, result.stdout + result.stderr  # --once: non-zero unless every run finished
    (job,) = jobs(db)
    assert job.status == "degraded", job.reason
    assert job.health["broken"] == [rule] and job.reason.startswith(f"{rule}: ") and detail in job.reason
    assert f"demo: job {job.id} degraded" in result.stdout
    (alert,) = received
    assert alert["job"]["id"] == job.id and alert["job"]["status"] == "degraded"
    assert alert["text"] == f"newsagg: job {job.id} (demo) degraded: {job.reason}"
    # Nothing more is due this year: --once exits at once and starts nothing.
    again = run_once(db, sources, env={"NEWSAGG_ALERT_WEBHOOK": url})
    assert again.returncode == 0 and len(jobs(db)) == 1 and "started" not in again.stdout


def test_a_run_far_below_the_recent_ones_is_degraded(site, db, tmp_path):
    sources = demo_sources(site, tmp_path, schedule="* * * * * *", health={"min_items": 0, "min_baseline_runs": 1})
    first = run_once(db, sources)
    assert first.returncode == 0, first.stdout + first.stderr
    site.set_mode("empty")
    second = run_once(db, sources)
    assert second.returncode == 1
    normal, thin = jobs(db)
    assert normal.status == "finished" and thin.status == "degraded"
    assert thin.health["broken"] == ["below_baseline"]
    assert thin.reason == (
        f"below_baseline: found 0 articles, far below the median {normal.stored} of the last 1 runs "
        f"(limit 25% of it: {normal.stored * 0.25:g})"
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_two_schedulers_sharing_redis_never_run_one_source_twice_at_once(site, tmp_path):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete("newsagg:lock:source:demo")
    except redis.exceptions.ConnectionError as exc:
        _unavailable("Redis", exc)
    finally:
        client.close()
    sources = demo_sources(site, tmp_path, schedule=EVERY_2_SECONDS)
    env = {"NEWSAGG_REDIS_URL": REDIS_URL}
    with fresh_postgres_database() as db:
        upgrade(db)
        with (
            Scheduler(db, sources, env=env, log=tmp_path / "a.log") as a,
            Scheduler(db, sources, env=env, log=tmp_path / "b.log") as b,
        ):
            wait_for("three runs closed", lambda: sum(job.finished_at is not None for job in jobs(db)) >= 3)
            a.terminate()
            b.terminate()
            assert a.wait() == 0 and b.wait() == 0, a.output() + b.output()
        rows = jobs(db)
    assert len(rows) >= 3
    assert_no_overlap(rows)
    outputs = a.output() + b.output()
    # Whichever scheduler found the source running elsewhere said so, naming the holder.
    assert "demo: skipped, running on " in outputs or "holds its lock" in outputs, outputs
    host = socket.gethostname()
    assert any(f"running on {host}:{job.pid}" in outputs for job in rows), outputs

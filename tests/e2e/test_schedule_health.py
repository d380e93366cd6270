"""`newsagg schedule` against the demo site: each health rule turning a run degraded (the demo site breaks
on request), and two schedulers sharing Redis."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from storage.db import upgrade

from ..conftest import REDIS_URL, _unavailable, fresh_postgres_database
from .ops import EVERY_2_SECONDS, YEARLY, Scheduler, assert_no_overlap, demo_sources, jobs, run_once, wait_for

pytestmark = pytest.mark.long_running


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


@pytest.mark.parametrize(
    ("mode", "health", "rule", "detail"),
    [
        ("empty", {}, "nothing_stored", "found 0 articles, new or stored before (minimum 1)"),
        ("errors", {"min_items": 0}, "error_rate", "of requests failed"),
        ("untitled", {}, "missing_fields", "title missing on "),
    ],
)
def test_each_health_rule_turns_a_run_degraded_and_alerts(
    demo_site, ops_db, tmp_path, webhook, mode, health, rule, detail
):
    url, received = webhook
    demo_site.set_mode(mode)
    sources = demo_sources(demo_site, tmp_path, schedule=YEARLY, health=health)
    result = run_once(ops_db, sources, env={"NEWSAGG_ALERT_WEBHOOK": url})
    assert result.returncode == 1, result.stdout + result.stderr  # --once: non-zero unless every run finished
    (job,) = jobs(ops_db)
    assert job.status == "degraded", job.reason
    assert job.health["broken"] == [rule] and job.reason.startswith(f"{rule}: ") and detail in job.reason
    assert f"demo: job {job.id} degraded" in result.stdout
    (alert,) = received
    assert alert["job"]["id"] == job.id and alert["job"]["status"] == "degraded"
    assert alert["text"] == f"newsagg: job {job.id} (demo) degraded: {job.reason}"
    # Nothing more is due this year: --once exits at once and starts nothing.
    again = run_once(ops_db, sources, env={"NEWSAGG_ALERT_WEBHOOK": url})
    assert again.returncode == 0 and len(jobs(ops_db)) == 1 and "started" not in again.stdout


def test_a_run_far_below_the_recent_ones_is_degraded(demo_site, ops_db, tmp_path):
    sources = demo_sources(demo_site, tmp_path, schedule="* * * * * *", health={"min_items": 0, "min_baseline_runs": 1})
    first = run_once(ops_db, sources)
    assert first.returncode == 0, first.stdout + first.stderr
    demo_site.set_mode("empty")
    second = run_once(ops_db, sources)
    assert second.returncode == 1
    normal, thin = jobs(ops_db)
    assert normal.status == "finished" and thin.status == "degraded"
    assert thin.health["broken"] == ["below_baseline"]
    assert thin.reason == (
        f"below_baseline: found 0 articles, far below the median {normal.stored} of the last 1 runs "
        f"(limit 25% of it: {normal.stored * 0.25:g})"
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_two_schedulers_sharing_redis_never_run_one_source_twice_at_once(demo_site, tmp_path):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete("newsagg:lock:source:demo")
    except redis.exceptions.ConnectionError as exc:
        _unavailable("Redis", exc)
    finally:
        client.close()
    sources = demo_sources(demo_site, tmp_path, schedule=EVERY_2_SECONDS)
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

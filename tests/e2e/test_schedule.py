"""`newsagg schedule` against the demo site: job rows, one run per source at a time, clean stops and
killed crawls."""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest

from crawler.demo.truth import truth

from .ops import (
    EVERY_2_SECONDS,
    LONG_RUN,
    YEARLY,
    Scheduler,
    assert_no_overlap,
    demo_sources,
    jobs,
    running_with_progress,
    wait_for,
)

pytestmark = pytest.mark.long_running


def test_scheduled_runs_are_recorded_one_at_a_time_and_sigterm_interrupts_the_running_one(demo_site, ops_db, tmp_path):
    # The slow page's edition: a run of the en edition alone can end between two progress writes.
    sources = demo_sources(demo_site, tmp_path, schedule=EVERY_2_SECONDS, langs=LONG_RUN)
    with Scheduler(ops_db, sources, log=tmp_path / "schedule.log") as scheduler:
        wait_for(
            "two runs closed",
            lambda: sum(job.finished_at is not None for job in jobs(ops_db)) >= 2,
            alive=scheduler.process,
        )
        # The third run writes its progress while it runs.
        running = wait_for("a job with progress", lambda: running_with_progress(ops_db), alive=scheduler.process)
        assert running.updated_at > running.started_at and running.finished_at is None
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    rows = jobs(ops_db)
    assert len(rows) >= 3, scheduler.output()
    assert {(job.source_key, job.trigger, job.langs) for job in rows} == {("demo", "schedule", None)}
    statuses = [job.status for job in rows]
    assert statuses == ["finished"] * (len(rows) - 1) + ["interrupted"], [job.reason for job in rows]
    first, second, last = rows[0], rows[1], rows[-1]
    crawled = [page for page in truth(demo_site.base).articles if page.source == "demo" and page.lang in LONG_RUN]
    assert first.stored == len(crawled)
    assert first.health["broken"] == [] and first.health["measures"]["found"] == first.stored
    # The re-crawl skips what is stored: it stored nothing new, but it found every article again.
    assert second.stored == 0 and second.health["measures"]["found"] > 0
    assert last.id == running.id and last.reason == "stopped before it finished (signal or shutdown)"
    assert all(job.finished_at is not None for job in rows)
    assert_no_overlap(rows)
    output = scheduler.output()
    assert f"demo: job {first.id} finished" in output and "stopping: asking demo to stop" in output


def test_with_a_drain_time_sigterm_lets_the_running_crawl_finish(demo_site, ops_db, tmp_path):
    sources = demo_sources(demo_site, tmp_path, schedule=YEARLY, langs=LONG_RUN)
    with Scheduler(ops_db, sources, "-s", "NEWSAGG_SCHEDULE_DRAIN=300", log=tmp_path / "schedule.log") as scheduler:
        running = wait_for("a running job", lambda: running_with_progress(ops_db), alive=scheduler.process)
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    (job,) = jobs(ops_db)
    assert (job.id, job.status, job.reason) == (running.id, "finished", None)
    assert "stopping: letting demo finish (up to 300 s)" in scheduler.output()


ALERT_SCRIPT = """
import os, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(os.environ["NEWSAGG_JOB_STATUS"] + " " + sys.stdin.read().replace("\\n", " ") + "\\n")
"""


def test_a_killed_crawl_is_closed_as_failed_and_alerted(demo_site, ops_db, tmp_path):
    sources = demo_sources(demo_site, tmp_path, schedule=YEARLY, langs=LONG_RUN)
    script = tmp_path / "alert.py"
    script.write_text(ALERT_SCRIPT, encoding="utf-8")
    alerts = tmp_path / "alerts.txt"
    env = {"NEWSAGG_ALERT_COMMAND": f"{sys.executable} {script} {alerts}"}
    with Scheduler(ops_db, sources, env=env, log=tmp_path / "schedule.log") as scheduler:
        running = wait_for("a running job", lambda: running_with_progress(ops_db), alive=scheduler.process)
        os.kill(running.pid, signal.SIGKILL)
        closed = wait_for("the killed job closed", lambda: next((j for j in jobs(ops_db) if j.finished_at), None))
        wait_for("the alert", lambda: alerts.exists() and alerts.read_text(encoding="utf-8"))
        scheduler.terminate()
        assert scheduler.wait() == 0, scheduler.output()
    assert (closed.id, closed.status) == (running.id, "failed")
    assert closed.reason == f"crawl process {running.pid} was killed by SIGKILL before closing its job"
    status, body = alerts.read_text(encoding="utf-8").strip().split(" ", 1)
    alert = json.loads(body)
    assert status == "failed" and alert["job"]["id"] == running.id and alert["job"]["status"] == "failed"
    assert alert["text"] == f"newsagg: job {running.id} (demo) failed: {closed.reason}"

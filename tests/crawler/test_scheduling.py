"""Run units and due times from source schedules, command-line overrides, and the per-source locks."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from crawler.ops.cron import Unit, is_due, next_fire, parse_overrides, plan
from crawler.ops.locks import FileSourceLock, LockBusy, RedisSourceLock
from settings.sources import parse_sources

from ..conftest import REDIS_URL, _unavailable

SOURCES = """
- key: tass
  name: TASS
  schedule: "*/15 * * * *"
  editions:
    - {lang: ru, domains: [tass.ru]}
    - {lang: en, domains: [tass.com], schedule: "0 * * * *"}
    - {lang: ar, domains: [tass.ar], schedule: "*/15 * * * *"}
- key: wire
  name: Wire
  editions:
    - {lang: en, domains: [wire.org]}
"""


def registry():
    return {source.key: source for source in parse_sources(SOURCES, "test.yaml")}


def test_editions_with_their_own_schedule_run_apart():
    assert plan(registry()) == [
        Unit("tass", ("ar", "ru"), "*/15 * * * *"),  # same schedule as the source: one unit
        Unit("tass", ("en",), "0 * * * *"),
        Unit("wire", (), "0 * * * *"),  # the default schedule, every edition
    ]
    assert [unit.name for unit in plan(registry(), only={"tass"})] == ["tass[ar,ru]", "tass[en]"]
    assert Unit("wire", (), "0 * * * *").langs_value is None
    assert Unit("tass", ("ar", "ru"), "*/15 * * * *").langs_value == "ar,ru"


def test_a_unit_is_due_once_per_scheduled_time_missed():
    unit = Unit("wire", (), "0 * * * *")
    now = datetime(2026, 11, 29, 10, 20, tzinfo=UTC)
    assert is_due(unit, None, now)  # never ran
    assert is_due(unit, datetime(2026, 11, 29, 9, 59, tzinfo=UTC), now)  # missed 10:00
    assert not is_due(unit, datetime(2026, 11, 29, 10, 0, 5, tzinfo=UTC), now)
    assert is_due(unit, datetime(2026, 11, 28, 3, 0, tzinfo=UTC), now)  # many missed: still one run
    assert next_fire(unit.cron, now) == datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
    # A sixth field gives seconds.
    assert next_fire("* * * * * */10", now) == datetime(2026, 11, 29, 10, 20, 10, tzinfo=UTC)


def test_overrides_are_upper_case_name_value_pairs():
    assert parse_overrides(["DOWNLOAD_DELAY=0", "LOG_LEVEL=INFO", "X=a=b"]) == {
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
        "X": "a=b",
    }
    for bad in ["DOWNLOAD_DELAY", "=3", "download_delay=1"]:
        with pytest.raises(ValueError, match="expected NAME=VALUE"):
            parse_overrides([bad])


HOLD = """
import sys, time
from pathlib import Path
from crawler.ops.locks import FileSourceLock
lock = FileSourceLock(Path(sys.argv[1]), "demo", "sqlite:///x.db")
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def test_a_lock_file_excludes_other_processes_and_dies_with_its_holder(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = FileSourceLock(tmp_path, "demo", "sqlite:///x.db")
        assert lock.holder().endswith(f":{holder.pid}")
        with pytest.raises(LockBusy, match=f"running on .*:{holder.pid}"):
            lock.acquire()
        # Another database is another lock.
        other = FileSourceLock(tmp_path, "demo", "sqlite:///y.db")
        other.acquire()
        other.release()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert lock.holder() is None  # the kernel released it with the process
    lock.acquire()
    lock.release()


@pytest.mark.redis
def test_a_redis_lock_is_exclusive_refreshed_and_released():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete("newsagg:lock:source:locktest")
    except redis.exceptions.ConnectionError as exc:
        _unavailable("Redis", exc)
    first = RedisSourceLock(client, "locktest", ttl=1.5)
    second = RedisSourceLock(client, "locktest", ttl=1.5)
    first.acquire()
    try:
        with pytest.raises(LockBusy, match="running on "):
            second.acquire()
            # The holder refreshes it every ttl/3: it outlives its first expiry.
        time.sleep(3)
        assert second.holder() is not None
        with pytest.raises(LockBusy):
            second.acquire()
    finally:
        first.release()
    assert second.holder() is None
    second.acquire()
    second.release()
    # A holder that stops refreshing (a dead process) lets the lock expire by itself.
    stale = client.lock("newsagg:lock:source:locktest", timeout=0.3)
    assert stale.acquire(blocking=False)
    time.sleep(0.5)
    third = RedisSourceLock(client, "locktest", ttl=5)
    third.acquire()
    third.release()

"""One crawl per source at a time: a lock that the crawl process holds while it runs.

With Redis (``NEWSAGG_REDIS_URL``) the lock is a Redis key with an expiry, so that it holds across
schedulers on several machines: the holder refreshes it every third of ``NEWSAGG_LOCK_TTL``, and a
holder that dies (killed, machine gone) lets it expire. Without Redis it is an ``flock`` on a file in
``NEWSAGG_LOCK_DIR``: it holds across processes on one machine, and the kernel releases it when the
holder dies. Either way the lock names its holder (host:pid), which the scheduler reports on a skip.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Protocol

import redis
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

REDIS_KEY = "newsagg:lock:source:{key}"

# The exit status of a crawl not started because its source is running elsewhere (EX_TEMPFAIL).
EXIT_BUSY = 75


class LockBusy(Exception):
    """Another process holds the source's lock; the message names it."""


class LockUnavailable(RuntimeError):
    """The lock's store (Redis, the lock folder) cannot be used."""


class SourceLock(Protocol):
    def acquire(self) -> None: ...
    def release(self) -> None: ...
    def holder(self) -> str | None: ...


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class RedisSourceLock:
    def __init__(self, client: redis.Redis, source_key: str, ttl: float) -> None:
        self.key = REDIS_KEY.format(key=source_key)
        self.client = client
        self.ttl = ttl
        # Not thread-local: the refresher thread extends the lock that the main thread took.
        self._lock = client.lock(self.key, timeout=ttl, blocking=False, thread_local=False)
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    def acquire(self) -> None:
        token = f"{holder_name()}:{uuid.uuid4().hex[:8]}"
        try:
            taken = self._lock.acquire(blocking=False, token=token)
        except RedisError as exc:
            raise LockUnavailable(f"cannot take the lock {self.key} in Redis: {exc}") from None
        if not taken:
            raise LockBusy(f"running on {self.holder() or 'another process'}")
        self._stop.clear()
        self._refresher = threading.Thread(target=self._refresh, name=f"lock-{self.key}", daemon=True)
        self._refresher.start()

    def _refresh(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self._lock.reacquire()
            except (LockError, RedisError) as exc:
                # Redis was away longer than the TTL, or restarted: another run may start; say so loudly.
                log.error("lost the lock %s: %s", self.key, exc)

    def release(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=5)
            self._refresher = None
        with contextlib.suppress(LockError, RedisError):
            self._lock.release()

    def holder(self) -> str | None:
        try:
            value = self.client.get(self.key)
        except RedisError as exc:
            raise LockUnavailable(f"cannot read the lock {self.key} in Redis: {exc}") from None
        if value is None:
            return None
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return text.rsplit(":", 1)[0]  # host:pid, without the random part


class FileSourceLock:
    def __init__(self, folder: Path, source_key: str, database_url: str) -> None:
        # Per database too: two crawls of one source into different databases do not collide.
        digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]
        self.path = folder / f"{source_key}-{digest}.lock"
        self._file: IO[str] | None = None

    def _open(self) -> IO[str]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return open(self.path, "a+", encoding="utf-8")  # held open while locked
        except OSError as exc:
            raise LockUnavailable(f"cannot open the lock file {self.path}: {exc}") from None

    def acquire(self) -> None:
        handle = self._open()
        # A few tries: holder() elsewhere takes a shared lock for an instant, which is not a crawl.
        for attempt in range(3):
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt == 2:
                    handle.close()
                    raise LockBusy(f"running on {self.holder() or 'another process'}") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(holder_name())
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def holder(self) -> str | None:
        if not self.path.exists():
            return None
        handle = self._open()
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            return handle.read().strip() or "another process"
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None
        finally:
            handle.close()


def default_lock_dir() -> Path:
    return Path(tempfile.gettempdir()) / "newsagg-locks"


def source_lock(
    source_key: str, *, redis_url: str | None, database_url: str, ttl: float, lock_dir: str | Path | None
) -> SourceLock:
    """The lock for ``source_key``: in Redis when a URL is given, else a lock file."""
    if redis_url:
        client = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=10)
        return RedisSourceLock(client, source_key, ttl)
    return FileSourceLock(Path(lock_dir) if lock_dir else default_lock_dir(), source_key, database_url)

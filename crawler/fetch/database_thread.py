"""A thread of a component's own for its database work, so the reactor never waits on the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

T = TypeVar("T")


class DatabaseThread:
    """Runs calls one at a time, in order, on one thread; started on first use, stopped by :meth:`stop`."""

    def __init__(self, name: str) -> None:
        self._pool = ThreadPool(minthreads=1, maxthreads=1, name=name)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        if not self._pool.started:
            self._pool.start()
        result: T = await maybe_deferred_to_future(deferToThreadPool(reactor, self._pool, function, *args))
        return result

    def stop(self) -> None:
        if self._pool.started:
            self._pool.stop()

    close = stop  # as a component shared through a Database, stopped when the Database closes

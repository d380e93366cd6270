"""Units of work repeated through a short database outage.

A server restarting, a failover or a network blip fails the transaction in flight with an
OperationalError (the connection is gone or cannot be made). Such work is repeated, with growing
pauses, until it succeeds or its time is up, so a blip costs time, never an article. Errors in the
data itself (a constraint, a read-only database) are never repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")

FIRST_PAUSE = 0.5
LONGEST_PAUSE = 8.0
# Messages of errors that repeating cannot cure although the driver calls them operational.
_LASTING = ("readonly", "read-only", "no such table", "no such column")


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` says the database was unreachable rather than that the work was wrong."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    return isinstance(error, OperationalError) and not any(word in str(error.orig).lower() for word in _LASTING)


def retrying(
    work: Callable[[], T],
    seconds: float,
    on_retry: Callable[[BaseException, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``work()``, repeated after a transient database error until ``seconds`` have passed; then (or on
    any other error) the error is raised. ``on_retry`` hears of each error and the pause before the retry."""
    deadline = time.monotonic() + seconds
    pause = FIRST_PAUSE
    while True:
        try:
            return work()
        except DBAPIError as error:
            if not is_transient(error) or time.monotonic() + pause > deadline:
                raise
            if on_retry is not None:
                on_retry(error, pause)
            sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

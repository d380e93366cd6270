"""Job rows left ``running`` by crawls that are gone: found and closed as failed, with the reason.

``newsagg jobs``, ``schedule``, ``crawl`` and ``demo`` all sweep them before they show or start runs, so a
crawl killed with kill -9 (or stopped by a full disk) is never counted as running for long.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from crawler.ops.alerts import AlertHooks, notify
from storage import jobs
from storage.db import session_scope
from storage.models import CrawlJob


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def sweep_abandoned(database_url: str, stale_after: float, alerts: AlertHooks) -> list[CrawlJob]:
    """Close as failed the running rows whose crawl is gone, and alert on each."""
    with session_scope(database_url) as session:
        closed = jobs.close_abandoned(session, socket.gethostname(), stale_after, pid_alive)
        records = [jobs.job_dict(job) for job in closed]
    for record in records:
        notify(alerts, record)
    return closed

"""Crawl job rows: written at start, updated while running, finalised at the end.

Rows left ``running`` by a process that died are closed by :func:`close_abandoned`; the health rules
compare a run with its source's recent runs through :func:`baseline_items`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import CrawlJob
from storage.types import utcnow

STATUSES = ("running", "finished", "degraded", "failed", "interrupted")
COUNTERS = ("pages", "stored", "updated", "unchanged", "duplicates")
# Items a run saw through the pipeline: every stored outcome, not only new articles.
ITEM_COUNTERS = ("stored", "updated", "unchanged", "duplicates")


def langs_value(langs: Sequence[str] | None) -> str | None:
    """The ``langs`` column for a run of these editions (None: every edition)."""
    return ",".join(sorted(langs)) if langs else None


def start_job(session: Session, source_key: str, trigger: str, langs: Sequence[str] | None = None) -> CrawlJob:
    job = CrawlJob(
        source_key=source_key,
        trigger=trigger,
        status="running",
        pid=os.getpid(),
        hostname=socket.gethostname(),
        langs=langs_value(langs),
    )
    session.add(job)
    session.flush()
    return job


def record_progress(session: Session, job_id: int, figures: Mapping[str, Any]) -> CrawlJob:
    job = session.get_one(CrawlJob, job_id)
    for name in COUNTERS:
        if name in figures:
            setattr(job, name, int(figures[name]))
    for name in ("dropped", "errors"):
        if name in figures:
            setattr(job, name, dict(figures[name]))
    job.updated_at = utcnow()
    return job


def finish_job(
    session: Session,
    job_id: int,
    status: str,
    reason: str | None,
    figures: Mapping[str, Any],
    health: Mapping[str, Any] | None = None,
) -> CrawlJob:
    if status not in STATUSES:
        raise ValueError(f"unknown job status {status!r}")
    job = record_progress(session, job_id, figures)
    job.status = status
    job.reason = reason
    job.finished_at = job.updated_at
    if health is not None:
        job.health = dict(health)
    return job


def close_job(session: Session, job_id: int, status: str, reason: str) -> bool:
    """End a row still ``running`` (its process is gone); False when someone else already closed it.

    The conditional update makes the close happen once, however many schedulers and ``newsagg jobs``
    look at the row at the same moment, so an alert is sent once too.
    """
    if status not in STATUSES or status == "running":
        raise ValueError(f"cannot close a job as {status!r}")
    now = utcnow()
    result = session.execute(
        update(CrawlJob)
        .where(CrawlJob.id == job_id, CrawlJob.status == "running")
        .values(status=status, reason=reason, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def running_jobs(session: Session, source_key: str | None = None) -> list[CrawlJob]:
    query = select(CrawlJob).where(CrawlJob.status == "running").order_by(CrawlJob.id)
    if source_key:
        query = query.where(CrawlJob.source_key == source_key)
    return list(session.scalars(query))


def abandoned_reason(
    job: CrawlJob, hostname: str, stale_after: float, is_alive: Callable[[int], bool], now: datetime
) -> str | None:
    """Why a ``running`` row belongs to no live crawl, or None while it may still be running."""
    if job.hostname == hostname and job.pid is not None and not is_alive(job.pid):
        return f"crawl process {job.pid} on {hostname} ended without closing its job (killed or crashed)"
    silent = (now - job.updated_at).total_seconds()
    if stale_after > 0 and silent > stale_after:
        return f"no progress recorded for {silent:.0f} s (limit {stale_after:.0f} s); its process is presumed dead"
    return None


def close_abandoned(
    session: Session, hostname: str, stale_after: float, is_alive: Callable[[int], bool]
) -> list[CrawlJob]:
    """Close as failed every running row whose process is gone (this host) or silent too long (any host)."""
    now = utcnow()
    closed = []
    for job in running_jobs(session):
        reason = abandoned_reason(job, hostname, stale_after, is_alive, now)
        if reason is not None and close_job(session, job.id, "failed", reason):
            session.refresh(job)
            closed.append(job)
    return closed


def latest_job_of(session: Session, hostname: str, pid: int) -> CrawlJob | None:
    """The newest row written by process ``pid`` on ``hostname``."""
    query = (
        select(CrawlJob).where(CrawlJob.pid == pid, CrawlJob.hostname == hostname).order_by(CrawlJob.id.desc()).limit(1)
    )
    return session.scalars(query).first()


def item_count(job: CrawlJob) -> int:
    return sum(int(getattr(job, name) or 0) for name in ITEM_COUNTERS)


def articles_found(job: CrawlJob) -> int | None:
    """Articles the run found (new or stored before), from its health measures; None when its count is
    incomplete (a listing answered "not modified"). Rows without measures count their items."""
    measures = (job.health or {}).get("measures")
    if not measures:
        return item_count(job)
    if not measures.get("complete", True):
        return None
    return int(measures.get("found", item_count(job)))


def baseline_items(
    session: Session, source_key: str, langs: str | None, limit: int, exclude_id: int | None = None
) -> list[int]:
    """Articles found by the source's most recent complete runs of the same editions that ended
    normally, newest first (at most ``limit``)."""
    query = (
        select(CrawlJob)
        .where(
            CrawlJob.source_key == source_key,
            CrawlJob.status.in_(("finished", "degraded")),
            CrawlJob.langs.is_(None) if langs is None else CrawlJob.langs == langs,
        )
        .order_by(CrawlJob.started_at.desc(), CrawlJob.id.desc())
        .limit(limit * 4)  # room for the incomplete runs that are passed over
    )
    if exclude_id is not None:
        query = query.where(CrawlJob.id != exclude_id)
    counts = [articles_found(job) for job in session.scalars(query)]
    return [count for count in counts if count is not None][:limit]


def last_started(session: Session) -> dict[tuple[str, str | None], datetime]:
    """When each (source, editions) last started a run, whatever its trigger."""
    rows = session.execute(
        select(CrawlJob.source_key, CrawlJob.langs, func.max(CrawlJob.started_at)).group_by(
            CrawlJob.source_key, CrawlJob.langs
        )
    ).all()
    return {(key, langs): started for key, langs, started in rows if started is not None}


def recent_jobs(session: Session, limit: int = 20, source_key: str | None = None) -> list[CrawlJob]:
    query = select(CrawlJob).order_by(CrawlJob.started_at.desc(), CrawlJob.id.desc()).limit(limit)
    if source_key:
        query = query.where(CrawlJob.source_key == source_key)
    return list(session.scalars(query))


def duration(job: CrawlJob, now: datetime | None = None) -> timedelta:
    """How long the run took, or has taken so far."""
    return (job.finished_at or now or utcnow()) - job.started_at


def job_dict(job: CrawlJob, now: datetime | None = None) -> dict[str, Any]:
    """The row as JSON-ready data, with its duration in seconds and its item count."""
    return {
        "id": job.id,
        "source": job.source_key,
        "langs": job.langs.split(",") if job.langs else None,
        "trigger": job.trigger,
        "status": job.status,
        "reason": job.reason,
        "started_at": job.started_at.isoformat(),
        "updated_at": job.updated_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "duration_seconds": round(duration(job, now).total_seconds(), 3),
        "pages": job.pages,
        "items": item_count(job),
        "stored": job.stored,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "duplicates": job.duplicates,
        "dropped": dict(job.dropped or {}),
        "errors": dict(job.errors or {}),
        "health": job.health,
        "pid": job.pid,
        "hostname": job.hostname,
    }

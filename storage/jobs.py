"""Crawl job rows: written at start, updated while running, finalised at the end."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CrawlJob
from storage.types import utcnow

STATUSES = ("running", "finished", "degraded", "failed", "interrupted")
COUNTERS = ("pages", "stored", "updated", "unchanged", "duplicates")


def start_job(session: Session, source_key: str, trigger: str) -> CrawlJob:
    job = CrawlJob(
        source_key=source_key,
        trigger=trigger,
        status="running",
        pid=os.getpid(),
        hostname=socket.gethostname(),
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


def finish_job(session: Session, job_id: int, status: str, reason: str | None, figures: Mapping[str, Any]) -> CrawlJob:
    if status not in STATUSES:
        raise ValueError(f"unknown job status {status!r}")
    job = record_progress(session, job_id, figures)
    job.status = status
    job.reason = reason
    job.finished_at = job.updated_at
    return job


def recent_jobs(session: Session, limit: int = 20, source_key: str | None = None) -> list[CrawlJob]:
    query = select(CrawlJob).order_by(CrawlJob.started_at.desc(), CrawlJob.id.desc()).limit(limit)
    if source_key:
        query = query.where(CrawlJob.source_key == source_key)
    return list(session.scalars(query))

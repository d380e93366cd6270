"""Human-readable and JSON renderings of summaries for the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from storage.db import session_scope

if TYPE_CHECKING:
    from crawler.ops.crawl_runner import CrawlRun


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"


def render_summary(summary: Mapping[str, Any], *, heading: str) -> str:
    """What this run did first (when ``summary`` has a ``run``), then the database totals, labelled so."""
    lines = [heading]
    run = summary.get("run")
    if run is not None:
        lines += [
            f"This run: pages {run['pages']}, new {run['new']}, updated {run['updated']}, "
            f"unchanged {run['unchanged']}, duplicates {run['duplicates']}",
            f"  dropped: {_counts(run['dropped'])}",
            f"  errors:  {_counts(run['errors'])}",
        ]
    lines += [
        "Database totals:" if run is not None else "Database:",
        f"  articles: {summary['articles']}",
        f"  by language: {_counts(summary['by_lang'])}",
        f"  by source:   {_counts(summary['by_source'])}",
        f"  translation groups: {summary['groups']}",
        f"  duplicate sightings: {_counts(summary['duplicates'])}",
    ]
    if run is None:
        lines += [
            f"  dropped (all runs): {_counts(summary['dropped'])}",
            f"  errors (all runs): {_counts(summary['errors'])}",
        ]
    jobs = summary.get("jobs")
    if jobs:
        lines.append("Jobs: " + ", ".join(f"#{j['id']} {j['source']} {j['status']}" for j in jobs))
    return "\n".join(lines)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def crawl_summary(database_url: str, job_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """Database totals, and with ``job_ids`` what those runs did (``run``) and their status."""
    from storage.jobs import recent_jobs
    from storage.models import CrawlJob
    from storage.stats import run_figures, summary

    with session_scope(database_url) as session:
        result = summary(session, job_ids)
        if job_ids is not None:
            rows = [session.get_one(CrawlJob, job_id) for job_id in job_ids]
            result["run"] = run_figures(rows)
        else:
            rows = recent_jobs(session, limit=5)
        result["jobs"] = [{"id": j.id, "source": j.source_key, "status": j.status, "reason": j.reason} for j in rows]
        result["job_id"] = job_ids[0] if job_ids else None
        result["job_ids"] = list(job_ids or [])
    return result


def run_line(command: str, summary: Mapping[str, Any]) -> str:
    """The one line a crawl's log ends with."""
    run = summary["run"]
    jobs = ", ".join(f"{j['source']} {j['status']}" for j in summary["jobs"]) or "no run"
    return (
        f"{command}: {jobs}; pages {run['pages']}, new {run['new']}, updated {run['updated']}, "
        f"dropped {sum(run['dropped'].values())}, errors {sum(run['errors'].values())}"
    )


def report_runs(
    command: str,
    database_url: str,
    runs: Sequence[CrawlRun],
    *,
    heading: str,
    as_json: bool,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Say what the crawl runs did; the exit status. A run that could not record its job gets one line
    saying why, and makes the status 1: it is never reported as an empty success."""
    unrecorded = [run for run in runs if run.job_id is None]
    for run in unrecorded:
        print(f"{command}: {run.source} failed: {run.job_error}", file=sys.stderr)
    job_ids = [run.job_id for run in runs if run.job_id is not None]
    if not job_ids:
        return 1
    result = {**crawl_summary(database_url, job_ids), **(extra or {})}
    status = report_run(command, result, heading=heading, as_json=as_json)
    return 1 if unrecorded else status


def report_run(command: str, result: Mapping[str, Any], *, heading: str, as_json: bool) -> int:
    """Say what a crawl run did (one line on stderr, the summary on stdout); its exit status."""
    print(run_line(command, result), file=sys.stderr)
    print(to_json(result) if as_json else render_summary(result, heading=heading))
    return 0 if all(j["status"] == "finished" for j in result["jobs"]) else 1

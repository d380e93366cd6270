"""Human-readable and JSON renderings of summaries for the command line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


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
        lines += [f"  dropped (all runs): {_counts(summary['dropped'])}", f"  errors (all runs): {_counts(summary['errors'])}"]
    jobs = summary.get("jobs")
    if jobs:
        lines.append("Jobs: " + ", ".join(f"#{j['id']} {j['source']} {j['status']}" for j in jobs))
    return "\n".join(lines)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)

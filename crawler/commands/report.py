"""Human-readable and JSON renderings of summaries for the command line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"


def render_summary(summary: Mapping[str, Any], *, heading: str) -> str:
    lines = [
        heading,
        f"Articles: {summary['articles']}",
        f"  by language: {_counts(summary['by_lang'])}",
        f"  by source:   {_counts(summary['by_source'])}",
        f"Translation groups: {summary['groups']}",
        f"Duplicates: {_counts(summary['duplicates'])}",
        f"Dropped: {_counts(summary['dropped'])}",
        f"Errors: {_counts(summary['errors'])}",
    ]
    jobs = summary.get("jobs")
    if jobs:
        lines.append("Jobs: " + ", ".join(f"#{j['id']} {j['source']} {j['status']}" for j in jobs))
    return "\n".join(lines)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)

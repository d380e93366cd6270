"""Health rules: whether a crawl that ended normally did its job (pure; no I/O).

A run breaks a rule when it found no article at all (neither new nor stored before), too many of its
requests failed, too many of its items lack a required field, or it found far fewer articles than the
source's recent runs. Such a run is
``degraded``, and its reason names every rule it broke. The thresholds come from the source's
``health:`` mapping (:class:`settings.sources.Health`).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from settings.sources import ITEM_FIELDS, Health

RULES = ("nothing_stored", "error_rate", "missing_fields", "below_baseline")

# Stats the job recorder keeps for the rules (Scrapy's own stats give the rest).
ITEMS_KEY = "newsagg/health/items"
MISSING_PREFIX = "newsagg/health/missing/"


@dataclass(frozen=True)
class Measures:
    """What the rules look at, for one run."""

    items: int  # articles stored, updated, re-seen unchanged or recorded as copies
    answered: int  # requests answered with a usable response (2xx, 304)
    errors: int  # requests that failed for good (after retries), by any cause
    known: int = 0  # article pages not fetched because they are stored already (or claimed by another crawl)
    not_modified: int = 0  # feeds and sitemaps that answered "not modified": their articles were not listed
    checked: int = 0  # items whose fields were checked
    missing: Mapping[str, int] = field(default_factory=dict)  # field -> checked items without it
    baseline: Sequence[int] = ()  # articles found by the source's recent comparable runs, newest first

    @property
    def found(self) -> int:
        """Articles the run found, new or stored before."""
        return self.items + self.known

    @property
    def complete(self) -> bool:
        """Whether ``found`` counts every article the listings hold (no listing answered "not modified")."""
        return self.not_modified == 0

    @property
    def error_rate(self) -> float:
        attempts = self.answered + self.errors
        return self.errors / attempts if attempts else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "known": self.known,
            "found": self.found,
            "not_modified": self.not_modified,
            "complete": self.complete,
            "answered": self.answered,
            "errors": self.errors,
            "error_rate": round(self.error_rate, 4),
            "checked": self.checked,
            "missing": dict(self.missing),
            "baseline": list(self.baseline),
        }


@dataclass(frozen=True)
class Breach:
    rule: str
    message: str


def measure(stats: Mapping[str, Any], figures: Mapping[str, Any], baseline: Sequence[int] = ()) -> Measures:
    """The measures of a run from its Scrapy stats and its job figures (``extensions.jobs.figures_from_stats``)."""
    answered = sum(
        int(value)
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/") and _usable(key.rsplit("/", 1)[1])
    )
    items = sum(int(figures.get(name, 0)) for name in ("stored", "updated", "unchanged", "duplicates"))
    missing = {name: int(stats.get(MISSING_PREFIX + name, 0)) for name in ITEM_FIELDS}
    return Measures(
        items=items,
        answered=answered,
        errors=sum(int(v) for v in figures.get("errors", {}).values()),
        known=sum(int(stats.get(f"newsagg/skipped/{reason}", 0)) for reason in ("known", "claimed")),
        not_modified=int(stats.get("newsagg/skipped/not_modified", 0)),
        checked=int(stats.get(ITEMS_KEY, 0)),
        missing={name: count for name, count in missing.items() if count},
        baseline=list(baseline),
    )


def _usable(status: str) -> bool:
    return status.isdigit() and (200 <= int(status) < 300 or int(status) == 304)


def evaluate(health: Health, measures: Measures) -> list[Breach]:
    """The rules ``measures`` break under ``health``, in the order of :data:`RULES`."""
    breaches = []
    # A listing that answered "not modified" hides its articles: the count rules cannot judge such a run.
    if measures.complete and measures.found < health.min_items:
        breaches.append(
            Breach(
                "nothing_stored",
                f"found {measures.found} articles, new or stored before (minimum {health.min_items})",
            )
        )
    rate = measures.error_rate
    attempts = measures.answered + measures.errors
    # A quiet re-crawl makes few requests, and the same few broken links would dominate its rate.
    if health.max_error_rate < 1 and attempts >= health.min_requests and rate > health.max_error_rate:
        breaches.append(
            Breach(
                "error_rate",
                f"{rate:.0%} of requests failed ({measures.errors} of {attempts}; limit {health.max_error_rate:.0%})",
            )
        )
    lacking = _lacking(health, measures)
    if lacking:
        breaches.append(Breach("missing_fields", "; ".join(lacking)))
    below = _below_baseline(health, measures)
    if below:
        breaches.append(Breach("below_baseline", below))
    return breaches


def _lacking(health: Health, measures: Measures) -> list[str]:
    if not measures.checked:
        return []
    found = []
    for name in health.required_fields:
        count = measures.missing.get(name, 0)
        share = count / measures.checked
        if share > health.missing_tolerance:
            found.append(
                f"{name} missing on {count} of {measures.checked} items "
                f"({share:.0%}; tolerance {health.missing_tolerance:.0%})"
            )
    return found


def _below_baseline(health: Health, measures: Measures) -> str | None:
    recent = list(measures.baseline)[: health.baseline_runs]
    if not measures.complete or health.baseline_ratio <= 0 or len(recent) < health.min_baseline_runs:
        return None
    median = statistics.median(recent)
    floor = health.baseline_ratio * median
    if measures.found >= floor:
        return None
    return (
        f"found {measures.found} articles, far below the median {median:g} of the last {len(recent)} runs "
        f"(limit {health.baseline_ratio:.0%} of it: {floor:g})"
    )


def reason(breaches: Sequence[Breach]) -> str:
    """The job's reason: every broken rule by name, with what was measured."""
    return "; ".join(f"{breach.rule}: {breach.message}" for breach in breaches)


def report(measures: Measures, breaches: Sequence[Breach]) -> dict[str, Any]:
    """The job row's ``health`` value."""
    return {"measures": measures.as_dict(), "broken": [breach.rule for breach in breaches]}

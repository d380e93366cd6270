"""What to crawl when: each source's cron schedule turned into run units and due times (pure).

A source runs on its ``schedule``; an edition with a ``schedule`` of its own runs apart, as a crawl of
that edition alone (``--lang``). Schedules are read in UTC, with croniter, the library that also
validates them when sources load; a sixth field gives seconds (``*/5 * * * * */10``), which tests use.
A unit is due when no run of it started since its latest scheduled time, so a scheduler that was down
catches up with one run, not with every run it missed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter

from settings.sources import Source


@dataclass(frozen=True)
class Unit:
    """One scheduled crawl: a source, the editions it covers (empty: all), and its cron expression."""

    source: str
    langs: tuple[str, ...]
    cron: str

    @property
    def name(self) -> str:
        return f"{self.source}[{','.join(self.langs)}]" if self.langs else self.source

    @property
    def langs_value(self) -> str | None:
        """As stored in ``crawl_jobs.langs``."""
        return ",".join(self.langs) if self.langs else None


def plan(sources: Mapping[str, Source], only: Collection[str] = ()) -> list[Unit]:
    """The run units of ``sources`` (of the keys in ``only``, when given)."""
    units = []
    for key, source in sources.items():
        if only and key not in only:
            continue
        by_schedule: dict[str, list[str]] = {}
        for edition in source.editions:
            by_schedule.setdefault(edition.schedule or source.schedule, []).append(edition.lang)
        for cron, langs in by_schedule.items():
            covers_all = len(langs) == len(source.editions)
            units.append(Unit(key, () if covers_all else tuple(sorted(langs)), cron))
    return units


def next_fire(cron: str, after: datetime) -> datetime:
    fire: datetime = croniter(cron, after).get_next(datetime)
    return fire


def previous_fire(cron: str, now: datetime) -> datetime:
    fire: datetime = croniter(cron, now).get_prev(datetime)
    return fire


def is_due(unit: Unit, last_started: datetime | None, now: datetime) -> bool:
    return last_started is None or last_started < previous_fire(unit.cron, now)


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` crawl settings given on the command line (as with ``scrapy crawl -s``)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or name.strip() != name.strip().upper():
            raise ValueError(f"{pair!r}: expected NAME=VALUE with an upper-case setting name, e.g. DOWNLOAD_DELAY=2")
        overrides[name.strip()] = value
    return overrides

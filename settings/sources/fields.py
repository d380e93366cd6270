"""Field types of a source file, each refusing a bad value with what was expected."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import AfterValidator, BeforeValidator


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"a valid regular expression, got {value!r} ({exc})") from None
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"an absolute http(s) URL, got {value!r}")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"an IANA time zone such as Europe/Moscow, got {value!r}") from None
    return value


_AGE = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_AGE_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _age(value: Any) -> Any:
    # "2d", "36h", "90m" as operators write them; pydantic reads ISO 8601 ("P2D") and seconds.
    if not isinstance(value, str):
        return value
    match = _AGE.match(value)
    if match:
        return timedelta(**{_AGE_UNITS[match.group(2)]: int(match.group(1))})
    if not value.strip().upper().startswith("P"):
        raise ValueError(f"an age such as 2d, 36h, 90m or P2D, got {value!r}")
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError(f"a positive age such as 2d, 36h or 90m, got {value}")
    return value


def _cron(value: str) -> str:
    if not croniter.is_valid(value):
        raise ValueError(f"a cron expression such as '*/15 * * * *', got {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Regex = Annotated[str, AfterValidator(_regex)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
Cron = Annotated[str, AfterValidator(_cron)]
Age = Annotated[timedelta, BeforeValidator(_age), AfterValidator(_positive)]

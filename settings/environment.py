"""The only module that reads ``os.environ``.

Every ``NEWSAGG_*`` variable is read here, once, with its documented default:

- ``NEWSAGG_DATABASE_URL``: SQLAlchemy URL of the database (default ``sqlite:///newsagg.db``).
- ``NEWSAGG_REDIS_URL``: Redis URL for state shared by many crawl processes (default: none, embedded).
- ``NEWSAGG_REDIS_PREFIX``: prefix of every key newsagg writes to that Redis (default ``newsagg``).
- ``NEWSAGG_SOURCES``: extra source files or folders, separated by ``os.pathsep``.
- ``NEWSAGG_LOG_LEVEL``: Scrapy log level for crawls (default ``WARNING``; the CLI shows its own progress).
- ``NEWSAGG_ALERT_WEBHOOK``: URL that receives a JSON POST when a run ends degraded or failed (default: none).
- ``NEWSAGG_ALERT_COMMAND``: command run with the same JSON on its standard input (default: none).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///newsagg.db"
DEFAULT_LOG_LEVEL = "WARNING"


@dataclass(frozen=True)
class Environment:
    database_url: str
    redis_url: str | None
    source_paths: tuple[Path, ...]
    log_level: str
    redis_prefix: str = "newsagg"
    alert_webhook: str | None = None
    alert_command: str | None = None


def read_environment(environ: Mapping[str, str] | None = None) -> Environment:
    env = os.environ if environ is None else environ
    paths = tuple(Path(p) for p in env.get("NEWSAGG_SOURCES", "").split(os.pathsep) if p.strip())
    return Environment(
        database_url=env.get("NEWSAGG_DATABASE_URL") or DEFAULT_DATABASE_URL,
        redis_url=env.get("NEWSAGG_REDIS_URL") or None,
        source_paths=paths,
        log_level=(env.get("NEWSAGG_LOG_LEVEL") or DEFAULT_LOG_LEVEL).upper(),
        redis_prefix=env.get("NEWSAGG_REDIS_PREFIX") or "newsagg",
        alert_webhook=env.get("NEWSAGG_ALERT_WEBHOOK") or None,
        alert_command=env.get("NEWSAGG_ALERT_COMMAND") or None,
    )

"""Crawl state shared through Redis: one connection helper and every key template.

Redis holds a cache of fingerprints, never the truth: the seen-URL records, the download claims and
the near-duplicate index can all be rebuilt from the database (or simply lost), which costs
bandwidth and time but never a stored article. Values are JSON or raw signature bytes, never pickles.
Keys are ``<prefix>:<database>:<name>:...``: the prefix (``NEWSAGG_REDIS_PREFIX``) lets several
deployments or tests share one server, and ``<database>`` (a hash of the database URL) keeps what one
database's crawls learned from ever answering for another. A database recreated under the same URL
starts with no articles; each component then drops the keys it finds (see :func:`database_tag`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy.settings import BaseSettings

from storage.db import Database, normalize_url, redact

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "newsagg"

SEEN_KEY = "{prefix}:seen"
"""Hash: URL fingerprint -> JSON fetch record of a stored page (see :class:`SeenRecord`)."""
CLAIM_KEY = "{prefix}:claim:{fingerprint}"
"""String with a TTL of seconds: the crawl process that holds the page, renewed while it lives."""
LSH_BAND_KEY = "{prefix}:lsh:{params}:{lang}:{band}:{bucket}"
"""Set of article ids whose signature falls in this bucket of this band."""
LSH_SIGNATURES_KEY = "{prefix}:lsh:{params}:signatures"
"""Hash: article id -> signature bytes (little-endian uint32)."""
LSH_SYNCED_KEY = "{prefix}:lsh:{params}:synced"
"""The highest article_fingerprints row id copied from the database; absent after Redis lost its data."""

# Extends the TTL of each claim in KEYS that ARGV[1] holds, and takes again those that lapsed meanwhile
# (another process's claims are left alone); answers how many it holds.
_RENEW_SCRIPT = """
local held = 0
for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('EXPIRE', key, ARGV[2])
    held = held + 1
  elseif not holder then
    redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
    held = held + 1
  end
end
return held
"""

# Errors that mean "Redis is not usable now": callers fall back to the database.
RedisUnavailable = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def as_bytes(value: bytes | str) -> bytes:
    """Redis answers bytes (this client does not decode); the typing allows str too."""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def as_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def url_fingerprint(url: str) -> str:
    """A short stable key for a canonical URL (URLs can be kilobytes long)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SeenRecord:
    """What the seen set says of a stored page: enough to decide whether to fetch it again."""

    fetched_at: datetime
    first_fetched_at: datetime
    lastmod: datetime | None

    def to_json(self) -> str:
        return json.dumps(
            {
                "fetched": self.fetched_at.timestamp(),
                "first": self.first_fetched_at.timestamp(),
                "lastmod": self.lastmod.timestamp() if self.lastmod is not None else None,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> SeenRecord:
        data = json.loads(raw)
        lastmod = data.get("lastmod")
        return cls(
            fetched_at=datetime.fromtimestamp(data["fetched"], UTC),
            first_fetched_at=datetime.fromtimestamp(data["first"], UTC),
            lastmod=datetime.fromtimestamp(lastmod, UTC) if lastmod is not None else None,
        )


class RedisState:
    """A client and the key templates filled with this deployment's prefix (and database tag)."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._renew_script = client.register_script(_RENEW_SCRIPT)

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX) -> RedisState:
        # Short timeouts: a Redis that does not answer must not stall the crawl; callers fall back.
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30)
        return cls(client, prefix or DEFAULT_PREFIX)

    def close(self) -> None:
        self.client.close()

    def key(self, template: str, **fields: Any) -> str:
        return template.format(prefix=self.prefix, **fields)

    # --- seen URLs ---

    def seen(self, url: str) -> SeenRecord | None:
        raw = self.client.hget(self.key(SEEN_KEY), url_fingerprint(url))
        return SeenRecord.from_json(raw) if raw is not None else None

    def forget_seen(self, *urls: str) -> None:
        """Forget ``urls``, or with none given the whole seen set."""
        if urls:
            self.client.hdel(self.key(SEEN_KEY), *(url_fingerprint(url) for url in urls))
        else:
            self.client.delete(self.key(SEEN_KEY))

    def mark_seen(self, urls: list[str], record: SeenRecord) -> None:
        if urls:
            value = record.to_json()
            self.client.hset(self.key(SEEN_KEY), mapping={url_fingerprint(url): value for url in urls})

    # --- download claims ---

    def _claim_key(self, url: str) -> str:
        return self.key(CLAIM_KEY, fingerprint=url_fingerprint(url))

    def claim(self, url: str, token: str, ttl: int) -> bool:
        """True when this process may download ``url``: nobody else holds it, or we already do."""
        key = self._claim_key(url)
        if self.client.set(key, token, nx=True, ex=ttl):
            return True
        holder = self.client.get(key)
        return holder is not None and as_text(holder) == token

    def renew(self, urls: list[str], token: str, ttl: int) -> int:
        """Keep our claims on ``urls`` for ``ttl`` more seconds, taking again any that lapsed, but never
        one another process holds now; how many we hold.

        Claims are short-lived and renewed by a living holder, so a killed process's claims lapse within
        ``ttl`` and its pages go to the next crawl."""
        keys = [self._claim_key(url) for url in urls]
        return sum(int(self._renew_script(keys=chunk, args=[token, ttl])) for chunk in _chunks(keys))

    def release(self, urls: list[str], token: str) -> None:
        """Let go of our claims (others' claims on the same URLs are left alone)."""
        keys = [self._claim_key(url) for url in urls]
        for chunk in _chunks(keys):
            holders = self.client.mget(chunk)
            mine = [k for k, h in zip(chunk, holders, strict=True) if h is not None and as_text(h) == token]
            if mine:
                self.client.delete(*mine)


def _chunks(keys: list[str], size: int = 500) -> Iterator[list[str]]:
    """``keys`` in slices small enough for one Redis command each."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def database_tag(database_url: str) -> str:
    """A short stable name for a database (its URL without the password)."""
    return hashlib.sha1(redact(normalize_url(database_url)).encode("utf-8")).hexdigest()[:10]


def for_database(redis_url: str, prefix: str, database_url: str) -> RedisState:
    """A client for the state of ``database_url``'s crawls in that Redis."""
    return RedisState.from_url(redis_url, f"{prefix or DEFAULT_PREFIX}:{database_tag(database_url)}")


def for_crawl(settings: BaseSettings, database: Database) -> RedisState | None:
    """The crawl's shared state when ``NEWSAGG_REDIS_URL`` is set (one client per Database, whichever
    component asks), else None: the database and memory serve."""
    url = settings.get("NEWSAGG_REDIS_URL")
    if not url:
        return None
    prefix = str(settings.get("NEWSAGG_REDIS_PREFIX"))
    return database.shared("redis_state", lambda: for_database(str(url), prefix, database.url))

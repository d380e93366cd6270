"""The near-duplicate index in Redis: LSH bands as sets, shared by every crawl process of a deployment.

It rebuilds itself from the database when Redis has lost it, and falls back to a memory index when Redis
cannot be reached (see :mod:`crawler.dedup.near_index`).
"""

from __future__ import annotations

import hashlib
import logging

from crawler.dedup.fingerprints import METHOD, Signature, from_bytes, to_bytes
from crawler.dedup.near_index import OVERLAP, Entry, MemoryIndex, NearDuplicateIndex
from storage.db import Database
from storage.fingerprints import fingerprints_after
from storage.redis_state import (
    LSH_BAND_KEY,
    LSH_SIGNATURES_KEY,
    LSH_SYNCED_KEY,
    RedisState,
    RedisUnavailable,
    as_bytes,
)

logger = logging.getLogger(__name__)


class RedisIndex(NearDuplicateIndex):
    """LSH bands as Redis sets: ``<prefix>:lsh:<bands>x<rows>:<lang>:<band>:<bucket>`` -> article ids."""

    def __init__(self, database: Database, threshold: float, state: RedisState) -> None:
        super().__init__(database, threshold)
        self.state = state
        self.params = f"{self.bands}x{self.rows}"
        self._fallback: MemoryIndex | None = None
        self._opened = False

    @property
    def degraded(self) -> bool:
        """True once Redis failed and the memory index took over for this process."""
        return self._fallback is not None

    def _band_keys(self, lang: str, signature: Signature) -> list[str]:
        keys = []
        for band in range(self.bands):
            chunk = signature[band * self.rows : (band + 1) * self.rows]
            bucket = hashlib.blake2b(to_bytes(chunk), digest_size=8).hexdigest()
            keys.append(self.state.key(LSH_BAND_KEY, params=self.params, lang=lang, band=band, bucket=bucket))
        return keys

    def _give_up_on_redis(self, error: Exception) -> MemoryIndex:
        logger.warning("Redis is unavailable (%s): near duplicates are searched in memory from now on", error)
        self._fallback = MemoryIndex(self.database, self.threshold)
        self._fallback.refresh()
        return self._fallback

    def candidates(self, lang: str, signature: Signature) -> dict[int, Signature]:
        if self._fallback is not None:
            return self._fallback.candidates(lang, signature)
        try:
            client = self.state.client
            ids = client.sunion(self._band_keys(lang, signature))
            if not ids:
                return {}
            ordered = sorted(int(i) for i in ids)
            values = client.hmget(self.state.key(LSH_SIGNATURES_KEY, params=self.params), ordered)
        except RedisUnavailable as error:
            return self._give_up_on_redis(error).candidates(lang, signature)
        return {i: from_bytes(as_bytes(v)) for i, v in zip(ordered, values, strict=True) if v is not None}

    def add(self, entry: Entry) -> None:
        self._add_many([entry])

    def _add_many(self, entries: list[Entry]) -> None:
        if self._fallback is not None:
            for entry in entries:
                self._fallback.add(entry)
            return
        signatures = self.state.key(LSH_SIGNATURES_KEY, params=self.params)
        try:
            pipe = self.state.client.pipeline(transaction=False)
            for entry in entries:
                for key in self._band_keys(entry.lang, entry.signature):
                    pipe.sadd(key, entry.article_id)
                pipe.hset(signatures, str(entry.article_id), to_bytes(entry.signature))
            pipe.execute()
        except RedisUnavailable as error:
            self._give_up_on_redis(error)

    def discard(self, article_id: int) -> None:
        # Its band entries stay: a candidate without a signature is skipped.
        if self._fallback is not None:
            self._fallback.discard(article_id)
            return
        try:
            self.state.client.hdel(self.state.key(LSH_SIGNATURES_KEY, params=self.params), str(article_id))
        except RedisUnavailable as error:
            self._give_up_on_redis(error)

    def refresh(self) -> None:
        """On the first call, copy what other processes stored but never indexed (one died between the
        database commit and Redis, say); later, rebuild only when Redis has lost the index."""
        if self._fallback is not None:
            self._fallback.refresh()
            return
        synced_key = self.state.key(LSH_SYNCED_KEY, params=self.params)
        try:
            raw = self.state.client.get(synced_key)
            if raw is not None and self._opened:
                return
            if raw is not None and not self._opened and not self._database_has_rows():
                self._forget()  # a database recreated under the same URL: these ids are not its ids
                raw = None
            start = max(0, int(raw) - OVERLAP) if raw is not None else 0
            highest = int(raw) if raw is not None else 0
            batch: list[Entry] = []
            for entry in self._read_rows(start):
                batch.append(entry)
                highest = max(highest, entry.row_id)
                if len(batch) >= 500:
                    self._add_many(batch)
                    batch = []
            self._add_many(batch)
            if self._fallback is None:
                current = self.state.client.get(synced_key)
                # Another process may have set a higher mark meanwhile: never lower it.
                if current is None or int(current) < highest:
                    self.state.client.set(synced_key, highest)
            self._opened = True
        except RedisUnavailable as error:
            self._give_up_on_redis(error)

    def _database_has_rows(self) -> bool:
        with self._reading() as session:
            return bool(fingerprints_after(session, 0, METHOD, limit=1))

    def _forget(self) -> None:
        client = self.state.client
        for key in client.scan_iter(
            match=self.state.key(LSH_BAND_KEY, params=self.params, lang="*", band="*", bucket="*")
        ):
            client.delete(key)
        client.delete(
            self.state.key(LSH_SIGNATURES_KEY, params=self.params), self.state.key(LSH_SYNCED_KEY, params=self.params)
        )

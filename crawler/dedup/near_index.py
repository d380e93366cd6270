"""Near-duplicate search: a MinHash LSH index per language, in memory or in Redis, behind one interface.

The database's ``article_fingerprints`` table is the truth; an index is a copy that answers "which
stored articles of this language may be near copies of this signature?". Candidates are then checked
against their stored signature, so a stale or lossy index can only miss a copy, never invent one.

- :class:`MemoryIndex`: datasketch's ``MinHashLSH``, one per language, shared by every crawler of the
  process; before each search it reads the signatures other processes added since (new row ids).
- :class:`RedisIndex`: the same bands as sets in Redis, so that many crawl processes share one index;
  it rebuilds itself from the database when Redis has lost it, and falls back to a memory index when
  Redis cannot be reached.
"""

from __future__ import annotations

import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from datasketch import LeanMinHash, MinHashLSH
from scrapy.settings import BaseSettings

from crawler.dedup.fingerprints import METHOD, NUM_PERM, SEED, Signature, from_bytes, similarity, to_bytes
from storage import redis_state
from storage.articles import fingerprint_ids_after, fingerprints_after
from storage.db import normalize_url, session_scope
from storage.redis_state import (
    LSH_BAND_KEY,
    LSH_SIGNATURES_KEY,
    LSH_SYNCED_KEY,
    RedisState,
    RedisUnavailable,
    as_bytes,
)

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.5
"""Estimated Jaccard similarity of word shingles from which two texts count as one article.

Lightly edited copies (a sentence added or dropped, boilerplate appended) score 0.7 and more, and
different articles about the same story stay under 0.35 (tests/crawler/test_near_duplicates_realworld.py).
"""
# Rows re-read below the last id seen: a transaction that commits late can land a smaller id.
_OVERLAP = 64
_BATCH = 5_000


@dataclass(frozen=True)
class Match:
    article_id: int
    similarity: float


@dataclass(frozen=True)
class Entry:
    """One stored signature: its row id in article_fingerprints, its article and language."""

    row_id: int
    article_id: int
    lang: str
    signature: Signature


@lru_cache(maxsize=8)
def lsh_params(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch finds best for ``threshold``; both index kinds use them."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def _minhash(values: Signature) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=values, scheme="affine32")


class NearDuplicateIndex(ABC):
    def __init__(self, database_url: str, threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the near-duplicate threshold is a similarity in (0, 1], got {threshold}")
        self.database_url = database_url
        self.threshold = threshold
        self.bands, self.rows = lsh_params(threshold)

    def best_match(self, lang: str, signature: Signature) -> Match | None:
        """The most similar stored article of ``lang`` at or above the threshold (the oldest on a tie)."""
        best: Match | None = None
        for article_id, other in sorted(self.candidates(lang, signature).items()):
            score = similarity(signature, other)
            if score >= self.threshold and (best is None or score > best.similarity):
                best = Match(article_id, score)
        return best

    @abstractmethod
    def candidates(self, lang: str, signature: Signature) -> dict[int, Signature]:
        """Stored articles sharing at least one band with ``signature``, with their signatures."""

    @abstractmethod
    def add(self, entry: Entry) -> None:
        """Index (or re-index) an article's signature; an entry older than the one indexed is ignored."""

    @abstractmethod
    def discard(self, article_id: int) -> None:
        """The article has no signature any more (its text became too short to compare)."""

    @abstractmethod
    def refresh(self) -> None:
        """Take in what the database holds and this index has not seen yet."""

    def _read_rows(self, after_id: int) -> Iterable[Entry]:
        while True:
            with session_scope(self.database_url) as session:
                rows = fingerprints_after(session, after_id, METHOD, limit=_BATCH)
                batch = [Entry(r.id, r.article_id, r.lang, from_bytes(r.signature)) for r in rows]
            yield from batch
            if len(batch) < _BATCH:
                return
            after_id = batch[-1].row_id


class MemoryIndex(NearDuplicateIndex):
    def __init__(self, database_url: str, threshold: float) -> None:
        super().__init__(database_url, threshold)
        self._lsh: dict[str, MinHashLSH] = {}
        self._entries: dict[int, Entry] = {}
        self._applied: set[int] = set()  # row ids taken in
        self.synced = 0

    def __len__(self) -> int:
        return len(self._entries)

    def candidates(self, lang: str, signature: Signature) -> dict[int, Signature]:
        lsh = self._lsh.get(lang)
        if lsh is None:
            return {}
        return {key: self._entries[key].signature for key in lsh.query(_minhash(signature))}

    def add(self, entry: Entry) -> None:
        old = self._entries.get(entry.article_id)
        if old is not None:
            if old.row_id >= entry.row_id:
                return
            self.discard(entry.article_id)
        lsh = self._lsh.get(entry.lang)
        if lsh is None:
            lsh = self._lsh[entry.lang] = MinHashLSH(num_perm=NUM_PERM, params=(self.bands, self.rows))
        lsh.insert(entry.article_id, _minhash(entry.signature), check_duplication=False)
        self._entries[entry.article_id] = entry
        self._applied.add(entry.row_id)

    def discard(self, article_id: int) -> None:
        old = self._entries.pop(article_id, None)
        if old is not None:
            self._lsh[old.lang].remove(article_id)

    def refresh(self) -> None:
        """Read the row ids above the last one seen (and a few below it), then only the rows not taken in."""
        with session_scope(self.database_url) as session:
            ids = fingerprint_ids_after(session, max(0, self.synced - _OVERLAP), METHOD)
        missing = [row_id for row_id in ids if row_id not in self._applied]
        if not missing:
            return
        for entry in self._read_rows(missing[0] - 1):
            if entry.row_id not in self._applied:
                self.add(entry)
            self.synced = max(self.synced, entry.row_id)


class RedisIndex(NearDuplicateIndex):
    """LSH bands as Redis sets: ``<prefix>:lsh:<bands>x<rows>:<lang>:<band>:<bucket>`` -> article ids."""

    def __init__(self, database_url: str, threshold: float, state: RedisState) -> None:
        super().__init__(database_url, threshold)
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
        self._fallback = MemoryIndex(self.database_url, self.threshold)
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
            start = max(0, int(raw) - _OVERLAP) if raw is not None else 0
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
        with session_scope(self.database_url) as session:
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


_indexes: dict[tuple[str, str, str, float], NearDuplicateIndex] = {}


def open_index(database_url: str, threshold: float, state: RedisState | None = None) -> NearDuplicateIndex:
    """The process-wide index for this database (and Redis prefix), so every crawler of a process
    sees what the others stored; it is brought up to date before it is returned."""
    where = f"redis:{state.prefix}" if state is not None else "memory"
    server = repr(state.client.connection_pool) if state is not None else ""
    key = (normalize_url(database_url), where, server, threshold)
    index = _indexes.get(key)
    if index is None:
        index = (
            RedisIndex(database_url, threshold, state) if state is not None else MemoryIndex(database_url, threshold)
        )
        _indexes[key] = index
    index.refresh()
    return index


def forget_indexes() -> None:
    """Drop every process-wide index (tests that reuse a database URL after recreating it)."""
    _indexes.clear()


def from_settings(settings: BaseSettings) -> NearDuplicateIndex:
    threshold = settings.getfloat("NEWSAGG_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD)
    return open_index(str(settings.get("NEWSAGG_DATABASE_URL")), threshold, redis_state.from_settings(settings))

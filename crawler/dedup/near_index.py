"""Near-duplicate search: a MinHash LSH index per language, in memory or in Redis, behind one interface.

The database's ``article_fingerprints`` table is the truth; an index is a copy that answers "which
stored articles of this language may be near copies of this signature?". Candidates are then checked
against their stored signature, so a stale or lossy index can only miss a copy, never invent one.

- :class:`MemoryIndex`: LSH bands in dictionaries, one set per language, shared by every component of a crawl
  (through its Database); before each search it reads the signatures others added since (new row ids).
  A band is kept as the hash of its rows (a collision only adds a candidate, which the similarity check
  then refuses), so an article costs a few hundred bytes beyond its signature.
- :class:`~crawler.dedup.redis_index.RedisIndex`: the same bands as sets in Redis, so that many crawl
  processes share one index; it rebuilds itself from the database when Redis has lost it, and falls back
  to a memory index when Redis cannot be reached.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from scrapy.crawler import Crawler
from sqlalchemy.orm import Session

from crawler.dedup import minhash
from crawler.dedup.fingerprints import METHOD, NUM_PERM, Signature, from_bytes, similarity
from storage import redis_state
from storage.db import Database
from storage.fingerprints import fingerprint_ids_after, fingerprints_after
from storage.redis_state import (
    RedisState,
)

logger = logging.getLogger(__name__)

# Rows re-read below the last id seen: a transaction that commits late can land a smaller id.
OVERLAP = 64
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


def lsh_params(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) best for ``threshold`` (:func:`crawler.dedup.minhash.lsh_params`); both index
    kinds use them."""
    return minhash.lsh_params(threshold, NUM_PERM)


class NearDuplicateIndex(ABC):
    def __init__(self, database: Database, threshold: float) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"the near-duplicate threshold is a similarity in (0, 1], got {threshold}")
        self.database = database
        self.threshold = threshold
        self._borrowed: Session | None = None
        self.bands, self.rows = lsh_params(threshold)

    def best_match(self, lang: str, signature: Signature) -> Match | None:
        """The most similar stored article of ``lang`` at or above the threshold (the oldest on a tie)."""
        best: Match | None = None
        for article_id, other in sorted(self.candidates(lang, signature).items()):
            score = similarity(signature, other)
            if score >= self.threshold and (best is None or score > best.similarity):
                best = Match(article_id, score)
        return best

    @contextmanager
    def using(self, session: Session) -> Iterator[None]:
        """Read through the caller's session (its unit of work) instead of a transaction of our own."""
        self._borrowed = session
        try:
            yield
        finally:
            self._borrowed = None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self._borrowed is not None:
            yield self._borrowed
            return
        with self.database.session() as session:
            yield session

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
            with self._reading() as session:
                rows = fingerprints_after(session, after_id, METHOD, limit=_BATCH)
                batch = [Entry(r.id, r.article_id, r.lang, from_bytes(r.signature)) for r in rows]
            yield from batch
            if len(batch) < _BATCH:
                return
            after_id = batch[-1].row_id


class MemoryIndex(NearDuplicateIndex):
    def __init__(self, database: Database, threshold: float) -> None:
        super().__init__(database, threshold)
        # Per language and band: the band's hash -> the article id, or the ids, that have it.
        self._bands: dict[str, list[dict[int, int | list[int]]]] = {}
        self._entries: dict[int, Entry] = {}
        self._applied: set[int] = set()  # row ids taken in
        self.synced = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _band_hashes(self, signature: Signature) -> list[int]:
        rows = self.rows
        return [hash(signature[band * rows : (band + 1) * rows].tobytes()) for band in range(self.bands)]

    def candidates(self, lang: str, signature: Signature) -> dict[int, Signature]:
        bands = self._bands.get(lang)
        if bands is None:
            return {}
        found: set[int] = set()
        for buckets, key in zip(bands, self._band_hashes(signature), strict=True):
            ids = buckets.get(key)
            if isinstance(ids, int):
                found.add(ids)
            elif ids is not None:
                found.update(ids)
        return {key: self._entries[key].signature for key in found}

    def add(self, entry: Entry) -> None:
        old = self._entries.get(entry.article_id)
        if old is not None:
            if old.row_id >= entry.row_id:
                return
            self.discard(entry.article_id)
        bands = self._bands.setdefault(entry.lang, [{} for _ in range(self.bands)])
        article_id = entry.article_id
        for buckets, key in zip(bands, self._band_hashes(entry.signature), strict=True):
            ids = buckets.setdefault(key, article_id)
            if isinstance(ids, int) and ids != article_id:
                buckets[key] = [ids, article_id]
            elif isinstance(ids, list):
                ids.append(article_id)
        self._entries[article_id] = entry
        self._applied.add(entry.row_id)

    def discard(self, article_id: int) -> None:
        old = self._entries.pop(article_id, None)
        if old is None:
            return
        for buckets, key in zip(self._bands[old.lang], self._band_hashes(old.signature), strict=True):
            ids = buckets.get(key)
            if ids == article_id:
                del buckets[key]
            elif isinstance(ids, list):
                ids.remove(article_id)
                if len(ids) == 1:
                    buckets[key] = ids[0]

    def refresh(self) -> None:
        """Read the row ids above the last one seen (and a few below it), then only the rows not taken in."""
        with self._reading() as session:
            ids = fingerprint_ids_after(session, max(0, self.synced - OVERLAP), METHOD)
        missing = [row_id for row_id in ids if row_id not in self._applied]
        if not missing:
            return
        for entry in self._read_rows(missing[0] - 1):
            if entry.row_id not in self._applied:
                self.add(entry)
            self.synced = max(self.synced, entry.row_id)


def open_index(database: Database, threshold: float, state: RedisState | None = None) -> NearDuplicateIndex:
    """The index of ``database`` (in ``state``'s Redis when given), shared by every component that uses this
    Database, so each sees what the others stored; it is brought up to date before it is returned."""

    def build() -> NearDuplicateIndex:
        if state is None:
            return MemoryIndex(database, threshold)
        from crawler.dedup.redis_index import RedisIndex  # it builds on this module

        return RedisIndex(database, threshold, state)

    where = f"redis:{state.prefix}" if state is not None else "memory"
    index = database.shared(f"near_index:{where}:{threshold}", build)
    index.refresh()
    return index


def from_crawler(crawler: Crawler) -> NearDuplicateIndex:
    database = Database.from_crawler(crawler)
    threshold = crawler.settings.getfloat("NEWSAGG_NEAR_DUPLICATE_THRESHOLD")
    return open_index(database, threshold, redis_state.for_crawl(crawler.settings, database))

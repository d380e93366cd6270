"""An article's content-link candidates with their features parsed, each stored text parsed once.

Articles published close together share most of their candidates, so parsed features are kept by
article and used again while the stored row still describes the same text with the same extractor
(its content hash, features version and update time); only the others are read and parsed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from crawler.linking.features import Features
from crawler.linking.match import Candidate
from storage import candidates
from storage.models import Article

# Parsed features kept, then forgotten all at once: a few pools' worth (each is at most a few hundred).
PARSED_KEPT = 4_000


class CandidatePool:
    def __init__(self) -> None:
        self._parsed: dict[int, tuple[candidates.FeaturesKey, Features]] = {}

    def _holds(self, article_id: int, key: candidates.FeaturesKey) -> bool:
        held = self._parsed.get(article_id)
        return held is not None and held[0] == key

    def of(self, session: Session, article: Article, *, window: timedelta, limit: int) -> list[Candidate]:
        if len(self._parsed) > PARSED_KEPT:
            self._parsed.clear()  # before the query, which leaves out what is held
        stored = candidates.content_candidates(session, article, window=window, limit=limit, held=self._holds)
        pool = []
        for found in stored:
            if found.features is None:
                features = self._parsed[found.article_id][1]
            else:
                features = Features.from_json(found.features)
                self._parsed[found.article_id] = (found.features_key, features)
            pool.append(Candidate(found.article_id, found.lang, found.group_id, found.published_at, features))
        return pool

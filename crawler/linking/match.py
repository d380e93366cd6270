"""A day's content matches of an article, and the joint decision over them. Pure.

An article keeps its few best-scoring candidates per language (:class:`Ranked`). A pair is two
articles that are each other's best match; a candidate whose group already holds a version in the
article's language, through a declared link or a better match, is taken: the article does not link
to it (nor to a lesser candidate instead, which would pair two reports of one story once each had
its translation), and it is no rival of the article's other matches. So a rival that already has
its translation does not block a pair (DESIGN §8, docs/linking.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from crawler.linking.evidence import ContentScore
from crawler.linking.features import Features

RANKED_PER_LANGUAGE = 10
"""Candidates kept per language: enough to find the best free one after the best were taken."""


@dataclass(frozen=True)
class Candidate:
    """A stored article that content linking may pair with another, with its features."""

    article_id: int
    lang: str
    group_id: int | None
    published_at: datetime
    features: Features


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    evidence: ContentScore

    @property
    def score(self) -> float:
        return self.evidence.score


Ranked = Mapping[str, Sequence[Scored]]
"""An article's best candidates per language, best first."""

Free = Callable[[int], bool]
"""Whether a candidate (by article id) can still take a version in a given language."""


def rank(scored: Sequence[Scored], keep: int = RANKED_PER_LANGUAGE) -> dict[str, list[Scored]]:
    """The ``keep`` best of each language, best first (the older article first on a tie)."""
    ranked: dict[str, list[Scored]] = {}
    for item in sorted(scored, key=lambda s: (-s.score, s.candidate.article_id)):
        kept = ranked.setdefault(item.candidate.lang, [])
        if len(kept) < keep:
            kept.append(item)
    return ranked


def best_free(ranked: Sequence[Scored], free: Free, skip: int | None = None) -> tuple[Scored | None, float]:
    """The best candidate that is free (and not ``skip``), and the best score of the free ones after
    it: the runner-up. None when none of the ranked candidates is free."""
    best: Scored | None = None
    for item in ranked:
        if item.candidate.article_id == skip or not free(item.candidate.article_id):
            continue
        if best is not None:
            return best, item.score
        best = item
    return best, 0.0


def rival(ranked: Sequence[Scored], free: Free, partner_id: int) -> float:
    """The best score of a free candidate other than the partner."""
    found, _runner_up = best_free(ranked, free, skip=partner_id)
    return found.score if found is not None else 0.0


def evidence_detail(evidence: ContentScore, runner_up: float) -> str:
    """The evidence of a content link as stored in ``translation_links.detail`` (docs/schema.md)."""
    return json.dumps({**evidence.detail(), "runner_up": round(runner_up, 4)}, sort_keys=True)

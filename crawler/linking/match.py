"""The best content match of an article in one language, and the evidence stored with a content link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from crawler.linking.evidence import ContentScore
from crawler.linking.features import Features


@dataclass(frozen=True)
class Candidate:
    """A stored article that content linking may pair with another, with its features."""

    article_id: int
    lang: str
    group_id: int | None
    published_at: datetime
    features: Features


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    evidence: ContentScore
    runner_up: float  # the next best score in the candidate's language

    @property
    def score(self) -> float:
        return self.evidence.score


def evidence_detail(evidence: ContentScore, runner_up: float) -> str:
    """The evidence of a content link as stored in ``translation_links.detail`` (docs/schema.md)."""
    return json.dumps({**evidence.detail(), "runner_up": round(runner_up, 4)}, sort_keys=True)

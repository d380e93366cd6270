"""How well the content score separates same-story pairs from unrelated ones, on labelled pairs.

The labelled set is SemEval-2022 Task 8 (``pairs.json`` of the real-world set): news article pairs
rated by annotators from 1 (same story) to 4 (unrelated) on their Overall similarity. A pair rated
1 to 1.5 counts as a positive, 3.5 to 4 as a negative; the ones in between are left out, as neither
answer is wrong for them. Used by ``bench/eval_linking.py`` and by the test that pins the figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler.linking.evidence import content_score
from crawler.linking.features import extract_features

SAME_STORY_MAX = 1.5
UNRELATED_MIN = 3.5


@dataclass(frozen=True)
class ScoredPair:
    pair_id: str
    same_story: bool
    score: float


@dataclass(frozen=True)
class Metrics:
    threshold: float
    positives: int
    negatives: int
    true_positives: int
    false_positives: int

    @property
    def precision(self) -> float:
        linked = self.true_positives + self.false_positives
        return self.true_positives / linked if linked else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 0.0


def score_pairs(path: Path, langs: tuple[str, str]) -> list[ScoredPair]:
    """Content scores of the clearly labelled pairs whose two languages are ``langs`` (any order)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    scored = []
    for record in records:
        if sorted((record["lang1"], record["lang2"])) != sorted(langs):
            continue
        overall = float(record["scores"]["Overall"])
        if SAME_STORY_MAX < overall < UNRELATED_MIN:
            continue
        first = extract_features(None, record["text1"])
        second = extract_features(None, record["text2"])
        score = content_score(first, second).score
        scored.append(ScoredPair(str(record["pair_id"]), overall <= SAME_STORY_MAX, score))
    return scored


def metrics(pairs: Sequence[ScoredPair], threshold: float) -> Metrics:
    """Precision and recall of linking every pair that scores at least ``threshold``."""
    return Metrics(
        threshold=threshold,
        positives=sum(p.same_story for p in pairs),
        negatives=sum(not p.same_story for p in pairs),
        true_positives=sum(p.same_story and p.score >= threshold for p in pairs),
        false_positives=sum(not p.same_story and p.score >= threshold for p in pairs),
    )

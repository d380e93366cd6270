"""The content score on real cross-lingual news: the German-English pairs of SemEval-2022 Task 8.

Precision comes first: at the default threshold no more than one link in twenty may join articles
the annotators called unrelated. The recall floor is the figure measured when the threshold was
chosen (2 of the 16 same-story pairs; docs/linking.md); it may rise, it must not fall.
"""

from __future__ import annotations

from pathlib import Path

from bench.linking_quality import metrics, score_pairs
from crawler.linking.evidence import DEFAULT_CONTENT_THRESHOLD

PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.12


def test_german_english_pairs_are_linked_precisely(realworld: Path) -> None:
    pairs = score_pairs(realworld / "semeval2022_hfl" / "pairs.json", ("de", "en"))
    result = metrics(pairs, DEFAULT_CONTENT_THRESHOLD)
    assert (result.positives, result.negatives) == (16, 78)
    assert result.precision >= PRECISION_FLOOR, result
    assert result.recall >= RECALL_FLOOR, result


def test_unrelated_pairs_stay_clearly_below_the_threshold(realworld: Path) -> None:
    pairs = score_pairs(realworld / "semeval2022_hfl" / "pairs.json", ("de", "en"))
    unrelated = max(p.score for p in pairs if not p.same_story)
    assert unrelated < DEFAULT_CONTENT_THRESHOLD - 0.05

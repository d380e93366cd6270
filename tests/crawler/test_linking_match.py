"""The joint decision over a day's content matches: the best free candidate and its rivals."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.linking.evidence import ContentScore
from crawler.linking.features import Features
from crawler.linking.match import Candidate, Scored, best_free, rank, rival

NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def scored(article_id: int, lang: str, score: float) -> Scored:
    return Scored(Candidate(article_id, lang, None, NOON, Features()), ContentScore(score, 1, 1, 0, 0))


def test_rank_keeps_the_best_of_each_language_best_first() -> None:
    ranked = rank([scored(1, "en", 0.2), scored(2, "en", 0.6), scored(3, "ar", 0.4), scored(4, "en", 0.6)], keep=2)
    assert [s.candidate.article_id for s in ranked["en"]] == [2, 4]  # the older one first on a tie
    assert [s.candidate.article_id for s in ranked["ar"]] == [3]


def test_a_taken_candidate_is_neither_chosen_nor_a_rival() -> None:
    ranked = [scored(1, "en", 0.6), scored(2, "en", 0.3), scored(3, "en", 0.1)]
    everyone = best_free(ranked, lambda article_id: True)
    assert everyone[0] is not None and everyone[0].candidate.article_id == 1 and everyone[1] == 0.3
    taken_best = best_free(ranked, lambda article_id: article_id != 1)
    assert taken_best[0] is not None and taken_best[0].candidate.article_id == 2 and taken_best[1] == 0.1
    assert best_free(ranked, lambda article_id: False) == (None, 0.0)
    assert rival(ranked, lambda article_id: True, partner_id=1) == 0.3
    assert rival(ranked, lambda article_id: article_id != 2, partner_id=1) == 0.1
    assert rival(ranked, lambda article_id: True, partner_id=2) == 0.6

"""Translation evidence: how much each kind is trusted, and the content score. Pure.

Publisher-declared evidence (hreflang, og:locale, sitemap alternates, switcher links, a shared URL
id) names the other version; content evidence has to find it. :func:`content_score` compares the
language-independent features of two articles (:mod:`crawler.linking.features`): the share of
numbers, names, dates and quoted addresses they have in common, damped while the shared evidence
is still small, so that two reports of one kind of event (an earthquake, a budget vote) that share
a couple of figures stay far below two versions of one story.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from crawler.linking.features import Features
from crawler.linking.layout import covered_share, in_same_order, shape_agreement, within
from settings.crawl import NEWSAGG_CONTENT_LINK_THRESHOLD
from storage.grouping import HREFLANG, OG_LOCALE, SITEMAP, SWITCHER, URL_PATTERN

# Publisher-declared evidence, strongest first (DESIGN §8); the stored score of such a link.
METHOD_SCORES: dict[str, float] = {
    HREFLANG: 1.0,
    SITEMAP: 1.0,
    OG_LOCALE: 0.95,
    SWITCHER: 0.9,
    URL_PATTERN: 0.8,
}
# Chosen on data (docs/linking.md gives the precision and recall); the setting defines it.
DEFAULT_CONTENT_THRESHOLD = NEWSAGG_CONTENT_LINK_THRESHOLD
# A mutual best match below the threshold is still linked, down to this share of it, when it scores
# this many times as much as the runner-up of either article: one clear winner among the day's
# candidates, where two reports of one event would be rivals of each other.
MARGIN_FLOOR = 0.78
RUNNER_UP_MARGIN = 2.0
# Below the threshold, evidence besides names (numbers, shape, pictures, links) of at least this much.
MIN_CORROBORATION = 0.5

# Evidence weights: a quoted address or handle is near-proof, a date is shared by a whole news day.
DATE_WEIGHT = 0.5
LINK_WEIGHT = 2.0
# Shared evidence (in weight units) at which the damping factor reaches one half.
HALF_EVIDENCE = 3.0
# Below this much shared evidence besides dates (which a whole news day shares) nothing is proven,
# however small the texts.
MIN_EVIDENCE = 2.0
# A sound key shorter than this is too common to match a word of a caseless script.
MIN_BAG_KEY = 3
# The same picture or video is near-proof; paragraphs of the same shape add up to SHAPE_MAX units,
# half a unit per paragraph compared beyond two, times the square root of the agreement (that two
# texts agree at all says more than how closely: an unrelated text of eight paragraphs or more
# agrees about one time in two thousand), and count towards the proof.
MEDIA_WEIGHT = 3.0
SHAPE_PER_PARAGRAPH = 0.5
SHAPE_MAX = 3.0
# Shared numbers given in the same order count again, at ORDER_WEIGHT of their weight, all but the
# weightiest (any one number is "in order"); given in another order, they lower the coverage.
ORDER_WEIGHT = 1.0


def accepts(evidence: ContentScore, runner_up: float, threshold: float) -> bool:
    """Whether a mutual best match is linked: at the threshold, or at MARGIN_FLOOR of it when it
    scores RUNNER_UP_MARGIN times as much as any rival of either article and more than names back
    it (:attr:`ContentScore.corroboration`): two reports on the same people share their names."""
    if evidence.score >= threshold:
        return True
    return (
        evidence.score >= threshold * MARGIN_FLOOR
        and evidence.score >= RUNNER_UP_MARGIN * runner_up
        and evidence.corroboration >= MIN_CORROBORATION
    )


# A feature of the article that this many pool candidates share (or this share of the pool) is
# the publisher's boilerplate (its logo, its address) or the news of the day, not evidence.
COMMON_MIN_COUNT = 3
COMMON_SHARE = 0.2


def common_features(features: Features, pool: Sequence[Features]) -> frozenset[str]:
    """Features of an article shared by so many pool candidates that they prove nothing."""
    if not pool:
        return frozenset()
    counts: Counter[str] = Counter()
    for other in pool:
        counts.update(k for k in features.numbers if k in other.numbers)
        counts.update(k for k in features.names if found_name(k, other))
        counts.update(features.dates & other.dates)
        counts.update(features.links & other.links)
        counts.update(features.media & other.media)
    limit = max(COMMON_MIN_COUNT, COMMON_SHARE * len(pool))
    return frozenset(k for k, count in counts.items() if count >= limit)


def method_score(method: str) -> float:
    return METHOD_SCORES.get(method, 0.5)


@dataclass(frozen=True)
class ContentScore:
    """The content score of a pair and the evidence behind it (weights, not counts)."""

    score: float
    numbers: float
    names: float
    dates: float
    links: float
    media: float = 0.0
    shape: float = 0.0
    order: float = 0.0

    @property
    def evidence(self) -> float:
        return (
            self.numbers
            + self.names
            + self.dates * DATE_WEIGHT
            + self.links * LINK_WEIGHT
            + self.media * MEDIA_WEIGHT
            + self.shape
            + self.order
        )

    @property
    def proof(self) -> float:
        """The evidence that can tell one story from another (not the day's dates)."""
        return self.names + self.corroboration

    @property
    def corroboration(self) -> float:
        """The proof besides names: numbers, paragraph shape, quoted addresses, pictures."""
        return self.numbers + self.order + self.shape + self.links * LINK_WEIGHT + self.media * MEDIA_WEIGHT

    def detail(self) -> dict[str, float]:
        """The evidence as stored with a content link, so that an operator can see why."""
        return {
            "score": self.score,
            "numbers": round(self.numbers, 2),
            "names": round(self.names, 2),
            "dates": round(self.dates, 2),
            "links": round(self.links, 2),
            "media": round(self.media, 2),
            "shape": round(self.shape, 2),
            "order": round(self.order, 2),
        }


def _key_weight(key: str) -> float:
    """Longer consonant skeletons are rarer: two letters say little, four or more identify."""
    return min(1.0, (len(key) - 1) / 3)


def found_name(key: str, other: Features) -> bool:
    """A sound key among the other side's names (exactly, or one declension consonant longer or
    shorter) or, if long enough, among the words of a caseless script."""
    if key in other.names or (len(key) >= MIN_BAG_KEY and key in other.words):
        return True
    if len(key) >= 4:
        shorter = key[:-1]
        if shorter in other.names or shorter in other.words:
            return True
    return len(key) >= 3 and key in other.name_stems


def _name_evidence(
    a: Features, b: Features, common: Collection[str], shares: tuple[float, float] = (1.0, 1.0)
) -> tuple[float, float]:
    """(shared name weight, name capacity) of the pair, over the names of the part of each side
    that the other covers (``shares``): what a shortened version left out is not looked for."""
    a_names = within({k: _key_weight(k) for k in a.names if k not in common}, a.positions, shares[0])
    b_names = within({k: _key_weight(k) for k in b.names if k not in common}, b.positions, shares[1])
    a_hits = sum(w for k, w in a_names.items() if found_name(k, b))
    b_hits = sum(w for k, w in b_names.items() if found_name(k, a))
    a_total = sum(a_names.values())
    b_total = sum(b_names.values())
    # A text without case (Arabic) cannot show its names: the other side's count stands.
    a_counted, b_counted = not a.words, not b.words
    if a_counted == b_counted:
        return min(a_hits, b_hits), math.sqrt(a_total * b_total)
    return (a_hits, a_total) if a_counted else (b_hits, b_total)


def _shared(a: Iterable[str], b: Collection[str], common: Collection[str]) -> tuple[int, int, int]:
    mine = {x for x in a if x not in common}
    theirs = {x for x in b if x not in common}
    return len(mine & theirs), len(mine), len(theirs)


def _order_evidence(a: Sequence[str], b: Sequence[str], shared: dict[str, float]) -> tuple[float, float]:
    """(evidence, capacity) of number order: ORDER_WEIGHT of the weight of the shared numbers that
    the two texts give in the same order, less the weightiest (one number alone is in any order),
    the same whichever text is read first; and that of all the shared numbers both give in order."""
    in_both = set(a) & set(b)
    given = [w for k, w in shared.items() if k in in_both]
    found = []
    for first, second in ((a, b), (b, a)):
        weights = [shared[k] for k in in_same_order(first, second, shared)]
        found.append(sum(weights) - max(weights, default=0.0))
    return ORDER_WEIGHT * min(found), ORDER_WEIGHT * (sum(given) - max(given, default=0.0))


def content_score(a: Features, b: Features, common: Collection[str] = frozenset()) -> ContentScore:
    """How surely ``a`` and ``b`` are versions of one story, from 0 to 1, on content alone.

    ``common`` lists feature values to ignore (numbers, names, dates, links that many candidates
    share, such as a publisher's own handle); the linking step computes it from the candidate pool.
    The score is coverage x damping: coverage is the shared evidence over the geometric mean of
    what each side offers (a short text contained in a long one is not its translation); damping
    is evidence / (evidence + HALF_EVIDENCE), so a few coincidences never reach a high score.
    """
    shares = covered_share(a.length, b.length)
    a_numbers = within({k: w for k, w in a.numbers.items() if k not in common}, a.positions, shares[0])
    b_numbers = within({k: w for k, w in b.numbers.items() if k not in common}, b.positions, shares[1])
    shared_numbers = {k: min(w, b_numbers[k]) for k, w in a_numbers.items() if k in b_numbers}
    numbers = sum(shared_numbers.values())
    number_capacity = math.sqrt(sum(a_numbers.values()) * sum(b_numbers.values()))
    names, name_capacity = _name_evidence(a, b, common, shares)
    dates, a_dates, b_dates = _shared(a.dates, b.dates, common)
    links, a_links, b_links = _shared(a.links, b.links, common)
    media, a_media, b_media = _shared(a.media, b.media, common)
    order, order_capacity = _order_evidence(a.order, b.order, shared_numbers)
    compared, agreement = shape_agreement(a.shape, b.shape)
    shape = min(SHAPE_MAX, SHAPE_PER_PARAGRAPH * (compared - 2)) * math.sqrt(agreement) if agreement else 0.0
    capacity = (
        number_capacity
        + order_capacity
        + name_capacity
        + math.sqrt(a_dates * b_dates) * DATE_WEIGHT
        + math.sqrt(a_links * b_links) * LINK_WEIGHT
        + math.sqrt(a_media * b_media) * MEDIA_WEIGHT
    )
    result = ContentScore(0.0, numbers, names, dates, links, media, round(shape, 3), order)
    if capacity <= 0 or result.proof < MIN_EVIDENCE:
        return result
    evidence = result.evidence
    coverage = min(1.0, evidence / capacity)
    score = coverage * evidence / (evidence + HALF_EVIDENCE)
    return ContentScore(round(score, 4), numbers, names, dates, links, media, round(shape, 3), order)

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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from crawler.linking.features import Features

HREFLANG = "hreflang"
OG_LOCALE = "og_locale"
SITEMAP = "sitemap"
SWITCHER = "switcher"
URL_PATTERN = "url_pattern"
CONTENT = "content"

# Publisher-declared evidence, strongest first (DESIGN §8); the stored score of such a link.
METHOD_SCORES: dict[str, float] = {
    HREFLANG: 1.0,
    SITEMAP: 1.0,
    OG_LOCALE: 0.95,
    SWITCHER: 0.9,
    URL_PATTERN: 0.8,
}
# Rank of each method when evidence conflicts: any declared link outranks any content score.
METHOD_RANK: dict[str, int] = {HREFLANG: 0, SITEMAP: 0, OG_LOCALE: 1, SWITCHER: 2, URL_PATTERN: 3, CONTENT: 4}

DEFAULT_CONTENT_THRESHOLD = 0.22
"""Chosen on data; see docs/linking.md for the precision and recall it gave."""

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


def method_score(method: str) -> float:
    return METHOD_SCORES.get(method, 0.5)


def strength(method: str, score: float) -> tuple[int, float]:
    """Sort key of a link's evidence, larger is stronger: the method first, then its score."""
    return (-METHOD_RANK.get(method, len(METHOD_RANK)), score)


class _Components:
    """Union-find over articles that also knows each component's languages."""

    def __init__(self, langs: Mapping[int, str]) -> None:
        self.parent = {article_id: article_id for article_id in langs}
        self.langs = {article_id: {lang} for article_id, lang in langs.items()}

    def find(self, article_id: int) -> int:
        while self.parent[article_id] != article_id:
            self.parent[article_id] = self.parent[self.parent[article_id]]
            article_id = self.parent[article_id]
        return article_id

    def join(self, a_id: int, b_id: int) -> bool:
        """Join the components of a and b unless that puts one language in twice."""
        a_root, b_root = self.find(a_id), self.find(b_id)
        if a_root == b_root:
            return True
        if self.langs[a_root] & self.langs[b_root]:
            return False
        self.parent[b_root] = a_root
        self.langs[a_root] |= self.langs.pop(b_root)
        return True


def choose_links(
    langs: Mapping[int, str], links: Sequence[tuple[int, int, str, float]]
) -> tuple[list[int], dict[int, int]]:
    """Which links to keep so that no group holds two articles of one language.

    ``langs`` maps every article involved to its language; ``links`` are (article, article, method,
    score), older evidence first. Links are taken strongest first (a tie keeps the older one) and
    kept while they respect the rule. Returns the indices of the kept links and, for every article,
    a label shared by the articles of its group (its connected component).
    """
    components = _Components(langs)
    ranked = sorted(range(len(links)), key=lambda i: (strength(links[i][2], links[i][3]), -i), reverse=True)
    kept = sorted(i for i in ranked if components.join(links[i][0], links[i][1]))
    return kept, {article_id: components.find(article_id) for article_id in langs}


@dataclass(frozen=True)
class ContentScore:
    """The content score of a pair and the evidence behind it (weights, not counts)."""

    score: float
    numbers: float
    names: float
    dates: float
    links: float

    @property
    def evidence(self) -> float:
        return self.numbers + self.names + self.dates * DATE_WEIGHT + self.links * LINK_WEIGHT


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


def _name_evidence(a: Features, b: Features, common: Collection[str]) -> tuple[float, float]:
    """(shared name weight, name capacity) of the pair."""
    a_names = [k for k in a.names if k not in common]
    b_names = [k for k in b.names if k not in common]
    a_hits = sum(_key_weight(k) for k in a_names if found_name(k, b))
    b_hits = sum(_key_weight(k) for k in b_names if found_name(k, a))
    a_total = sum(_key_weight(k) for k in a_names)
    b_total = sum(_key_weight(k) for k in b_names)
    # A text without case (Arabic) cannot show its names: the other side's count stands.
    a_counted, b_counted = not a.words, not b.words
    if a_counted == b_counted:
        return min(a_hits, b_hits), math.sqrt(a_total * b_total)
    return (a_hits, a_total) if a_counted else (b_hits, b_total)


def _shared(a: Iterable[str], b: Collection[str], common: Collection[str]) -> tuple[int, int, int]:
    mine = {x for x in a if x not in common}
    theirs = {x for x in b if x not in common}
    return len(mine & theirs), len(mine), len(theirs)


def content_score(a: Features, b: Features, common: Collection[str] = frozenset()) -> ContentScore:
    """How surely ``a`` and ``b`` are versions of one story, from 0 to 1, on content alone.

    ``common`` lists feature values to ignore (numbers, names, dates, links that many candidates
    share, such as a publisher's own handle); the linking step computes it from the candidate pool.
    The score is coverage x damping: coverage is the shared evidence over the geometric mean of
    what each side offers (a short text contained in a long one is not its translation); damping
    is evidence / (evidence + HALF_EVIDENCE), so a few coincidences never reach a high score.
    """
    a_numbers = {k: w for k, w in a.numbers.items() if k not in common}
    b_numbers = {k: w for k, w in b.numbers.items() if k not in common}
    numbers = sum(min(w, b_numbers[k]) for k, w in a_numbers.items() if k in b_numbers)
    number_capacity = math.sqrt(sum(a_numbers.values()) * sum(b_numbers.values()))
    names, name_capacity = _name_evidence(a, b, common)
    dates, a_dates, b_dates = _shared(a.dates, b.dates, common)
    links, a_links, b_links = _shared(a.links, b.links, common)
    capacity = (
        number_capacity
        + name_capacity
        + math.sqrt(a_dates * b_dates) * DATE_WEIGHT
        + math.sqrt(a_links * b_links) * LINK_WEIGHT
    )
    result = ContentScore(0.0, numbers, names, dates, links)
    if capacity <= 0:
        return result
    evidence = result.evidence
    if evidence - dates * DATE_WEIGHT < MIN_EVIDENCE:
        return result
    coverage = min(1.0, evidence / capacity)
    score = coverage * evidence / (evidence + HALF_EVIDENCE)
    return ContentScore(round(score, 4), numbers, names, dates, links)

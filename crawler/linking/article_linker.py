"""Translation linking of one stored article, shared by the pipeline's link step and `newsagg link`.

Evidence, strongest first (DESIGN §8):

- declared: hreflang and sitemap alternates, og:locale alternates and language-switcher links name
  the other version's URL; a target not stored yet is kept pending and linked when it arrives.
  Declared is not proven: a target that is a front page, in the article's own language (a regional
  variant) or in another language than declared is not linked.
- a shared URL id (``translations: url_id`` in the source file) between editions of one source,
  within ``url_id_max_days`` of each other.
- content (:func:`crawler.linking.evidence.content_score`) against the other-language articles of the same
  source published within the time window; the best candidate per language is linked when the
  article is its best in return, it is free (:mod:`crawler.linking.match`) and the score decides
  against the free rivals (the threshold, or a clear margin: :func:`crawler.linking.evidence.accepts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from crawler.extract.alternates import Alternate, is_section_front
from crawler.extract.language import normalize_lang
from crawler.linking.candidate_pool import CandidatePool
from crawler.linking.evidence import (
    MARGIN_FLOOR,
    ContentScore,
    accepts,
    common_features,
    content_score,
    method_score,
)
from crawler.linking.features import FEATURES_VERSION, Features, extract_features
from crawler.linking.layout import media_key
from crawler.linking.match import Candidate, Free, Ranked, Scored, evidence_detail, rank, rival
from crawler.urls import canonicalize, is_fetchable
from settings import crawl as crawl_defaults
from storage import candidates, groups
from storage.articles import find_articles, urls_of
from storage.grouping import CONTENT, HREFLANG, URL_PATTERN, strength
from storage.models import Article, LinkFeatures


@dataclass(frozen=True)
class LinkSettings:
    """Linking parameters (NEWSAGG_* settings, see settings/crawl.py)."""

    window: timedelta = timedelta(hours=crawl_defaults.NEWSAGG_LINK_WINDOW_HOURS)
    threshold: float = crawl_defaults.NEWSAGG_CONTENT_LINK_THRESHOLD
    max_candidates: int = crawl_defaults.NEWSAGG_CONTENT_LINK_MAX_CANDIDATES
    url_id_max_days: float = crawl_defaults.NEWSAGG_URL_ID_MAX_DAYS

    @classmethod
    def from_settings(cls, settings: Any) -> LinkSettings:
        """From Scrapy settings (anything with ``getfloat``/``getint``) that hold settings/crawl.py."""
        return cls(
            window=timedelta(hours=settings.getfloat("NEWSAGG_LINK_WINDOW_HOURS")),
            threshold=settings.getfloat("NEWSAGG_CONTENT_LINK_THRESHOLD"),
            max_candidates=settings.getint("NEWSAGG_CONTENT_LINK_MAX_CANDIDATES"),
            url_id_max_days=settings.getfloat("NEWSAGG_URL_ID_MAX_DAYS"),
        )


def objection_to(alternate: Alternate, lang: str) -> str | None:
    """Why a declared alternate of a page in ``lang`` cannot be its translation, seen from its URL
    alone: ``own_language`` (a regional variant of the page itself) or ``front_page``; None if none."""
    if alternate.lang == lang:
        return "own_language"
    if is_section_front(alternate.url):
        return "front_page"
    return None


def sitemap_alternates(hints: Mapping[str, Any]) -> list[Alternate]:
    """The ``xhtml:link`` alternates a sitemap listed for the page (the spider puts them in its hints)."""
    found = []
    for pair in hints.get("alternates") or ():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        lang, url = normalize_lang(str(pair[0])), str(pair[1])
        if lang and is_fetchable(url):
            found.append(Alternate(lang, canonicalize(url), HREFLANG))
    return list(dict.fromkeys(found))


def url_id(pattern: str | None, url: str) -> str | None:
    """The article id a source's ``translations.url_id`` pattern finds in ``url``."""
    if not pattern:
        return None
    match = re.search(pattern, url)
    return match.group(1)[:64] if match and match.group(1) else None


class Linker:
    """Links one stored article at a time; ``count`` receives outcome keys such as ``content/linked``."""

    def __init__(
        self, settings: LinkSettings, count: Callable[[str], None] | None = None, *, remember: bool = False
    ) -> None:
        """``remember``: keep each article's best matches for the linker's life, for a run over stored
        articles whose texts do not change meanwhile (``newsagg link`` after its features pass)."""
        self.settings = settings
        self.count: Callable[[str], None] = count or (lambda key: None)
        self._memo: dict[int, tuple[Features, frozenset[str], Ranked]] | None = {} if remember else None
        self._candidates = CandidatePool()

    # --- features ---

    def refresh(self, session: Session, article: Article, pattern: str | None, *, known: bool = True) -> bool:
        """Bring the article's stored features and URL id up to date; True when anything changed.

        ``known`` False means the article's source is not configured here, so its URL id cannot be
        read and the stored one is kept.
        """
        row = candidates.features_of(session, article.id)
        features = None
        if not candidates.is_current(row, article, FEATURES_VERSION):
            media = [key] if (key := media_key(article.image_url)) else []
            features = extract_features(article.title, article.body, description=article.description, media=media)
        article_url_id = url_id(pattern, article.canonical_url) if known else (row.url_id if row else None)
        stored = features.to_json() if features is not None else None
        _, changed = candidates.save_features(session, article, stored, article_url_id, FEATURES_VERSION)
        return changed

    # --- declared evidence ---

    def declared(self, session: Session, article: Article, alternates: Iterable[Alternate]) -> None:
        """Link (or keep pending) every other-language version the page or its sitemap declares."""
        wanted: list[tuple[Alternate, str]] = []
        for alternate in alternates:
            objection = objection_to(alternate, article.lang)
            if objection is not None:
                self.count(f"{alternate.method}/{objection}")
                continue
            wanted.append((alternate, canonicalize(alternate.url)))
        targets = find_articles(session, [url for _alternate, url in wanted])
        waiting = [(alternate, url) for alternate, url in wanted if url not in targets]
        added = groups.add_pending(session, article, [(url, a.lang, a.method) for a, url in waiting])
        for (alternate, _url), new in zip(waiting, added, strict=True):
            if new:
                self.count(f"{alternate.method}/pending")
        for alternate, target_url in wanted:
            if target_url in targets:
                self._declared_link(session, article, targets[target_url], alternate.lang, alternate.method)

    def resolve_pending(self, session: Session, article: Article) -> None:
        """Link the articles that declared this one before it was stored."""
        urls = urls_of(session, article.id)
        for pending in groups.pending_for(session, list(dict.fromkeys([article.canonical_url, *urls]))):
            waiting = session.get(Article, pending.article_id)
            if waiting is not None:
                self._declared_link(session, waiting, article, pending.target_lang, pending.method)
            groups.resolve(session, pending)

    def _declared_link(self, session: Session, article: Article, target: Article, lang: str, method: str) -> None:
        if target.id == article.id:
            return
        if target.lang != lang:
            detail = f"declared {lang}, the page is {target.lang}"
            groups.reject(session, article.id, target.id, method, method_score(method), "lang_mismatch", detail)
            self.count(f"{method}/lang_mismatch")
            return
        self._link(session, article, target, method, method_score(method))

    def _link(
        self, session: Session, a: Article, b: Article, method: str, score: float, detail: str | None = None
    ) -> None:
        result = groups.link(session, a, b, method, score, detail)
        self.count(f"{method}/{result.reason}")

    # --- URL ids ---

    def url_ids(self, session: Session, article: Article) -> None:
        """Link the article with the other editions' articles whose URL has the same id."""
        row = session.get(LinkFeatures, article.id)
        if row is None or row.url_id is None:
            return
        for other in candidates.same_url_id(session, article, row.url_id):
            if other.lang == article.lang:
                continue
            if article.published_at and other.published_at:
                apart = abs(article.published_at - other.published_at)
                if apart > timedelta(days=self.settings.url_id_max_days):
                    detail = f"published {apart.days} days apart"
                    groups.reject(session, article.id, other.id, URL_PATTERN, 0.0, "far_apart", detail)
                    self.count(f"{URL_PATTERN}/far_apart")
                    continue
            self._link(session, article, other, URL_PATTERN, method_score(URL_PATTERN))

    # --- content ---

    def _pool(self, session: Session, article: Article) -> list[Candidate]:
        return self._candidates.of(session, article, window=self.settings.window, limit=self.settings.max_candidates)

    def ranked_matches(self, features: Features, pool: Sequence[Candidate]) -> dict[str, list[Scored]]:
        """The best-scoring candidates of each language in the pool, best first, with their evidence."""
        common = common_features(features, [c.features for c in pool])
        return rank([Scored(c, content_score(features, c.features, common)) for c in pool])

    def _matches(self, session: Session, article: Article) -> tuple[Features, frozenset[str], Ranked] | None:
        """The article's features, its pool's common features and its best matches per language
        (remembered for the run when the linker was made with ``remember``)."""
        if self._memo is not None and article.id in self._memo:
            return self._memo[article.id]
        row = session.get(LinkFeatures, article.id)
        if row is None or article.published_at is None:
            return None
        features = Features.from_json(row.features)
        pool = self._pool(session, article)
        found = features, common_features(features, [c.features for c in pool]), self.ranked_matches(features, pool)
        if self._memo is not None:
            self._memo[article.id] = found
        return found

    @staticmethod
    def _free(session: Session, lang: str, ranked: Sequence[Scored]) -> Free:
        """Which ranked candidates can take a version in ``lang``: none in their group, or a weaker one."""
        held = groups.holders(session, [item.candidate.article_id for item in ranked], lang)
        scores = {item.candidate.article_id: item.score for item in ranked}

        def free(article_id: int) -> bool:  # taken through a third article, or by a stronger link
            if article_id not in held:
                return True
            link = held[article_id]
            return link is not None and link < strength(CONTENT, scores[article_id])

        return free

    def content(self, session: Session, article: Article) -> None:
        """Link the article with its best content match in each language its group still lacks, when
        each is the other's best, it is free and the score decides against free rivals (:func:`accepts`)."""
        if session.get(LinkFeatures, article.id) is None:
            return
        if article.published_at is None:
            self.count(f"{CONTENT}/no_date")
            return
        mine = self._matches(session, article)
        if mine is None:
            return
        present = groups.group_langs(session, article)
        for lang, ranked in sorted(mine[2].items()):
            best = ranked[0] if ranked else None
            if lang in present or best is None or best.score < self.settings.threshold * MARGIN_FLOOR:
                continue
            free = self._free(session, article.lang, ranked)
            if not free(best.candidate.article_id):
                self.count(f"{CONTENT}/taken")
                continue
            other = session.get_one(Article, best.candidate.article_id)
            theirs = self._matches(session, other)
            back = theirs[2].get(article.lang, []) if theirs else []
            if not back or back[0].candidate.article_id != article.id:
                self.count(f"{CONTENT}/not_mutual")
                continue
            runner_up = max(rival(ranked, free, other.id), self._rival(session, other, back, article))
            if not accepts(best.evidence, runner_up, self.settings.threshold):
                self.count(f"{CONTENT}/no_margin")
                continue
            self._link(session, article, other, CONTENT, best.score, evidence_detail(best.evidence, runner_up))

    def recheck(self, session: Session, article: Article) -> int:
        """Withdraw the article's content links that the decision no longer accepts (its text, a
        rival or the threshold changed); returns how many. The others get their current evidence."""
        dropped = 0
        for link in groups.links_of(session, [article.id], method=CONTENT):
            other_id = link.other_article_id if link.article_id == article.id else link.article_id
            other = session.get_one(Article, other_id)
            evidence, runner_up = self.pair_evidence(session, article, other)
            if not accepts(evidence, runner_up, self.settings.threshold):
                detail = evidence_detail(evidence, runner_up)
                groups.drop_link(session, link, "below_threshold", detail)
                self.count(f"{CONTENT}/withdrawn")
                dropped += 1
            else:
                link.score, link.detail = evidence.score, evidence_detail(evidence, runner_up)
        return dropped

    def pair_evidence(self, session: Session, article: Article, other: Article) -> tuple[ContentScore, float]:
        """The content evidence of a pair as :meth:`content` computes it for ``article``, and the
        best score either of them reaches with anyone else free of the other's language."""
        mine, theirs = self._matches(session, article), self._matches(session, other)
        if mine is None or theirs is None:
            return ContentScore(0.0, 0, 0, 0, 0), 0.0
        features, common, ranked = mine
        evidence = content_score(features, theirs[0], common)
        rivals = self._rival(session, article, ranked.get(other.lang, []), other)
        return evidence, max(rivals, self._rival(session, other, theirs[2].get(article.lang, []), article))

    def _rival(self, session: Session, article: Article, ranked: Sequence[Scored], partner: Article) -> float:
        return rival(ranked, self._free(session, article.lang, ranked), partner.id)

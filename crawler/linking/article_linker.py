"""Translation linking of one stored article, shared by the pipeline's link step and `newsagg link`.

Evidence, strongest first (DESIGN §8):

- declared: hreflang and sitemap alternates, og:locale alternates and language-switcher links name
  the other version's URL; a target not stored yet is kept pending and linked when it arrives.
  Declared is not proven: a target that is a front page, in the article's own language (a regional
  variant) or in another language than declared is not linked.
- a shared URL id (``translations: url_id`` in the source file) between editions of one source,
  within ``url_id_max_days`` of each other.
- content (:func:`crawler.linking.evidence.content_score`) against the other-language articles of the same
  source published within the time window; the best candidate per language is linked when it
  reaches the threshold and the article is its best candidate in return.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.extract.alternates import Alternate, is_section_front
from crawler.extract.language import normalize_lang
from crawler.linking.evidence import (
    CONTENT,
    DEFAULT_CONTENT_THRESHOLD,
    HREFLANG,
    URL_PATTERN,
    content_score,
    found_name,
    method_score,
)
from crawler.linking.features import Features, extract_features
from crawler.urls import canonicalize, is_fetchable
from storage import candidates, groups
from storage.articles import find_articles
from storage.candidates import Candidate
from storage.models import Article, ArticleUrl, LinkFeatures

# A feature of the article that this many pool candidates share (or this share of the pool) is
# the publisher's boilerplate or the news of the day, not evidence.
COMMON_MIN_COUNT = 3
COMMON_SHARE = 0.2


@dataclass(frozen=True)
class LinkSettings:
    """Linking parameters (NEWSAGG_* settings, see settings/crawl.py)."""

    window: timedelta = timedelta(hours=24)
    threshold: float = DEFAULT_CONTENT_THRESHOLD
    max_candidates: int = 400
    url_id_max_days: float = 7.0

    @classmethod
    def from_settings(cls, settings: Any) -> LinkSettings:
        """From Scrapy settings (anything with ``getfloat``/``getint``)."""
        return cls(
            window=timedelta(hours=settings.getfloat("NEWSAGG_LINK_WINDOW_HOURS", 24.0)),
            threshold=settings.getfloat("NEWSAGG_CONTENT_LINK_THRESHOLD", DEFAULT_CONTENT_THRESHOLD),
            max_candidates=settings.getint("NEWSAGG_CONTENT_LINK_MAX_CANDIDATES", 400),
            url_id_max_days=settings.getfloat("NEWSAGG_URL_ID_MAX_DAYS", 7.0),
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
    limit = max(COMMON_MIN_COUNT, COMMON_SHARE * len(pool))
    return frozenset(k for k, count in counts.items() if count >= limit)


class Linker:
    """Links one stored article at a time; ``count`` receives outcome keys such as ``content/linked``."""

    def __init__(self, settings: LinkSettings, count: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.count: Callable[[str], None] = count or (lambda key: None)

    # --- features ---

    def refresh(self, session: Session, article: Article, pattern: str | None, *, known: bool = True) -> bool:
        """Bring the article's stored features and URL id up to date; True when anything changed.

        ``known`` False means the article's source is not configured here, so its URL id cannot be
        read and the stored one is kept.
        """
        row = candidates.features_of(session, article.id)
        features = None
        if not candidates.is_current(row, article):
            features = extract_features(article.title, article.body, description=article.description)
        article_url_id = url_id(pattern, article.canonical_url) if known else (row.url_id if row else None)
        _, changed = candidates.save_features(session, article, features, article_url_id)
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
        urls = list(session.scalars(select(ArticleUrl.url).where(ArticleUrl.article_id == article.id)))
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

    def _link(self, session: Session, a: Article, b: Article, method: str, score: float) -> None:
        result = groups.link(session, a, b, method, score)
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

    def _pool(self, session: Session, article: Article, lang: str | None = None, around: Any = None) -> list[Candidate]:
        return candidates.content_candidates(
            session,
            article,
            window=self.settings.window,
            limit=self.settings.max_candidates,
            lang=lang,
            around=around,
        )

    def best_matches(
        self, features: Features, pool: Sequence[Candidate], skip_langs: Iterable[str] = ()
    ) -> dict[str, tuple[Candidate, float]]:
        """The best-scoring candidate of each language in the pool, with its score."""
        common = common_features(features, [c.features for c in pool])
        skip = set(skip_langs)
        best: dict[str, tuple[Candidate, float]] = {}
        for candidate in pool:
            if candidate.lang in skip:
                continue
            score = content_score(features, candidate.features, common).score
            current = best.get(candidate.lang)
            if current is None or score > current[1]:
                best[candidate.lang] = (candidate, score)
        return best

    def content(self, session: Session, article: Article) -> None:
        """Link the article with its best content match in each language its group still lacks."""
        row = session.get(LinkFeatures, article.id)
        if row is None:
            return
        if article.published_at is None:
            self.count(f"{CONTENT}/no_date")
            return
        features = Features.from_json(row.features)
        pool = self._pool(session, article)
        matches = self.best_matches(features, pool, skip_langs=groups.group_langs(session, article))
        for _lang, (candidate, score) in sorted(matches.items()):
            if score < self.settings.threshold:
                continue
            other = session.get_one(Article, candidate.article_id)
            if article.group_id is not None and other.group_id == article.group_id:
                continue
            if not self._mutual(session, article, other, candidate.features):
                self.count(f"{CONTENT}/not_mutual")
                continue
            self._link(session, article, other, CONTENT, score)

    def recheck(self, session: Session, article: Article) -> int:
        """Withdraw the article's content links that no longer reach the threshold (its text or the
        threshold changed); returns how many. The others get their current score."""
        dropped = 0
        for link in groups.links_of(session, [article.id], method=CONTENT):
            other_id = link.other_article_id if link.article_id == article.id else link.article_id
            score = self.pair_score(session, article, session.get_one(Article, other_id))
            if score < self.settings.threshold:
                groups.drop_link(session, link, "below_threshold", f"content score {score:.3f}")
                self.count(f"{CONTENT}/withdrawn")
                dropped += 1
            else:
                link.score = score
        return dropped

    def pair_score(self, session: Session, article: Article, other: Article) -> float:
        """The content score of a pair as :meth:`content` computes it for ``article``."""
        rows = session.get(LinkFeatures, article.id), session.get(LinkFeatures, other.id)
        if rows[0] is None or rows[1] is None or article.published_at is None:
            return 0.0
        features = Features.from_json(rows[0].features)
        common = common_features(features, [c.features for c in self._pool(session, article)])
        return content_score(features, Features.from_json(rows[1].features), common).score

    def _mutual(self, session: Session, article: Article, other: Article, other_features: Features) -> bool:
        """Whether ``article`` is also the best match of ``other`` among the articles of its language."""
        pool = self._pool(session, other, lang=article.lang)
        best = self.best_matches(other_features, pool).get(article.lang)
        return best is not None and best[0].article_id == article.id

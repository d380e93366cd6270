"""Translation groups, the links that make them and the evidence that was turned down.

A group is a connected component of accepted links and holds at most one article per language.
When a new link would put two articles of one language together, the links among the articles
involved are taken again strongest first (:func:`storage.grouping.strength`: the method, then the
score) and kept while they respect that rule: the stronger evidence stays, whichever came first,
and every link that loses is recorded in ``rejected_links`` with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from storage.conflicts import insert_ignoring_conflicts, insert_or_read
from storage.grouping import choose_links, strength
from storage.models import Article, PendingLink, RejectedLink, TranslationGroup, TranslationLink


@dataclass(frozen=True)
class LinkResult:
    linked: bool
    reason: str
    """``linked``, ``known`` (already linked), ``same_article``, ``same_language`` or ``conflict``."""
    displaced: list[tuple[int, int]] = field(default_factory=list)
    """Pairs whose weaker link this one replaced."""


def _pair(a_id: int, b_id: int) -> tuple[int, int]:
    low, high = sorted((a_id, b_id))
    return low, high


def _members(session: Session, *articles: Article) -> dict[int, Article]:
    found = {a.id: a for a in articles}
    group_ids = {a.group_id for a in articles if a.group_id is not None}
    if group_ids:
        found.update({a.id: a for a in session.scalars(select(Article).where(Article.group_id.in_(group_ids)))})
    return found


def _links_among(session: Session, ids: Iterable[int]) -> list[TranslationLink]:
    wanted = list(ids)
    query = select(TranslationLink).where(
        TranslationLink.article_id.in_(wanted), TranslationLink.other_article_id.in_(wanted)
    )
    return list(session.scalars(query.order_by(TranslationLink.id)))


def _choose(members: dict[int, Article], links: list[TranslationLink]) -> tuple[list[TranslationLink], dict[int, int]]:
    langs = {article_id: article.lang for article_id, article in members.items()}
    kept, labels = choose_links(langs, [(k.article_id, k.other_article_id, k.method, k.score) for k in links])
    return [links[i] for i in kept], labels


def _assign_groups(session: Session, members: dict[int, Article], labels: dict[int, int]) -> None:
    """Give each component of two or more articles a group, so that ids stay stable.

    Components are served largest first; each keeps the group most of its members had (the lowest
    id on a tie) unless a larger component took it. A group that loses all its articles to another
    records ``merged_into_id``; a new group made of articles that left one records ``split_from_id``.
    Groups are never deleted, so an id a consumer holds can always be followed.
    """
    by_root: dict[int, list[Article]] = {}
    for article_id, article in members.items():
        by_root.setdefault(labels[article_id], []).append(article)
    before = {a.id: a.group_id for a in members.values()}
    used: dict[int, list[Article]] = {}
    for component in sorted(by_root.values(), key=lambda c: (-len(c), min(a.id for a in c))):
        if len(component) < 2:
            for article in component:
                article.group_id = None
            continue
        came_from = Counter(g for a in component if (g := before[a.id]) is not None)
        held = Counter({g: n for g, n in came_from.items() if g not in used})
        group_id: int
        if held:
            group_id = _most(held)
        else:
            group = TranslationGroup(split_from_id=_most(came_from) if came_from else None)
            session.add(group)
            session.flush()
            group_id = group.id
        used[group_id] = component
        for article in component:
            article.group_id = group_id
    session.flush()
    for old in {g for g in before.values() if g is not None} - set(used):
        # Every article it had is now elsewhere: name the group most of them joined.
        went = Counter(g for a in members.values() if before[a.id] == old and (g := a.group_id) is not None)
        row = session.get(TranslationGroup, old)
        if row is not None and went:
            row.merged_into_id = _most(went)


def _most(counts: Counter[int]) -> int:
    """The most common id, the lowest on a tie."""
    return min(counts, key=lambda g: (-counts[g], g))


def link(session: Session, a: Article, b: Article, method: str, score: float, detail: str | None = None) -> LinkResult:
    """Link two articles and regroup, keeping at most one article per language per group.

    Linking a pair again stores nothing new; a stronger method or score replaces the stored one.
    ``detail`` is the evidence behind the link (JSON of a content link's evidence).
    """
    if a.id == b.id:
        return LinkResult(False, "same_article")
    if a.lang == b.lang:
        reject(session, a.id, b.id, method, score, "same_language")
        return LinkResult(False, "same_language")
    low, high = _pair(a.id, b.id)
    known = session.scalar(
        select(TranslationLink).where(TranslationLink.article_id == low, TranslationLink.other_article_id == high)
    )
    if known is not None:
        if strength(method, score) > strength(known.method, known.score):
            known.score, known.method, known.detail = score, method, detail
        return LinkResult(False, "known")
    members = _members(session, a, b)
    new = TranslationLink(article_id=low, other_article_id=high, method=method, score=score, detail=detail)
    existing = _links_among(session, members)
    kept, labels = _choose(members, [*existing, new])
    if not any(link is new for link in kept):
        winners = ", ".join(f"{k.article_id}-{k.other_article_id} {k.method} {k.score:.2f}" for k in kept)
        reject(session, low, high, method, score, "conflict", f"kept: {winners}")
        return LinkResult(False, "conflict")
    displaced = [link for link in existing if not any(link is k for k in kept)]
    for loser in displaced:
        detail = f"displaced by {low}-{high} {method} {score:.2f}"
        reject(session, loser.article_id, loser.other_article_id, loser.method, loser.score, "conflict", detail)
        session.delete(loser)
    session.add(new)
    session.execute(delete(RejectedLink).where(RejectedLink.article_id == low, RejectedLink.other_article_id == high))
    session.flush()
    _assign_groups(session, members, labels)
    return LinkResult(True, "linked", [(d.article_id, d.other_article_id) for d in displaced])


def drop_link(session: Session, link: TranslationLink, reason: str, detail: str | None = None) -> None:
    """Withdraw an accepted link (recorded as rejected) and regroup the articles it joined."""
    pair = session.get_one(Article, link.article_id), session.get_one(Article, link.other_article_id)
    members = _members(session, *pair)
    reject(session, link.article_id, link.other_article_id, link.method, link.score, reason, detail)
    session.delete(link)
    session.flush()
    _, labels = _choose(members, _links_among(session, members))
    _assign_groups(session, members, labels)


def reject(
    session: Session, a_id: int, b_id: int, method: str, score: float, reason: str, detail: str | None = None
) -> None:
    """Record evidence that was not accepted; once per pair and method, the latest reason winning."""
    low, high = _pair(a_id, b_id)
    if low == high:
        return
    row = session.scalar(
        select(RejectedLink).where(
            RejectedLink.article_id == low, RejectedLink.other_article_id == high, RejectedLink.method == method
        )
    )
    if row is None:  # another process may be recording the same pair at this moment: then update its row
        key = {"article_id": low, "other_article_id": high, "method": method}
        row = insert_or_read(session, RejectedLink, key, score=score, reason=reason, detail=detail)
    row.score, row.reason, row.detail = score, reason, detail
    session.flush()


def clear_rejections(session: Session, article_id: int, reason: str) -> None:
    """Forget the article's rejections of one reason, before the evidence is judged again."""
    session.execute(
        delete(RejectedLink).where(
            or_(RejectedLink.article_id == article_id, RejectedLink.other_article_id == article_id),
            RejectedLink.reason == reason,
        )
    )


def links_of(session: Session, article_ids: Iterable[int], method: str | None = None) -> list[TranslationLink]:
    """Accepted links that touch any of ``article_ids`` (optionally of one method)."""
    wanted = list(article_ids)
    query = select(TranslationLink).where(
        or_(TranslationLink.article_id.in_(wanted), TranslationLink.other_article_id.in_(wanted))
    )
    if method is not None:
        query = query.where(TranslationLink.method == method)
    return list(session.scalars(query.order_by(TranslationLink.id)))


def group_langs(session: Session, article: Article) -> set[str]:
    """Languages present in the article's group (its own included)."""
    if article.group_id is None:
        return {article.lang}
    return set(session.scalars(select(Article.lang).where(Article.group_id == article.group_id)))


def holders(session: Session, article_ids: Collection[int], lang: str) -> dict[int, tuple[int, float] | None]:
    """The articles whose group already holds a version in ``lang``, each with the strength
    (:func:`storage.grouping.strength`) of its direct link to that version, None when they are
    joined through a third article."""
    if not article_ids:
        return {}
    rows = session.execute(select(Article.id, Article.group_id).where(Article.id.in_(article_ids))).all()
    group_ids = {row.group_id for row in rows if row.group_id is not None}
    if not group_ids:
        return {}
    query = select(Article.group_id, Article.id).where(Article.group_id.in_(group_ids), Article.lang == lang)
    holder = {group_id: article_id for group_id, article_id in session.execute(query)}
    pairs = {row.id: holder[row.group_id] for row in rows if row.group_id in holder and holder[row.group_id] != row.id}
    if not pairs:
        return {}
    direct: dict[int, tuple[int, float]] = {}
    for link in links_of(session, pairs):
        for mine, other in ((link.article_id, link.other_article_id), (link.other_article_id, link.article_id)):
            if pairs.get(mine) == other:
                direct[mine] = strength(link.method, link.score)
    return {article_id: direct.get(article_id) for article_id in pairs}


def add_pending(session: Session, article: Article, targets: Sequence[tuple[str, str, str]]) -> list[bool]:
    """Remember declared translations, (target URL, language, method) each, whose page is not stored yet;
    says for each whether it is new (False: already known). One query, one insert, however many."""
    urls = [url for url, _lang, _method in targets]
    known = set(
        session.scalars(
            select(PendingLink.target_url).where(PendingLink.article_id == article.id, PendingLink.target_url.in_(urls))
        )
    )
    added, rows = [], []
    for url, lang, method in targets:
        added.append(url not in known)
        if url not in known:
            known.add(url)
            rows.append({"article_id": article.id, "target_url": url, "target_lang": lang, "method": method})
    if rows:
        session.execute(insert_ignoring_conflicts(session, PendingLink), rows)
    return added


def pending_for(session: Session, urls: list[str]) -> list[PendingLink]:
    if not urls:
        return []
    return list(session.scalars(select(PendingLink).where(PendingLink.target_url.in_(urls)).order_by(PendingLink.id)))


def resolve(session: Session, pending: PendingLink) -> None:
    session.delete(pending)


def pending_count(session: Session) -> int:
    """Declared translations still waiting for their target page."""
    return session.scalar(select(func.count()).select_from(PendingLink)) or 0


def group_count(session: Session) -> int:
    """Groups with at least two articles, i.e. stories found in more than one language."""
    sizes = select(Article.group_id).where(Article.group_id.is_not(None)).group_by(Article.group_id)
    sizes = sizes.having(func.count() > 1)
    return session.scalar(select(func.count()).select_from(sizes.subquery())) or 0

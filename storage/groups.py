"""Translation groups and the links that make them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from storage.models import Article, PendingLink, TranslationGroup, TranslationLink


@dataclass(frozen=True)
class LinkResult:
    linked: bool
    reason: str
    """``linked``, ``known`` (already linked), ``same_article``, ``same_language`` or ``conflict``."""


def _members(session: Session, article: Article) -> list[Article]:
    if article.group_id is None:
        return [article]
    return list(session.scalars(select(Article).where(Article.group_id == article.group_id)))


def link(session: Session, a: Article, b: Article, method: str, score: float) -> LinkResult:
    """Link two articles and merge their groups, keeping at most one article per language per group."""
    if a.id == b.id:
        return LinkResult(False, "same_article")
    if a.lang == b.lang:
        return LinkResult(False, "same_language")
    low, high = sorted((a.id, b.id))
    known = session.scalar(
        select(TranslationLink).where(TranslationLink.article_id == low, TranslationLink.other_article_id == high)
    )
    if known is not None:
        if score > known.score:
            known.score, known.method = score, method
        return LinkResult(False, "known")
    members_a, members_b = _members(session, a), _members(session, b)
    if a.group_id is None or a.group_id != b.group_id:
        langs_a = {m.lang for m in members_a}
        if any(m.lang in langs_a for m in members_b):
            return LinkResult(False, "conflict")
    session.add(TranslationLink(article_id=low, other_article_id=high, method=method, score=score))
    _merge(session, a, b, members_b)
    session.flush()
    return LinkResult(True, "linked")


def _merge(session: Session, a: Article, b: Article, members_b: list[Article]) -> None:
    if a.group_id is not None and a.group_id == b.group_id:
        return
    if a.group_id is None and b.group_id is None:
        group = TranslationGroup()
        session.add(group)
        session.flush()
        a.group_id = b.group_id = group.id
        return
    if a.group_id is None:
        a.group_id = b.group_id
        return
    keep, gone = a.group_id, b.group_id
    if gone is None:
        b.group_id = keep
        return
    session.execute(update(Article).where(Article.group_id == gone).values(group_id=keep))
    session.execute(delete(TranslationGroup).where(TranslationGroup.id == gone))
    for member in members_b:
        member.group_id = keep


def add_pending(session: Session, article: Article, target_url: str, target_lang: str, method: str) -> None:
    exists = session.scalar(
        select(PendingLink.id).where(PendingLink.article_id == article.id, PendingLink.target_url == target_url)
    )
    if exists is None:
        session.add(PendingLink(article_id=article.id, target_url=target_url, target_lang=target_lang, method=method))
        session.flush()


def pending_for(session: Session, urls: list[str]) -> list[PendingLink]:
    if not urls:
        return []
    return list(session.scalars(select(PendingLink).where(PendingLink.target_url.in_(urls))))


def resolve(session: Session, pending: PendingLink) -> None:
    session.delete(pending)


def group_count(session: Session) -> int:
    """Groups with at least two articles, i.e. stories found in more than one language."""
    sizes = select(Article.group_id).where(Article.group_id.is_not(None)).group_by(Article.group_id)
    sizes = sizes.having(func.count() > 1)
    return session.scalar(select(func.count()).select_from(sizes.subquery())) or 0

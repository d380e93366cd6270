"""Stored MinHash signatures of article texts: the truth the near-duplicate indexes are copies of."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, ArticleFingerprint


def save_fingerprint(session: Session, article: Article, signature: bytes, method: str) -> ArticleFingerprint:
    """The article's signature, replacing any earlier one by a new row (ids only grow: see the model)."""
    old = session.scalar(select(ArticleFingerprint).where(ArticleFingerprint.article_id == article.id))
    if old is not None:
        if (old.signature, old.lang, old.method) == (signature, article.lang, method):
            return old
        session.delete(old)
        session.flush()
    row = ArticleFingerprint(article_id=article.id, lang=article.lang, method=method, signature=signature)
    session.add(row)
    session.flush()
    return row


def drop_fingerprint(session: Session, article: Article) -> None:
    """The article's text is too short to compare: no signature stands for it any more."""
    old = session.scalar(select(ArticleFingerprint).where(ArticleFingerprint.article_id == article.id))
    if old is not None:
        session.delete(old)
        session.flush()


def fingerprints_after(session: Session, after_id: int, method: str, limit: int = 10_000) -> list[ArticleFingerprint]:
    """Signatures made by ``method`` with a row id above ``after_id``, oldest first, at most ``limit``."""
    query = (
        select(ArticleFingerprint)
        .where(ArticleFingerprint.id > after_id, ArticleFingerprint.method == method)
        .order_by(ArticleFingerprint.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def fingerprint_ids_after(session: Session, after_id: int, method: str) -> list[int]:
    """Row ids of signatures made by ``method`` above ``after_id`` (an index-only read)."""
    query = select(ArticleFingerprint.id).where(ArticleFingerprint.id > after_id, ArticleFingerprint.method == method)
    return list(session.scalars(query.order_by(ArticleFingerprint.id)))


def fingerprint_of(session: Session, article_id: int) -> ArticleFingerprint | None:
    return session.scalar(select(ArticleFingerprint).where(ArticleFingerprint.article_id == article_id))

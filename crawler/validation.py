"""Which pages are stored: the rule shared by the pipeline and ``newsagg inspect``."""

from __future__ import annotations

from crawler.extraction import Extracted

DROP_REASONS = ("not_article", "empty_body", "unknown_language", "wrong_language")


def drop_reason(extracted: Extracted, lang: str | None, edition_lang: str | None) -> str | None:
    """Why a page is not stored as an article of the edition, or None when it is."""
    if not extracted.body.strip():
        return "empty_body"
    if not extracted.is_article:
        return extracted.drop_reason or "not_article"
    if lang is None:
        return "unknown_language"
    if edition_lang is not None and lang != edition_lang:
        return "wrong_language"
    return None

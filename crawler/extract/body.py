"""Which of trafilatura's two readings of a page is its body, and whether the page is an article.

Precision mode drops boilerplate best, but on some templates it keeps two paragraphs of seventeen or
stops after the third. The balanced mode is a second full pass, so it runs only when the page's own
evidence says precision mode left prose behind: the JSON-LD ``articleBody``, or the paragraphs of
the page outside comments and asides, being much longer than what precision mode kept. Its text is
taken when precision mode kept less than half of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawler.extract.published import in_aside

# Shorter text is a teaser, caption or widget, not an article, unless the page's own metadata says
# it is an article.
MIN_ARTICLE_CHARS = 250
# Precision mode kept less than this share of the evidence (or of the balanced reading): it lost prose.
KEPT_SHARE = 0.5
# Paragraphs shorter than this are captions, bylines and buttons, not prose the body should hold.
MIN_PROSE_CHARS = 80
# Index pages extract as a column of headlines: above this share of body characters coming from
# link texts the page is a link list.
LINK_LIST_SHARE = 0.5
# Link texts shorter than this ("More", "Home") never make a page a link list.
MIN_LINK_TEXT_CHARS = 15


def choose_text(precise: str, evidence_chars: int, balanced: Callable[[], str]) -> str:
    """Precision mode's text, or the balanced reading when precision mode dropped most of it.

    ``balanced`` runs the second pass; it is called only when ``precise`` is too short for an
    article or much shorter than ``evidence_chars`` (what the page's structure says the body holds).
    """
    if len(precise) >= MIN_ARTICLE_CHARS and len(precise) >= KEPT_SHARE * evidence_chars:
        return precise
    wider = balanced()
    if len(wider) < MIN_ARTICLE_CHARS or len(precise) >= KEPT_SHARE * len(wider):
        return precise if precise or len(wider) < MIN_ARTICLE_CHARS else wider
    return wider


def evidence_chars(tree: Any, article_body: str | None) -> int:
    """How long the page's own structure says the body is: JSON-LD ``articleBody``, else the prose
    paragraphs of its <article> (of the whole page when it has none), outside asides."""
    if article_body and len(article_body) >= MIN_ARTICLE_CHARS:
        return len(" ".join(article_body.split()))
    articles = tree.xpath("//article")
    scope = max(articles, key=lambda node: len(node.text_content())) if articles else tree
    total = 0
    for paragraph in scope.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if len(text) >= MIN_PROSE_CHARS and not in_aside(paragraph):
            total += len(text)
    return total


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_article(structured: bool, declared_article: bool, body: str, tree: Any) -> bool:
    """Metadata saying "article" or enough prose, but never a column of headlines, unless the page's
    JSON-LD (``declared_article``) types it as an article: then its links are the article's own."""
    if body and not declared_article and is_link_list(body, tree):
        return False
    return structured or len(body) >= MIN_ARTICLE_CHARS


def is_link_list(body: str, tree: Any) -> bool:
    # Substrings rather than lines: the extractor may run a list together into one line.
    text = _norm(body)
    anchors = {_norm(anchor.text_content()) for anchor in tree.iter("a")}
    linked = sum(len(anchor) for anchor in anchors if len(anchor) >= MIN_LINK_TEXT_CHARS and anchor in text)
    return linked > LINK_LIST_SHARE * len(text)

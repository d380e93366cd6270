"""Which of trafilatura's two readings of a page is its body, and whether the page is an article.

Precision mode finds where an article starts and ends best, but inside it drops short headings and
closing lines, and on some templates it keeps two paragraphs of seventeen. So the balanced reading
is taken between the first and the last line that precision mode kept, and wholly when precision
mode kept less than half of it. The balanced pass is skipped when the page's JSON-LD
``articleBody`` shows that precision mode already holds the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import Any

# Shorter text is a teaser, caption or widget, not an article, unless the page's own metadata says
# it is an article.
MIN_ARTICLE_CHARS = 250
# Precision mode kept less than this share of the balanced reading: it lost prose, take all of it.
KEPT_SHARE = 0.5
# Precision mode holds this share of the JSON-LD articleBody: it has the whole text.
COMPLETE_SHARE = 0.9
# Index pages extract as a column of headlines: above this share of body characters coming from
# link texts the page is a link list.
LINK_LIST_SHARE = 0.5
# Link texts shorter than this ("More", "Home") never make a page a link list.
MIN_LINK_TEXT_CHARS = 15


def choose_text(precise: str, evidence_chars: int, balanced: Callable[[], str], not_body: Set[str]) -> str:
    """The body text from precision mode's ``precise`` and the ``balanced`` reading (run on demand).

    ``evidence_chars`` is how long the page's own structure says the body is (``evidence_chars``);
    when ``precise`` is an article holding nearly all of it, the second pass is not run. ``not_body``
    are texts (normalised by ``normalised``) that are never a line precision mode wrongly dropped:
    the page's link texts (teasers, calls to action), its datelines, bylines and headline.
    """
    if len(precise) >= MIN_ARTICLE_CHARS and len(precise) >= COMPLETE_SHARE * evidence_chars > 0:
        return precise
    wider = balanced()
    if len(wider) < MIN_ARTICLE_CHARS:
        return precise
    if len(precise) < MIN_ARTICLE_CHARS or (len(precise) < KEPT_SHARE * len(wider) and _covers(wider, precise)):
        return wider
    return within_span(precise, wider, not_body)


def within_span(precise: str, wider: str, not_body: Set[str] = frozenset()) -> str:
    """``wider``'s lines from the first to the last line that ``precise`` also has, without the
    ``not_body`` texts that precision mode left out; ``precise`` when fewer than two of its lines are found
    there (the readings disagree on where the article is)."""
    kept = {_norm(line) for line in precise.splitlines() if line.strip()}
    lines = [line for line in wider.splitlines() if line.strip()]
    anchors = [index for index, line in enumerate(lines) if _norm(line) in kept]
    if len(anchors) < 2:
        return precise
    span = lines[anchors[0] : anchors[-1] + 1]
    return "\n".join(line for line in span if _norm(line) in kept or _norm(line).lstrip("-*• ") not in not_body)


def _covers(wider: str, precise: str) -> bool:
    """Whether ``wider`` holds most of ``precise``'s lines: it reads the same article, only more of it."""
    lines = [_norm(line) for line in precise.splitlines() if line.strip()]
    text = _norm(wider)
    return sum(line in text for line in lines) >= KEPT_SHARE * len(lines)


def link_texts(tree: Any) -> set[str]:
    return {normalised(anchor.text_content()) for anchor in tree.iter("a")}


def evidence_chars(article_body: str | None) -> int:
    """How long the page's JSON-LD ``articleBody`` says the body is; 0 when it gives none."""
    return len(" ".join(article_body.split())) if article_body else 0


def normalised(text: str) -> str:
    """Whitespace collapsed and case folded: how lines of the two readings and the page are compared."""
    return _norm(text)


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
    anchors = link_texts(tree)
    linked = sum(len(anchor) for anchor in anchors if len(anchor) >= MIN_LINK_TEXT_CHARS and anchor in text)
    return linked > LINK_LIST_SHARE * len(text)

"""Whether a page is an article, from its body and its links.

The body itself is trafilatura's balanced reading without the page's furniture
(crawler/extract/boilerplate.py); this module says whether that body is an article at all.
"""

from __future__ import annotations

from collections.abc import Set

from crawler.extract.boilerplate import MIN_LINK_CHARS, normalised

# Shorter text is a teaser, caption or widget, not an article, unless the page's own metadata says
# it is an article.
MIN_ARTICLE_CHARS = 250
# Index pages extract as a column of headlines: above this share of body characters coming from
# link texts the page is a link list.
LINK_LIST_SHARE = 0.5


def is_article(structured: bool, declared_article: bool, body: str, link_texts: Set[str]) -> bool:
    """Metadata saying "article" or enough prose, but never a column of headlines, unless the page's
    JSON-LD (``declared_article``) types it as an article: then its links are the article's own.
    ``link_texts`` are the page's link texts, normalised."""
    if body and not declared_article and is_link_list(body, link_texts):
        return False
    return structured or len(body) >= MIN_ARTICLE_CHARS


def is_link_list(body: str, link_texts: Set[str]) -> bool:
    # Substrings rather than lines: the extractor may run a list together into one line. Link texts
    # shorter than MIN_LINK_CHARS ("More", "Home") never make a page a link list.
    text = normalised(body)
    linked = sum(len(anchor) for anchor in link_texts if len(anchor) >= MIN_LINK_CHARS and anchor in text)
    return linked > LINK_LIST_SHARE * len(text)

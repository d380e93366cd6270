"""Lines of an extracted body that are page furniture rather than the article.

trafilatura's balanced reading keeps the whole article, its lead and closing lines included, and
with it some of the furniture around it: lists of teasers to other stories, paragraphs that are one
link ("Read more: <headline>"), reading-time notes, cookie banners and copyright lines. These rules take that
furniture out by what a reader sees in it, in any language, using the page's own links; they never
touch a line of prose.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

# Link texts shorter than this ("More", "Home", a name) say nothing about the line they are in.
MIN_LINK_CHARS = 15
# A list item with this share of its text in links is a link; two or more of them in a row (or a
# line that is one link text) form a list of teasers or a menu.
LIST_LINK_SHARE = 0.3
MIN_LINK_RUN = 2
# "Read more: <headline>": a short label before a link text of at least this many words.
MIN_TEASER_WORDS = 3
# Notes longer than this are prose that happens to mention reading or copyright.
MAX_NOTE_WORDS = 8
MAX_COPYRIGHT_WORDS = 40

# List bullets and table bars that trafilatura puts around a line.
_MARKERS = re.compile(r"^[-*•·|>\s]+|[|\s]+$")
_TEASER_LABEL = re.compile(r"^[^.!?]{1,40}?(?::|»|>>)\s*")
_READING_TIME = re.compile(
    r"\b\d+\s*-?\s*(?:min\.?|mins|minutes?|minuten|minuti|minutos|мин\.?|минут[аы]?|دقائق|دقيقة)\s*"
    r"(?:\S+\s*){0,3}?(?:read|reading|lesezeit|lesedauer|lecture|lectura|lettura|leitura|чтени[яе]|قراءة|للقراءة)\b"
    r"|\b(?:lesezeit|lesedauer|reading time|время чтения|temps de lecture|tiempo de lectura)\b\s*:?\s*\d+",
    re.IGNORECASE,
)
# A consent banner: the site saying it uses cookies, not an article about them.
_CONSENT = re.compile(
    r"\b(?:uses?|using)\s+(?:\w+\s+)?cookies\b|\b(?:accept|allow)\s+(?:all\s+)?cookies\b|\bcookie\s+(?:policy|settings)\b"
    r"|использу\w*\s+(?:файлы\s+)?(?:cookie|куки)|(?:نستخدم|يستخدم|تستخدم)\s+(?:ملفات\s+تعريف\s+الارتباط|الكوكيز|ملفات\s+الكوكيز)",
    re.IGNORECASE,
)
MAX_CONSENT_WORDS = 30
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}|:))", re.IGNORECASE)


@dataclass(frozen=True)
class PageLinks:
    """The page's link texts and, per list item, the share of its text in links (both normalised)."""

    texts: frozenset[str]
    list_item_shares: dict[str, float]


def page_links(tree: Any) -> PageLinks:
    texts = frozenset(normalised(anchor.text_content()) for anchor in tree.iter("a"))
    shares: dict[str, float] = {}
    for item in tree.iter("li"):
        text = normalised(item.text_content())
        if text and text not in shares:
            linked = sum(len(normalised(anchor.text_content())) for anchor in item.iter("a"))
            shares[text] = min(1.0, linked / len(text))
    return PageLinks(texts, shares)


def without_furniture(text: str, links: PageLinks) -> str:
    """``text``'s lines without runs of links, teaser and note lines, and links that close it."""
    lines = [line for line in text.splitlines() if line.strip()]
    keys = [bare(line) for line in lines]
    # Menu entries ("Politics", "En"): what is left of a page that has no article text at all.
    menu = [key in links.texts and len(key) < MIN_LINK_CHARS for key in keys]
    if all(menu):
        return ""
    is_link = [_is_link(key, links) or entry for key, entry in zip(keys, menu, strict=True)]
    if all(is_link):
        # A round-up made of links: whether it is an article is decided on the page (body.is_article).
        return "\n".join(line for line, key in zip(lines, keys, strict=True) if not _is_note(key))
    drop = [_is_note(key) or _is_teaser(key, links.texts) for key in keys]
    for start, end in _runs(is_link):
        if end - start >= MIN_LINK_RUN:
            drop[start:end] = [True] * (end - start)
    # Whatever links or notes close the text are the page's furniture after the article.
    last = len(lines)
    while last and (drop[last - 1] or is_link[last - 1]):
        last -= 1
    return "\n".join(line for line, dropped in zip(lines[:last], drop[:last], strict=True) if not dropped)


def _is_link(key: str, links: PageLinks) -> bool:
    if len(key) >= MIN_LINK_CHARS and key in links.texts:
        return True
    return links.list_item_shares.get(key, 0.0) >= LIST_LINK_SHARE


def _is_teaser(key: str, link_texts: Set[str]) -> bool:
    """A paragraph that is one link to another page, alone or after a label ("Read more: ...")."""
    label = _TEASER_LABEL.match(key)
    for text in (key, key[label.end() :] if label else None):
        if text and len(text) >= MIN_LINK_CHARS and len(text.split()) >= MIN_TEASER_WORDS and text in link_texts:
            return True
    return False


def _is_note(key: str) -> bool:
    words = len(key.split())
    if words <= MAX_NOTE_WORDS and _READING_TIME.search(key):
        return True
    if words <= MAX_CONSENT_WORDS and _CONSENT.search(key):
        return True
    return words <= MAX_COPYRIGHT_WORDS and _COPYRIGHT.match(key) is not None


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, end) of each run of consecutive True values."""
    runs, start = [], None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            runs.append((start, index))
            start = None
    return runs


def bare(line: str) -> str:
    """A line as the page's texts are compared with it: normalised, without bullets or table bars."""
    return _MARKERS.sub("", normalised(line))


def normalised(text: str) -> str:
    """Whitespace collapsed and case folded."""
    return " ".join(text.split()).casefold()

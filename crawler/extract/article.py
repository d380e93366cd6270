"""Article fields from a page's HTML: a pure function, no I/O, total on any input.

trafilatura finds the body; the metadata that decides linking and dedup (dates, canonical URL,
alternates) is read by the neighbouring modules (page, fields, statements, published), because
generic heuristics pick the wrong date or title often enough to split a story or merge two. The
body is one balanced trafilatura pass over the tree parsed here (tables kept, no comments, no
deduplication) without the page furniture that crawler/extract/boilerplate.py finds: precision mode
drops leads and closing lines, and running both modes costs a second full pass.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import trafilatura

from crawler.extract.alternates import Alternate, alternate_links_from_tree, alternates_dict, parse_html
from crawler.extract.body import is_article as decide_article
from crawler.extract.boilerplate import bare, normalised, page_links, without_furniture
from crawler.extract.fields import (
    canonical_url,
    declared_lang,
    find_authors,
    find_description,
    find_tags,
    find_title,
    h1s,
    header_headings,
    hint_text,
    site_rules,
)
from crawler.extract.main_image import main_image
from crawler.extract.page import Page, link_href, meta_value, read_page
from crawler.extract.published import header_labels
from crawler.extract.statements import find_published, first_date, modified_values
from crawler.limits import cap_html, strip_control_chars
from crawler.urls import canonicalize

log = logging.getLogger(__name__)

# Text for screen readers only (", opens new tab", "Advertisement"): visually hidden by the
# clip/sr-only idiom, never part of what a reader sees. Elements hidden with display:none are
# kept, since some sites fold the rest of the article that way.
SCREEN_READER_ONLY = (
    "//*[contains(translate(@style, ' ', ''), 'clip:rect(0000)')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' sr-only ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' visually-hidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' visuallyhidden ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' screen-reader-text ')]"
)

# htmldate as trafilatura calls it, without the search through free text (htmldate's default latest
# date, today, stays).
QUICK_DATE_GUESS = {"original_date": True, "extensive_search": False}


@dataclass
class Extracted:
    """What one page says about itself. Times are aware UTC; languages ISO 639-1."""

    url: str  # the fetched URL
    canonical_url: str  # rel=canonical (AMP resolved) or the fetched URL, canonicalized
    title: str | None
    body: str  # clean text, paragraphs separated by a blank line; "" when none
    declared_lang: str | None  # <html lang>, og:locale or content-language, normalized
    published_at: datetime | None
    modified_at: datetime | None
    # published_at as the page gives it (ISO 8601, its offset when stated): its first 10 characters
    # are the page's own publication day, which the conversion to UTC may move.
    published_local: str | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    alternates: dict[str, str] = field(default_factory=dict)  # lang -> url, strongest evidence
    alternate_links: list[Alternate] = field(default_factory=list)
    amp_url: str | None = None  # <link rel=amphtml>
    image_url: str | None = None  # the main picture (crawler.extract.main_image)
    is_article: bool = False
    drop_reason: str | None = None  # "not_article" | "empty_body" | None


def extract_article(html: str, url: str, *, timezone: str = "UTC", hints: Mapping[str, Any] | None = None) -> Extracted:
    """Extract an article's fields from ``html`` fetched at ``url``.

    ``timezone`` (IANA name, e.g. the source's) is how dates without an offset are
    read. ``hints`` may carry what a feed or sitemap said: "title" and
    "published" (raw text). Never raises on bad HTML: empty or unparseable input
    gives an Extracted with is_article False. Raises ValueError for an unknown
    ``timezone``, which is a configuration mistake. A page over the caps of
    crawler.limits (size, tags, attributes per tag) is cut down to them first.
    """
    _check_timezone(timezone)
    hints = hints or {}
    html = cap_html(strip_control_chars(html)) if isinstance(html, str) else html
    tree = parse_html(html) if isinstance(html, str) else None
    if tree is None:
        return Extracted(url, _safe_canonical(url), None, "", None, None, None, drop_reason="not_article")
    page = read_page(tree, url, timezone)
    document = _trafilatura(tree, url)
    rules = site_rules(url)
    site_name = _attr(document, "sitename")
    title = find_title(page, site_name, hint_text(hints, "title"), meta_first=rules.title_from_meta)
    authors = find_authors(page, _attr(document, "author"))
    labels = header_labels(page.tree)
    # What frames the article rather than being part of it: the site's name (a logo when there is
    # no text), its datelines, bylines, headline and the sub-headline set in the headline's header.
    names = [name for name in (meta_value(page, "og:site_name"), site_name) if isinstance(name, str)]
    headings = [*h1s(page), *header_headings(page)]
    header = {normalised(text) for text in [*names, *labels, *headings, *authors, title or ""]}
    links = page_links(page.tree)
    text = _attr(document, "text")
    body = _body(without_furniture(text if isinstance(text, str) else "", links), header, title)
    is_article = decide_article(_claims_article(page), page.ld_is_article, body, links.texts)
    alternates = alternate_links_from_tree(tree, url)
    published = find_published(page, hints, _attr(document, "date"))
    return Extracted(
        url=url,
        canonical_url=canonical_url(page),
        title=title,
        body=body,
        declared_lang=declared_lang(page),
        published_at=published.at if published else None,
        modified_at=first_date(page, modified_values(page)),
        published_local=published.local if published else None,
        authors=authors,
        description=find_description(page, _attr(document, "description")),
        tags=find_tags(page, document),
        alternates=alternates_dict(alternates),
        alternate_links=alternates,
        amp_url=link_href(page, "amphtml"),
        image_url=main_image(page.tree, page.base, page.meta, page.ld),
        is_article=is_article,
        drop_reason=None if is_article and body else ("empty_body" if is_article else "not_article"),
    )


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Moscow'") from error


def _safe_canonical(url: str) -> str:
    return canonicalize(url) if isinstance(url, str) else ""


# --- body -------------------------------------------------------------------------------------------------


def _trafilatura(tree: Any, url: str) -> Any | None:
    """trafilatura's body and metadata in one pass over a copy of ``tree`` (it prunes what it reads)."""
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            # By default trafilatura's dedup counts segments across calls in a global
            # cache, so a syndicated copy would lose its text; per page it lowered F1.
            deduplicate=False,
            with_metadata=True,
            # htmldate's guess is the last resort of crawler.extract.published; its extensive search
            # runs dateparser over the page's text in every locale it knows, which costs more than
            # the rest of extraction and finds nothing the page's own statements do not.
            date_extraction_params=QUICK_DATE_GUESS,
            prune_xpath=SCREEN_READER_ONLY,
        )
    except Exception:  # it fails in many ways on junk markup, and "no body" is the right answer then
        log.debug("trafilatura failed on %s", url, exc_info=True)
        return None


def _attr(document: Any, name: str) -> Any:
    return getattr(document, name, None) if document is not None else None


def _body(text: str, header: set[str], title: str | None) -> str:
    """Paragraphs joined by blank lines, without the headline, byline and dateline at either end,
    and without the headline anywhere.

    With no paragraphs to find, the extractor falls back to the article header;
    a photo report would then look like a one-line article. Inside the text the
    headline is a video caption or a share box repeating it, never a paragraph.
    """
    headline = normalised(title) if title else None
    lines = [line.strip() for line in text.splitlines() if line.strip() and normalised(line) != headline]
    while lines and bare(lines[0]) in header:
        lines.pop(0)
    while lines and bare(lines[-1]) in header:
        lines.pop()
    return "\n\n".join(lines)


def _claims_article(page: Page) -> bool:
    og_type = meta_value(page, "og:type")
    return page.ld_is_article or (og_type is not None and og_type.lower() == "article")

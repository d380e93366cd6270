"""Article fields from a page's HTML: a pure function, no I/O, total on any input.

trafilatura finds the body; the metadata that decides linking and dedup (dates,
canonical URL, alternates) is read here in an explicit order of trust, because
generic heuristics pick the wrong date or title often enough to split a story or
merge two. The body settings (precision mode with a balanced-mode fallback for
pages it leaves without an article, tables kept, no comments, no deduplication)
scored the best token F1 against the real-world ground truth.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import trafilatura

from crawler.extract.alternates import (
    Alternate,
    alternate_links_from_tree,
    alternates_dict,
    is_section_front,
    parse_html,
)
from crawler.extract.body import choose_text, evidence_chars
from crawler.extract.body import is_article as decide_article
from crawler.extract.dates import parse_date
from crawler.extract.language import normalize_lang
from crawler.extract.published import (
    Published,
    choose,
    dateline_labels,
    first_label_dates,
    header_labels,
    in_aside,
    time_values,
    url_day,
)
from crawler.limits import cap_html, strip_nul
from crawler.urls import canonicalize, is_fetchable, strip_amp

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
# schema.org types of the Article family that news and blog pages use.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "techarticle", "scholarlyarticle", "report",
})  # fmt: skip
# Meta names and properties for the publication time, the most specific first.
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "published_time", "parsely-pub-date", "sailthru.date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "date",
)  # fmt: skip
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified")
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•/»«]+|--)\s+|\s*::\s*")


@dataclass(frozen=True)
class SiteRules:
    """Where one publisher's template misleads the generic rules; the default changes nothing."""

    # The headline is og:title; the h1 (and <title>) carry a longer search-engine title.
    title_from_meta: bool = False


# Keyed by registered domain; a page on it or any subdomain gets the rules. Each entry is
# justified by recorded pages of the site (tests/settings/test_shipped_sources.py).
SITE_RULES: dict[str, SiteRules] = {
    "euronews.com": SiteRules(title_from_meta=True),
}


def site_rules(url: str) -> SiteRules:
    try:
        host = (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    except ValueError:  # a malformed URL ("http://[::1") has no site
        return SiteRules()
    for domain, rules in SITE_RULES.items():
        if host == domain or host.endswith("." + domain):
            return rules
    return SiteRules()


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
    is_article: bool = False
    drop_reason: str | None = None  # "not_article" | "empty_body" | None


@dataclass(frozen=True)
class _Page:
    """The parsed document and the metadata read once from it."""

    tree: Any
    url: str
    base: str
    meta: dict[str, list[str]]
    ld: dict[str, Any]  # the JSON-LD node describing the article, {} when none
    ld_is_article: bool  # that node is typed as an article
    timezone: str


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
    html = cap_html(strip_nul(html)) if isinstance(html, str) else html
    tree = parse_html(html) if isinstance(html, str) else None
    if tree is None:
        return Extracted(url, _safe_canonical(url), None, "", None, None, None, drop_reason="not_article")
    page = _read_page(tree, url, timezone)
    document = _trafilatura(html, url, precise=True)
    rules = site_rules(url)
    title = _title(page, _attr(document, "sitename"), _hint(hints, "title"), meta_first=rules.title_from_meta)
    authors = _authors(page, _attr(document, "author"))
    labels = header_labels(page.tree)
    header = {_norm(text) for text in [*labels, *_h1s(page), *authors, title or ""]}
    precise = _attr(document, "text")
    text = choose_text(
        precise if isinstance(precise, str) else "",
        evidence_chars(page.tree, next(iter(_ld_strings(page.ld.get("articleBody"))), None)),
        lambda: _balanced_text(html, url),
    )
    body = _body(text, header, title)
    is_article = decide_article(_claims_article(page), page.ld_is_article, body, page.tree)
    links = alternate_links_from_tree(tree, url)
    published = _published(page, hints, _attr(document, "date"))
    return Extracted(
        url=url,
        canonical_url=_canonical_url(page),
        title=title,
        body=body,
        declared_lang=_declared_lang(page),
        published_at=published.at if published else None,
        modified_at=_first_date(page, _modified_values(page)),
        published_local=published.local if published else None,
        authors=authors,
        description=_description(page, _attr(document, "description")),
        tags=_tags(page, document),
        alternates=alternates_dict(links),
        alternate_links=links,
        amp_url=_link_href(page, "amphtml"),
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


def _read_page(tree: Any, url: str, timezone: str) -> _Page:
    bases = [href.strip() for href in tree.xpath("//base/@href") if href.strip()]
    try:
        base = urljoin(url, bases[0]) if bases else url
    except ValueError:
        base = url
    ld, ld_is_article = _ld_article(tree, url)
    return _Page(tree, url, base, _meta_map(tree), ld, ld_is_article, timezone)


# --- body -------------------------------------------------------------------------------------------------


def _trafilatura(html: str, url: str, *, precise: bool) -> Any | None:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=precise,
            include_comments=False,
            include_tables=True,
            # By default trafilatura's dedup counts segments across calls in a global
            # cache, so a syndicated copy would lose its text; per page it lowered F1.
            deduplicate=False,
            with_metadata=precise,
            prune_xpath=SCREEN_READER_ONLY,
        )
    except Exception:  # it fails in many ways on junk markup, and "no body" is the right answer then
        log.debug("trafilatura failed on %s", url, exc_info=True)
        return None


def _attr(document: Any, name: str) -> Any:
    return getattr(document, name, None) if document is not None else None


def _balanced_text(html: str, url: str) -> str:
    text = _attr(_trafilatura(html, url, precise=False), "text")
    return text if isinstance(text, str) else ""


def _body(text: str, header: set[str], title: str | None) -> str:
    """Paragraphs joined by blank lines, without the headline, byline and dateline at either end,
    and without the headline anywhere.

    With no paragraphs to find, the extractor falls back to the article header;
    a photo report would then look like a one-line article. Inside the text the
    headline is a video caption or a share box repeating it, never a paragraph.
    """
    headline = _norm(title) if title else None
    lines = [line.strip() for line in text.splitlines() if line.strip() and _norm(line) != headline]
    while lines and _norm(lines[0]) in header:
        lines.pop(0)
    while lines and _norm(lines[-1]) in header:
        lines.pop()
    return "\n\n".join(lines)


def _claims_article(page: _Page) -> bool:
    og_type = _meta(page, "og:type")
    return page.ld_is_article or (og_type is not None and og_type.lower() == "article")


# --- metadata sources ---------------------------------------------------------------------------------------


def _meta_map(tree: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def _meta(page: _Page, *keys: str) -> str | None:
    for key in keys:
        values = page.meta.get(key)
        if values:
            return values[0]
    return None


def _ld_article(tree: Any, url: str) -> tuple[dict[str, Any], bool]:
    """The JSON-LD node typed as an article, else one with a datePublished that names this page.

    The second form covers types outside the article family (ClaimReview, WebPage)
    whose node still carries the page's dates; it does not make the page an article.
    """
    nodes = list(_ld_nodes(tree))
    for node in nodes:
        types = node.get("@type")
        names = types if isinstance(types, list) else [types]
        if any(isinstance(name, str) and name.lower() in ARTICLE_TYPES for name in names):
            return node, True
    own = canonicalize(url)
    for node in nodes:
        ids = [
            *_ld_strings(node.get("url")),
            *_ld_strings(node.get("@id")),
            *_ld_strings(node.get("mainEntityOfPage"), "@id"),
        ]
        if "datePublished" in node and own in {canonicalize(value) for value in ids}:
            return node, False
    return {}, False


def _ld_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        text = (script.text or "").strip().removeprefix("<!--").removesuffix("-->")
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _flatten_ld(data, 0)


def _flatten_ld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    # Publishers nest the article in @graph or under a WebPage's mainEntity.
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _flatten_ld(data[key], depth + 1)


def _ld_strings(value: Any, key: str = "name", depth: int = 0) -> list[str]:
    """Strings of a JSON-LD value that may be a string, an object with ``key`` or a list of either.

    Real values are at most a list of objects deep; hostile nesting stops there too.
    """
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if depth > 3:
        return []
    if isinstance(value, dict):
        return _ld_strings(value.get(key), key, depth + 1)
    if isinstance(value, list):
        return [text for item in value[:50] for text in _ld_strings(item, key, depth + 1)]
    return []


def _link_href(page: _Page, rel: str) -> str | None:
    for link in page.tree.iter("link"):
        if rel in (link.get("rel") or "").lower().split():
            href = (link.get("href") or "").strip()
            try:
                absolute = urljoin(page.base, href) if href else ""
            except ValueError:
                continue
            if is_fetchable(absolute):
                return canonicalize(absolute)
    return None


# --- fields -------------------------------------------------------------------------------------------------


def _canonical_url(page: _Page) -> str:
    """rel=canonical unless it names a front page for an article URL (a common template bug)."""
    own = canonicalize(page.url)
    declared = _link_href(page, "canonical")
    if declared and not (is_section_front(declared) and not is_section_front(own)):
        return declared
    non_amp = strip_amp(page.url)
    return canonicalize(non_amp) if non_amp else own


def _declared_lang(page: _Page) -> str | None:
    candidates = [page.tree.get("lang"), page.tree.get("xml:lang"), _meta(page, "og:locale")]
    candidates += [_meta(page, "content-language", "language", "dc.language")]
    candidates += _ld_strings(page.ld.get("inLanguage"))
    for candidate in candidates:
        lang = normalize_lang(candidate.strip()) if candidate else None
        if lang:
            return lang
    return None


def _title(page: _Page, site_name: Any, hint: str | None, *, meta_first: bool = False) -> str | None:
    """The headline: an h1 that the title metadata repeats, else og:title / JSON-LD
    headline, else <title>, else any h1; site names cut off. ``meta_first`` puts
    og:title / headline before the h1 (a site rule).

    An h1 needs the confirmation because templates put the logo or a section
    name in one. A feed's title picks among the candidates when it equals one;
    the page wins otherwise, since feeds truncate headlines.
    """
    names = [name for name in (_meta(page, "og:site_name", "application-name"), site_name) if name]
    names += _ld_strings(page.ld.get("publisher"))
    headline = _ld_strings(page.ld.get("headline"))[:1]
    meta_titles = [text for text in (_meta(page, "og:title", "twitter:title"), *headline) if text]
    doc_title = _doc_title(page)
    headings = _h1s(page)
    raw = [*meta_titles, *([doc_title] if doc_title else [])]
    confirmed = [heading for heading in headings if any(_starts_title(text, heading) for text in raw)]
    stripped = [_strip_site_name(text, names) for text in raw]
    ordered = (stripped[: len(meta_titles)] if meta_first else []) + confirmed + stripped + headings
    candidates = [text for text in ordered if text]
    if hint:
        matching = [text for text in candidates if _norm(text) == _norm(hint)]
        if matching:
            return matching[0]
    return candidates[0] if candidates else (" ".join(hint.split()) if hint else None)


def _starts_title(title: str, heading: str) -> bool:
    """True when ``title`` is ``heading`` alone or followed by a separator and more ("H1 | Site")."""
    title, heading = _norm(title).replace("’", "'"), _norm(heading).replace("’", "'")
    rest = title.removeprefix(heading)
    return len(rest) < len(title) and (not rest or not rest[0].isalnum())


def _doc_title(page: _Page) -> str | None:
    # SVG icons carry <title> elements too; the document's is the first in the head.
    titles = page.tree.xpath("//head/title") or page.tree.xpath("//title")
    text = " ".join(titles[0].text_content().split()) if titles else ""
    return text or None


def _h1s(page: _Page) -> list[str]:
    headings = page.tree.xpath("//article//h1") + page.tree.xpath("//h1")
    texts = (" ".join(heading.text_content().split()) for heading in headings)
    return list(dict.fromkeys(text for text in texts if text))


def _strip_site_name(title: str, names: Iterable[str]) -> str:
    title = " ".join(title.split())
    for name in names:
        name = " ".join(name.split())
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2 or not name:
            continue
        if _norm(parts[-1]) == _norm(name):
            return _rejoin(title, parts[:-1])
        if _norm(parts[0]) == _norm(name):
            return _rejoin(title, parts[1:])
    return title


def _rejoin(title: str, parts: list[str]) -> str:
    """Cut ``title`` down to the span covering ``parts``, keeping the separators between them."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)


def _authors(page: _Page, fallback: Any) -> list[str]:
    found = _ld_strings(page.ld.get("author"))
    found += page.meta.get("author", []) + page.meta.get("article:author", [])
    if not found and isinstance(fallback, str):
        found = fallback.split(";")
    names = [" ".join(name.split()) for name in found]
    return list(dict.fromkeys(name for name in names if 0 < len(name) <= 100 and not _is_url(name)))


def _description(page: _Page, fallback: Any) -> str | None:
    found = _meta(page, "description", "og:description", "twitter:description")
    found = found or next(iter(_ld_strings(page.ld.get("description"))), None)
    found = found or (fallback if isinstance(fallback, str) else None)
    text = " ".join((found or "").split())
    return text or None


def _tags(page: _Page, document: Any) -> list[str]:
    found = list(page.meta.get("article:tag", []))
    for value in [*page.meta.get("news_keywords", []), *_ld_strings(page.ld.get("keywords"))]:
        found += value.split(",")
    if not found:
        found = list(_attr(document, "tags") or []) + list(_attr(document, "categories") or [])
    tags = [" ".join(str(tag).split()) for tag in found]
    return list(dict.fromkeys(tag for tag in tags if tag and len(tag) <= 100))


# --- dates --------------------------------------------------------------------------------------------------


def _published(page: _Page, hints: Mapping[str, Any], guess: Any) -> Published | None:
    """The publication time the page's own sources agree on (crawler/extract/published.py): the first
    statement of each kind (JSON-LD, meta tags, itemprop, <time>, the URL, the visible dateline), the
    feed's date, and htmldate's guess (via trafilatura)."""
    zone = page.timezone
    hint = hints.get("published")
    statements: list[tuple[str, list[Any]]] = [
        ("jsonld", _ld_strings(page.ld.get("datePublished"))[:1]),
        ("meta", [value for key in _PUBLISHED_META for value in page.meta.get(key, [])[:1]]),
        ("itemprop", _itemprop_values(page, "datePublished")),
        ("time", time_values(page.tree)),
        ("url", [day for day in (url_day(page.url),) if day]),
        ("label", dateline_labels(page.tree)),
        ("hint", [hint.isoformat() if isinstance(hint, datetime) else hint]),
        ("guess", [guess]),
    ]
    return choose(found for kind, values in statements for found in first_label_dates(kind, values, zone, 1))


def _modified_values(page: _Page) -> list[str]:
    return [*_ld_strings(page.ld.get("dateModified"))[:1], *_meta_values(page, _MODIFIED_META)]


def _meta_values(page: _Page, keys: Iterable[str]) -> list[str]:
    values = [value for key in keys for value in page.meta.get(key, [])[:1]]
    return values + [value for key in keys for value in _itemprop_values(page, _camel(key))]


def _itemprop_values(page: _Page, name: str) -> list[str]:
    """The value of the first element with ``itemprop=name`` outside asides (content, datetime or text)."""
    for element in page.tree.xpath(f"//*[@itemprop='{name}' or @itemprop='{name.lower()}']"):
        if not in_aside(element):
            return [element.get("content") or element.get("datetime") or element.text_content()]
    return []


def _camel(key: str) -> str:
    return {"datepublished": "datePublished", "datemodified": "dateModified"}.get(key, key)


def _first_date(page: _Page, values: Iterable[str | None]) -> datetime | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            parsed = parse_date(value.strip(), page.timezone)
            if parsed is not None:
                return parsed
    return None


# --- small helpers ------------------------------------------------------------------------------------------


def _hint(hints: Mapping[str, Any], key: str) -> str | None:
    value = hints.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//", "www."))

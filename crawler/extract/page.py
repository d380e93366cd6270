"""A parsed page and the metadata read once from it: meta tags, the JSON-LD article node, <link> hrefs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from crawler.urls import canonicalize, is_fetchable

# schema.org types of the Article family that news and blog pages use.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "techarticle", "scholarlyarticle", "report",
})  # fmt: skip


@dataclass(frozen=True)
class Page:
    """The parsed document and the metadata read once from it."""

    tree: Any
    url: str
    base: str
    meta: dict[str, list[str]]
    ld: dict[str, Any]  # the JSON-LD node describing the article, {} when none
    ld_is_article: bool  # that node is typed as an article
    timezone: str


def read_page(tree: Any, url: str, timezone: str) -> Page:
    bases = [href.strip() for href in tree.xpath("//base/@href") if href.strip()]
    try:
        base = urljoin(url, bases[0]) if bases else url
    except ValueError:
        base = url
    ld, ld_is_article = ld_article(tree, url)
    return Page(tree, url, base, meta_map(tree), ld, ld_is_article, timezone)


# --- metadata sources ---------------------------------------------------------------------------------------


def meta_map(tree: Any) -> dict[str, list[str]]:
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


def meta_value(page: Page, *keys: str) -> str | None:
    for key in keys:
        values = page.meta.get(key)
        if values:
            return values[0]
    return None


def ld_article(tree: Any, url: str) -> tuple[dict[str, Any], bool]:
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
            *ld_strings(node.get("url")),
            *ld_strings(node.get("@id")),
            *ld_strings(node.get("mainEntityOfPage"), "@id"),
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


def ld_strings(value: Any, key: str = "name", depth: int = 0) -> list[str]:
    """Strings of a JSON-LD value that may be a string, an object with ``key`` or a list of either.

    Real values are at most a list of objects deep; hostile nesting stops there too.
    """
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if depth > 3:
        return []
    if isinstance(value, dict):
        return ld_strings(value.get(key), key, depth + 1)
    if isinstance(value, list):
        return [text for item in value[:50] for text in ld_strings(item, key, depth + 1)]
    return []


def link_href(page: Page, rel: str) -> str | None:
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

"""Article candidates and child sitemaps from sitemaps, sitemap indexes and robots.txt (pure)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import etree

from crawler.discovery.entries import Entry
from crawler.discovery.safe_xml import first, qname, resolve, text
from crawler.urls import is_fetchable

# --- sitemaps ---------------------------------------------------------------
# Scrapy's Sitemap class is not used: it parses with recover=True, so a truncated
# sitemap would pass silently, and it keeps alternate hrefs without their hreflang.
# Children are matched by local name only: old Google schemas and sloppy
# generators use other namespaces (or none) for the same elements.


def _by_local_name(el: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in el:
        found.setdefault(qname(child)[1], child)
    return found


def _hreflang_alternates(url_el: etree._Element, url: str) -> tuple[tuple[str, str], ...]:
    alternates: list[tuple[str, str]] = []
    for link in url_el:
        hreflang = (link.get("hreflang") or "").strip()
        if qname(link)[1] != "link" or link.get("rel", "").strip() != "alternate" or not hreflang:
            continue
        if href := resolve(link.get("href"), link, url):
            alternates.append((hreflang, href))
    return tuple(alternates)


def _sitemap_url_entry(url_el: etree._Element, url: str) -> Entry | None:
    fields = _by_local_name(url_el)
    loc = resolve(text(fields.get("loc")), url_el, url)
    if loc is None:
        return None
    news = _by_local_name(fields["news"]) if "news" in fields else {}
    publication = _by_local_name(news["publication"]) if "publication" in news else {}
    alternates = _hreflang_alternates(url_el, url)
    # The alternate that points back at <loc> names the page's own language.
    own_lang = next((lang for lang, href in alternates if href == loc), None)
    return Entry(
        url=loc,
        title=text(news.get("title")),
        published=text(news.get("publication_date")),
        lang=first(text(publication.get("language")), own_lang),
        lastmod=text(fields.get("lastmod")),
        alternates=alternates,
    )


def parse_urlset(root: etree._Element, url: str) -> Iterator[Entry]:
    entries = (_sitemap_url_entry(child, url) for child in root if qname(child)[1] == "url")
    return (entry for entry in entries if entry is not None)


def parse_sitemapindex(root: etree._Element, url: str) -> Iterator[Entry]:
    for child in root:
        if qname(child)[1] != "sitemap":
            continue
        fields = _by_local_name(child)
        if loc := resolve(text(fields.get("loc")), child, url):
            yield Entry(url=loc, lastmod=text(fields.get("lastmod")))


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """Absolute, de-duplicated sitemap URLs from a robots.txt, in file order.

    Scrapy's sitemap_urls_from_robots keeps empty values (resolving to the robots
    URL itself) and inline comments, so the lines are read here.
    """
    found: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        key, _, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if key.strip().lower() != "sitemap" or not value:
            continue
        try:
            absolute = urljoin(base_url, value)
        except ValueError:
            continue
        if is_fetchable(absolute) and absolute not in found:
            found.append(absolute)
    return found

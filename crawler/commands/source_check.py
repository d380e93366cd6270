"""``newsagg sources --check KEY``: read a source's listings as a crawl would and count what they yield.

For each edition, every feed, sitemap and start page is fetched once; a sitemap index is followed to
its newest child only. The report says, per listing, how many distinct URLs it gives (for a start
page: links to the source's hosts) and how many of those the edition takes, so a new source file shows
at once which pattern is too narrow, too wide, or which listing is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.error import URLError
from urllib.parse import urljoin, urlsplit

from crawler.commands.inspection import fetch
from crawler.discovery.claims import claim
from crawler.discovery.listings import DiscoveryError, parse_feed_or_sitemap
from crawler.discovery.sitemap_window import newest_first
from crawler.extract.alternates import parse_html
from crawler.extract.encoding import decode_html
from settings.sources import Edition, Source

EXAMPLES = 3
"""URLs a listing gives that its edition does not take, shown as examples."""


@dataclass
class ListingReport:
    url: str
    role: str  # "feed" | "sitemap" | "start page"
    kind: str | None = None  # rss, atom, urlset, sitemapindex, html
    urls: int = 0
    claimed: int = 0  # taken by the listing's edition
    other_editions: int = 0  # taken by another edition of the source
    not_claimed: list[str] = field(default_factory=list)
    error: str | None = None
    via: str | None = None  # the child sitemap read, for an index
    claimed_urls: set[str] = field(default_factory=set, repr=False)

    def as_dict(self) -> dict[str, Any]:
        keys = ("url", "role", "kind", "via", "urls", "claimed", "other_editions", "not_claimed", "error")
        return {key: getattr(self, key) for key in keys}


def check_source(source: Source, timeout: float = 20.0) -> list[dict[str, Any]]:
    """One report per edition: its listings and the distinct article URLs the edition takes from them."""
    reports = []
    for edition in source.editions:
        listings = [check_listing(source, edition, url, role, timeout) for url, role in _listings(edition)]
        taken = set().union(*(listing.claimed_urls for listing in listings))
        reports.append(
            {"lang": edition.lang, "claimed": len(taken), "listings": [listing.as_dict() for listing in listings]}
        )
    return reports


def _listings(edition: Edition) -> Iterator[tuple[str, str]]:
    yield from ((url, "feed") for url in edition.feeds)
    yield from ((url, "sitemap") for url in edition.sitemaps)
    yield from ((url, "start page") for url in edition.start_urls)


def check_listing(source: Source, edition: Edition, url: str, role: str, timeout: float) -> ListingReport:
    report = ListingReport(url, role)
    try:
        body, _charset, final_url = fetch(url, timeout)
        if role == "start page":
            report.kind = "html"
            found = _page_links(body, final_url, source)
        else:
            parsed = parse_feed_or_sitemap(body, final_url)
            report.kind = parsed.kind
            if parsed.kind == "sitemapindex":
                children = newest_first(parsed.entries, source.timezone)
                if not children:
                    return report
                report.via = children[0].url
                body, _charset, final_url = fetch(report.via, timeout)
                parsed = parse_feed_or_sitemap(body, final_url)
            pairs = (url for entry in parsed.entries for url in (entry.url, *(u for _, u in entry.alternates)))
            found = list(dict.fromkeys(pairs))
    except (OSError, URLError, ValueError, DiscoveryError) as exc:
        report.error = str(exc)
        return report
    report.urls = len(found)
    for candidate in found:
        taken = claim(source, candidate)
        if taken.claimed and taken.lang == edition.lang:
            report.claimed_urls.add(taken.target)
        elif taken.claimed:
            report.other_editions += 1
        elif len(report.not_claimed) < EXAMPLES:
            report.not_claimed.append(candidate)
    report.claimed = len(report.claimed_urls)
    return report


def _page_links(body: bytes, url: str, source: Source) -> list[str]:
    """Distinct links of a start page to the source's hosts."""
    tree = parse_html(decode_html(body, None)[0])
    links: dict[str, None] = {}
    for href in tree.xpath("//a/@href") if tree is not None else []:
        try:
            absolute = urljoin(url, str(href).strip()).split("#")[0]
        except ValueError:
            continue
        host = urlsplit(absolute).hostname or ""
        if any(edition.allows_host(host) for edition in source.editions):
            links[absolute] = None
    return list(links)


def render_check(key: str, reports: list[dict[str, Any]]) -> str:
    lines = []
    for edition in reports:
        lines.append(f"{key} {edition['lang']}: {edition['claimed']} distinct article URLs taken")
        for listing in edition["listings"]:
            where = f"  {listing['role']} {listing['url']}"
            if listing["error"]:
                lines.append(f"{where}: error: {listing['error']}")
                continue
            via = f" (newest child {listing['via']})" if listing["via"] else ""
            lines.append(
                f"{where}{via}: {listing['kind']}, {listing['urls']} URLs, {listing['claimed']} taken by "
                f"{edition['lang']}, {listing['other_editions']} by another edition"
            )
            lines.extend(f"    not taken: {url}" for url in listing["not_claimed"])
    return "\n".join(lines)


def check_passed(reports: list[dict[str, Any]]) -> bool:
    """Every listing could be read, and every edition takes at least one article URL."""
    return all(e["claimed"] > 0 and not any(listing["error"] for listing in e["listings"]) for e in reports)

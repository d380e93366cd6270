"""Article candidates from RSS, Atom, sitemaps and robots.txt.

Pure functions from response bytes to a ``Discovered`` value, so the spider can hand any fetched feed or
sitemap here without knowing its format (:mod:`crawler.discovery.safe_xml` says how hostile XML is read).
"""

from __future__ import annotations

from itertools import islice

from lxml import etree

from crawler.discovery.entries import Discovered, DiscoveryError, Entry
from crawler.discovery.feeds import parse_atom, parse_rss
from crawler.discovery.safe_xml import GZIP_MAGIC, GzipError, gunzip, parse_xml, pull_parser, qname, xml_bytes
from crawler.discovery.sitemaps import parse_sitemapindex, parse_urlset, robots_sitemaps

__all__ = ["MAX_ENTRIES", "Discovered", "DiscoveryError", "Entry", "parse_feed_or_sitemap", "robots_sitemaps", "sniff"]

MAX_SIZE = 50 * 1024 * 1024
"""Default cap on a feed or sitemap body, after decompression (the sitemap protocol allows 50 MiB)."""

MAX_ENTRIES = 50_000
"""Entries read from one document: the sitemap protocol's limit per file; more are ignored."""

SNIFF_BYTES = 64 * 1024
"""How much of a (decompressed) body ``sniff`` reads to find the root element."""

_ROOT_KINDS = {"rss": "rss", "rdf": "rss", "feed": "atom", "sitemapindex": "sitemapindex", "urlset": "urlset"}
_PARSERS = {"rss": parse_rss, "atom": parse_atom, "urlset": parse_urlset, "sitemapindex": parse_sitemapindex}


def _kind(root: etree._Element) -> str | None:
    # Decided by the root element alone: feeds often declare sitemap (or other)
    # namespaces they barely use, so the namespace list proves nothing.
    return _ROOT_KINDS.get(qname(root)[1])


def parse_feed_or_sitemap(body: bytes, url: str, *, max_size: int = MAX_SIZE) -> Discovered:
    """Read an RSS 2.0/1.0 or Atom feed, a sitemap or a sitemap index (gzipped or not).

    Entries keep document order and duplicates, at most MAX_ENTRIES of them; URLs
    are absolute and http(s) only. Raises DiscoveryError naming ``url`` for invalid
    XML, an unknown root element or a body (decompressed) larger than ``max_size``
    bytes.
    """
    root = parse_xml(xml_bytes(body, url, max_size), url)
    kind = _kind(root)
    if kind is None:
        raise DiscoveryError(url, f"unknown root element <{etree.QName(root).localname}>")
    return Discovered(kind=kind, entries=list(islice(_PARSERS[kind](root, url), MAX_ENTRIES)))


def sniff(body: bytes) -> str | None:
    """The kind of document by its root element, reading only the first SNIFF_BYTES; None if not one."""
    try:
        head = gunzip(body, SNIFF_BYTES) if body[:2] == GZIP_MAGIC else body[:SNIFF_BYTES]
    except GzipError:
        return None
    parser = pull_parser()
    try:
        parser.feed(head.lstrip())
        for _, element in parser.read_events():
            if isinstance(element, etree._Element):
                return _kind(element)
    except etree.XMLSyntaxError:
        pass
    return None

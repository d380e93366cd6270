"""Which links on a page are worth asking the source's claim about: cheap checks before the costly one.

A news page carries a hundred or more links, most of them the site's navigation (repeated on every page)
or other sites. Each href is resolved once per page; ``javascript:``, ``mailto:`` and other non-web
schemes and hosts that no edition lists are set aside without canonicalising anything, exactly as the
claim would refuse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urljoin, urlsplit

from lxml import etree

from settings.sources import Edition

_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_WEB_SCHEMES = frozenset({"http", "https"})


class _LinkTarget:
    """Parser events to hrefs: what ``//a/@href | //link[@rel='alternate'][@hreflang]/@href`` selects, in
    document order, without building the tree."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "a" or (tag == "link" and attrib.get("rel") == "alternate" and "hreflang" in attrib):
            href = attrib.get("href")
            if href is not None:
                self.found.append(href)

    def close(self) -> list[str]:
        return self.found


def page_hrefs(html: str) -> list[str]:
    """The hrefs of a page's links and declared alternates, parsed as Scrapy's selectors parse HTML."""
    target = _LinkTarget()
    parser = etree.HTMLParser(target=target, recover=True, encoding="utf-8", huge_tree=True)
    try:
        parser.feed(html.strip().encode("utf-8") or b"<html/>")
        parser.close()
    except etree.XMLSyntaxError:  # nothing parseable: what was read so far is all there is
        pass
    return target.found


class LinkFilter:
    def __init__(self, editions: Sequence[Edition]) -> None:
        self.editions = list(editions)
        self._hosts: dict[str, bool] = {}

    def allows_host(self, host: str) -> bool:
        allowed = self._hosts.get(host)
        if allowed is None:
            allowed = self._hosts[host] = any(e.allows_host(host) for e in self.editions)
        return allowed

    def candidates(self, page_url: str, hrefs: Iterable[str]) -> Iterator[str]:
        """Absolute URLs of ``hrefs`` (each once) that may be articles of an edition."""
        seen: set[str] = set()
        for raw in hrefs:
            href = raw.strip()
            if href in seen:
                continue
            seen.add(href)
            scheme = _SCHEME.match(href)
            if scheme is not None and scheme.group(1).lower() not in _WEB_SCHEMES:
                continue  # javascript:, mailto:, tel:, data: ...
            try:
                url = urljoin(page_url, href)
                host = urlsplit(url).hostname
            except ValueError:  # a malformed address on the page ("http://[::1")
                continue
            if host is not None and host.isascii() and not self.allows_host(host):
                continue
            yield url

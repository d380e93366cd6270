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

from settings.sources import Edition

_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_WEB_SCHEMES = frozenset({"http", "https"})


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

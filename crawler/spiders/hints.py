"""What a feed or sitemap says about an article, carried with its request to the pipeline."""

from __future__ import annotations

from typing import Any

from crawler.discovery.listings import Entry


def entry_hints(entry: Entry) -> dict[str, Any]:
    return {
        key: value
        for key, value in (
            ("title", entry.title),
            ("published", entry.published),
            ("lang", entry.lang),
            ("lastmod", entry.lastmod),
        )
        if value
    } | alternates_hint(entry)


def alternates_hint(entry: Entry) -> dict[str, Any]:
    """The sitemap's hreflang alternates of an entry, as [lang, url] pairs (JSON-safe for Redis queues)."""
    return {"alternates": [[lang, url] for lang, url in entry.alternates]} if entry.alternates else {}

"""The picture an article leads with: what its page names for sharing, else the first in its text. Pure.

Consumers show it beside the headline, and content linking compares it across editions: a
publisher's versions of one story show the same photo (:func:`crawler.linking.layout.media_key`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from crawler.urls import is_fetchable

SHARE_KEYS = ("og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src", "image")


def _ld_image(ld: Mapping[str, Any]) -> str | None:
    value = ld.get("image")
    for _ in range(3):  # a URL, an ImageObject, or a list of either
        if isinstance(value, list):
            value = value[0] if value else None
        elif isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl")
        else:
            break
    return value if isinstance(value, str) else None


def main_image(tree: Any, base: str, meta: Mapping[str, Sequence[str]], ld: Mapping[str, Any]) -> str | None:
    """The absolute URL of the article's main picture, or None."""
    candidates = [values[0] for key in SHARE_KEYS if (values := meta.get(key))]
    candidates.append(_ld_image(ld) or "")
    for container in ("//article//img", "//main//img"):
        candidates.extend(img.get("src") or img.get("data-src") or "" for img in tree.xpath(container)[:1])
    for candidate in candidates:
        url = urljoin(base, candidate.strip()) if candidate and candidate.strip() else ""
        if url and not url.startswith("data:") and is_fetchable(url):
            return url[:2048]
    return None

"""``newsagg inspect``: what the pipeline extracts from one page, without storing anything."""

from __future__ import annotations

import gzip
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.discovery.claims import claim, claim_in
from crawler.extract.article import extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.language import detect_language
from crawler.extract.validation import drop_reason
from settings.sources import Source

MAX_PAGE_BYTES = 16 * 1024 * 1024
USER_AGENT = "newsagg/0.1 (inspect)"


def read_file(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    if len(data) > MAX_PAGE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_PAGE_BYTES} bytes")
    return data


def fetch(url: str, timeout: float = 30.0) -> tuple[bytes, str | None, str]:
    """The page's bytes, declared charset and final URL."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read(MAX_PAGE_BYTES + 1)
        charset = response.headers.get_content_charset()
        final_url: str = response.geturl()
    if len(body) > MAX_PAGE_BYTES:
        raise ValueError(f"{url}: larger than {MAX_PAGE_BYTES} bytes")
    return body, charset, final_url


def inspect_page(
    body: bytes, url: str, *, charset: str | None = None, sources: Mapping[str, Source], source: str | None = None
) -> dict[str, Any]:
    """Every field the pipeline would store for the page, plus what an operator checks a new source by:
    the source and edition that take the URL (``source`` alone, or the first in ``sources``) and by
    which pattern, the time zone dates were read in, the decoding, the translation links with the
    evidence for each, and whether a crawl would store the page (``drop_reason`` as the crawl decides:
    ``no_edition`` when no edition takes the URL, so a crawl never requests it)."""
    html, encoding = decode_html(body, charset)
    found = claim(sources[source], url) if source else claim_in(sources.values(), url)
    owner = sources[found.source] if found.source else None
    edition = owner.edition(found.lang) if owner and found.lang else None
    timezone = owner.timezone_of(edition) if owner else "UTC"
    extracted = extract_article(html, url, timezone=timezone)
    guess = detect_language("\n".join(filter(None, [extracted.title, extracted.body])), extracted.declared_lang)
    # A URL an edition matches but a trap rule refuses is not requested either.
    reason = (found.reason if found.lang else None) or drop_reason(extracted, guess.lang, found.lang)
    canonical = claim(owner, extracted.canonical_url) if owner else None
    return {
        "url": url,
        "canonical_url": extracted.canonical_url,
        "source": found.source,
        "edition": found.lang,
        "pattern": found.pattern,
        "claim_reason": found.reason,
        "canonical_edition": canonical.lang if canonical and canonical.claimed else None,
        "encoding": encoding,
        "timezone": timezone,
        "title": extracted.title,
        "body": extracted.body,
        "body_chars": len(extracted.body),
        "lang": guess.lang,
        "lang_confidence": round(guess.confidence, 4),
        "script": guess.script,
        "declared_lang": extracted.declared_lang,
        "published_at": extracted.published_at.isoformat() if extracted.published_at else None,
        "published_local": extracted.published_local,
        "modified_at": extracted.modified_at.isoformat() if extracted.modified_at else None,
        "authors": extracted.authors,
        "description": extracted.description,
        "tags": extracted.tags,
        "alternates": extracted.alternates,
        "alternate_links": [
            {"lang": link.lang, "url": link.url, "method": link.method} for link in extracted.alternate_links
        ],
        "is_article": reason is None,
        "drop_reason": reason,
    }

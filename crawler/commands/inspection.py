"""``newsagg inspect``: what the pipeline extracts from one page, without storing anything."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path
from typing import Any

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


def inspect_page(body: bytes, url: str, *, charset: str | None = None, source: Source | None = None) -> dict[str, Any]:
    """Every field the pipeline would store for the page, plus what an operator checks a new source by:
    the edition the URL falls in, the time zone dates were read in, the decoding and the
    translation links with the evidence for each."""
    html, encoding = decode_html(body, charset)
    edition = source.edition_for_url(url) if source else None
    timezone = source.timezone_of(edition) if source else "UTC"
    extracted = extract_article(html, url, timezone=timezone)
    guess = detect_language("\n".join(filter(None, [extracted.title, extracted.body])), extracted.declared_lang)
    reason = drop_reason(extracted, guess.lang, edition.lang if edition else None)
    canonical_edition = source.edition_for_url(extracted.canonical_url) if source else None
    return {
        "url": url,
        "canonical_url": extracted.canonical_url,
        "source": source.key if source else None,
        "edition": edition.lang if edition else None,
        "canonical_edition": canonical_edition.lang if canonical_edition else None,
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

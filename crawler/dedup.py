"""Content fingerprints: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from crawler.dates import fold_digits

_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """The form two copies of one text share: NFKC, digits folded, case and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = fold_digits(text).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()

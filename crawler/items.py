"""The item that flows through the pipeline, filled in step by step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.article import Extracted


@dataclass
class ArticleItem:
    """One fetched article page.

    The spider fills the fetch fields; each pipeline step fills its own fields below them.
    """

    source: str
    """Key of the source (``settings/sources/<key>.yaml``)."""
    edition_lang: str
    """ISO 639-1 language of the edition whose patterns the URL matched."""
    url: str
    """The URL requested, in canonical form."""
    final_url: str
    """The URL answered, after redirects."""
    html: str
    encoding: str
    fetched_at: datetime
    seen_urls: list[tuple[str, str]] = field(default_factory=list)
    """Other URLs that led to this page, with their kind (``tracking``, ``amp``, ``redirect``)."""
    hints: dict[str, Any] = field(default_factory=dict)
    """What a feed or sitemap said of the page: ``title``, ``published`` (raw), ``lang``."""

    # extract
    extracted: Extracted | None = None
    # language
    lang: str | None = None
    lang_confidence: float = 0.0
    # dedupe
    content_hash: str | None = None
    outcome: str | None = None
    """``new``, ``updated``, ``unchanged``, or a copy: ``duplicate``, ``near_duplicate``, ``syndicated``."""
    duplicate_of: int | None = None
    similarity: float | None = None
    # store
    article_id: int | None = None

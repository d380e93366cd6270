"""What a correct crawl of the demo site stores, drops, fails on and links, computed from
stories.json through the same catalog the pages are rendered from (never typed by hand).

How pages are assigned their cases (crawler.demo.catalog applies these rules). ``k`` is a story
page's index among the story pages of its edition, ordered by story id:

- encoding: ru k == 0 is UTF-8 mislabelled as iso-8859-1 in the Content-Type header (its meta says
  utf-8); other odd ru k are windows-1251, named only in the header; ar k % 3 == 1 are
  windows-1256, named only in <meta charset>; all else is UTF-8 in header and meta. Characters a
  legacy codec lacks (Arabic-Indic digits in windows-1256) are sent as character references.
- date style: ru k % 3 -> meta, jsonld, text_ru; en k % 2 -> meta, jsonld; ar k % 4 -> meta,
  jsonld, text_ar_eg, text_ar_lev. Visible dates are Moscow wall-clock time on every Meridian
  page; "text_*" pages have nothing machine-readable. Special, wrong-language and wire pages use
  meta (the wire gives UTC).
- hreflang stories: all versions plus x-default (the en version); every other one, by id and
  starting with the first, also has og:locale and og:locale:alternate.
- ru feed: items with k % 4 == 2 carry ?utm_source=rss&utm_medium=feed; the k == 3 item links its
  AMP variant (the only page with one).
- specials: 180 not_article (en), 181 empty_body (ru), 182 malformed (en), stories.json's
  wrong_language ids, 196 slow (ar), 197 HTTP 500 (ru), 198 HTTP 404 (en); the first en story
  page links the robots-disallowed /private/secret-draft.
- wire: verbatim copies repeat the paragraphs exactly and go out 2 h after the original; edited
  copies (3 h after) drop the 0-based drop_paragraph, then append add_paragraph and
  append_boilerplate, and may change the title. A copy is an exact duplicate when its paragraphs
  equal the original's (so an edited copy that only changed the title is one), else a near one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.demo import specials
from crawler.demo.catalog import TRACKING_QUERY, Catalog, Page, amp_path, build_catalog, story_path
from crawler.demo.data import Stories, load_stories, parse_stories

GROUPED_MODES = ("hreflang", "switcher", "url_id", "content")
STORED_KINDS = ("story", "malformed", "wire_edited")
DROPPED_KINDS = ("not_article", "empty_body", "wrong_language")


@dataclass(frozen=True)
class ExpectedPage:
    source: str  # "demo" | "wire"
    lang: str
    url: str  # absolute canonical URL (base + path)
    story_id: int | None
    title: str
    published_at: datetime  # UTC
    encoding: str  # the codec of the bytes the server sends
    date_style: str
    body: str = ""  # the paragraphs joined by blank lines, as the first crawl sees them


@dataclass(frozen=True)
class Truth:
    articles: list[ExpectedPage]  # stored as distinct articles: Meridian versions, edited wire copies, malformed page
    exact_duplicates: dict[str, str]  # verbatim wire copy url -> original article url
    near_duplicates: dict[str, str]  # edited wire copy url -> original article url
    url_variants: dict[str, str]  # tracking/AMP url listed in a feed -> canonical url
    groups: dict[str, list[frozenset[str]]]  # linking mode -> translation groups (>= 2 urls each)
    decoys: list[tuple[str, str]]  # url pairs that must NOT be linked
    dropped: dict[str, list[str]]  # reason -> urls
    errors: dict[str, list[str]]  # "http_404" | "http_500" | "timeout" | "bad_feed" -> urls
    never_fetched: list[str]  # paths that must get zero hits (robots)
    changed: dict[str, str]  # url -> body text after set_generation(1)


def truth(base: str) -> Truth:
    """The ground truth of the packaged demo site served at ``base``."""
    return build_truth(load_stories(), base)


def build_truth(raw: Mapping[str, Any], base: str) -> Truth:
    stories = parse_stories(raw)
    catalog = build_catalog(stories)
    return Truth(
        articles=[_expected(p, base) for p in catalog.pages if p.kind in STORED_KINDS],
        exact_duplicates=_copies(catalog, base, "wire_verbatim"),
        near_duplicates=_copies(catalog, base, "wire_edited"),
        url_variants=_variants(catalog, base),
        groups=_groups(stories, base),
        decoys=_decoys(stories, base),
        dropped={kind: [base + p.path for p in catalog.pages if p.kind == kind] for kind in DROPPED_KINDS},
        errors={
            "http_404": [base + specials.MISSING.path],
            "http_500": [base + specials.ERROR.path],
            "timeout": [base + specials.SLOW.path],
            "bad_feed": [base + "/ar/rss.xml"],
        },
        never_fetched=[specials.PRIVATE_PATH],
        changed={base + path: "\n\n".join(text) for path, text in build_catalog(stories, 1).changed.items()},
    )


def _expected(page: Page, base: str) -> ExpectedPage:
    return ExpectedPage(
        source=page.source,
        lang=page.lang,
        url=base + page.path,
        story_id=page.story_id,
        title=page.version.title,
        published_at=page.published.astimezone(UTC),
        encoding=page.encoding,
        date_style=page.date_style,
        body="\n\n".join(page.version.paragraphs),
    )


def _copies(catalog: Catalog, base: str, kind: str) -> dict[str, str]:
    return {base + p.path: base + (p.original or "") for p in catalog.pages if p.kind == kind}


def _variants(catalog: Catalog, base: str) -> dict[str, str]:
    variants = {base + path + TRACKING_QUERY: base + path for path in catalog.tracking}
    if catalog.amp is not None:
        variants[base + amp_path(catalog.amp)] = base + catalog.amp
    return variants


def _groups(stories: Stories, base: str) -> dict[str, list[frozenset[str]]]:
    groups: dict[str, list[frozenset[str]]] = {mode: [] for mode in GROUPED_MODES}
    for story in sorted(stories.stories, key=lambda s: s.id):
        if story.linking in groups and len(story.versions) >= 2:
            groups[story.linking].append(frozenset(base + story_path(story, lang) for lang in story.versions))
    return groups


def _decoys(stories: Stories, base: str) -> list[tuple[str, str]]:
    """Every cross-language pair between a decoy story and the story it imitates."""
    pairs = []
    for decoy in sorted(stories.stories, key=lambda s: s.id):
        if decoy.decoy_of is None:
            continue
        target = stories.story(decoy.decoy_of)
        for lang in decoy.versions:
            for other in target.versions:
                if other != lang:
                    pairs.append((base + story_path(decoy, lang), base + story_path(target, other)))
    return pairs

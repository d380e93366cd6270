"""Every rendering decision of the demo site, made once from the stories so that the pages
(site.py) and the ground truth (truth.py) cannot disagree.

The rules are positional, so the same stories always give the same site; truth.py's docstring
lists them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property

from crawler.demo import specials
from crawler.demo.data import LANGS, Stories, StoriesError, Story, Version, WireCopy
from crawler.demo.specials import Special

UTF8 = "utf-8"
CP1251_HEADER = "windows-1251"
CP1256_META = "windows-1256"
MISLABELLED = "mislabelled"

DATE_STYLES = {
    "ru": ("meta", "jsonld", "text_ru"),
    "en": ("meta", "jsonld"),
    "ar": ("meta", "jsonld", "text_ar_eg", "text_ar_lev"),
}
TRACKING_QUERY = "?utm_source=rss&utm_medium=feed"
# Wire copies go out after the Meridian's original, so the original is the earliest copy.
WIRE_DELAY = {"verbatim": timedelta(hours=2), "edited": timedelta(hours=3)}


@dataclass(frozen=True)
class Page:
    """One article-like page (a story version, a special page or a wire copy)."""

    source: str  # "demo" | "wire"
    kind: str  # story | malformed | wrong_language | not_article | empty_body | wire_verbatim | wire_edited
    lang: str  # the edition, i.e. the page's <html lang>
    path: str
    story_id: int | None
    version: Version
    published: datetime
    section: str | None = None
    charset: str = UTF8
    date_style: str = "meta"
    linking: str = "single"
    og_locale: bool = False
    # (lang, path) of every version of the story, this page included, in LANGS order
    versions: tuple[tuple[str, str], ...] = ()
    related: tuple[str, ...] = ()
    links_private: bool = False
    has_amp: bool = False
    original: str | None = None  # wire copies: the path of the Meridian page they copy

    @property
    def encoding(self) -> str:
        """The codec of the bytes the server sends."""
        return UTF8 if self.charset == MISLABELLED else self.charset


@dataclass(frozen=True, eq=False)
class Catalog:
    stories: Stories
    generation: int
    pages: tuple[Page, ...]
    tracking: tuple[str, ...]  # paths whose ru feed item carries utm_* parameters
    amp: str | None  # path whose AMP variant the ru feed lists
    changed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # path -> paragraphs now

    def page(self, path: str) -> Page | None:
        return self._by_path.get(path)

    def edition(self, lang: str, *, source: str = "demo") -> list[Page]:
        return [p for p in self.pages if p.lang == lang and p.source == source]

    @cached_property
    def _by_path(self) -> dict[str, Page]:
        return {p.path: p for p in self.pages}


def article_path(lang: str, url_id: int, slug: str) -> str:
    return f"/{lang}/news/{url_id}-{slug}"


def story_path(story: Story, lang: str) -> str:
    return article_path(lang, story.url_id(lang), story.slug)


def amp_path(path: str) -> str:
    return f"{path}/amp"


def build_catalog(stories: Stories, generation: int = 0) -> Catalog:
    """All pages of the site as they are in the given generation (1 applies the updates)."""
    story_pages = _with_related(list(_story_pages(stories)))
    changed = _changes(stories, story_pages) if generation >= 1 else {}
    story_pages = [_rewritten(p, changed[p.path]) if p.path in changed else p for p in story_pages]
    ru = [p for p in story_pages if p.lang == "ru"]
    amp = ru[3].path if len(ru) > 3 else None
    pages = (
        *story_pages,
        *_special_pages(),
        *_wrong_language_pages(stories),
        *_wire_pages(stories),
    )
    _check_url_ids(pages)
    return Catalog(
        stories=stories,
        generation=generation,
        pages=tuple(replace(p, has_amp=True) if p.path == amp else p for p in pages),
        tracking=tuple(p.path for k, p in enumerate(ru) if k % 4 == 2),
        amp=amp,
        changed=changed,
    )


def _check_url_ids(pages: tuple[Page, ...]) -> None:
    """A numeric URL id shared by two Meridian pages must mean one story, or the site's own
    url_id translation hint would pair unrelated pages (special pages own ids 180-199)."""
    owners: dict[str, set[object]] = {}
    failing = [(None, special.path) for special in (specials.SLOW, specials.ERROR, specials.MISSING)]
    demo = [(p.story_id, p.path) for p in pages if p.source == "demo"]
    for story_id, path in demo + failing:
        url_id = path.split("/")[3].split("-")[0]
        owners.setdefault(url_id, set()).add(story_id or path)
    clashes = sorted(url_id for url_id, owner in owners.items() if len(owner) > 1)
    if clashes:
        raise StoriesError(f"stories.json: URL ids {', '.join(clashes)} are used by more than one story or page")


def _story_pages(stories: Stories) -> Iterator[Page]:
    hreflang = [s.id for s in sorted(stories.stories, key=lambda s: s.id) if s.linking == "hreflang"]
    for lang in LANGS:
        edition = sorted((s for s in stories.stories if lang in s.versions), key=lambda s: s.id)
        for k, story in enumerate(edition):
            yield Page(
                source="demo",
                kind="story",
                lang=lang,
                path=story_path(story, lang),
                story_id=story.id,
                version=story.versions[lang],
                published=story.published,
                section=story.section,
                charset=_charset(lang, k),
                date_style=DATE_STYLES[lang][k % len(DATE_STYLES[lang])],
                linking=story.linking,
                og_locale=story.id in hreflang and hreflang.index(story.id) % 2 == 0,
                versions=tuple((other, story_path(story, other)) for other in story.versions),
            )


def _charset(lang: str, k: int) -> str:
    if lang == "ru":
        return MISLABELLED if k == 0 else CP1251_HEADER if k % 2 == 1 else UTF8
    if lang == "ar" and k % 3 == 1:
        return CP1256_META
    return UTF8


def _with_related(pages: list[Page]) -> list[Page]:
    result = []
    for lang in LANGS:
        edition = [p for p in pages if p.lang == lang]
        count = min(3, len(edition) - 1)
        for k, page in enumerate(edition):
            related = tuple(edition[(k + step) % len(edition)].path for step in range(1, count + 1))
            result.append(replace(page, related=related, links_private=lang == "en" and k == 0))
    return result


def _rewritten(page: Page, paragraphs: tuple[str, ...]) -> Page:
    return replace(page, version=replace(page.version, paragraphs=paragraphs))


def _changes(stories: Stories, pages: list[Page]) -> dict[str, tuple[str, ...]]:
    paths = {(p.story_id, p.lang): p.path for p in pages}
    return {paths[(u.story, u.lang)]: u.paragraphs for u in stories.updates}


def _special_pages() -> Iterator[Page]:
    kinds = (
        ("malformed", specials.MALFORMED),
        ("not_article", specials.NOT_ARTICLE),
        ("empty_body", specials.EMPTY_BODY),
    )
    for kind, special in kinds:
        yield _special_page(kind, special)


def _special_page(kind: str, special: Special) -> Page:
    return Page(
        source="demo",
        kind=kind,
        lang=special.lang,
        path=special.path,
        story_id=None,
        version=special.version,
        published=special.published,
        section="world",
        versions=((special.lang, special.path),),
    )


def _wrong_language_pages(stories: Stories) -> Iterator[Page]:
    for wrong in stories.wrong_language:
        story = stories.story(wrong.copy_of)
        path = article_path(wrong.edition, wrong.id, story.slug)
        yield Page(
            source="demo",
            kind="wrong_language",
            lang=wrong.edition,
            path=path,
            story_id=None,
            version=story.versions[wrong.lang],
            published=story.published,
            section=story.section,
            versions=((wrong.edition, path),),
        )


def _wire_pages(stories: Stories) -> Iterator[Page]:
    for wire in stories.wire:
        story = stories.story(wire.copy_of)
        original = story.versions[wire.lang]
        version = wire_version(original, wire)
        # Duplicates are judged on the body: an "edited" copy that only changed the headline is
        # an exact duplicate, whatever stories.json calls it.
        kind = "wire_verbatim" if version.paragraphs == original.paragraphs else "wire_edited"
        yield Page(
            source="wire",
            kind=kind,
            lang=wire.lang,
            path=f"/wire/{wire.lang}/story/{wire.id}",
            story_id=story.id,
            version=version,
            published=story.published + WIRE_DELAY[wire.kind],
            original=story_path(story, wire.lang),
        )


def wire_version(original: Version, wire: WireCopy) -> Version:
    """The wire's text: verbatim copies are untouched; edited ones get the listed changes.

    drop_paragraph is a 0-based index into the original paragraphs.
    """
    if wire.kind == "verbatim":
        return original
    paragraphs = [p for i, p in enumerate(original.paragraphs) if i != wire.drop_paragraph]
    paragraphs += [extra for extra in (wire.add_paragraph, wire.append_boilerplate) if extra]
    return replace(original, title=wire.title or original.title, paragraphs=tuple(paragraphs))

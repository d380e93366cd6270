"""The demo site's stories, read from stories.json into typed, validated records.

A malformed stories file must fail loudly when the demo starts, naming the record and the field,
rather than rendering a site whose ground truth is silently wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any

LANGS = ("ru", "en", "ar")
SECTIONS = ("politics", "economy", "world", "science", "culture", "sport")
LINKING_MODES = ("hreflang", "switcher", "url_id", "content", "single")
WIRE_KINDS = ("verbatim", "edited")


class StoriesError(ValueError):
    """stories.json does not match the schema the demo site renders from."""


@dataclass(frozen=True)
class Version:
    title: str
    description: str
    author: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Story:
    id: int
    slug: str
    section: str
    published: datetime
    linking: str
    decoy_of: int | None
    versions: Mapping[str, Version]
    ids: Mapping[str, int]

    def url_id(self, lang: str) -> int:
        """The numeric id in this version's URL; content-linked versions use their own."""
        return self.ids.get(lang, self.id)


@dataclass(frozen=True)
class WireCopy:
    id: int
    lang: str
    copy_of: int
    kind: str
    title: str | None = None
    add_paragraph: str | None = None
    drop_paragraph: int | None = None
    append_boilerplate: str | None = None


@dataclass(frozen=True)
class Update:
    story: int
    lang: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class WrongLanguage:
    id: int
    edition: str
    copy_of: int
    lang: str


@dataclass(frozen=True, eq=False)
class Stories:
    stories: tuple[Story, ...]
    wire: tuple[WireCopy, ...]
    updates: tuple[Update, ...]
    wrong_language: tuple[WrongLanguage, ...]

    def story(self, story_id: int) -> Story:
        for story in self.stories:
            if story.id == story_id:
                return story
        raise StoriesError(f"no story with id {story_id}")


def load_stories() -> dict[str, Any]:
    """The stories.json shipped inside the crawler.demo package."""
    text = files("crawler.demo").joinpath("stories.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise StoriesError("stories.json: the top level must be an object")
    return raw


def parse_stories(raw: Mapping[str, Any]) -> Stories:
    """Typed records from the parsed JSON, with cross-references checked."""
    parsed = Stories(
        stories=tuple(_story(item) for item in _list(raw, "stories")),
        wire=tuple(_wire(item) for item in _list(raw, "wire")),
        updates=tuple(_update(item) for item in _list(raw, "updates")),
        wrong_language=tuple(_wrong(item) for item in _list(raw, "wrong_language")),
    )
    _check_references(parsed)
    return parsed


def _list(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise StoriesError(f"stories.json: {key!r} must be a list of objects")
    return value


def _field(item: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = item.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise StoriesError(f"stories.json: {where}: {key!r} must be a {kind.__name__}, got {value!r}")
    return value


def _optional(item: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    return None if item.get(key) is None else _field(item, key, kind, where)


def _choice(item: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str:
    value: str = _field(item, key, str, where)
    if value not in allowed:
        raise StoriesError(f"stories.json: {where}: {key!r} must be one of {allowed}, got {value!r}")
    return value


def _paragraphs(item: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = _field(item, "paragraphs", list, where)
    if not value or not all(isinstance(p, str) and p.strip() for p in value):
        raise StoriesError(f"stories.json: {where}: 'paragraphs' must be non-empty strings")
    return tuple(value)


def _version(item: Mapping[str, Any], where: str) -> Version:
    return Version(
        title=_field(item, "title", str, where),
        description=_field(item, "description", str, where),
        author=_field(item, "author", str, where),
        paragraphs=_paragraphs(item, where),
    )


def _published(item: Mapping[str, Any], where: str) -> datetime:
    text: str = _field(item, "published", str, where)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise StoriesError(f"stories.json: {where}: 'published' is not ISO 8601: {text!r}") from exc
    if value.tzinfo is None:
        raise StoriesError(f"stories.json: {where}: 'published' needs a UTC offset: {text!r}")
    return value


def _story(item: Mapping[str, Any]) -> Story:
    where = f"story {item.get('id')!r}"
    versions = _field(item, "versions", dict, where)
    if not versions or not set(versions) <= set(LANGS):
        raise StoriesError(f"stories.json: {where}: 'versions' keys must be among {LANGS}")
    ids = _optional(item, "ids", dict, where) or {}
    if not all(lang in LANGS and isinstance(i, int) for lang, i in ids.items()):
        raise StoriesError(f"stories.json: {where}: 'ids' must map languages to integers")
    return Story(
        id=_field(item, "id", int, where),
        slug=_field(item, "slug", str, where),
        section=_choice(item, "section", SECTIONS, where),
        published=_published(item, where),
        linking=_choice(item, "linking", LINKING_MODES, where),
        decoy_of=_optional(item, "decoy_of", int, where),
        versions={lang: _version(versions[lang], f"{where} {lang}") for lang in LANGS if lang in versions},
        ids=dict(ids),
    )


def _wire(item: Mapping[str, Any]) -> WireCopy:
    where = f"wire {item.get('id')!r}"
    return WireCopy(
        id=_field(item, "id", int, where),
        lang=_choice(item, "lang", LANGS, where),
        copy_of=_field(item, "copy_of", int, where),
        kind=_choice(item, "kind", WIRE_KINDS, where),
        title=_optional(item, "title", str, where),
        add_paragraph=_optional(item, "add_paragraph", str, where),
        drop_paragraph=_optional(item, "drop_paragraph", int, where),
        append_boilerplate=_optional(item, "append_boilerplate", str, where),
    )


def _update(item: Mapping[str, Any]) -> Update:
    where = f"update of story {item.get('story')!r}"
    return Update(
        story=_field(item, "story", int, where),
        lang=_choice(item, "lang", LANGS, where),
        paragraphs=_paragraphs(item, where),
    )


def _wrong(item: Mapping[str, Any]) -> WrongLanguage:
    where = f"wrong_language {item.get('id')!r}"
    return WrongLanguage(
        id=_field(item, "id", int, where),
        edition=_choice(item, "edition", LANGS, where),
        copy_of=_field(item, "copy_of", int, where),
        lang=_choice(item, "lang", LANGS, where),
    )


def _check_references(parsed: Stories) -> None:
    ids = [story.id for story in parsed.stories]
    if len(ids) != len(set(ids)):
        raise StoriesError("stories.json: story ids must be unique")
    for wire in parsed.wire:
        _version_of(parsed, wire.copy_of, wire.lang, f"wire {wire.id}")
    for update in parsed.updates:
        _version_of(parsed, update.story, update.lang, f"update of story {update.story}")
    for wrong in parsed.wrong_language:
        _version_of(parsed, wrong.copy_of, wrong.lang, f"wrong_language {wrong.id}")
    for story in parsed.stories:
        if story.decoy_of is not None:
            parsed.story(story.decoy_of)
        if story.linking == "single" and len(story.versions) != 1:
            raise StoriesError(f"stories.json: story {story.id}: 'single' needs exactly one version")


def _version_of(parsed: Stories, story_id: int, lang: str, where: str) -> Version:
    version = parsed.story(story_id).versions.get(lang)
    if version is None:
        raise StoriesError(f"stories.json: {where}: story {story_id} has no {lang!r} version")
    return version

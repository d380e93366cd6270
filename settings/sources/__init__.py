"""Sources are data: one YAML file per publisher, validated when loaded.

A bad file raises :class:`SourceConfigError` naming the file, the field and what was expected, so an
operator can fix it without reading code. The registry rejects duplicate keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from settings.languages import ISO_639_1
from settings.sources.fields import Age, Cron, HttpUrl, Regex, TimeZone

DEFAULT_SCHEDULE = "0 * * * *"
DEFAULT_MAX_AGE = timedelta(days=2)
ANY_PAGE = "(any page in the domains)"
KEY_PATTERN = re.compile(r"^[a-z0-9_-]+$")


class SourceConfigError(ValueError):
    """A source file that cannot be used; the message names file, field and expectation."""


class _Strict(BaseModel):
    # Unknown keys are an error: a misspelt key would otherwise be ignored silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


# Item fields a health rule may require; names as in the articles table.
ITEM_FIELDS = ("title", "published_at", "modified_at", "authors", "description", "tags")


class Health(_Strict):
    """When a run that ended normally counts as ``degraded`` (docs/operations.md, "Health rules").

    Each rule has an off value: ``min_items: 0``, ``max_error_rate: 1``, ``required_fields: []``,
    ``baseline_ratio: 0``.
    """

    min_items: int = Field(default=1, ge=0)  # nothing_stored: fewer articles stored, updated or re-seen than this
    max_error_rate: float = Field(default=0.25, ge=0, le=1)  # error_rate: failed requests / requests with an answer
    min_requests: int = Field(default=20, ge=1)  # error_rate is judged on at least this many requests
    required_fields: list[str] = ["title", "published_at"]  # missing_fields: fields each item should have
    missing_tolerance: float = Field(default=0.1, ge=0, le=1)  # share of items that may lack a required field
    baseline_runs: int = Field(default=5, ge=1)  # below_baseline: compare with the median of this many recent runs
    min_baseline_runs: int = Field(default=3, ge=1)  # the rule waits until this many earlier runs exist
    baseline_ratio: float = Field(default=0.25, ge=0, le=1)  # degraded below this share of the median

    @classmethod
    def off(cls) -> Health:
        """Every rule at its off value: no run is degraded."""
        return cls(min_items=0, max_error_rate=1, required_fields=[], baseline_ratio=0)

    @field_validator("required_fields")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in ITEM_FIELDS]
        if unknown:
            raise ValueError(f"fields among {', '.join(ITEM_FIELDS)}, got {', '.join(map(repr, unknown))}")
        return value


class Edition(_Strict):
    lang: str
    domains: list[str] = Field(min_length=1)
    feeds: list[HttpUrl] = []
    sitemaps: list[HttpUrl] = []
    start_urls: list[HttpUrl] = []
    article_urls: list[Regex] = []
    timezone: TimeZone | None = None
    schedule: Cron | None = None
    health: Health | None = None  # for runs of this edition alone; keys left out come from the source

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ISO_639_1:
            raise ValueError(f"an ISO 639-1 language code such as ru, en or ar, got {value!r}")
        return value

    @field_validator("domains")
    @classmethod
    def _bare_hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not host or "/" in host or ":" in host or host != host.strip().lower():
                raise ValueError(f"bare lower-case host names such as tass.ru, got {host!r}")
        return value

    def allows_host(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article_url(self, url: str) -> bool:
        return self.article_pattern(url) is not None

    def article_pattern(self, url: str) -> str | None:
        """The pattern by which this edition takes ``url`` (ANY_PAGE without patterns), else None."""
        if not self.allows_host(urlsplit(url).hostname or ""):
            return None
        if not self.article_urls:
            return ANY_PAGE
        return next((p for p in self.article_urls if re.search(p, url)), None)


class Translations(_Strict):
    url_id: Regex | None = None

    @field_validator("url_id")
    @classmethod
    def _one_group(cls, value: str | None) -> str | None:
        if value is not None and re.compile(value).groups != 1:
            raise ValueError(f"a regular expression with exactly one capturing group, got {value!r}")
        return value


class Source(_Strict):
    key: str
    name: str
    homepage: HttpUrl | None = None
    timezone: TimeZone = "UTC"
    schedule: Cron = DEFAULT_SCHEDULE
    # How far back a crawl after the first reads a sitemap index (docs/sources.md, "How far back").
    max_age: Age = DEFAULT_MAX_AGE
    editions: list[Edition] = Field(min_length=1)
    translations: Translations | None = None
    health: Health = Health()

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise ValueError(f"a key of lower-case letters, digits, '_' or '-', got {value!r}")
        return value

    @field_validator("editions")
    @classmethod
    def _one_edition_per_language(cls, value: list[Edition]) -> list[Edition]:
        langs = [e.lang for e in value]
        dupes = sorted({lang for lang in langs if langs.count(lang) > 1})
        if dupes:
            raise ValueError(f"one edition per language, got several for {', '.join(dupes)}")
        return value

    @property
    def languages(self) -> list[str]:
        return [e.lang for e in self.editions]

    def edition(self, lang: str) -> Edition | None:
        return next((e for e in self.editions if e.lang == lang), None)

    def edition_for_url(self, url: str) -> Edition | None:
        """The edition whose article patterns match ``url`` (first match wins)."""
        return next((e for e in self.editions if e.is_article_url(url)), None)

    def health_for(self, langs: Sequence[str] = ()) -> Health:
        """The rules for a run of the ``langs`` editions (all when empty): an edition's own ``health:``
        applies to a run of that edition alone, over the source's."""
        edition = self.edition(langs[0]) if len(langs) == 1 else None
        if edition is None or edition.health is None:
            return self.health
        return self.health.model_copy(update=edition.health.model_dump(exclude_unset=True))

    def timezone_of(self, edition: Edition | None) -> str:
        return edition.timezone if edition and edition.timezone else self.timezone

    @property
    def domains(self) -> list[str]:
        return sorted({d for e in self.editions for d in e.domains})


def _describe(error: ValidationError) -> str:
    # A misspelt key also makes the intended key "missing": report the misspelling, it is the cause.
    first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key (check its spelling against docs/sources.md)"
    if kind == "missing":
        return f"{where}: required field is missing"
    message = str(first["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        return f"{where}: expected {message}"
    return f"{where}: {message} (got {first.get('input')!r})"


def parse_sources(text: str, origin: str) -> list[Source]:
    """Validate the YAML ``text`` of one file (a mapping or a list of mappings)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise SourceConfigError(f"{origin}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    documents = data if isinstance(data, list) else [data]
    sources = []
    for index, document in enumerate(documents):
        prefix = f"[{index}]." if isinstance(data, list) else ""
        if not isinstance(document, dict):
            where = f"[{index}]: " if isinstance(data, list) else ""
            raise SourceConfigError(f"{origin}: {where}expected a mapping with key, name and editions")
        try:
            sources.append(Source.model_validate(document))
        except ValidationError as exc:
            raise SourceConfigError(f"{origin}: {prefix}{_describe(exc)}") from None
    return sources


def _source_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
    if not path.exists():
        raise SourceConfigError(f"{path}: no such source file or folder")
    return [path]


def shipped_source_texts() -> list[tuple[str, str]]:
    folder = resources.files("settings.sources")
    return [
        (f"settings/sources/{entry.name}", entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith((".yaml", ".yml"))
    ]


def load_sources(extra: Sequence[Path] = (), *, include_shipped: bool = True) -> dict[str, Source]:
    """The registry: shipped sources plus the files in ``extra``; duplicate keys are an error."""
    texts: list[tuple[str, str]] = shipped_source_texts() if include_shipped else []
    for path in extra:
        for file in _source_files(path):
            try:
                texts.append((str(file), file.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceConfigError(f"{file}: cannot be read: {exc}") from None
    return _registry((origin, source) for origin, text in texts for source in parse_sources(text, origin))


def _registry(items: Iterable[tuple[str, Source]]) -> dict[str, Source]:
    registry: dict[str, Source] = {}
    origins: dict[str, str] = {}
    for origin, source in items:
        if source.key in registry:
            raise SourceConfigError(f"{origin}: key: source {source.key!r} is already defined in {origins[source.key]}")
        registry[source.key] = source
        origins[source.key] = origin
    return registry

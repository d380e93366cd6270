"""Every shipped source against real URLs of the publishers (../shared/realworld/source_urls.tsv).

Each row of the file is a test case: a new row is a new test with no new code. A row says what the
URL is: an article in ru/en/ar (the edition of that language must take it, and nothing else), ``none``
or ``video`` (no edition of any source takes it), an article served outside its edition's folder
(``ar-at-root``, ``en-at-root``: the edition of that language takes it), or a page whose edition only
its text can tell (``ru-content-under-en``, ``ar-mirror``: the URL is left to language detection, so
only another source taking it is wrong). A trailing ``?`` marks the file's own doubt: that language or
none. An unknown class fails, so a new kind of row needs a decision here.
"""

from __future__ import annotations

import pytest

from crawler.discovery.claims import claim, claim_in
from settings.sources import load_sources

from ..conftest import REALWORLD_DIR

SOURCES = load_sources()
TSV = REALWORLD_DIR / "source_urls.tsv"
LANGUAGE_DETECTION = {"ru-content-under-en", "ar-mirror"}


def rows() -> list[tuple[str, str, str]]:
    if not TSV.is_file():
        return []
    found = []
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, expected, url, *_ = line.split("\t")
            found.append((key, expected, url))
    return found


ROWS = rows()


def expected_langs(expected: str) -> set[str | None] | None:
    """The editions that may take the URL (None: no edition); None for a row left to language detection."""
    if expected in LANGUAGE_DETECTION:
        return None
    if expected in ("none", "video"):
        return {None}
    if expected.endswith("-at-root"):
        return {expected.removesuffix("-at-root")}
    if expected.endswith("?"):
        return {expected[:-1], None}
    if len(expected) == 2:
        return {expected}
    raise AssertionError(f"source_urls.tsv: unknown class {expected!r}: decide what it means in this test")


def test_the_url_list_is_there(realworld):
    # Fails under CI=true when ../shared/realworld is missing, so the cases below cannot skip silently.
    assert len(ROWS) >= 40
    assert {key for key, _, _ in ROWS} <= set(SOURCES), "a row names a source that is not shipped"


@pytest.mark.parametrize(("key", "expected", "url"), ROWS, ids=[f"{k}-{e}-{i}" for i, (k, e, _) in enumerate(ROWS)])
def test_every_shipped_source_classifies_the_url(realworld, key, expected, url):
    wanted = expected_langs(expected)
    for source in SOURCES.values():
        found = claim(source, url)
        taken = found.lang if found.claimed else None
        if source.key != key:
            assert taken is None, f"{source.key} takes {url} ({found.pattern})"
        elif wanted is not None:
            assert taken in wanted, f"{key} gives {taken} for a {expected} URL ({found.pattern or found.reason})"
        # The editions' patterns are disjoint, so their order in the file decides nothing.
        matching = [e.lang for e in source.editions if e.article_pattern(found.target) is not None]
        assert len(matching) <= 1, f"{url} matches editions {matching} of {source.key}"


@pytest.mark.parametrize(("key", "expected", "url"), ROWS, ids=[f"{k}-{e}-{i}" for i, (k, e, _) in enumerate(ROWS)])
def test_the_registry_names_the_claiming_source_or_why_none(realworld, key, expected, url):
    found = claim_in(SOURCES.values(), url)
    if found.claimed:
        assert found.source == key and found.pattern
    else:
        assert found.reason in ("no_pattern", "off_hosts") and found.lang is None
        assert found.source in (key, None)

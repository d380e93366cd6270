"""Extraction on real third-party pages (../shared/realworld) against their ground truth.

Every page must extract without raising. On the Russian and Arabic pages, the edition languages that
matter most, title, detected language and publication day must match page by page; the figures over
all pages are pinned in test_quality_gate.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.extraction_quality import Page, load_pages, same_day, squash
from crawler.extract.article import Extracted, extract_article
from crawler.extract.language import detect_language

STRICT_LANGS = ("ru", "ar")


@dataclass(frozen=True)
class Case:
    page: Page
    extracted: Extracted

    @property
    def record(self) -> dict:
        return self.page.record

    @property
    def name(self) -> str:
        return str(self.record["file"])


@pytest.fixture(scope="module")
def cases(realworld: Path) -> list[Case]:
    pages = load_pages(realworld)
    assert len(pages) > 50, "the real-world set lost its ground truth"
    return [Case(page, extract_article(page.html, page.url)) for page in pages]


def strict(cases: list[Case], field: str) -> list[Case]:
    selected = [case for case in cases if case.record["lang"] in STRICT_LANGS and case.record.get(field)]
    assert selected, f"no ru/ar page has a ground-truth {field}"
    return selected


def test_every_page_extracts(cases: list[Case]) -> None:
    # The fixture already extracted every page; a raise would have failed it.
    assert all(isinstance(case.extracted.body, str) for case in cases)
    assert all(case.extracted.is_article for case in cases if case.record.get("body")), "an annotated article dropped"


def test_ru_ar_titles(cases: list[Case]) -> None:
    wrong = [
        (case.name, case.extracted.title)
        for case in strict(cases, "title")
        if squash(case.extracted.title) != squash(case.record["title"])
    ]
    assert not wrong


def test_ru_ar_language(cases: list[Case]) -> None:
    wrong = []
    for case in strict(cases, "lang"):
        guess = detect_language(case.extracted.body, case.extracted.declared_lang)
        if guess.lang != case.record["lang"]:
            wrong.append((case.name, guess))
    assert not wrong


def test_ru_ar_publication_day(cases: list[Case]) -> None:
    wrong = [
        (case.name, case.record["date"], case.extracted.published_at)
        for case in strict(cases, "date")
        if not same_day(str(case.record["date"]), case.extracted.published_at)
    ]
    assert not wrong


def test_human_chosen_snippets(cases: list[Case]) -> None:
    """Snippets annotators marked as body must be there; those marked as boilerplate mostly not."""
    annotated = [case for case in cases if case.record.get("body_snippets")]
    present = sum(snippet in case.extracted.body for case in annotated for snippet in case.record["body_snippets"])
    total = sum(len(case.record["body_snippets"]) for case in annotated)
    leaked = sum(
        snippet in case.extracted.body for case in annotated for snippet in case.record.get("body_without") or []
    )
    assert present >= 0.95 * total
    assert leaked <= 2


def test_site_rule_takes_the_euronews_headline_from_og_title(cases: list[Case]) -> None:
    """Euronews' h1 is a longer search title; the headline its editors give is og:title."""
    euronews = [case for case in cases if "euronews.com" in case.page.url and case.record.get("title")]
    assert len(euronews) >= 4
    assert all(squash(case.extracted.title) == squash(case.record["title"]) for case in euronews)

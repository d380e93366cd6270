"""Content linking of real translations through the crawl's item pipeline and ``newsagg link``.

A day of one trilingual source that declares nothing is built from the real-world translation pairs
(the pages of every 24th record and of every sixth hard negative, other articles on the same
story or topic, with their translations): one version of a long translation is cut to its first
half, as publishers do; one version arrives late, hours after the others were crawled and linked.
The pages go through the pipeline steps the crawl runs (settings.crawl.ITEM_PIPELINES), then
``newsagg link`` runs over the database, twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.day_scores import score_day, stored_groups
from bench.translation_day import Day, DayCrawler, DayPage, Pair, load_day
from storage.db import session_scope
from storage.models import Article, TranslationGroup, TranslationLink

from ..conftest import run_newsagg

# A little under what the day reaches (recall 1.0 for each pair, precision 1.0; docs/linking.md).
RECALL_FLOOR = {"ru-en": 0.94, "ar-en": 0.94, "ar-ru": 0.94}
PRECISION_FLOOR = 0.97


@dataclass
class LinkedDay:
    day: Day
    crawler: DayCrawler
    db: str
    abridged: Pair
    late: DayPage
    partner: DayPage
    after_crawl: dict[str, tuple[int, int | None]]
    after_late: dict[str, tuple[int, int | None]]
    after_link: dict[str, tuple[int, int | None]]
    after_second_link: dict[str, tuple[int, int | None]]
    second_report: dict[str, object]


def _translations(day: Day) -> list[Pair]:
    return sorted((p for p in day.pairs if p.label == "translation"), key=lambda p: (p.a, p.b))


@pytest.fixture(scope="session")
def linked_day(realworld: Path, tmp_path_factory: pytest.TempPathFactory) -> LinkedDay:
    folder = tmp_path_factory.mktemp("linking-day")
    day = load_day(realworld / "translation_pairs" / "pairs.jsonl", every=24)
    pairs = _translations(day)
    long_pairs = [p for p in pairs if min(len(day.pages[p.a].paragraphs), len(day.pages[p.b].paragraphs)) >= 6]
    abridged = long_pairs[0]
    cut = day.pages[abridged.b]
    day.pages[abridged.a].image = "/media/2026/03/port-cranes_1200x630.jpg"
    cut.paragraphs = cut.paragraphs[: len(cut.paragraphs) // 2]
    late_pair = next(p for p in pairs if {p.a, p.b}.isdisjoint({abridged.a, abridged.b}) and p.lang_pair == "ru-en")
    late, partner = day.pages[late_pair.a], day.pages[late_pair.b]
    late.published = partner.published + timedelta(hours=6)

    db = f"sqlite:///{folder / 'day.db'}"
    crawler = DayCrawler(db, folder)
    crawler.crawl(sorted((p for p in day.pages.values() if p is not late), key=lambda p: (p.published, p.key)))
    after_crawl = stored_groups(db, day)
    crawler.crawl([late])
    after_late = stored_groups(db, day)
    crawler.relink()
    after_link = stored_groups(db, day)
    second_report = crawler.relink()
    return LinkedDay(
        day, crawler, db, abridged, late, partner, after_crawl, after_late, after_link,
        stored_groups(db, day), second_report,
    )  # fmt: skip


def test_translations_are_linked_and_other_articles_on_the_story_are_not(linked_day: LinkedDay):
    score = score_day(linked_day.day, linked_day.after_link)
    assert score.hard_negatives > 5
    assert score.hard_negatives_linked == 0
    assert score.unrelated_linked == 0
    for pair in score.pairs:
        assert pair.translations >= 15, pair
        assert pair.recall >= RECALL_FLOOR[pair.lang_pair], pair
        assert pair.precision >= PRECISION_FLOOR, pair


def test_a_version_cut_to_half_is_linked(linked_day: LinkedDay):
    a = linked_day.after_crawl[linked_day.abridged.a]
    b = linked_day.after_crawl[linked_day.abridged.b]
    assert a[1] is not None and a[1] == b[1]


def test_a_late_version_joins_the_group_of_its_translation(linked_day: LinkedDay):
    assert linked_day.after_crawl.get(linked_day.late.key) is None
    late = linked_day.after_late[linked_day.late.key]
    partner_before = linked_day.after_crawl[linked_day.partner.key]
    partner = linked_day.after_late[linked_day.partner.key]
    assert late[1] is not None and late[1] == partner[1]
    if partner_before[1] is not None:  # it had a group already: the late version joined it
        assert partner[1] == partner_before[1]


def test_relinking_keeps_group_ids_and_changes_nothing(linked_day: LinkedDay):
    assert linked_day.after_link == linked_day.after_late
    assert linked_day.after_second_link == linked_day.after_link
    report = linked_day.second_report
    assert (report["linked"], report["links_dropped"], report["features_updated"]) == (0, 0, 0)


def test_content_links_carry_their_evidence(linked_day: LinkedDay):
    with session_scope(linked_day.db) as session:
        links = list(session.scalars(select(TranslationLink).where(TranslationLink.method == "content")))
        assert links
        for link in links:
            detail = json.loads(link.detail or "{}")
            assert detail["score"] == pytest.approx(link.score)
            assert {"numbers", "names", "shape", "media", "runner_up"} <= set(detail)
            assert detail["numbers"] + detail["names"] + detail["media"] > 0
        # Every group row still in use holds articles; none was deleted and none points elsewhere.
        used = set(session.scalars(select(Article.group_id).where(Article.group_id.is_not(None))))
        rows = {g.id: g for g in session.scalars(select(TranslationGroup))}
        assert used <= set(rows)
        assert all(rows[g].merged_into_id is None for g in used)


def test_the_main_picture_is_stored_with_the_article(linked_day: LinkedDay):
    page = linked_day.day.pages[linked_day.abridged.a]
    with session_scope(linked_day.db) as session:
        article = session.get_one(Article, linked_day.after_link[page.key][0])
        assert article.image_url == "https://day.example/media/2026/03/port-cranes_1200x630.jpg"
        others = session.scalars(select(Article.image_url).where(Article.id != article.id))
        assert set(others) == {None}


def test_newsagg_link_from_the_command_line_changes_nothing(linked_day: LinkedDay):
    result = run_newsagg(
        "link", "--db", linked_day.db, "--sources", str(linked_day.crawler.sources), "--json", timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert (report["linked"], report["links_dropped"]) == (0, 0)
    assert stored_groups(linked_day.db, linked_day.day) == linked_day.after_second_link

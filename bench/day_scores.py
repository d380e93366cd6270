"""How well a crawled and linked news day (:mod:`bench.translation_day`) matches its labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.translation_day import HARD_NEGATIVES, LANG_PAIRS, Day, crawl_day, load_day


@dataclass(frozen=True)
class PairScore:
    lang_pair: str
    translations: int
    found: int
    linked: int
    correct: int

    @property
    def recall(self) -> float:
        return self.found / self.translations if self.translations else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0


@dataclass(frozen=True)
class DayScore:
    pairs: list[PairScore]
    hard_negatives: int
    hard_negatives_linked: int
    unrelated_linked: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": {
                p.lang_pair: {
                    "translations": p.translations,
                    "found": p.found,
                    "recall": round(p.recall, 3),
                    "linked": p.linked,
                    "correct": p.correct,
                    "precision": round(p.precision, 3),
                }
                for p in self.pairs
            },
            "hard_negatives": self.hard_negatives,
            "hard_negatives_linked": self.hard_negatives_linked,
            "unrelated_linked": self.unrelated_linked,
        }


def stored_groups(database_url: str, day: Day) -> dict[str, tuple[int, int | None]]:
    """Each page's stored article and its group, found by the page's URL."""
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Article, ArticleUrl

    urls = {page.url: key for key, page in day.pages.items()}
    found: dict[str, tuple[int, int | None]] = {}
    with session_scope(database_url) as session:
        rows = session.execute(
            select(ArticleUrl.url, Article.id, Article.group_id).join(Article, Article.id == ArticleUrl.article_id)
        )
        for url, article_id, group_id in rows:
            if url in urls:
                found[urls[url]] = (article_id, group_id)
    return found


def score_day(day: Day, groups: dict[str, tuple[int, int | None]]) -> DayScore:
    truth = day.truth()

    def together(a: str, b: str) -> bool:
        ga, gb = groups.get(a), groups.get(b)
        return ga is not None and gb is not None and (ga[0] == gb[0] or (ga[1] is not None and ga[1] == gb[1]))

    by_article: dict[int, str] = {}
    for key, (article_id, _) in groups.items():
        by_article.setdefault(article_id, key)
    members: dict[int, list[str]] = {}
    for key in by_article.values():
        group_id = groups[key][1]
        if group_id is not None:
            members.setdefault(group_id, []).append(key)
    scores = []
    for lang_pair in LANG_PAIRS:
        langs = set(lang_pair.split("-"))
        labelled = [p for p in day.pairs if p.label == "translation" and p.lang_pair == lang_pair]
        linked = correct = 0
        for keys in members.values():
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    if {day.pages[a].lang, day.pages[b].lang} == langs:
                        linked += 1
                        correct += truth[a] == truth[b]
        found = sum(together(p.a, p.b) for p in labelled)
        scores.append(PairScore(lang_pair, len(labelled), found, linked, correct))
    hard = [p for p in day.pairs if p.label in HARD_NEGATIVES]
    unrelated = [p for p in day.pairs if p.label == "unrelated_same_day"]
    return DayScore(
        scores,
        len(hard),
        sum(together(p.a, p.b) for p in hard),
        sum(together(p.a, p.b) for p in unrelated),
    )


def run_day(pairs_path: Path, folder: Path, *, abridged: bool = False) -> tuple[DayScore, DayScore]:
    """Crawl and link the day into a new SQLite database in ``folder``: scores after the crawl and
    after ``newsagg link``."""
    day = load_day(pairs_path, abridged=abridged)
    url = f"sqlite:///{folder / ('abridged.db' if abridged else 'day.db')}"
    crawler = crawl_day(day, url, folder)
    after_crawl = score_day(day, stored_groups(url, day))
    crawler.relink()
    return after_crawl, score_day(day, stored_groups(url, day))


def rows(name: str, score: DayScore) -> Sequence[str]:
    lines = []
    for p in score.pairs:
        lines.append(
            f"{name:26} {p.lang_pair:6} {p.translations:>6} {p.found:>6} {p.recall:>7.3f} "
            f"{p.linked:>7} {p.correct:>7} {p.precision:>9.3f}"
        )
    lines.append(
        f"{name:26} hard negatives linked {score.hard_negatives_linked} of {score.hard_negatives}; "
        f"unrelated linked {score.unrelated_linked}"
    )
    return lines

"""The near-duplicate step on real text (../shared/realworld).

Positives: every real article with a ground-truth body (en, ru, ar), lightly edited four ways (a
sentence added, a sentence removed, the headline changed, agency boilerplate appended): each copy must
find its own original. Negatives: SemEval-2022 Task 8 pairs that annotators scored 1 ("the same
story") in en-en and ar-ar: different articles about one story, which must not be merged.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.dedup.fingerprints import METHOD, fingerprint_text, signature, similarity, to_bytes
from crawler.dedup.near_index import MemoryIndex
from settings.crawl import NEWSAGG_NEAR_DUPLICATE_THRESHOLD as DEFAULT_THRESHOLD
from storage.db import Database, session_scope, upgrade
from storage.fingerprints import save_fingerprint
from storage.models import Article, SourceRow

LANGS = ("en", "ru", "ar")
BOILERPLATE = {
    "en": "© 2026 News Agency. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed without permission.",
    "ru": "© 2026 Информационное агентство. Все права защищены. Полное или частичное воспроизведение "
    "материалов запрещено без письменного разрешения редакции.",
    "ar": "© 2026 وكالة الأنباء. جميع الحقوق محفوظة. يمنع نشر هذه المادة أو إعادة توزيعها دون إذن خطي من الوكالة.",
}
NEW_HEADLINE = {
    "en": "UPDATE: what we know so far",
    "ru": "Обновлено: что известно сейчас",
    "ar": "تحديث: ما نعرفه حتى الآن",
}
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+")


@dataclass(frozen=True)
class Doc:
    key: str
    lang: str
    title: str | None
    body: str


def real_articles(root: Path) -> list[Doc]:
    docs = []
    for path in sorted(root.glob("*/groundtruth.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            body = record.get("body")
            if record.get("lang") in LANGS and isinstance(body, str) and len(body.split()) >= 30:
                docs.append(Doc(record["file"], record["lang"], record.get("title"), body))
    return docs


def same_story_pairs(root: Path) -> list[tuple[Doc, Doc]]:
    pairs = []
    for record in json.loads((root / "semeval2022_hfl" / "pairs.json").read_text(encoding="utf-8")):
        scores: Any = record["scores"]
        scores = ast.literal_eval(scores) if isinstance(scores, str) else scores
        lang = record["lang1"]
        if lang == record["lang2"] and lang in ("en", "ar") and float(scores["Overall"]) == 1.0:
            # Pair ids are "<article id>_<article id>"; one article can take part in several pairs.
            first, second = record["pair_id"].split("_")
            pairs.append((Doc(first, lang, None, record["text1"]), Doc(second, lang, None, record["text2"])))
    return pairs


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def edits(doc: Doc, donor: Doc) -> dict[str, Doc]:
    """Four lightly edited copies of ``doc``; ``donor`` is another article of its language."""
    own, extra = sentences(doc.body), sentences(donor.body)
    middle = len(own) // 2
    added = [*own[:middle], extra[len(extra) // 2], *own[middle:]]
    removed = own[:middle] + own[middle + 1 :] if len(own) > 1 else own
    return {
        "sentence_added": Doc(doc.key, doc.lang, doc.title, " ".join(added)),
        "sentence_removed": Doc(doc.key, doc.lang, doc.title, " ".join(removed)),
        "headline_changed": Doc(doc.key, doc.lang, NEW_HEADLINE[doc.lang], doc.body),
        "boilerplate_appended": Doc(doc.key, doc.lang, doc.title, doc.body + "\n\n" + BOILERPLATE[doc.lang]),
    }


@dataclass
class Figures:
    true_positives: Counter[str]
    false_negatives: Counter[str]
    false_positives: Counter[str]
    merged_pairs: list[str]
    pairs: int
    found_by_lang: Counter[str]
    copies_by_lang: Counter[str]
    lowest_copy: float = 1.0  # the least similar edited copy that was found
    highest_pair: float = 0.0  # the most similar same-story pair

    @property
    def precision(self) -> float:
        found = sum(self.true_positives.values()) + sum(self.false_positives.values())
        return sum(self.true_positives.values()) / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = sum(self.true_positives.values()) + sum(self.false_negatives.values())
        return sum(self.true_positives.values()) / wanted if wanted else 1.0

    def report(self) -> str:
        kinds = sorted(set(self.true_positives) | set(self.false_negatives))
        per_kind = ", ".join(
            f"{k} {self.true_positives[k]}/{self.true_positives[k] + self.false_negatives[k]}" for k in kinds
        )
        langs = ", ".join(f"{lang} {self.found_by_lang[lang]}/{n}" for lang, n in sorted(self.copies_by_lang.items()))
        return (
            f"near duplicates at threshold {DEFAULT_THRESHOLD}: precision {self.precision:.3f}, "
            f"recall {self.recall:.3f} ({per_kind}; {langs}); same-story pairs merged: "
            f"{len(self.merged_pairs)}/{self.pairs}; least similar copy {self.lowest_copy:.3f}, "
            f"most similar same-story pair {self.highest_pair:.3f}"
        )


def evaluate(database: Database, root: Path) -> Figures:
    database_url = database.url
    docs = real_articles(root)
    pairs = same_story_pairs(root)
    stored = docs + list({first.key: first for first, _ in pairs}.values())
    ids: dict[str, int] = {}
    with session_scope(database_url) as session:
        source = SourceRow(key="realworld", name="Real world")
        session.add(source)
        session.flush()
        for number, doc in enumerate(stored):
            values = signature(fingerprint_text(doc.title, doc.body))
            if values is None:
                continue
            article = Article(
                source_id=source.id,
                canonical_url=f"https://realworld.example/{number}",
                lang=doc.lang,
                lang_confidence=1.0,
                title=doc.title,
                body=doc.body,
                content_hash=f"{number:064d}",
            )
            session.add(article)
            session.flush()
            save_fingerprint(session, article, to_bytes(values), METHOD)
            ids[doc.key] = article.id
    index = MemoryIndex(database, DEFAULT_THRESHOLD)
    index.refresh()

    figures = Figures(Counter(), Counter(), Counter(), [], len(pairs), Counter(), Counter())
    by_lang = {lang: [d for d in docs if d.lang == lang] for lang in LANGS}
    for doc in docs:
        same_lang = by_lang[doc.lang]
        donor = same_lang[(same_lang.index(doc) + 1) % len(same_lang)]
        for kind, copy in edits(doc, donor).items():
            values = signature(fingerprint_text(copy.title, copy.body))
            match = index.best_match(copy.lang, values) if values is not None else None
            figures.copies_by_lang[doc.lang] += 1
            if match is None:
                figures.false_negatives[kind] += 1
            elif match.article_id == ids[doc.key]:
                figures.true_positives[kind] += 1
                figures.found_by_lang[doc.lang] += 1
                figures.lowest_copy = min(figures.lowest_copy, match.similarity)
            else:
                figures.false_positives[kind] += 1
    for first, second in pairs:
        values = signature(fingerprint_text(second.title, second.body))
        partner = signature(fingerprint_text(first.title, first.body))
        if values is not None and partner is not None and first.key != second.key:
            figures.highest_pair = max(figures.highest_pair, similarity(values, partner))
        match = index.best_match(second.lang, values) if values is not None else None
        if match is None or match.article_id == ids.get(second.key):
            continue  # nothing found, or the very same article (stored as another pair's first text)
        figures.false_positives["same_story"] += 1
        if match.article_id == ids.get(first.key):
            figures.merged_pairs.append(f"{first.key}_{second.key}")
    return figures


def test_edited_copies_are_found_and_different_articles_on_one_story_are_not(realworld, tmp_path, open_database):
    database_url = f"sqlite:///{tmp_path / 'realworld.db'}"
    upgrade(database_url)
    docs = real_articles(realworld)
    assert {d.lang for d in docs} == set(LANGS) and len(docs) >= 30
    assert len(same_story_pairs(realworld)) >= 40
    figures = evaluate(open_database(database_url), realworld)
    print(figures.report())
    assert figures.merged_pairs == []
    assert figures.precision == 1.0, figures.report()
    assert figures.recall >= 0.95, figures.report()
    assert all(figures.found_by_lang[lang] >= 0.9 * figures.copies_by_lang[lang] for lang in LANGS)

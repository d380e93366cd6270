"""Cost of linking one new article as the store grows: 1k, 10k and 100k stored articles.

    .venv/bin/python bench/bench_linking.py [--db URL] [--sizes 1000,10000,100000] [--measure N]

A synthetic publisher puts out 20 articles an hour in ru, en and ar (a large agency's pace), so a
bigger store is a longer history, as in production. At each size, N new articles (half of them with
a stored translation to find) go through the link step's work: features, declared links, URL ids
and content linking with its candidate search, one transaction each. The store is SQLite in a
temporary folder unless --db names another (an empty database). Prints the cost per article at each
size and its growth against the smallest size, measured in this run; the target is within 2x.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import insert  # noqa: E402

from crawler.linking.article_linker import Linker, LinkSettings  # noqa: E402
from crawler.linking.features import FEATURES_VERSION, extract_features  # noqa: E402
from storage.db import session_scope, upgrade  # noqa: E402
from storage.models import Article, LinkFeatures, SourceRow  # noqa: E402

PER_HOUR = 20
START = datetime(2020, 1, 1, tzinfo=UTC)
LANGS = ("ru", "en", "ar")
# Syllables written in each script, so that a generated name reads as one name in all three.
SYLLABLES = (
    ("ka", "ка", "كا"), ("ro", "ро", "رو"), ("mi", "ми", "مي"), ("na", "на", "نا"), ("tel", "тель", "تل"),
    ("bor", "бор", "بور"), ("sa", "са", "سا"), ("lin", "лин", "لين"), ("du", "ду", "دو"), ("gor", "гор", "غور"),
    ("fi", "фи", "في"), ("zan", "зан", "زان"), ("ver", "вер", "فير"), ("mol", "мол", "مول"), ("dar", "дар", "دار"),
    ("sen", "сен", "سن"), ("tuk", "тук", "توك"), ("ral", "рал", "رال"), ("bek", "бек", "بك"), ("nov", "нов", "نوف"),
)  # fmt: skip
TEMPLATES = {
    "en": ("{0} met {1} in {2} on Tuesday and agreed on {n0} new projects worth {n1} million dollars.",
           "Officials from {3} said {n2} companies would take part, and the first {n3} sites open next year.",
           "According to {4}, about {n4} people will work at the sites, {n5} percent more than planned."),
    "ru": ("{0} встретился с {1} в {2} во вторник, они договорились о {n0} новых проектах на {n1} млн долларов.",
           "Представители {3} сообщили, что участвуют {n2} компаний, первые {n3} площадки откроются в следующем году.",
           "По данным {4}, там будут работать около {n4} человек, на {n5}% больше, чем планировалось."),
    "ar": ("التقى {0} مع {1} في {2} يوم الثلاثاء واتفقا على {n0} مشروعا جديدا بقيمة {n1} مليون دولار.",
           "وقال مسؤولون من {3} إن {n2} شركة ستشارك، وستفتتح أول {n3} مواقع العام المقبل.",
           "ووفقا لـ{4}، سيعمل نحو {n4} شخص في المواقع، بزيادة {n5} في المئة عما كان مخططا."),
}  # fmt: skip


def story(rng: random.Random) -> tuple[list[list[int]], list[str]]:
    names = [[rng.randrange(len(SYLLABLES)) for _ in range(rng.randint(2, 3))] for _ in range(5)]
    numbers = [str(rng.randint(11, 99)), f"{rng.randint(100, 999)}.{rng.randint(1, 9)}", str(rng.randint(12, 95)),
               str(rng.randint(3, 9)), str(rng.randint(1200, 9800)), str(rng.randint(11, 49))]  # fmt: skip
    return names, numbers


def text(lang: str, names: list[list[int]], numbers: list[str]) -> tuple[str, str]:
    script = LANGS.index(lang)
    spelled = ["".join(SYLLABLES[i][script] for i in name) for name in names]
    spelled = [name.capitalize() for name in spelled]
    values = {f"n{i}": number for i, number in enumerate(numbers)}
    body = "\n\n".join(sentence.format(*spelled, **values) for sentence in TEMPLATES[lang])
    return f"{spelled[0]} {numbers[1]}", body


def features_json(lang: str, rng: random.Random) -> dict[str, object]:
    title, body = text(lang, *story(rng))
    return extract_features(title, body).to_json()


class Store:
    def __init__(self, db: str, rng: random.Random) -> None:
        self.db, self.rng, self.size, self.next_id = db, rng, 0, 1
        # Stored articles reuse a few thousand generated feature sets: repeats are weeks apart,
        # far outside the candidate window, so no two neighbours share a story by accident.
        self.library = [(LANGS[i % 3], features_json(LANGS[i % 3], rng)) for i in range(3000)]
        with session_scope(db) as session:
            source = SourceRow(key="agency", name="Agency")
            session.add(source)
            session.flush()
            self.source_id = source.id

    def at(self, index: int) -> datetime:
        return START + timedelta(hours=index / PER_HOUR)

    def grow(self, size: int, batch: int = 5000) -> None:
        while self.size < size:
            count = min(batch, size - self.size)
            rows, features = [], []
            for index in range(self.size, self.size + count):
                lang, data = self.library[index % len(self.library)]
                rows.append(self._article(self.next_id, lang, self.at(index), "stored"))
                features.append(self._features(self.next_id, data))
                self.next_id += 1
            with session_scope(self.db) as session:
                session.execute(insert(Article), rows)
                session.execute(insert(LinkFeatures), features)
            self.size += count

    def _article(self, article_id: int, lang: str, published: datetime, body: str) -> dict[str, object]:
        url = f"https://agency.example/{lang}/{article_id}"
        return {"id": article_id, "source_id": self.source_id, "canonical_url": url, "lang": lang, "body": body,
                "lang_confidence": 1.0, "content_hash": f"h{article_id}", "published_at": published}  # fmt: skip

    def _features(self, article_id: int, data: dict[str, object]) -> dict[str, object]:
        return {"article_id": article_id, "source_id": self.source_id, "url_id": None, "content_hash": f"h{article_id}",
                "version": FEATURES_VERSION, "features": data}  # fmt: skip

    def measure(self, count: int, linker: Linker) -> tuple[float, float, int]:
        """Seconds per article (median wall-clock time, and median CPU time of this process, which
        other load on the machine disturbs less) to link ``count`` new ones, each placed where its
        whole candidate window lies within the stored history, so every size scores full windows."""
        timings, cpu, linked = [], [], 0
        margin = int(linker.settings.window.total_seconds() / 3600 * PER_HOUR) + PER_HOUR
        low, high = min(margin, self.size // 2), max(self.size - margin, self.size // 2 + 1)
        for n in range(count):
            names, numbers = story(self.rng)
            when = self.at(self.rng.randrange(low, high))
            lang, other_lang = self.rng.sample(LANGS, 2)
            article_id, self.next_id = self.next_id, self.next_id + 2
            with session_scope(self.db) as session:
                if n % 2 == 0:  # a translation published an hour earlier waits in the store
                    title, body = text(other_lang, names, numbers)
                    row = self._article(article_id + 1, other_lang, when - timedelta(hours=1), body)
                    session.execute(insert(Article), [{**row, "title": title}])
                    data = extract_features(title, body).to_json()
                    session.execute(insert(LinkFeatures), [self._features(article_id + 1, data)])
                title, body = text(lang, names, numbers)
                session.execute(insert(Article), [{**self._article(article_id, lang, when, body), "title": title}])
            started, started_cpu = time.perf_counter(), time.process_time()
            with session_scope(self.db) as session:
                article = session.get_one(Article, article_id)
                linker.refresh(session, article, None)
                linker.declared(session, article, [])
                linker.resolve_pending(session, article)
                linker.url_ids(session, article)
                linker.content(session, article)
                linked += article.group_id is not None
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        return statistics.median(timings), statistics.median(cpu), linked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database to use (default: SQLite in a temporary folder)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="stored articles at each step")
    parser.add_argument("--measure", type=int, default=60, help="new articles linked at each size")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="newsagg-bench-") as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(db)
        store = Store(db, random.Random(7))
        linker = Linker(LinkSettings())
        results = []
        for size in sizes:
            store.grow(size)
            wall, cpu, linked = store.measure(args.measure, linker)
            results.append((size, wall, cpu))
            print(f"{size:>8} stored: {wall * 1000:7.1f} ms per article ({cpu * 1000:.1f} ms CPU), "
                  f"{linked}/{args.measure} linked to their translation", flush=True)  # fmt: skip
    base_size, base_wall, base_cpu = results[0]
    for size, wall, cpu in results[1:]:
        print(
            f"growth {base_size} -> {size}: {wall / base_wall:.2f}x wall-clock, {cpu / base_cpu:.2f}x CPU "
            "(target within 2x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

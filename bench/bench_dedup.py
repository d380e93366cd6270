"""Cost of deduplicating one page as the store grows: 1k, 10k and 100k stored articles.

    .venv/bin/python bench/bench_dedup.py [--db POSTGRES_URL] [--redis URL] [--sizes 1000,10000,100000]
                                          [--measure N] [--rounds R]

Each size gets a store of its own with synthetic articles of about 150 words in ru, en and ar (each
language its own vocabulary) and their fingerprints, as the store step leaves them (SQLite in a
temporary folder; with --db, a database created on that PostgreSQL server and dropped afterwards).
A crawl process's near-duplicate index is then opened on it (in memory, or in Redis with --redis,
under a prefix of its own that is removed afterwards). N pages go through the dedupe step's decision
(crawler.pipelines.dedupe.Deduplicator: URL lookup, exact hash, near-duplicate search with its index
refresh; one transaction each): half new texts, a quarter near copies of stored articles (a sentence
dropped, boilerplate appended), a quarter exact copies. The decision only reads, so the same pages
are decided again in R rounds that visit every size in turn, so that a machine busy with other work
slows every size alike.

Prints, per size, the median cost per page, the index's load time and the memory it took, and the
growth of the cost against the smallest size, measured in this run; the target is within 1.5x.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from crawler.dedup.fingerprints import METHOD, content_hash, fingerprint_text, signature, to_bytes  # noqa: E402
from crawler.dedup.near_index import open_index  # noqa: E402
from crawler.extract.article import Extracted  # noqa: E402
from crawler.items import ArticleItem  # noqa: E402
from crawler.pipelines.dedupe import Deduplicator  # noqa: E402
from settings.sources import Source, load_sources  # noqa: E402
from storage.db import dispose_engine, normalize_url, session_scope, upgrade  # noqa: E402
from storage.models import Article, ArticleFingerprint, SourceRow  # noqa: E402
from storage.redis_state import RedisState  # noqa: E402
from storage.types import utcnow  # noqa: E402

LANGS = ("ru", "en", "ar")
LETTERS = {"en": "abcdefghiklmnoprstuvw", "ru": "абвгдежзиклмнопрстуя", "ar": "ابتثجحدرسشصطعفقكلمنهوي"}
WORDS_PER_ARTICLE = 150
SOURCES_YAML = """
- key: bench
  name: Bench
  timezone: UTC
  editions:
    - {lang: ru, domains: [bench.example]}
    - {lang: en, domains: [bench.example]}
    - {lang: ar, domains: [bench.example]}
"""
BOILERPLATE = "distributed by the bench wire all rights reserved republication requires written permission"


def vocabulary(rng: random.Random, lang: str, size: int = 20_000) -> list[str]:
    letters = LETTERS[lang]
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(size)]


def article_text(rng: random.Random, words: list[str]) -> str:
    sentences = []
    for _ in range(WORDS_PER_ARTICLE // 15):
        sentence = " ".join(rng.choice(words) for _ in range(15))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    return " ".join(sentences)


def near_copy(body: str) -> str:
    sentences = body.split(". ")
    return ". ".join(sentences[:3] + sentences[4:]) + " " + BOILERPLATE


def fill(
    database_url: str, source_id: int, start: int, stop: int, rng: random.Random, vocab: dict[str, list[str]]
) -> None:
    """Articles ``start``..``stop``-1 with their fingerprints, in large inserts."""
    for first in range(start, stop, 2_000):
        articles, prints = [], []
        for number in range(first, min(stop, first + 2_000)):
            lang = LANGS[number % 3]
            body = article_text(rng, vocab[lang])
            articles.append(
                {
                    "id": number + 1,
                    "source_id": source_id,
                    "canonical_url": f"https://bench.example/{lang}/{number}",
                    "lang": lang,
                    "lang_confidence": 1.0,
                    "title": f"Story {number}",
                    "body": body,
                    "content_hash": content_hash(body),
                    "version": 1,
                    "authors": [],
                    "tags": [],
                    "first_fetched_at": utcnow(),
                    "last_fetched_at": utcnow(),
                }
            )
            values = signature(fingerprint_text(f"Story {number}", body))
            assert values is not None
            prints.append({"article_id": number + 1, "lang": lang, "method": METHOD, "signature": to_bytes(values)})
        with session_scope(database_url) as session:
            session.execute(insert(Article), articles)
            session.execute(insert(ArticleFingerprint), [{**p, "created_at": utcnow()} for p in prints])
    signature.cache_clear()


def probes(database_url: str, count: int, rng: random.Random, vocab: dict[str, list[str]]) -> list[ArticleItem]:
    """The pages to decide on: new texts, near copies and exact copies of stored articles."""
    with session_scope(database_url) as session:
        total = session.scalar(select(func.count()).select_from(Article)) or 0
        picks = rng.sample(range(1, total + 1), count // 2)
        stored = {
            a.id: (a.lang, a.title, a.body) for a in session.scalars(select(Article).where(Article.id.in_(picks)))
        }
    items = []
    for number in range(count):
        title: str | None
        if number % 2 == 0:
            lang = LANGS[number % 3]
            title, body = f"Fresh {number}", article_text(rng, vocab[lang])
        else:
            lang, title, body = stored[picks[number // 2]]
            body = near_copy(body) if number % 4 == 1 else body
        url = f"https://bench.example/probe/{uuid.uuid4().hex}"
        extracted = Extracted(url, url, title, body, lang, None, None, is_article=True)
        items.append(ArticleItem("bench", lang, url, url, "", "utf-8", utcnow(), extracted=extracted, lang=lang))
    return items


def one_pass(deduplicator: Deduplicator, items: list[ArticleItem], database_url: str, source: Source) -> float:
    """Seconds one page's decision takes, on average over ``items``."""
    signature.cache_clear()
    started = time.perf_counter()
    for item in items:
        with session_scope(database_url) as session:
            deduplicator.classify(session, item, source)
    return (time.perf_counter() - started) / len(items)


def rss_mib() -> float:
    """Resident memory now (Linux), after collecting garbage."""
    gc.collect()
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * resource.getpagesize() / 2**20


@dataclass
class Store:
    size: int
    database_url: str
    deduplicator: Deduplicator
    items: list[ArticleItem]
    load_seconds: float
    index_mib: float
    passes: list[float]


def build(size: int, database_url: str, state: RedisState | None, measure: int) -> Store:
    """A store of ``size`` articles, its index loaded as a crawl process loads it, and the pages to decide."""
    upgrade(database_url)
    rng = random.Random(20261129)
    vocab = {lang: vocabulary(rng, lang) for lang in LANGS}
    with session_scope(database_url) as session:
        row = SourceRow(key="bench", name="Bench")
        session.add(row)
        session.flush()
        source_id = row.id
    fill(database_url, source_id, 0, size, rng, vocab)
    before = rss_mib()
    started = time.perf_counter()
    index = open_index(database_url, 0.5, state)
    load = time.perf_counter() - started
    items = probes(database_url, measure, random.Random(size), vocab)
    return Store(size, database_url, Deduplicator(index), items, load, rss_mib() - before, [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a PostgreSQL server URL; one database per size is created on it and dropped")
    parser.add_argument("--redis", help="keep the near-duplicate index in this Redis")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--measure", type=int, default=400, help="pages decided at each size")
    parser.add_argument("--rounds", type=int, default=5, help="passes over each size, interleaved")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    folder = tempfile.TemporaryDirectory(prefix="newsagg-bench-")
    sources_file = Path(folder.name) / "bench.yaml"
    sources_file.write_text(SOURCES_YAML, encoding="utf-8")
    source = load_sources([sources_file], include_shipped=False)["bench"]
    states: list[RedisState] = []
    created: list[str] = []

    def database(size: int) -> str:
        if not args.db:
            return f"sqlite:///{Path(folder.name) / f'bench-{size}.db'}"
        name = f"newsagg_bench_{size}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(normalize_url(args.db), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return normalize_url(args.db).rsplit("/", 1)[0] + f"/{name}"

    def redis_state() -> RedisState | None:
        if not args.redis:
            return None
        states.append(RedisState.from_url(args.redis, f"newsagg-bench-{uuid.uuid4().hex[:8]}"))
        return states[-1]

    kind = "Redis" if args.redis else "in-memory"
    print(f"dedupe decision per page: {kind} index, {'PostgreSQL' if args.db else 'SQLite'} store")
    try:
        stores = []
        for size in sizes:
            stores.append(build(size, database(size), redis_state(), args.measure))
            print(f"  built {size} articles: index loaded in {stores[-1].load_seconds:.1f}s", flush=True)
        for store in stores:  # warm-up: compiled statements, connection pools, caches
            one_pass(store.deduplicator, store.items[:50], store.database_url, source)
        # Interleaved rounds, so that a machine busy with other work slows every size alike.
        for _ in range(args.rounds):
            for store in stores:
                store.passes.append(one_pass(store.deduplicator, store.items, store.database_url, source))
        baseline = statistics.median(stores[0].passes)
        print(f"{'stored':>8} {'per page':>10} {'spread':>15} {'index load':>11} {'index RSS':>10} {'growth':>7}")
        for store in stores:
            cost = statistics.median(store.passes)
            spread = f"{min(store.passes) * 1e3:.2f}-{max(store.passes) * 1e3:.2f}ms"
            print(
                f"{store.size:>8} {cost * 1e3:>8.2f}ms {spread:>15} {store.load_seconds:>10.1f}s "
                f"{store.index_mib:>7.0f}MiB {cost / baseline:>6.2f}x"
            )
            outcomes = Counter(item.outcome for item in store.items)
            assert set(outcomes) == {"new", "near_duplicate", "duplicate"}, outcomes
        ratio = statistics.median(stores[-1].passes) / baseline
        verdict = "within" if ratio <= 1.5 else "ABOVE"
        print(f"growth {sizes[0]} -> {sizes[-1]} stored: {ratio:.2f}x ({verdict} the 1.5x target)")
    finally:
        for state in states:
            for key in state.client.scan_iter(match=f"{state.prefix}:*", count=1000):
                state.client.delete(key)
        if created:
            assert args.db
            server = normalize_url(args.db).rsplit("/", 1)[0]
            for name in created:
                dispose_engine(f"{server}/{name}")
            admin = create_engine(normalize_url(args.db), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                for name in created:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One publisher's news day in ru, en and ar, built from labelled translation pairs, crawled and linked.

Every article of a pairs file (``translation_pairs/pairs.jsonl`` of the real-world set: translations,
hard negatives and unrelated articles of the same days) becomes a page of one source with three
editions that declare nothing: no hreflang, no switcher, independent article numbers. Each page gets
a publication time inside one 20-hour day. The pages go through the crawl's own item pipeline
(settings.crawl.ITEM_PIPELINES: extract, language, validate, dedupe, store, link) into a database,
then ``newsagg link`` runs over what was stored. The groups found are scored against the labels:

- recall per language pair: the labelled translations whose two pages ended in one group;
- precision per language pair: the linked cross-language pairs that are translations of one text
  (directly or through a third version);
- hard negatives linked: ``same_story_other_article`` and ``same_topic_other_story`` pairs in one group
  (the scores are in :mod:`bench.day_scores`).

The abridged variant keeps, of every translation group, one version whole (the original when the
labels say which) and cuts each other version to its first 40-60% of paragraphs, as publishers do.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

HARD_NEGATIVES = ("same_story_other_article", "same_topic_other_story")
LANG_PAIRS = ("ru-en", "ar-en", "ar-ru")
DAY_HOURS = 20
DAY_START = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
SOURCE_KEY = "day"
DOMAIN = "day.example"
SOURCES = f"""\
- key: {SOURCE_KEY}
  name: One Day
  timezone: UTC
  editions:
    - {{lang: en, domains: [{DOMAIN}], article_urls: ['/en/news/\\d+$']}}
    - {{lang: ru, domains: [{DOMAIN}], article_urls: ['/ru/news/\\d+$']}}
    - {{lang: ar, domains: [{DOMAIN}], article_urls: ['/ar/news/\\d+$']}}
"""


@dataclass
class DayPage:
    key: str  # the text's identity in the pairs file
    lang: str
    title: str
    paragraphs: list[str]
    original: bool
    path: str = ""
    published: datetime = DAY_START
    image: str | None = None  # og:image

    @property
    def url(self) -> str:
        return f"https://{DOMAIN}{self.path}"

    def html(self) -> str:
        body = "".join(f"<p>{escape(text)}</p>" for text in self.paragraphs)
        return (
            f'<!DOCTYPE html><html lang="{self.lang}"><head><meta charset="utf-8"><title>{escape(self.title)}</title>'
            f'<link rel="canonical" href="{self.url}"><meta property="og:type" content="article">'
            f'<meta property="og:title" content="{escape(self.title)}">'
            f'<meta property="article:published_time" content="{self.published.isoformat()}">'
            + (f'<meta property="og:image" content="{escape(self.image)}">' if self.image else "")
            + "</head>"
            f'<body><nav><a href="/{self.lang}/">Home</a></nav><main><article><h1>{escape(self.title)}</h1>'
            f"{body}</article></main><footer><p>© One Day</p></footer></body></html>"
        )


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    lang_pair: str
    label: str


@dataclass
class Day:
    pages: dict[str, DayPage] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)

    def truth(self) -> dict[str, str]:
        """Each page's translation group: the pages joined by labelled translations."""
        parent = {key: key for key in self.pages}

        def find(key: str) -> str:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for pair in self.pairs:
            if pair.label == "translation":
                parent[find(pair.a)] = find(pair.b)
        return {key: find(key) for key in self.pages}


def _paragraphs(text: str) -> list[str]:
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    if len(blocks) <= 1:  # one sentence a line (NTREX)
        blocks = [line.strip() for line in text.splitlines() if line.strip()]
    return blocks


def _key(side: dict[str, Any]) -> str:
    return hashlib.sha1(f"{side['lang']}\n{side['text']}".encode()).hexdigest()[:16]


def load_day(path: Path, *, abridged: bool = False, seed: int = 11, every: int = 1) -> Day:
    """The day's pages and labelled pairs; publication times and (abridged) cuts drawn from ``seed``.

    ``every`` > 1 keeps the pages of every so many records only (of hard negatives, of every other
    one) and the translations of those pages, for a smaller day with the same kind of rivals; every
    record whose two pages are kept counts.
    """
    day = Day()
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    wanted: set[str] = set()
    for index, record in enumerate(records):
        step = max(1, every // 4) if record["label"] in HARD_NEGATIVES else every
        if index % step == 0:
            wanted.update(_key(record[side]) for side in ("a", "b"))
    for record in records:  # a page's translations come with it (one level, as a publisher's day has them)
        keys = {_key(record[side]) for side in ("a", "b")}
        if record["label"] == "translation" and keys & wanted:
            wanted |= keys
    for record in records:
        keys = [_key(record[side]) for side in ("a", "b")]
        if not wanted.issuperset(keys):
            continue
        for key, side in zip(keys, (record["a"], record["b"]), strict=True):
            if key not in day.pages:
                original = str(side.get("is_original")) == "True"
                day.pages[key] = DayPage(key, side["lang"], side["title"] or "", _paragraphs(side["text"]), original)
        day.pairs.append(Pair(keys[0], keys[1], record["pair"], record["label"]))
    rng = random.Random(seed)
    numbers = {lang: rng.sample(range(10_000, 99_999), len(day.pages)) for lang in ("en", "ru", "ar")}
    for index, page in enumerate(sorted(day.pages.values(), key=lambda p: p.key)):
        page.path = f"/{page.lang}/news/{numbers[page.lang][index]}"
        page.published = DAY_START + timedelta(seconds=rng.randrange(DAY_HOURS * 3600))
    if abridged:
        _abridge(day, rng)
    return day


def _abridge(day: Day, rng: random.Random) -> None:
    members: dict[str, list[DayPage]] = {}
    for key, root in day.truth().items():
        members.setdefault(root, []).append(day.pages[key])
    for group in members.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda p: p.key)
        originals = [p for p in group if p.original]
        whole = originals[0] if originals else rng.choice(group)
        for page in group:
            if page is not whole and len(page.paragraphs) > 1:
                share = rng.uniform(0.4, 0.6)
                page.paragraphs = page.paragraphs[: max(1, round(len(page.paragraphs) * share))]


# --- crawl and link ------------------------------------------------------------------------------


class DayCrawler:
    """The crawl's item pipeline of the day's source, as ``newsagg crawl`` opens it, fed with pages."""

    def __init__(self, database_url: str, folder: Path, overrides: dict[str, Any] | None = None) -> None:
        from scrapy.utils.misc import load_object
        from scrapy.utils.test import get_crawler

        from crawler.ops.crawl_runner import crawl_settings
        from crawler.spiders.news import NewsSpider
        from storage.db import upgrade

        self.sources = folder / "day-sources.yaml"
        self.sources.write_text(SOURCES, encoding="utf-8")
        self.database_url = database_url
        upgrade(database_url)
        settings = crawl_settings(database_url, [self.sources], overrides or {})
        # No reactor runs here (the pages are handed to the pipeline, not downloaded): only the
        # project's own settings are carried over.
        values = {k: v for k, v in settings.copy_to_dict().items() if k.startswith("NEWSAGG_")}
        self.crawler = get_crawler(NewsSpider, values)
        self.crawler.spider = NewsSpider.from_crawler(self.crawler, source=SOURCE_KEY)
        pipeline = settings.getdict("ITEM_PIPELINES")
        self.steps = [load_object(name).from_crawler(self.crawler) for name in sorted(pipeline, key=pipeline.get)]
        for step in self.steps:
            opener = getattr(step, "open_spider", None)
            if opener is not None:
                opener()

    def crawl(self, pages: Iterable[DayPage]) -> int:
        """Run the pages through the pipeline; returns how many came out stored."""
        from scrapy.exceptions import DropItem

        from crawler.items import ArticleItem
        from crawler.urls import canonicalize
        from storage.types import utcnow

        stored = 0
        for page in pages:
            item = ArticleItem(
                source=SOURCE_KEY,
                edition_lang=page.lang,
                url=canonicalize(page.url),
                final_url=page.url,
                html=page.html(),
                encoding="utf-8",
                fetched_at=utcnow(),
            )
            try:
                for step in self.steps:
                    # The unit of work runs directly here, not on the crawl's writer thread.
                    run = getattr(step, "persist", None) or step.process_item
                    item = run(item)
            except DropItem:
                continue
            stored += item.article_id is not None
        return stored

    def relink(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """``newsagg link`` over the stored articles; returns its report."""
        from crawler.commands.link import relink
        from crawler.linking.article_linker import LinkSettings
        from crawler.ops.crawl_runner import crawl_settings
        from settings.sources import load_sources

        settings = LinkSettings.from_settings(crawl_settings(self.database_url, [self.sources], overrides or {}))
        return relink(self.database_url, load_sources([self.sources]), settings, None).as_dict()


def crawl_day(day: Day, database_url: str, folder: Path) -> DayCrawler:
    """Crawl the day's pages in order of publication, then run ``newsagg link``."""
    crawler = DayCrawler(database_url, folder)
    crawler.crawl(sorted(day.pages.values(), key=lambda p: (p.published, p.key)))
    return crawler

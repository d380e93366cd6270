"""Pages and a pipeline harness for the deduplication tests: the real pipeline steps of a real crawler,
fed with HTML instead of downloads."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.pipelines.extract import ExtractPipeline
from crawler.pipelines.language import LanguagePipeline
from crawler.pipelines.persist import PersistPipeline
from crawler.pipelines.validate import ValidatePipeline
from crawler.spiders.news import NewsSpider
from crawler.urls import canonicalize
from storage.db import Database
from storage.types import utcnow

from ..conftest import project_settings

SOURCES = """
- key: paper
  name: The Paper
  timezone: UTC
  editions:
    - lang: en
      domains: [paper.example]
- key: wire
  name: The Wire
  timezone: UTC
  editions:
    - lang: en
      domains: [wire.example]
"""

HARBOUR = [
    "The city council of Portmere voted on Tuesday to rebuild the old harbour wall, which storms damaged "
    "twice last winter, at a cost of 14 million euros spread over three years.",
    "Engineers from the regional water authority found that the wall had lost almost a third of its "
    "stones on the seaward side, and that the foundations were being washed out by the tide.",
    "Work will start in April with a temporary barrier of steel sheets, so that the fishing fleet of about "
    "forty boats can keep using the inner basin while the masons rebuild the outer face.",
    "Fishermen welcomed the decision but asked the council to keep the slipway open during the summer "
    "season, when most of the catch is landed and sold at the market beside the quay.",
    "The mayor, Helen Rusk, said the town would also apply for a European grant to restore the lighthouse "
    "at the end of the wall, which has been closed to visitors since the second storm.",
]

TRAINS = [
    "Night trains between Vienna and the Adriatic coast will run every day from June instead of three times "
    "a week, the operator announced, after the service sold out for most of last summer.",
    "The new timetable adds sleeping cars with private showers and a restaurant car that serves regional "
    "dishes, and passengers will be able to take bicycles for a small fee booked in advance.",
    "Tickets go on sale next Monday, with the cheapest couchette priced at 49 euros and a family cabin for "
    "four people at 260 euros, prices that the operator says will stay fixed until October.",
    "Railway unions said the extra trips would need at least twenty more staff, and asked for talks about "
    "rest periods for crews who work through the night on the nine-hour journey.",
]

BOILERPLATE = "Distributed by The Wire. All rights reserved. Republication requires written permission from the agency."


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str,
    published: str = "2026-03-02T09:15:00+00:00",
    amphtml: str | None = None,
    lang: str = "en",
) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    amp = f'<link rel="amphtml" href="{escape(amphtml)}">' if amphtml else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<link rel="canonical" href="{escape(canonical)}">{amp}
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{published}">
</head><body>
<header><a href="/">Home</a></header>
<main><article><h1>{escape(title)}</h1>
<div class="article-body">
{body}
</div></article></main>
<footer><p>Contact us</p></footer>
</body></html>"""


def fetched_item(source: str, url: str, html: str, *, hints: dict[str, Any] | None = None) -> ArticleItem:
    """A page of ``source``'s en edition as the spider hands it to the pipeline."""
    return ArticleItem(
        source=source,
        edition_lang="en",
        url=canonicalize(url),
        final_url=url,
        html=html,
        encoding="utf-8",
        fetched_at=utcnow(),
        hints=hints or {},
    )


class Pipeline:
    """The pipeline steps of one source's crawler, opened as a crawl opens them."""

    STEPS = (ExtractPipeline, LanguagePipeline, ValidatePipeline, PersistPipeline)

    def __init__(self, database_url: str, folder: Path, source: str, settings: dict[str, Any] | None = None) -> None:
        sources = folder / "dedup-sources.yaml"
        sources.write_text(SOURCES, encoding="utf-8")
        self.crawler = get_crawler(
            NewsSpider,
            project_settings(
                {
                    "NEWSAGG_DATABASE_URL": database_url,
                    "NEWSAGG_SOURCE_PATHS": [str(sources)],
                    "NEWSAGG_NEAR_DUPLICATE_THRESHOLD": 0.5,
                    **(settings or {}),
                }
            ),
        )
        self.crawler.spider = NewsSpider.from_crawler(self.crawler, source=source)
        self.source = source
        self.steps = [step.from_crawler(self.crawler) for step in self.STEPS]
        for step in self.steps:
            opener = getattr(step, "open_spider", None)
            if opener is not None:
                opener()

    def close(self) -> None:
        Database.from_crawler(self.crawler).close()

    def page(self, url: str, html: str, *, hints: dict[str, Any] | None = None) -> ArticleItem:
        """The item as the whole pipeline leaves it."""
        return self.run(self.item(url, html, hints=hints), self.steps)

    @staticmethod
    def run(item: ArticleItem, steps: list[Any]) -> ArticleItem:
        for step in steps:
            # The unit of work runs here, on the test's thread, instead of on the crawl's writer thread.
            item = step.persist(item) if isinstance(step, PersistPipeline) else step.process_item(item)
        return item

    def item(self, url: str, html: str, *, hints: dict[str, Any] | None = None) -> ArticleItem:
        return fetched_item(self.source, url, html, hints=hints)

    def stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return {k: v for k, v in self.crawler.stats.get_stats().items() if k.startswith("newsagg/")}

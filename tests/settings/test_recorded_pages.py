"""A recorded page per shipped source and edition (tests/settings/pages/pages.yaml): what a crawl and
`newsagg inspect` read from it (title, date, language, translations), and that the two agree on which
edition takes the URL. The registry drives the test: an edition without a page fails it."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml
from scrapy.utils.test import get_crawler

from crawler.commands.inspection import inspect_page, read_file
from crawler.spiders.news import NewsSpider
from settings.sources import load_sources

from ..conftest import REALWORLD_DIR

SOURCES = load_sources()
PAGES_DIR = Path(__file__).parent / "pages"
PAGES: list[dict] = yaml.safe_load((PAGES_DIR / "pages.yaml").read_text(encoding="utf-8"))


def page_id(page: dict) -> str:
    return f"{page['source']}-{page['lang']}-{Path(page.get('file') or page['realworld']).name}"


def body_of(page: dict, request: pytest.FixtureRequest) -> bytes:
    if page.get("realworld"):
        request.getfixturevalue("realworld")  # skips (or fails under CI) without ../shared/realworld
        return read_file(REALWORLD_DIR / page["realworld"])
    return (PAGES_DIR / page["file"]).read_bytes()


@pytest.fixture(scope="module")
def spiders() -> dict[str, NewsSpider]:
    """The crawl's own spider for each shipped source, without a database (a first crawl)."""
    made = {}
    for key in SOURCES:
        crawler = get_crawler(NewsSpider, {"NEWSAGG_DATABASE_URL": ""})
        made[key] = NewsSpider.from_crawler(crawler, source=key)
        crawler.spider = made[key]
        crawler.stats.open_spider()
    return made


def test_every_shipped_edition_has_a_recorded_page():
    stored = {(page["source"], page["lang"]) for page in PAGES if page.get("drop_reason") is None}
    wanted = {(key, edition.lang) for key, source in SOURCES.items() for edition in source.editions}
    assert wanted <= stored, f"editions without a recorded page: {sorted(wanted - stored)}"


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
def test_the_page_reads_as_recorded(page, request, spiders):
    result = inspect_page(body_of(page, request), page["url"], sources=SOURCES)
    assert (result["source"], result["edition"]) == (page["source"], page["lang"])
    assert result["title"] == page["title"]
    assert result["published_at"] == page["published_at"]
    assert result["lang"] == page.get("detected", page["lang"])
    assert result["alternates"] == page["alternates"]
    assert result["drop_reason"] == page.get("drop_reason")
    # The crawl requests the URL as the same edition.
    crawl = spiders[page["source"]].article_request(page["url"])
    assert crawl is not None and crawl.meta["edition"] == result["edition"]


@pytest.mark.parametrize("page", [p for p in PAGES if p.get("switcher")], ids=page_id)
def test_switcher_spellings_of_the_site_are_read_as_translation_links(page, request):
    result = inspect_page(body_of(page, request), page["url"], sources=SOURCES)
    assert {link["method"] for link in result["alternate_links"]} == {"switcher"}
    tree = lxml.html.fromstring(body_of(page, request))
    labels = [a.text_content().strip() for a in tree.iter("a") if a.get("href") in result["alternates"].values()]
    assert " ".join(labels) == page["switcher"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://russia-islworld.ru/ar/o-gruppe/hwl-almjmwt", "no_pattern"),  # an about page
        ("https://www.euronews.com/video/2026/04/10/latest-news-bulletin-april-10th-2026-midday", "no_pattern"),
        ("https://rtarabic.com/world/1481753-mirror", "off_hosts"),
    ],
)
def test_a_url_no_edition_takes_is_not_stored_and_not_requested(url, why, spiders):
    body = (PAGES_DIR / "russia-islamic-world" / "ar.html").read_bytes()
    result = inspect_page(body, url, sources=SOURCES)
    assert (result["edition"], result["claim_reason"]) == (None, why)
    assert (result["is_article"], result["drop_reason"]) == (False, "no_edition")
    assert all(spider.article_request(url) is None for spider in spiders.values())

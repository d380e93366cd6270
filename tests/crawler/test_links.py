"""crawler.spiders.links: the hrefs worth a claim, each once, without the ones a claim would refuse anyway."""

from __future__ import annotations

import gzip
from pathlib import Path

from scrapy.selector import Selector

from crawler.extract.encoding import decode_html
from crawler.limits import cap_html, strip_nul
from crawler.spiders.links import LinkFilter, page_hrefs
from settings.sources import Edition

PAGE = "https://news.example/ru/news/1-budget"


def _filter() -> LinkFilter:
    return LinkFilter([Edition(lang="ru", domains=["news.example"]), Edition(lang="en", domains=["en.example"])])


def test_relative_and_own_host_links_are_kept_once_each() -> None:
    hrefs = ["/ru/news/2-tax", " /ru/news/2-tax ", "3-rates", "https://en.example/en/news/1", "//news.example/x"]
    assert list(_filter().candidates(PAGE, hrefs)) == [
        "https://news.example/ru/news/2-tax",
        "https://news.example/ru/news/3-rates",
        "https://en.example/en/news/1",
        "https://news.example/x",
    ]


def test_subdomains_of_an_edition_are_kept_and_other_sites_are_not() -> None:
    hrefs = ["https://m.news.example/ru/news/4", "https://other.example/ru/news/4", "https://NEWS.example/ru/5"]
    assert list(_filter().candidates(PAGE, hrefs)) == ["https://m.news.example/ru/news/4", "https://NEWS.example/ru/5"]


def test_other_schemes_and_malformed_addresses_are_set_aside() -> None:
    hrefs = ["javascript:void(0)", "mailto:desk@news.example", "tel:+7000", "JavaScript:x()", "http://[::1", "data:,x"]
    assert list(_filter().candidates(PAGE, hrefs)) == []


def test_a_colon_later_in_a_relative_address_is_not_a_scheme() -> None:
    assert list(_filter().candidates(PAGE, ["page?at=10:30", "/ru/news/6-a:b"])) == [
        "https://news.example/ru/news/page?at=10:30",
        "https://news.example/ru/news/6-a:b",
    ]


def test_an_address_whose_host_is_not_ascii_is_left_to_the_claim() -> None:
    assert list(_filter().candidates(PAGE, ["https://пример.рф/ru/news/7"])) == ["https://пример.рф/ru/news/7"]


LINKS = "//a/@href | //link[@rel='alternate'][@hreflang]/@href"


def _selected(html: str) -> list[str]:
    return Selector(text=html, type="html").xpath(LINKS).getall()


def test_page_hrefs_reads_links_and_declared_alternates_in_document_order() -> None:
    html = (
        "<html><head><link rel=alternate hreflang=en href=/en/1><link rel=alternate href=/feed.xml>"
        "<link rel=canonical href=/ru/1></head><body><a href='/ru/2'>2</a><a name=x>no href</a>"
        "<svg><a href='/ru/3'/></svg><p><a HREF=/ru/4>4</a></body></html>"
    )
    assert page_hrefs(html) == _selected(html) == ["/en/1", "/ru/2", "/ru/3", "/ru/4"]


def test_page_hrefs_selects_what_scrapys_selector_does_on_real_pages(realworld: Path) -> None:
    pages = sorted(realworld.glob("*/*/*.gz"))
    assert pages
    for path in pages:
        html, _ = decode_html(gzip.decompress(path.read_bytes()), None)
        html = cap_html(strip_nul(html))
        assert page_hrefs(html) == _selected(html), path.name

"""crawler.spiders.links: the hrefs worth a claim, each once, without the ones a claim would refuse anyway."""

from __future__ import annotations

from crawler.spiders.links import LinkFilter
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

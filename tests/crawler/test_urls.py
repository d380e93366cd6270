"""crawler.urls: canonical identity of article URLs, AMP folding, fetchability."""

from __future__ import annotations

import pytest

from crawler.urls import TRACKING_PARAMS, canonicalize, is_fetchable, strip_amp


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com/a?b=2&a=1", "http://example.com/a?a=1&b=2"),
        ("http://example.com/a#comments", "http://example.com/a"),
        ("HTTP://Example.COM/Path/Case", "http://example.com/Path/Case"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://127.0.0.1:8000/ru/news/101-budget", "http://127.0.0.1:8000/ru/news/101-budget"),
    ],
)
def test_canonicalize_shape(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=rss&utm_medium=feed",
        "utm_campaign=x&UTM_Content=y&utm_term=z",
        "fbclid=IwAR0abc",
        "gclid=abc&yclid=1&_ga=2.1&mc_cid=1&mc_eid=2&ref_src=twsrc&igshid=3&spm=a.b",
    ],
)
def test_tracking_parameters_are_removed(query: str) -> None:
    assert canonicalize(f"https://news.example/ru/news/1-x?{query}") == "https://news.example/ru/news/1-x"


def test_tracking_removal_keeps_real_parameters_and_repeats() -> None:
    url = "https://news.example/search?utm_source=rss&tag=b&q=%D0%B1&tag=a&page=2"
    assert canonicalize(url) == "https://news.example/search?page=2&q=%D0%B1&tag=a&tag=b"


def test_variants_of_one_article_collapse_to_one_key() -> None:
    variants = [
        "https://News.Example:443/ru/news/101-budget?utm_source=rss&utm_medium=feed",
        "https://news.example/ru/news/101-budget#top",
        "https://news.example/ru/news/101-budget?fbclid=XYZ",
        "https://news.example/ru/news/101-budget?",
    ]
    assert {canonicalize(v) for v in variants} == {"https://news.example/ru/news/101-budget"}


def test_non_ascii_paths_are_percent_encoded_consistently() -> None:
    raw = "https://ar.example/أخبار/اقتصاد"
    assert canonicalize(raw) == canonicalize(canonicalize(raw))
    assert canonicalize(raw).isascii()


def test_tracking_set_is_the_documented_one() -> None:
    assert {"fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "_ga", "ref_src", "igshid", "spm"} <= TRACKING_PARAMS


@pytest.mark.parametrize("url", ["", "not a url", "http://[::1", "http://example.com:99999/x", "::::"])
def test_canonicalize_is_total(url: str) -> None:
    assert isinstance(canonicalize(url), str)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://n.example/ru/news/101-budget/amp", "https://n.example/ru/news/101-budget"),
        ("https://n.example/ru/news/101-budget/amp/", "https://n.example/ru/news/101-budget"),
        ("https://n.example/amp/ru/news/101-budget", "https://n.example/ru/news/101-budget"),
        ("https://n.example/ru/news/101?amp=1", "https://n.example/ru/news/101"),
        ("https://n.example/ru/news/101?id=5&amp=1", "https://n.example/ru/news/101?id=5"),
        ("https://amp.n.example/ru/news/101", "https://n.example/ru/news/101"),
        ("http://127.0.0.1:8080/en/news/101-x/amp", "http://127.0.0.1:8080/en/news/101-x"),
    ],
)
def test_strip_amp_recognises_amp_shapes(url: str, expected: str) -> None:
    assert strip_amp(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://n.example/ru/news/101-budget",
        "https://n.example/ru/news/101-example",
        "https://n.example/ru/news/amplifier",
        "https://amp.example/news/1",  # "amp" is the registrable name here, not a prefix
        "https://n.example/news?page=1",
        "",
    ],
)
def test_strip_amp_leaves_other_urls_alone(url: str) -> None:
    assert strip_amp(url) is None


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "https://example.com/a?b=1", "HTTPS://EXAMPLE.COM/", "http://127.0.0.1:8000/ru/"],
)
def test_http_urls_are_fetchable(url: str) -> None:
    assert is_fetchable(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "data:text/html,<p>x</p>",
        "javascript:alert(1)",
        "mailto:desk@example.com",
        "ftp://example.com/file",
        "//example.com/relative-scheme",
        "/ru/news/1",
        "http://",
        "http://example.com:port/",
        "http://[::1",
        "garbage",
        "",
    ],
)
def test_other_urls_are_not_fetchable(url: str) -> None:
    assert not is_fetchable(url)

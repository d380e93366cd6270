"""The pieces behind the hostile-input cases, one behaviour each: caps, traps, names of failures."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, ResponseDataLossError
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.extract.validation import EARLIEST_DATE, FUTURE_TOLERANCE, plausible_date
from crawler.fetch.errors import failure_kind
from crawler.fetch.redirects import RedirectLoop
from crawler.fetch.retry_after import retry_after_seconds
from crawler.fetch.sizes import TOO_LARGE
from crawler.items import ArticleItem
from crawler.limits import (
    MAX_HTML_CHARS,
    MAX_HTML_TAGS,
    MAX_TAG_ATTRIBUTES,
    cap_html,
    looks_binary,
    strip_nul,
    url_trap,
)
from crawler.ops.log_formatter import ShortItemLogFormatter

LD = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'


def test_a_page_within_the_caps_is_unchanged():
    page = f"<html><head>{LD}<script>var a = 1;</script></head><body><p>text</p></body></html>"
    assert cap_html(page) == page


def test_an_oversized_page_loses_its_scripts_but_not_json_ld_before_being_cut():
    page = f"<html><head>{LD}<script>{'x' * MAX_HTML_CHARS}</script></head><body><p>story</p></body></html>"
    capped = cap_html(page)
    assert LD in capped and "<p>story</p>" in capped and "xxxx" not in capped
    assert len(cap_html("<p>" + "y" * 3 * MAX_HTML_CHARS)) == MAX_HTML_CHARS


def test_tags_beyond_the_cap_are_cut_off():
    capped = cap_html("<i>a</i>" * MAX_HTML_TAGS)
    assert capped.count("<") == MAX_HTML_TAGS


def test_a_tag_with_too_many_attributes_keeps_its_name_only():
    flood = "<div " + " ".join(f'a{n}="{n}"' for n in range(MAX_TAG_ATTRIBUTES + 1)) + ">x</div>"
    assert cap_html(flood) == "<div>x</div>"
    # Long attribute values with spaces are one attribute each.
    meta = f'<meta name="description" content="{"many words " * 200}">'
    assert cap_html(meta) == meta


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.example/world/2026/03/02/story", None),
        ("https://news.example/a/" + "x" * 2048, "url_too_long"),
        ("https://news.example/search?" + "&".join(f"f{n}=1" for n in range(13)), "too_many_params"),
        ("https://news.example/a/b/a/b/a/b/a/b", "repeated_segments"),
        ("https://news.example/2026/03/03/2026", None),
    ],
)
def test_url_traps(url, reason):
    assert url_trap(url) == reason


def test_binary_bodies_are_told_from_text():
    assert looks_binary(b"\x89PNG\r\n\x1a\n....")
    assert looks_binary(b"<html>\x00\x00")
    assert not looks_binary("\ufeff<html>текст</html>".encode("utf-16"))
    assert not looks_binary("<html>текст</html>".encode("cp1251"))
    assert strip_nul("a\x00b") == "ab"


def test_retry_after_values():
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds("Mon, 02 Mar 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Mon, 02 Mar 2026 11:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-5", now) is None
    assert retry_after_seconds(None, now) is None


def test_plausible_dates():
    fetched = datetime(2026, 3, 2, tzinfo=UTC)
    assert plausible_date(fetched - timedelta(days=3650), fetched)
    assert plausible_date(fetched + FUTURE_TOLERANCE, fetched)
    assert not plausible_date(fetched + FUTURE_TOLERANCE + timedelta(seconds=1), fetched)
    assert not plausible_date(EARLIEST_DATE - timedelta(seconds=1), fetched)
    assert plausible_date(None, fetched)


def _failure(exception: BaseException, meta: dict | None = None) -> Failure:
    failure = Failure(exception)
    failure.request = Request("https://news.example/a/1", meta=meta or {})  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("exception", "meta", "kind"),
    [
        (
            IgnoreRequest("Ignored response <200 x> because its body ... exceeded DOWNLOAD_MAXSIZE (1 B)"),
            {},
            "too_large",
        ),
        (DownloadCancelledError("Received 9 bytes which is larger than download max size (1)"), {}, "too_large"),
        (DownloadCancelledError(""), {TOO_LARGE: True}, "too_large"),
        (DownloadCancelledError(""), {}, "cancelled"),
        (IgnoreRequest("max redirections reached"), {}, "too_many_redirects"),
        (RedirectLoop("redirect loop"), {}, "redirect_loop"),
        (ResponseDataLossError(), {}, "truncated"),
        (IgnoreRequest("Forbidden by robots.txt"), {}, "ignored"),
    ],
)
def test_failures_are_named(exception, meta, kind):
    assert failure_kind(_failure(exception, meta)) == kind


def test_items_are_logged_by_url_not_with_their_page():
    item = ArticleItem(
        source="x", edition_lang="en", url="https://news.example/a/1", final_url="https://news.example/a/1",
        html="<p>" + "x" * 1_000_000, encoding="utf-8", fetched_at=datetime.now(UTC),
    )  # fmt: skip
    crawler = get_crawler(Spider)
    spider = Spider.from_crawler(crawler, name="news")
    result = ShortItemLogFormatter().dropped(item, ValueError("not_article: x"), None, spider)
    message = result["msg"] % result["args"]
    assert message.endswith("<ArticleItem x/en https://news.example/a/1>") and len(message) < 200
    assert result["level"] in (logging.WARNING, logging.INFO)

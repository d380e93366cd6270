"""`newsagg sources --match` and `--check`, run as the command, against a site served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.cli import main

from ..conftest import run_newsagg

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>
<item><link>{base}/news/1-first</link></item>
<item><link>{base}/news/2-second</link></item>
<item><link>{base}/about</link></item>
</channel></rss>"""
INDEX = """<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-2019.xml</loc><lastmod>2019-01-01</lastmod></sitemap>
<sitemap><loc>{base}/sitemap-new.xml</loc><lastmod>2026-11-30T10:00:00Z</lastmod></sitemap>
</sitemapindex>"""
URLSET = """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/news/3-third</loc></url><url><loc>{base}/news/4-fourth</loc></url>
</urlset>"""
OLD_URLSET = """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/news/0-ancient</loc></url></urlset>"""
SECTION = """<html><body><a href="/news/5-fifth">5</a> <a href="/ar/news/6-sixth">6</a> <a href="/tag/x">tag</a>
<a href="https://elsewhere.example/news/7-seventh">off site</a></body></html>"""
AR_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><item><link>{base}/ar/news/8-eighth</link></item>
</channel></rss>"""
PAGES = {
    "/feed.xml": RSS,
    "/sitemap-index.xml": INDEX,
    "/sitemap-new.xml": URLSET,
    "/sitemap-2019.xml": OLD_URLSET,
    "/section/": SECTION,
    "/ar/feed.xml": AR_RSS,
}
SOURCE = """
key: local
name: Local News
editions:
  - lang: en
    domains: [127.0.0.1]
    feeds: [{base}/feed.xml]
    sitemaps: [{base}/sitemap-index.xml]
    start_urls: [{base}/section/]
    article_urls: ['^http://127\\.0\\.0\\.1:\\d+/news/\\d+-[a-z]+$']
  - lang: ar
    domains: [127.0.0.1]
    feeds: [{base}/{ar_feed}]
    article_urls: ['^http://127\\.0\\.0\\.1:\\d+/ar/news/\\d+-[a-z]+$']
"""


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            page = PAGES.get(self.path)
            if page is None:
                self.send_error(404)
                return
            body = page.format(base=base).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if self.path.endswith("/") else "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def source_file(folder: Path, base: str, ar_feed: str = "ar/feed.xml") -> Path:
    path = folder / "local.yaml"
    path.write_text(SOURCE.format(base=base, ar_feed=ar_feed), encoding="utf-8")
    return path


def test_check_counts_what_each_listing_yields_and_what_the_edition_takes(site, tmp_path, capsys):
    sources = source_file(tmp_path, site)
    assert main(["sources", "--check", "local", "--sources", str(sources), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    en, ar = report["editions"]
    feed, sitemap, section = en["listings"]
    assert (feed["kind"], feed["urls"], feed["claimed"], feed["not_claimed"]) == ("rss", 3, 2, [f"{site}/about"])
    # A sitemap index is read at its newest child, whatever the order it lists them in.
    assert (sitemap["kind"], sitemap["via"], sitemap["urls"], sitemap["claimed"]) == (
        "sitemapindex",
        f"{site}/sitemap-new.xml",
        2,
        2,
    )
    # A start page yields its links to the source's hosts; one is the other edition's.
    assert (section["urls"], section["claimed"], section["other_editions"]) == (3, 1, 1)
    assert en["claimed"] == 5
    assert (ar["claimed"], ar["listings"][0]["claimed"]) == (1, 1)


def test_check_fails_on_a_listing_that_is_gone(site, tmp_path, capsys):
    sources = source_file(tmp_path, site, ar_feed="ar/rss-that-moved.xml")
    assert main(["sources", "--check", "local", "--sources", str(sources)]) == 1
    out = capsys.readouterr().out
    assert "local ar: 0 distinct article URLs taken" in out
    assert f"feed {site}/ar/rss-that-moved.xml: error: HTTP Error 404" in out
    assert "local en: 5 distinct article URLs taken" in out
    assert f"not taken: {site}/about" in out


def test_check_of_an_unknown_source_is_a_clear_error(capsys):
    assert main(["sources", "--check", "nosuch"]) == 2
    assert "unknown source nosuch" in capsys.readouterr().err


def test_match_names_source_edition_and_pattern_or_why_not(site, tmp_path, capsys):
    sources = source_file(tmp_path, site)
    urls = [
        f"{site}/ar/news/8-eighth",
        f"{site}/news/1-first?utm_source=x",  # matched in the form a crawl requests
        f"{site}/tag/x",
        "https://elsewhere.example/news/7-seventh",
        "https://russian.rt.com/opinion/1692015-rudalev-voina-krizis-evropa",
        "ftp://tass.ru/politika/1",
    ]
    assert main(["sources", "--match", *urls, "--sources", str(sources), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [set(item) for item in found] == [{"url", "source", "lang", "pattern", "reason"}] * len(urls)
    assert [(item["url"], item["source"], item["lang"], item["reason"]) for item in found] == [
        (urls[0], "local", "ar", None),
        (urls[1], "local", "en", None),
        (urls[2], "local", None, "no_pattern"),
        (urls[3], None, None, "off_hosts"),
        (urls[4], "rt", "ru", None),
        (urls[5], None, None, "not_fetchable"),
    ]
    assert found[0]["pattern"] == "^http://127\\.0\\.0\\.1:\\d+/ar/news/\\d+-[a-z]+$"


def test_match_reports_a_crawler_trap_by_its_rule(tmp_path, capsys):
    url = "https://tass.ru/politika/1?" + "&".join(f"p{i}=1" for i in range(40))
    (tmp_path / "wide.yaml").write_text(
        "key: wide\nname: Wide\neditions:\n  - lang: ru\n    domains: [wide.example]\n", encoding="utf-8"
    )
    trap = "https://wide.example/a?" + "&".join(f"p{i}=1" for i in range(40))
    assert main(["sources", "--match", url, trap, "--sources", str(tmp_path / "wide.yaml"), "--json"]) == 0
    plain, wide = json.loads(capsys.readouterr().out)
    assert plain["reason"] == "no_pattern"
    assert (wide["source"], wide["lang"], wide["reason"]) == ("wide", "ru", "too_many_params")


def test_match_as_a_command():
    result = run_newsagg(
        "sources",
        "--match",
        "https://www.euronews.com/video/2026/04/10/latest-news-bulletin-april-10th-2026-midday",
        "https://tass.com/politics/1502467",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no edition: no_pattern (the host is euronews's" in result.stdout
    assert "https://tass.com/politics/1502467\n  tass en, by ^https?://tass\\.com/" in result.stdout

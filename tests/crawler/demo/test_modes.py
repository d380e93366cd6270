"""The demo site's break switch: each mode breaks what it says and nothing else."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from crawler.demo.modes import apply_mode
from crawler.demo.server import DemoServer
from crawler.demo.site import build_site, load_stories

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site():
    return build_site(load_stories(), BASE)


def test_empty_lists_nothing_but_keeps_serving(site):
    empty = apply_mode(site, "empty")
    assert set(empty) == set(site)
    assert all(empty[path].status == site[path].status for path in site)
    assert b"<item>" in site["/ru/rss.xml"].body and b"<item" not in empty["/ru/rss.xml"].body
    assert b"<entry>" in site["/en/atom.xml"].body and b"<entry" not in empty["/en/atom.xml"].body
    assert b"<url>" not in gzip.decompress(empty["/sitemaps/news-ar.xml.gz"].body)
    assert b"<a " in site["/ru/"].body and b"<a " not in empty["/ru/"].body


def test_errors_fails_every_html_page_but_not_the_listings(site):
    broken = apply_mode(site, "errors")
    html = [path for path, r in site.items() if dict(r.headers)["Content-Type"].startswith("text/html")]
    assert html and all(broken[path].status == 500 for path in html)
    assert broken["/ru/rss.xml"] == site["/ru/rss.xml"] and broken["/robots.txt"] == site["/robots.txt"]


def test_untitled_removes_every_headline(site):
    untitled = apply_mode(site, "untitled")
    markers = (b"<title>", b"<h1>", b'property="og:title"', b'"headline"')
    # A page that carries its headline in every form the demo uses.
    article = next(path for path, r in site.items() if all(marker in r.body for marker in markers))
    for marker in markers:
        assert marker not in untitled[article].body
    assert b"<title>" not in untitled["/en/atom.xml"].body
    assert b"<news:title>" not in gzip.decompress(untitled["/sitemaps/news-ar.xml.gz"].body)
    # The text itself stays.
    assert len(untitled[article].body) > len(site[article].body) * 0.8


def test_the_server_switches_mode_while_running():
    with DemoServer(mode="errors") as server:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server.base + "/en/", timeout=10)
        assert error.value.code == 500
        error.value.close()
        server.set_mode("normal")
        with urllib.request.urlopen(server.base + "/en/", timeout=10) as response:
            assert response.status == 200
        with pytest.raises(ValueError, match="unknown demo mode 'broken'"):
            server.set_mode("broken")

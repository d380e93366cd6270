"""Index and utility pages: edition and section fronts, the live index, about, errors."""

from __future__ import annotations

from html import escape

from crawler.demo import chrome, specials
from crawler.demo.catalog import Catalog, Page
from crawler.demo.data import LANGS, SECTIONS

FAILING = (specials.SLOW, specials.ERROR, specials.MISSING)


def edition_links(catalog: Catalog, lang: str, base: str) -> list[tuple[str, str]]:
    """Every article URL of the edition, failing ones included, so a crawl that starts at the
    front reaches them all even when the edition's feed is broken."""
    pages = [(base + p.path, p.version.title) for p in catalog.edition(lang)]
    failing = [(base + s.path, s.version.title) for s in FAILING if s.lang == lang]
    return pages + failing


def edition_front(catalog: Catalog, lang: str, base: str) -> str:
    sections = "".join(f"<li>{chrome.link(f'/{lang}/{s}/', chrome.section_name(lang, s))}</li>" for s in SECTIONS)
    body = "\n".join(
        (
            f"<h1>{escape(chrome.FRONT_TITLES[lang])}</h1>",
            chrome.link_list(edition_links(catalog, lang, base), "headlines"),
            f'<ul class="section-index">{sections}</ul>',
        )
    )
    return chrome.simple_page(lang, chrome.FRONT_TITLES[lang], body, canonical=f"{base}/{lang}/")


def section_front(catalog: Catalog, lang: str, section: str, base: str) -> str:
    pages = [p for p in catalog.edition(lang) if p.kind == "story" and p.section == section]
    title = chrome.section_name(lang, section)
    body = f"<h1>{escape(title)}</h1>\n" + chrome.link_list(_items(pages, base), "headlines")
    return chrome.simple_page(lang, title, body, canonical=f"{base}/{lang}/{section}/")


def live_index(page: Page, catalog: Catalog, base: str) -> str:
    """An index under an article-shaped URL: a list of links and one line of prose."""
    stories = [p for p in catalog.edition("en") if p.kind == "story"]
    body = "\n".join(
        (
            f"<h1>{escape(page.version.title)}</h1>",
            f"<p>{escape(page.version.paragraphs[0])}</p>",
            chrome.link_list(_items(stories, base), "live-links"),
        )
    )
    return chrome.simple_page("en", page.version.title, body, canonical=base + page.path)


def root(base: str) -> str:
    editions = [(f"{base}/{lang}/", chrome.FRONT_TITLES[lang]) for lang in LANGS]
    return chrome.simple_page("en", chrome.SITE_NAME, chrome.link_list(editions, "editions"), canonical=f"{base}/")


def slow_page(title: str) -> str:
    """What the slow URL finally sends, long after a crawler has given up on it."""
    return chrome.simple_page("ar", title, f"<h1>{escape(title)}</h1>")


def about(base: str) -> str:
    body = (
        "<h1>About Demo Meridian</h1>\n"
        "<p>Demo Meridian is a made-up trilingual newsroom that exists only to exercise newsagg. "
        "Its Russian, English and Arabic editions publish the same stories in different ways.</p>"
    )
    return chrome.simple_page("en", "About", body, canonical=f"{base}/en/about")


def private_draft() -> str:
    body = "<h1>Draft</h1>\n<p>Not for publication. Robots may not fetch this page.</p>"
    return chrome.simple_page("en", "Draft", body)


def error_page(status: int) -> str:
    title = {404: "Page not found", 500: "Internal server error"}.get(status, "Error")
    body = f"<h1>{status} {escape(title)}</h1>"
    return chrome.simple_page("en", title, body)


def _items(pages: list[Page], base: str) -> list[tuple[str, str]]:
    return [(base + p.path, p.version.title) for p in pages]

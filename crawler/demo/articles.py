"""Article pages of the Meridian (and their AMP variants) and of the Wire."""

from __future__ import annotations

import json
from datetime import UTC
from html import escape

from crawler.demo import chrome
from crawler.demo.catalog import CP1251_HEADER, CP1256_META, Catalog, Page, amp_path
from crawler.demo.datefmt import iso_moscow, iso_utc, visible_date
from crawler.demo.specials import PRIVATE_PATH


def charset_meta(page: Page, *, amp: bool) -> str:
    """Only the header names windows-1251; only the meta names windows-1256 (see catalog)."""
    if amp:
        return '<meta charset="utf-8">'
    if page.charset == CP1251_HEADER:
        return ""
    if page.charset == CP1256_META:
        return '<meta charset="windows-1256">'
    return '<meta charset="utf-8">'


def article_html(page: Page, catalog: Catalog, base: str, *, amp: bool = False) -> str:
    """A Meridian article page; the AMP variant has the same text and points back to it."""
    canonical = base + page.path
    head = [
        chrome.html_open(page.lang).replace("<html", "<html amp") if amp else chrome.html_open(page.lang),
        "<head>",
        charset_meta(page, amp=amp),
        f"<title>{escape(page.version.title)} — {chrome.SITE_NAME}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<link rel="canonical" href="{escape(canonical)}">',
        *_amp_link(page, base, amp=amp),
        *_hreflang_links(page, base),
        *_meta(page, canonical),
        *_date_markup(page, canonical),
        "</head>",
    ]
    body = [
        "<body>",
        chrome.header(page.lang, _switcher(page, base)),
        "<main>",
        _article_element(page, page.version.author),
        _related(page, catalog, base),
        "</main>",
        chrome.footer(page.lang),
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(line for line in (*head, *body) if line)


def _amp_link(page: Page, base: str, *, amp: bool) -> list[str]:
    if amp or not page.has_amp:
        return []
    return [f'<link rel="amphtml" href="{escape(base + amp_path(page.path))}">']


def _hreflang_links(page: Page, base: str) -> list[str]:
    if page.linking != "hreflang":
        return []
    langs = dict(page.versions)
    default = langs.get("en") or page.versions[0][1]
    targets = [*page.versions, ("x-default", default)]
    return [f'<link rel="alternate" hreflang="{lang}" href="{escape(base + path)}">' for lang, path in targets]


def _meta(page: Page, canonical: str) -> list[str]:
    version = page.version
    lines = [
        f'<meta name="description" content="{escape(version.description)}">',
        f'<meta name="author" content="{escape(version.author)}">',
        f'<meta property="og:site_name" content="{chrome.SITE_NAME}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(version.title)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
    ]
    if page.og_locale:
        lines.append(f'<meta property="og:locale" content="{chrome.LOCALES[page.lang]}">')
        others = [lang for lang, _ in page.versions if lang != page.lang]
        lines += [f'<meta property="og:locale:alternate" content="{chrome.LOCALES[lang]}">' for lang in others]
    return lines


def _date_markup(page: Page, canonical: str) -> list[str]:
    """Machine-readable dates only for the meta and jsonld styles; text styles have none."""
    if page.date_style == "meta":
        return [f'<meta property="article:published_time" content="{iso_moscow(page.published)}">']
    if page.date_style == "jsonld":
        return [jsonld_script(page, canonical)]
    return []


def jsonld_script(page: Page, canonical: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.version.title,
        "datePublished": iso_moscow(page.published),
        "author": {"@type": "Person", "name": page.version.author},
        "inLanguage": page.lang,
        "mainEntityOfPage": canonical,
        "publisher": {"@type": "Organization", "name": chrome.SITE_NAME},
    }
    # ASCII escapes keep the JSON right in any page charset; "<\/" keeps "</script>" out of it.
    text = json.dumps(data, ensure_ascii=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def _switcher(page: Page, base: str) -> str:
    """Switcher-linked stories link their translations; every other page links the fronts."""
    if page.linking != "switcher":
        return chrome.fronts_switcher(page.lang)
    versions = dict(page.versions)
    items = []
    for lang, label in chrome.SWITCH_LABELS.items():
        if lang == page.lang:
            items.append(f'<span class="current">{escape(label)}</span>')
        else:
            items.append(chrome.link(base + versions.get(lang, f"/{lang}/"), label))
    return f'<nav class="lang-switch">{" ".join(items)}</nav>'


def dateline(page: Page) -> str:
    if page.source == "wire":  # the Wire prints UTC, the zone its source file declares
        return visible_date(page.published, page.lang, tz=UTC)
    return visible_date(page.published, page.lang, levantine=page.date_style == "text_ar_lev")


def _article_element(page: Page, byline: str) -> str:
    """Title, byline and dateline sit in the article's header and the body holds only the
    paragraphs, so a verbatim wire copy has exactly the original's body text."""
    paragraphs = "\n".join(f"<p>{escape(text)}</p>" for text in page.version.paragraphs)
    if page.kind == "empty_body":
        paragraphs = '<figure><img src="/static/fair.jpg" alt="" width="1200" height="800"></figure>'
    return "\n".join(
        (
            "<article>",
            "<header>",
            f"<h1>{escape(page.version.title)}</h1>",
            f'<p class="byline">{escape(byline)}</p>',
            f'<p class="date">{escape(dateline(page))}</p>',
            "</header>",
            '<div class="article-body">',
            paragraphs,
            "</div>",
            "</article>",
        )
    )


def _related(page: Page, catalog: Catalog, base: str) -> str:
    items = []
    for path in page.related:
        other = catalog.page(path)
        if other is not None:
            items.append((base + path, other.version.title))
    if page.links_private:
        items.append((base + PRIVATE_PATH, "Draft: next week's budget briefing"))
    if not items:
        return ""
    heading = f"<h2>{escape(chrome.RELATED[page.lang])}</h2>"
    return f'<aside class="related">\n{heading}\n{chrome.link_list(items, "related-links")}\n</aside>'


def wire_html(page: Page, base: str) -> str:
    """The Wire's plain template; its canonical is the copy itself, not the Meridian original."""
    canonical = base + page.path
    version = page.version
    return "\n".join(
        (
            f'<!DOCTYPE html>\n<html lang="{page.lang}">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{escape(version.title)} | {chrome.WIRE_NAME}</title>",
            f'<link rel="canonical" href="{escape(canonical)}">',
            f'<meta name="description" content="{escape(version.description)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{escape(version.title)}">',
            f'<meta property="article:published_time" content="{iso_utc(page.published)}">',
            "</head>",
            "<body>",
            f'<header class="wire-header">{chrome.link("/wire/rss.xml", chrome.WIRE_NAME)}</header>',
            _article_element(page, chrome.WIRE_NAME),
            f"<footer><p>{chrome.WIRE_NAME}: for subscribers only.</p></footer>",
            "</body>",
            "</html>",
            "",
        )
    )


def malformed_html(page: Page, base: str) -> str:
    """Unclosed and stray tags, unquoted attributes, no closing body: parsers must recover it."""
    version = page.version
    first, *rest = version.paragraphs
    middle = "\n".join(f"<p>{escape(text)}" for text in rest[:-1])
    return "\n".join(
        (
            "<html lang=en>",
            "<head>",
            "<meta charset=utf-8>",
            f"<title>{escape(version.title)} — {chrome.SITE_NAME}</title>",
            f"<link rel=canonical href={base}{page.path}>",
            f'<meta name="description" content="{escape(version.description)}">',
            "<meta property=og:type content=article>",
            f'<meta property="og:title" content="{escape(version.title)}">',
            f'<meta property="article:published_time" content="{iso_moscow(page.published)}">',
            "<body>",
            f"<div class=site-header><a href=/en/ class=logo>{chrome.SITE_NAME}</a></span>",
            "<nav class=sections><a href=/en/world/>World</a> <a href=/en/economy/>Economy</nav></div></div>",
            "<article>",
            f"<h1>{escape(version.title)}</h1>",
            f"<p class=byline>{escape(version.author)}",
            f"<p class=date>{escape(dateline(page))}",
            "<div class=article-body>",
            f"<p><b>{escape(first)}</span>",
            middle,
            f"<p>{escape(rest[-1])}</em></p></p>",
            "</div></font></div>",
            "</article>",
            f"<div class=site-footer><p>{escape(chrome.FOOTER['en'][0])}",
            "",
        )
    )

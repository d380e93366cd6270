"""robots.txt, the feeds and the sitemaps of the demo site (text; site.py encodes them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from crawler.demo import chrome, specials
from crawler.demo.catalog import TRACKING_QUERY, Catalog, Page, amp_path
from crawler.demo.data import LANGS, SECTIONS
from crawler.demo.datefmt import iso_moscow, iso_utc, rfc822_moscow, rfc822_utc
from crawler.demo.specials import Special

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'
# How much later than its publication a story counts as modified once the site is updated.
UPDATE_DELAY = timedelta(days=1)


def robots(base: str) -> str:
    return f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n"


def _entries(catalog: Catalog, lang: str, extra: Iterable[Special]) -> list[tuple[str, Page | Special]]:
    """(path, page) of an edition's feed, newest first; failing URLs are listed too."""
    items: list[tuple[str, Page | Special]] = [(p.path, p) for p in catalog.edition(lang)]
    items += [(s.path, s) for s in extra if s.lang == lang]
    return sorted(items, key=lambda item: (item[1].published, item[0]), reverse=True)


def _modified(catalog: Catalog, path: str, published: datetime) -> datetime:
    return published + UPDATE_DELAY if path in catalog.changed else published


def _rss_item(base: str, link: str, entry: Page | Special) -> str:
    return (
        f"<item><title>{escape(entry.version.title)}</title><link>{escape(base + link)}</link>"
        f'<guid isPermaLink="false">{escape(entry.path)}</guid>'
        f"<pubDate>{rfc822_moscow(entry.published)}</pubDate>"
        f"<description>{escape(entry.version.description)}</description></item>"
    )


def _rss(base: str, lang: str, self_path: str, items: list[str]) -> str:
    return "\n".join(
        (
            XML_DECL,
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
            "<channel>",
            f"<title>{chrome.SITE_NAME}: {escape(chrome.FRONT_TITLES[lang])}</title>",
            f"<link>{base}/{lang}/</link>",
            f"<description>{chrome.SITE_NAME}, {lang} edition</description>",
            f"<language>{lang}</language>",
            f'<atom:link href={quoteattr(base + self_path)} rel="self" type="application/rss+xml"/>',
            *items,
            "</channel>",
            "</rss>",
            "",
        )
    )


def ru_rss(catalog: Catalog, base: str) -> str:
    """Some links carry utm_* parameters and one links the AMP variant, as real feeds do."""
    items = []
    for path, entry in _entries(catalog, "ru", (specials.ERROR,)):
        link = path + TRACKING_QUERY if path in catalog.tracking else path
        link = amp_path(path) if path == catalog.amp else link
        items.append(_rss_item(base, link, entry))
    return _rss(base, "ru", "/ru/rss.xml", items)


def ar_rss_broken(catalog: Catalog, base: str) -> str:
    """The ar feed breaks off inside its last item, like a feed whose writer died mid-way."""
    entries = _entries(catalog, "ar", (specials.SLOW,))
    text = _rss(base, "ar", "/ar/rss.xml", [_rss_item(base, path, entry) for path, entry in entries])
    cut = text.rindex("<item>") + len("<item><title>")
    return text[:cut] + text[cut : cut + 12]


def en_atom(catalog: Catalog, base: str) -> str:
    entries = _entries(catalog, "en", (specials.MISSING,))
    newest = max(_modified(catalog, path, entry.published) for path, entry in entries)
    lines = [
        XML_DECL,
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<title>{chrome.SITE_NAME}: {chrome.FRONT_TITLES['en']}</title>",
        f"<id>{base}/en/</id>",
        f"<updated>{iso_utc(newest)}</updated>",
        f'<link rel="self" href={quoteattr(base + "/en/atom.xml")}/>',
        f'<link rel="alternate" href={quoteattr(base + "/en/")}/>',
    ]
    for path, entry in entries:
        lines.append(
            f"<entry><title>{escape(entry.version.title)}</title>"
            f'<link rel="alternate" href={quoteattr(base + path)}/><id>{escape(base + path)}</id>'
            f"<published>{iso_utc(entry.published)}</published>"
            f"<updated>{iso_utc(_modified(catalog, path, entry.published))}</updated>"
            f"<author><name>{escape(entry.version.author or chrome.SITE_NAME)}</name></author>"
            f"<summary>{escape(entry.version.description)}</summary></entry>"
        )
    return "\n".join((*lines, "</feed>", ""))


def sitemap_index(base: str) -> str:
    maps = "".join(
        f"<sitemap><loc>{base}{path}</loc></sitemap>" for path in ("/sitemaps/news-ar.xml.gz", "/sitemaps/pages.xml")
    )
    return f'{XML_DECL}\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>\n'


def news_sitemap_ar(catalog: Catalog, base: str) -> str:
    """The Google News sitemap that is the ar edition's only working feed."""
    urls = []
    for path, entry in _entries(catalog, "ar", (specials.SLOW,)):
        urls.append(
            f"<url><loc>{escape(base + path)}</loc><news:news><news:publication>"
            f"<news:name>{chrome.SITE_NAME}</news:name><news:language>ar</news:language></news:publication>"
            f"<news:publication_date>{iso_moscow(entry.published)}</news:publication_date>"
            f"<news:title>{escape(entry.version.title)}</news:title></news:news></url>"
        )
    return "\n".join(
        (
            XML_DECL,
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
            *urls,
            "</urlset>",
            "",
        )
    )


def pages_sitemap(catalog: Catalog, base: str) -> str:
    """Fronts, the about page, and the en/ru versions of hreflang stories with their alternates."""
    fronts = [f"/{lang}/" for lang in LANGS] + [f"/{lang}/{s}/" for lang in LANGS for s in SECTIONS]
    urls = [f"<url><loc>{base}{path}</loc></url>" for path in (*fronts, "/en/about")]
    for page in catalog.pages:
        if page.kind == "story" and page.linking == "hreflang" and page.lang in ("en", "ru"):
            links = "".join(
                f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(base + path)}/>'
                for lang, path in page.versions
            )
            lastmod = iso_utc(_modified(catalog, page.path, page.published))
            urls.append(f"<url><loc>{escape(base + page.path)}</loc><lastmod>{lastmod}</lastmod>{links}</url>")
    return "\n".join(
        (
            XML_DECL,
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
            *urls,
            "</urlset>",
            "",
        )
    )


def wire_rss(catalog: Catalog, base: str) -> str:
    """One feed for both wire languages; each item names its own language."""
    pages = sorted(
        (p for p in catalog.pages if p.source == "wire"),
        key=lambda p: (p.published, p.path),
        reverse=True,
    )
    items = [
        f"<item><title>{escape(p.version.title)}</title><link>{escape(base + p.path)}</link>"
        f'<guid isPermaLink="true">{escape(base + p.path)}</guid>'
        f"<pubDate>{rfc822_utc(p.published)}</pubDate><dc:language>{p.lang}</dc:language></item>"
        for p in pages
    ]
    return "\n".join(
        (
            XML_DECL,
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
            "<channel>",
            f"<title>{chrome.WIRE_NAME}</title>",
            f"<link>{base}/wire/rss.xml</link>",
            f"<description>{chrome.WIRE_NAME}: stories for syndication</description>",
            *items,
            "</channel>",
            "</rss>",
            "",
        )
    )

"""The generated news site that bench/pipeline.py crawls: real-world pages made unique, served on loopback.

Templates are the ru/en/ar pages of ``../shared/realworld`` (read at run time, never stored here). Story
``s`` has a page in each of ru, en and ar; each page is its language's template ``s mod n`` with the words
of every text node shuffled by a seed of its own (so the text is new to the near-duplicate index while
keeping its language's letters and words), its own title, canonical URL, hreflang alternates and a block
of related-story links. Every twentieth page repeats the text of the one before it (a syndicated copy).
Feeds (RSS, newest 50), per-language sitemaps, a sitemap index and robots.txt complete the site.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import lxml.html

LANGS = ("ru", "en", "ar")
_TEXT_TAGS = {"p", "h1", "h2", "h3", "li", "blockquote", "figcaption", "td", "span", "div", "a", "strong", "em"}
_RELATED = 12
_FEED_ENTRIES = 50
_COPY_EVERY = 20
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Around placeholders: a private-use character, which no page writes.
MARK = "\ue000"
_NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass
class Template:
    """A page serialised once with placeholders (text node k, title, head links, related links) between MARKs."""

    html: str
    texts: list[list[str]]


def _placeholders(root: Any) -> list[list[str]]:
    texts: list[list[str]] = []

    def mark(value: str | None) -> str | None:
        words = (value or "").split()
        if len(words) < 4:
            return value
        texts.append(words)
        return f" {MARK}T{len(texts) - 1}{MARK} "

    body = root.find("body")
    for element in body.iter() if body is not None else ():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _TEXT_TAGS:
            element.text = mark(element.text)
        if element.getparent() is not None and element.getparent().tag in _TEXT_TAGS:
            element.tail = mark(element.tail)
    return texts


def load_template(raw: bytes) -> Template | None:
    from crawler.extract.encoding import decode_html

    text, _encoding = decode_html(raw, None)
    root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    head = root.find("head")
    if head is None or root.find("body") is None:
        return None
    for element in root.xpath(
        "//link[@rel='canonical'] | //link[@rel='alternate'] | //meta[@property='og:url'] | //base"
        " | //meta[@charset] | //meta[@http-equiv]"
    ):
        element.getparent().remove(element)
    title = root.find(".//title")
    if title is not None:
        title.text = f"{MARK}TITLE{MARK}"
    head.insert(0, lxml.html.fromstring('<meta charset="utf-8">'))
    head.append(lxml.html.fromstring("<meta name='bench-head' content='x'>"))
    body = root.find("body")
    body.append(lxml.html.fromstring("<div class='bench-related'>x</div>"))
    texts = _placeholders(root)
    if sum(len(words) for words in texts) < 150:
        return None
    html = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    html = html.replace('<meta name="bench-head" content="x">', f"{MARK}HEAD{MARK}")
    html = html.replace('<div class="bench-related">x</div>', f"{MARK}RELATED{MARK}")
    return Template(html, texts)


def load_templates(realworld: Path) -> dict[str, list[Template]]:
    found: dict[str, list[Template]] = {lang: [] for lang in LANGS}
    for truth in sorted(realworld.glob("*/groundtruth.json")):
        for record in json.loads(truth.read_text(encoding="utf-8")):
            lang = record.get("lang")
            path = realworld / record["file"]
            if lang in found and path.is_file():
                template = load_template(gzip.decompress(path.read_bytes()))
                if template is not None:
                    found[lang].append(template)
    return found


def article_path(lang: str, story: int) -> str:
    return f"/{lang}/news/{story}-story"


def _published(story: int) -> datetime:
    return _NOW - timedelta(minutes=7 * story)


def render_article(base: str, template: Template, lang: str, story: int, stories: int) -> str:
    seed = story - 1 if story % _COPY_EVERY == _COPY_EVERY - 1 else story
    rng = random.Random(f"{lang}:{seed}")
    parts = template.html.split(MARK)
    texts = []
    for words in template.texts:
        shuffled = list(words)
        rng.shuffle(shuffled)
        texts.append(" ".join(escape(word) for word in shuffled))
    title = f"{escape(' '.join(template.texts[0][:8]))} {seed}"
    url = base + article_path(lang, story)
    head = [f'<link rel="canonical" href="{url}">']
    head += [f'<link rel="alternate" hreflang="{o}" href="{base}{article_path(o, story)}">' for o in LANGS]
    head.append(f'<meta property="article:published_time" content="{_published(seed).isoformat()}">')
    related = [f'<li><a href="{article_path(lang, (story + k) % stories)}">{k}</a></li>' for k in range(1, _RELATED)]
    related += [f'<a href="{article_path(o, story)}">{o.upper()}</a>' for o in LANGS if o != lang]
    values = {"TITLE": title, "HEAD": "".join(head), "RELATED": f"<ul>{''.join(related)}</ul>"}
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part)
        elif part.startswith("T") and part[1:].isdigit():
            out.append(texts[int(part[1:])])
        else:
            out.append(values.get(part, f"{MARK}{part}{MARK}"))
    return "".join(out)


def _feed(base: str, lang: str, stories: int) -> str:
    items = "".join(
        f"<item><title>{lang} {s}</title><link>{base}{article_path(lang, s)}</link>"
        f"<pubDate>{_published(s).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for s in range(min(stories, _FEED_ENTRIES))
    )
    channel = f"<channel><title>{lang}</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'


def _sitemap(base: str, lang: str, stories: int) -> str:
    urls = "".join(
        f"<url><loc>{base}{article_path(lang, s)}</loc><lastmod>{_published(s).isoformat()}</lastmod></url>"
        for s in range(stories)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def _index(base: str) -> str:
    maps = "".join(f"<sitemap><loc>{base}/{lang}/sitemap.xml</loc></sitemap>" for lang in LANGS)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'


def build_site(base: str, templates: dict[str, list[Template]], pages: int) -> dict[str, tuple[str, bytes]]:
    """Every path of the site with its content type and body; ``pages`` article pages in all."""
    stories = max(1, pages // len(LANGS))
    site: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()),
        "/sitemap.xml": ("application/xml", _index(base).encode()),
    }
    for lang in LANGS:
        site[f"/{lang}/rss.xml"] = ("application/rss+xml", _feed(base, lang, stories).encode())
        site[f"/{lang}/sitemap.xml"] = ("application/xml", _sitemap(base, lang, stories).encode())
        own = templates[lang]
        for story in range(stories):
            html = render_article(base, own[story % len(own)], lang, story, stories)
            site[article_path(lang, story)] = ("text/html; charset=utf-8", html.encode("utf-8"))
    return site


def sources_yaml(base: str, key: str) -> str:
    editions = "".join(
        f"  - lang: {lang}\n    domains: [127.0.0.1]\n    feeds: ['{base}/{lang}/rss.xml']\n"
        f"    sitemaps: ['{base}/{lang}/sitemap.xml']\n    article_urls: ['/{lang}/news/\\d+-story$']\n"
        for lang in LANGS
    )
    translations = "  translations:\n    url_id: '/news/(\\d+)-'\n"
    return f"- key: {key}\n  name: Bench site\n  timezone: UTC\n  editions:\n{editions}{translations}"


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def do_GET(self) -> None:
        found = self.server.site.get(self.path.split("?", 1)[0])
        if found is None:
            self.send_error(404)
            return
        kind, body = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    site: dict[str, tuple[str, bytes]]


def serve(templates: dict[str, list[Template]], pages: int) -> Iterator[tuple[str, SiteServer]]:
    """Start the site on a free loopback port; yields its base URL and the server, stops it afterwards."""
    server = SiteServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.site = build_site(base, templates, pages)
    thread = threading.Thread(target=server.serve_forever, name="bench-site", daemon=True)
    thread.start()
    try:
        yield base, server
    finally:
        server.shutdown()
        server.server_close()

"""Article candidates from RSS, Atom, sitemaps and robots.txt.

Pure functions from response bytes to a ``Discovered`` value, so the spider can
hand any fetched feed or sitemap here without knowing its format. Feeds and
sitemaps come from servers we do not control: XML entities are never resolved
(billion laughs, XXE), nothing is fetched while parsing, and gzip bodies are
inflated incrementally under a size cap so that a bomb stops early.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from html.entities import name2codepoint
from itertools import islice
from urllib.parse import urljoin

# lxml ships no type information; lxml-stubs, when installed, is used instead.
from lxml import etree

from crawler.urls import is_fetchable

MAX_SIZE = 50 * 1024 * 1024
"""Default cap on a feed or sitemap body, after decompression (the sitemap protocol allows 50 MiB)."""

MAX_ENTRIES = 50_000
"""Entries read from one document: the sitemap protocol's limit per file; more are ignored."""

SNIFF_BYTES = 64 * 1024
"""How much of a (decompressed) body ``sniff`` reads to find the root element."""

_GZIP_MAGIC = b"\x1f\x8b"
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_CHUNK = 64 * 1024

_RSS1 = "http://purl.org/rss/1.0/"
_RSS09 = "http://my.netscape.com/rdf/simple/0.9/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_RSS_CORE = ("", _RSS1, _RSS09)
_ROOT_KINDS = {"rss": "rss", "rdf": "rss", "feed": "atom", "sitemapindex": "sitemapindex", "urlset": "urlset"}
# Atom alternates may be offered in several formats; the HTML one is the article.
_HTML_TYPES = (None, "text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Entry:
    url: str
    title: str | None = None
    published: str | None = None  # raw text as in the feed/sitemap (parsed later with the source tz)
    lang: str | None = None  # news:language / dc:language / xml:lang, raw
    lastmod: str | None = None
    alternates: tuple[tuple[str, str], ...] = ()  # sitemap xhtml:link hreflang (lang, url)


@dataclass(frozen=True)
class Discovered:
    kind: str  # "rss" | "atom" | "sitemapindex" | "urlset"
    entries: list[Entry]  # article candidates, or child sitemaps for "sitemapindex"


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read; ``reason`` says what was wrong with it."""

    def __init__(self, url: str, reason: str) -> None:
        # Both go to args so the exception survives pickling between processes.
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class _GzipError(Exception):
    pass


# --- bytes ------------------------------------------------------------------


def _gunzip(data: bytes, limit: int) -> bytes:
    """Inflate gzip ``data``, stopping once more than ``limit`` bytes came out.

    The result is at most ``limit + 1`` bytes long, so callers can tell a body
    that exceeds the cap without ever holding the rest of it in memory.
    """
    out = bytearray()
    pending = data
    while pending[:2] == _GZIP_MAGIC and len(out) <= limit:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        try:
            out += inflater.decompress(pending, _CHUNK)
            while not inflater.eof and len(out) <= limit:
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                if not chunk and not inflater.unconsumed_tail:
                    raise _GzipError("truncated gzip data")
                out += chunk
        except zlib.error as exc:
            raise _GzipError(f"invalid gzip data: {exc}") from exc
        # A gzip file may hold several members back to back; anything else after is ignored.
        pending = inflater.unused_data
    return bytes(out[: limit + 1])


def _xml_bytes(body: bytes, url: str, max_size: int) -> bytes:
    if body[:2] == _GZIP_MAGIC:
        try:
            body = _gunzip(body, max_size)
        except _GzipError as exc:
            raise DiscoveryError(url, str(exc)) from exc
        if len(body) > max_size:
            raise DiscoveryError(url, f"gzip larger than {max_size} bytes")
    elif len(body) > max_size:
        raise DiscoveryError(url, f"body larger than {max_size} bytes")
    # Leading blank lines before <?xml ...?> are a common server mistake and
    # make the declaration illegal; nothing meaningful is lost by dropping them.
    body = body.lstrip()
    if not body:
        raise DiscoveryError(url, "empty body")
    return body


class _NothingExternal(etree.Resolver):  # type: ignore[misc]
    """Answers every request for an external DTD or entity with nothing.

    Without a resolver of its own, lxml leaves external identifiers to libxml2, which refuses a
    document whose DOCTYPE names an external DTD (``<!DOCTYPE rss PUBLIC "-//Netscape ...//DTD RSS
    0.91//EN" "http://...">``, common on old feeds) when the network is off, instead of ignoring it.
    """

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingExternal())
    return parser


def _pull_parser() -> etree.XMLPullParser:
    """Same safety options as _parser, for reading only the start of a document."""
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingExternal())
    return parser


# --- elements ---------------------------------------------------------------


def _qname(el: etree._Element) -> tuple[str, str]:
    """(namespace, lowercased local name); comments and entities give ("", "")."""
    if not isinstance(el.tag, str):
        return "", ""
    qname = etree.QName(el)
    return qname.namespace or "", qname.localname.lower()


def _children(el: etree._Element) -> dict[tuple[str, str], etree._Element]:
    """First direct child for each (namespace, local name): feeds repeat nothing we need twice."""
    found: dict[tuple[str, str], etree._Element] = {}
    for child in el:
        found.setdefault(_qname(child), child)
    return found


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join("".join(part for part in el.itertext() if isinstance(part, str)).split())
    return text or None


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


def _inherited_lang(el: etree._Element) -> str | None:
    for node in (el, *el.iterancestors()):
        if lang := node.get(_XML_LANG):
            return lang.strip() or None
    return None


def _resolve(href: str | None, el: etree._Element, url: str) -> str | None:
    """Absolute http(s) URL for ``href`` (xml:base aware), or None for anything unfetchable."""
    href = (href or "").strip()
    if not href:
        return None
    try:
        absolute = urljoin(el.base or url, href)
    except ValueError:  # a malformed netloc, e.g. an unclosed IPv6 bracket
        return None
    return absolute if is_fetchable(absolute) else None


# --- RSS 2.0 / RSS 1.0 ------------------------------------------------------
# RSS 2.0 elements have no namespace and RSS 1.0 puts the same names in its own, but feeds in the wild
# also use RSS 0.9's namespace or give RSS 2.0 a default namespace of their own (Userland's): the
# root's namespace counts as core too, so those feeds are read rather than found empty.


def _rss_core(root: etree._Element) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*_RSS_CORE, _qname(root)[0])))


def _rss_channel_lang(root: etree._Element, core: tuple[str, ...]) -> str | None:
    channel = next((child for child in root if _qname(child)[1] == "channel"), None)
    if channel is None:
        return None
    fields = _children(channel)
    return _first(_text(fields.get((_DC, "language"))), *(_text(fields.get((ns, "language"))) for ns in core))


def _rss_items(root: etree._Element, core: tuple[str, ...]) -> Iterator[etree._Element]:
    # RSS 2.0 nests items in <channel>; RSS 1.0 makes them siblings of it.
    for parent in (root, *(child for child in root if _qname(child)[1] == "channel")):
        for child in parent:
            namespace, name = _qname(child)
            if name == "item" and namespace in core:
                yield child


def _rss_link(
    item: etree._Element, fields: dict[tuple[str, str], etree._Element], url: str, core: tuple[str, ...]
) -> str | None:
    for ns in core:
        if link := _resolve(_text(fields.get((ns, "link"))), item, url):
            return link
    guid = next((fields[(ns, "guid")] for ns in core if (ns, "guid") in fields), None)
    # A guid is a permalink unless it says otherwise (RSS 2.0 spec).
    permalink = guid is not None and guid.get("isPermaLink", "true").strip().lower() != "false"
    if permalink and (link := _resolve(_text(guid), item, url)):
        return link
    return _resolve(item.get(f"{{{_RDF}}}about"), item, url)


def _rss_entry(item: etree._Element, channel_lang: str | None, url: str, core: tuple[str, ...]) -> Entry | None:
    fields = _children(item)
    link = _rss_link(item, fields, url, core)
    if link is None:
        return None
    title = _first(*(_text(fields.get((ns, "title"))) for ns in (*core, _DC)))
    lang = _first(_text(fields.get((_DC, "language"))), item.get(_XML_LANG), channel_lang, _inherited_lang(item))
    published = _first(*(_text(fields.get((ns, "pubdate"))) for ns in core), _text(fields.get((_DC, "date"))))
    return Entry(url=link, title=title, published=published, lang=lang)


def _parse_rss(root: etree._Element, url: str) -> Iterator[Entry]:
    core = _rss_core(root)
    channel_lang = _rss_channel_lang(root, core)
    entries = (_rss_entry(item, channel_lang, url, core) for item in _rss_items(root, core))
    return (entry for entry in entries if entry is not None)


# --- Atom -------------------------------------------------------------------
# Atom 1.0 has its namespace; Atom 0.3 (still served) has another and names its dates issued and
# modified; some generators give none. Elements are read in the namespace of the root.


def _atom_link(entry: etree._Element, url: str, ns: str) -> str | None:
    # rel defaults to "alternate" (RFC 4287 4.2.7.2); "self", "edit", "enclosure" are not the article.
    links = [
        link for link in entry if _qname(link) == (ns, "link") and link.get("rel", "alternate").strip() == "alternate"
    ]
    links.sort(key=lambda link: link.get("type") not in _HTML_TYPES)
    for link in links:
        if resolved := _resolve(link.get("href"), link, url):
            return resolved
    return None


def _atom_entry(entry: etree._Element, url: str, ns: str) -> Entry | None:
    link = _atom_link(entry, url, ns)
    if link is None:
        return None
    fields = _children(entry)
    updated = _first(_text(fields.get((ns, "updated"))), _text(fields.get((ns, "modified"))))
    # Many feeds carry only the mandatory <updated>; it is the best publication hint they give.
    published = _first(
        _text(fields.get((ns, "published"))),
        _text(fields.get((ns, "issued"))),
        _text(fields.get((_DC, "date"))),
        updated,
    )
    return Entry(
        url=link,
        title=_text(fields.get((ns, "title"))),
        published=published,
        lang=_first(_text(fields.get((_DC, "language"))), _inherited_lang(entry)),
        lastmod=updated,
    )


def _parse_atom(root: etree._Element, url: str) -> Iterator[Entry]:
    ns = _qname(root)[0]
    entries = (_atom_entry(child, url, ns) for child in root if _qname(child) == (ns, "entry"))
    return (entry for entry in entries if entry is not None)


# --- sitemaps ---------------------------------------------------------------
# Scrapy's Sitemap class is not used: it parses with recover=True, so a truncated
# sitemap would pass silently, and it keeps alternate hrefs without their hreflang.
# Children are matched by local name only: old Google schemas and sloppy
# generators use other namespaces (or none) for the same elements.


def _by_local_name(el: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in el:
        found.setdefault(_qname(child)[1], child)
    return found


def _hreflang_alternates(url_el: etree._Element, url: str) -> tuple[tuple[str, str], ...]:
    alternates: list[tuple[str, str]] = []
    for link in url_el:
        hreflang = (link.get("hreflang") or "").strip()
        if _qname(link)[1] != "link" or link.get("rel", "").strip() != "alternate" or not hreflang:
            continue
        if href := _resolve(link.get("href"), link, url):
            alternates.append((hreflang, href))
    return tuple(alternates)


def _sitemap_url_entry(url_el: etree._Element, url: str) -> Entry | None:
    fields = _by_local_name(url_el)
    loc = _resolve(_text(fields.get("loc")), url_el, url)
    if loc is None:
        return None
    news = _by_local_name(fields["news"]) if "news" in fields else {}
    publication = _by_local_name(news["publication"]) if "publication" in news else {}
    alternates = _hreflang_alternates(url_el, url)
    # The alternate that points back at <loc> names the page's own language.
    own_lang = next((lang for lang, href in alternates if href == loc), None)
    return Entry(
        url=loc,
        title=_text(news.get("title")),
        published=_text(news.get("publication_date")),
        lang=_first(_text(publication.get("language")), own_lang),
        lastmod=_text(fields.get("lastmod")),
        alternates=alternates,
    )


def _parse_urlset(root: etree._Element, url: str) -> Iterator[Entry]:
    entries = (_sitemap_url_entry(child, url) for child in root if _qname(child)[1] == "url")
    return (entry for entry in entries if entry is not None)


def _parse_sitemapindex(root: etree._Element, url: str) -> Iterator[Entry]:
    for child in root:
        if _qname(child)[1] != "sitemap":
            continue
        fields = _by_local_name(child)
        if loc := _resolve(_text(fields.get("loc")), child, url):
            yield Entry(url=loc, lastmod=_text(fields.get("lastmod")))


_PARSERS = {"rss": _parse_rss, "atom": _parse_atom, "urlset": _parse_urlset, "sitemapindex": _parse_sitemapindex}


# --- public API -------------------------------------------------------------


def _kind(root: etree._Element) -> str | None:
    # Decided by the root element alone: feeds often declare sitemap (or other)
    # namespaces they barely use, so the namespace list proves nothing.
    return _ROOT_KINDS.get(_qname(root)[1])


def _syntax_error(exc: etree.XMLSyntaxError) -> str:
    line, column = exc.position
    message = re.sub(r", line \d+, column \d+$", "", exc.msg or "unreadable document")
    return f"invalid XML at line {line}, column {column}: {message}"


def _numeric_html_entities(xml: bytes) -> bytes:
    """``xml`` with HTML's named entities (&nbsp;, &laquo;, ...) written as character references."""

    def numeric(match: re.Match[bytes]) -> bytes:
        name = match.group(1).decode("ascii")
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return b"&#%d;" % name2codepoint[name]

    return _NAMED_ENTITY.sub(numeric, xml)


def _parse_xml(xml: bytes, url: str) -> etree._Element:
    try:
        return etree.fromstring(xml, _parser(), base_url=url)
    except etree.XMLSyntaxError as exc:
        # Feeds written by HTML templates use HTML's entities, undefined in XML; with those
        # rewritten the feed may read. Otherwise (or if still broken) the first error is reported.
        fixed = _numeric_html_entities(xml) if "not defined" in (exc.msg or "") else xml
        if fixed != xml:
            try:
                return etree.fromstring(fixed, _parser(), base_url=url)
            except etree.XMLSyntaxError:
                pass
        raise DiscoveryError(url, _syntax_error(exc)) from exc


def parse_feed_or_sitemap(body: bytes, url: str, *, max_size: int = MAX_SIZE) -> Discovered:
    """Read an RSS 2.0/1.0 or Atom feed, a sitemap or a sitemap index (gzipped or not).

    Entries keep document order and duplicates, at most MAX_ENTRIES of them; URLs
    are absolute and http(s) only. Raises DiscoveryError naming ``url`` for invalid
    XML, an unknown root element or a body (decompressed) larger than ``max_size``
    bytes.
    """
    root = _parse_xml(_xml_bytes(body, url, max_size), url)
    kind = _kind(root)
    if kind is None:
        raise DiscoveryError(url, f"unknown root element <{etree.QName(root).localname}>")
    return Discovered(kind=kind, entries=list(islice(_PARSERS[kind](root, url), MAX_ENTRIES)))


def sniff(body: bytes) -> str | None:
    """The kind of document by its root element, reading only the first SNIFF_BYTES; None if not one."""
    try:
        head = _gunzip(body, SNIFF_BYTES) if body[:2] == _GZIP_MAGIC else body[:SNIFF_BYTES]
    except _GzipError:
        return None
    parser = _pull_parser()
    try:
        parser.feed(head.lstrip())
        for _, element in parser.read_events():
            if isinstance(element, etree._Element):
                return _kind(element)
    except etree.XMLSyntaxError:
        pass
    return None


def robots_sitemaps(text: str, base_url: str) -> list[str]:
    """Absolute, de-duplicated sitemap URLs from a robots.txt, in file order.

    Scrapy's sitemap_urls_from_robots keeps empty values (resolving to the robots
    URL itself) and inline comments, so the lines are read here.
    """
    found: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        key, _, value = line.partition(":")
        value = value.split("#", 1)[0].strip()
        if key.strip().lower() != "sitemap" or not value:
            continue
        try:
            absolute = urljoin(base_url, value)
        except ValueError:
            continue
        if is_fetchable(absolute) and absolute not in found:
            found.append(absolute)
    return found

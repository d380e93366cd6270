"""Article candidates from RSS 2.0, RSS 1.0 and Atom feeds (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from crawler.discovery.entries import Entry
from crawler.discovery.safe_xml import children, first, inherited_lang, qname, resolve, text

_RSS1 = "http://purl.org/rss/1.0/"
_RSS09 = "http://my.netscape.com/rdf/simple/0.9/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DC = "http://purl.org/dc/elements/1.1/"
_RSS_CORE = ("", _RSS1, _RSS09)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Atom alternates may be offered in several formats; the HTML one is the article.
_HTML_TYPES = (None, "text/html", "application/xhtml+xml")


# --- RSS 2.0 / RSS 1.0 ------------------------------------------------------
# RSS 2.0 elements have no namespace and RSS 1.0 puts the same names in its own, but feeds in the wild
# also use RSS 0.9's namespace or give RSS 2.0 a default namespace of their own (Userland's): the
# root's namespace counts as core too, so those feeds are read rather than found empty.


def _rss_core(root: etree._Element) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*_RSS_CORE, qname(root)[0])))


def _rss_channel_lang(root: etree._Element, core: tuple[str, ...]) -> str | None:
    channel = next((child for child in root if qname(child)[1] == "channel"), None)
    if channel is None:
        return None
    fields = children(channel)
    return first(text(fields.get((_DC, "language"))), *(text(fields.get((ns, "language"))) for ns in core))


def _rss_items(root: etree._Element, core: tuple[str, ...]) -> Iterator[etree._Element]:
    # RSS 2.0 nests items in <channel>; RSS 1.0 makes them siblings of it.
    for parent in (root, *(child for child in root if qname(child)[1] == "channel")):
        for child in parent:
            namespace, name = qname(child)
            if name == "item" and namespace in core:
                yield child


def _rss_link(
    item: etree._Element, fields: dict[tuple[str, str], etree._Element], url: str, core: tuple[str, ...]
) -> str | None:
    for ns in core:
        if link := resolve(text(fields.get((ns, "link"))), item, url):
            return link
    guid = next((fields[(ns, "guid")] for ns in core if (ns, "guid") in fields), None)
    # A guid is a permalink unless it says otherwise (RSS 2.0 spec).
    permalink = guid is not None and guid.get("isPermaLink", "true").strip().lower() != "false"
    if permalink and (link := resolve(text(guid), item, url)):
        return link
    return resolve(item.get(f"{{{_RDF}}}about"), item, url)


def _rss_entry(item: etree._Element, channel_lang: str | None, url: str, core: tuple[str, ...]) -> Entry | None:
    fields = children(item)
    link = _rss_link(item, fields, url, core)
    if link is None:
        return None
    title = first(*(text(fields.get((ns, "title"))) for ns in (*core, _DC)))
    lang = first(text(fields.get((_DC, "language"))), item.get(_XML_LANG), channel_lang, inherited_lang(item))
    published = first(*(text(fields.get((ns, "pubdate"))) for ns in core), text(fields.get((_DC, "date"))))
    return Entry(url=link, title=title, published=published, lang=lang)


def parse_rss(root: etree._Element, url: str) -> Iterator[Entry]:
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
        link for link in entry if qname(link) == (ns, "link") and link.get("rel", "alternate").strip() == "alternate"
    ]
    links.sort(key=lambda link: link.get("type") not in _HTML_TYPES)
    for link in links:
        if resolved := resolve(link.get("href"), link, url):
            return resolved
    return None


def _atom_entry(entry: etree._Element, url: str, ns: str) -> Entry | None:
    link = _atom_link(entry, url, ns)
    if link is None:
        return None
    fields = children(entry)
    updated = first(text(fields.get((ns, "updated"))), text(fields.get((ns, "modified"))))
    # Many feeds carry only the mandatory <updated>; it is the best publication hint they give.
    published = first(
        text(fields.get((ns, "published"))),
        text(fields.get((ns, "issued"))),
        text(fields.get((_DC, "date"))),
        updated,
    )
    return Entry(
        url=link,
        title=text(fields.get((ns, "title"))),
        published=published,
        lang=first(text(fields.get((_DC, "language"))), inherited_lang(entry)),
        lastmod=updated,
    )


def parse_atom(root: etree._Element, url: str) -> Iterator[Entry]:
    ns = qname(root)[0]
    entries = (_atom_entry(child, url, ns) for child in root if qname(child) == (ns, "entry"))
    return (entry for entry in entries if entry is not None)

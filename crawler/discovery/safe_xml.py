"""Reading XML from servers we do not control: no entity expansion, nothing fetched, gzip under a size cap.

XML entities are never resolved (billion laughs, XXE), nothing is fetched while parsing, and gzip bodies are
inflated incrementally under a size cap so that a bomb stops early.
"""

from __future__ import annotations

import re
import zlib
from html.entities import name2codepoint
from urllib.parse import urljoin

# lxml ships no type information; lxml-stubs, when installed, is used instead.
from lxml import etree

from crawler.discovery.entries import DiscoveryError
from crawler.urls import is_fetchable

GZIP_MAGIC = b"\x1f\x8b"
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_CHUNK = 64 * 1024
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class GzipError(Exception):
    pass


# --- bytes ------------------------------------------------------------------


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate gzip ``data``, stopping once more than ``limit`` bytes came out.

    The result is at most ``limit + 1`` bytes long, so callers can tell a body
    that exceeds the cap without ever holding the rest of it in memory.
    """
    out = bytearray()
    pending = data
    while pending[:2] == GZIP_MAGIC and len(out) <= limit:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        try:
            out += inflater.decompress(pending, _CHUNK)
            while not inflater.eof and len(out) <= limit:
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
                if not chunk and not inflater.unconsumed_tail:
                    raise GzipError("truncated gzip data")
                out += chunk
        except zlib.error as exc:
            raise GzipError(f"invalid gzip data: {exc}") from exc
        # A gzip file may hold several members back to back; anything else after is ignored.
        pending = inflater.unused_data
    return bytes(out[: limit + 1])


def xml_bytes(body: bytes, url: str, max_size: int) -> bytes:
    if body[:2] == GZIP_MAGIC:
        try:
            body = gunzip(body, max_size)
        except GzipError as exc:
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


# No entities expanded, no network, no DTD, no huge trees: what every parser of ours is built with.
_SAFE = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}


def xml_parser() -> etree.XMLParser:
    parser = etree.XMLParser(**_SAFE)
    parser.resolvers.add(_NothingExternal())
    return parser


def pull_parser() -> etree.XMLPullParser:
    """Same safety options as xml_parser, for reading only the start of a document."""
    parser = etree.XMLPullParser(events=("start",), **_SAFE)
    parser.resolvers.add(_NothingExternal())
    return parser


# --- elements ---------------------------------------------------------------


def qname(el: etree._Element) -> tuple[str, str]:
    """(namespace, lowercased local name); comments and entities give ("", "")."""
    if not isinstance(el.tag, str):
        return "", ""
    qname = etree.QName(el)
    return qname.namespace or "", qname.localname.lower()


def children(el: etree._Element) -> dict[tuple[str, str], etree._Element]:
    """First direct child for each (namespace, local name): feeds repeat nothing we need twice."""
    found: dict[tuple[str, str], etree._Element] = {}
    for child in el:
        found.setdefault(qname(child), child)
    return found


def text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join("".join(part for part in el.itertext() if isinstance(part, str)).split())
    return text or None


def first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


def inherited_lang(el: etree._Element) -> str | None:
    for node in (el, *el.iterancestors()):
        if lang := node.get(_XML_LANG):
            return lang.strip() or None
    return None


def resolve(href: str | None, el: etree._Element, url: str) -> str | None:
    """Absolute http(s) URL for ``href`` (xml:base aware), or None for anything unfetchable."""
    href = (href or "").strip()
    if not href:
        return None
    try:
        absolute = urljoin(el.base or url, href)
    except ValueError:  # a malformed netloc, e.g. an unclosed IPv6 bracket
        return None
    return absolute if is_fetchable(absolute) else None


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


def parse_xml(xml: bytes, url: str) -> etree._Element:
    try:
        return etree.fromstring(xml, xml_parser(), base_url=url)
    except etree.XMLSyntaxError as exc:
        # Feeds written by HTML templates use HTML's entities, undefined in XML; with those
        # rewritten the feed may read. Otherwise (or if still broken) the first error is reported.
        fixed = _numeric_html_entities(xml) if "not defined" in (exc.msg or "") else xml
        if fixed != xml:
            try:
                return etree.fromstring(fixed, xml_parser(), base_url=url)
            except etree.XMLSyntaxError:
                pass
        raise DiscoveryError(url, _syntax_error(exc)) from exc

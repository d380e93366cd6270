"""Caps on what one page may make the crawler do, and the pure checks that enforce them.

Everything a crawler reads is written by strangers. Scrapy's own limits (DOWNLOAD_MAXSIZE, redirect
and retry counts, DEPTH_LIMIT, URLLENGTH_LIMIT) are set in ``settings/crawl.py``; the caps here bound
the work done on a page that has been downloaded: how much of it is parsed, which links are worth a
request, and whether the bytes are text at all. docs/operations.md lists every limit.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

MAX_HTML_CHARS = 2 * 1024 * 1024
"""Characters of a page handed to extraction. The largest real article pages we have seen are about
1.4 million characters, most of it scripts; parsing time grows with the page, so more is cut off."""

MAX_HTML_TAGS = 20_000
"""Tags (counted as ``<``) of a page handed to extraction: real pages have a few thousand, while a page
of tens of thousands of tiny elements costs the extractor seconds per ten thousand."""

MAX_TAG_ATTRIBUTES = 64
"""Attributes kept on one tag. libxml2 checks attributes for duplicates pairwise, so a tag with tens of
thousands of them takes minutes to parse; a tag with more than this keeps only its name."""

LONG_TAG_CHARS = 512
"""Only tags at least this long can hold more than MAX_TAG_ATTRIBUTES attributes and are inspected."""

MAX_URL_LENGTH = 2048
"""Longest URL requested or stored: the URL columns of the database hold this many characters."""

MAX_QUERY_PARAMS = 12
"""A URL with more query parameters is a faceted-search or session trap, not an article."""

MAX_SEGMENT_REPEATS = 3
"""A path segment occurring more often than this (``/a/b/a/b/a/b/a/``) comes from relative links that
resolve against themselves without end."""

BINARY_SNIFF_BYTES = 1024
"""How much of a body is inspected to tell text from binary data served as text/html."""

_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.IGNORECASE)
_LONG_TAG = re.compile(rf"<([A-Za-z][A-Za-z0-9:_-]*)([^<>]{{{LONG_TAG_CHARS},}})>")
_ATTRIBUTE = re.compile(r"""[^\s"'=<>`/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
# Formats that are never HTML, by their leading bytes: images, PDF, archives, media, fonts.
_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"7z\xbc\xaf", b"Rar!", b"RIFF", b"OggS", b"fLaC", b"ID3", b"wOFF", b"wOF2",
)  # fmt: skip
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def cap_html(html: str) -> str:
    """``html`` cut down to the caps above; a page within them is returned unchanged.

    An oversized page first loses its scripts other than JSON-LD (the metadata extraction reads), since
    on real pages they are most of the bulk and none of the article; what is still over the cap is cut
    off at its end. The result has at most MAX_HTML_CHARS characters and MAX_HTML_TAGS tags.
    """
    if len(html) > MAX_HTML_CHARS:
        html = _strip_scripts(html, MAX_HTML_CHARS)[:MAX_HTML_CHARS]
    html = _cap_tags(html)
    if len(html) >= LONG_TAG_CHARS:
        html = _LONG_TAG.sub(_trim_attributes, html)
    return html


def _strip_scripts(html: str, enough: int) -> str:
    """The start of ``html`` without <script> elements other than JSON-LD, at least ``enough``
    characters of it when there are; one pass, and no copy of the rest of a huge page."""
    kept: list[str] = []
    size = position = 0
    while size < enough and (opening := _SCRIPT_OPEN.search(html, position)) is not None:
        closing = _SCRIPT_CLOSE.search(html, opening.end())
        if closing is None:
            break
        pieces = [html[position : opening.start()]]
        if "ld+json" in opening.group(0).lower():
            pieces.append(html[opening.start() : closing.end()])
        kept += pieces
        size += sum(len(piece) for piece in pieces)
        position = closing.end()
    kept.append(html[position : position + max(enough - size, 0)])
    return "".join(kept)


def _cap_tags(html: str) -> str:
    if html.count("<") <= MAX_HTML_TAGS:
        return html
    position = -1
    for _ in range(MAX_HTML_TAGS + 1):
        position = html.find("<", position + 1)
    return html[:position]


def _trim_attributes(match: re.Match[str]) -> str:
    if len(_ATTRIBUTE.findall(match.group(2))) <= MAX_TAG_ATTRIBUTES:
        return match.group(0)
    return f"<{match.group(1)}>"


def url_trap(url: str, max_length: int = MAX_URL_LENGTH) -> str | None:
    """Why ``url`` is not worth a request (``url_too_long``, ``too_many_params``, ``repeated_segments``),
    or None. Crawler traps generate endless distinct URLs of these shapes."""
    if len(url) > max_length:
        return "url_too_long"
    try:
        parts = urlsplit(url)
    except ValueError:  # malformed URLs are refused earlier, by is_fetchable
        return None
    if len(parse_qsl(parts.query, keep_blank_values=True)) > MAX_QUERY_PARAMS:
        return "too_many_params"
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments and max(segments.count(segment) for segment in set(segments)) > MAX_SEGMENT_REPEATS:
        return "repeated_segments"
    return None


def looks_binary(body: bytes) -> bool:
    """True when ``body`` is evidently not text: a known binary signature, or NUL bytes in its first
    BINARY_SNIFF_BYTES (text in UTF-16 or UTF-32 carries a byte order mark and is not binary)."""
    head = body[:BINARY_SNIFF_BYTES]
    if head.startswith(_UTF16_32_BOMS):
        return False
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def strip_nul(text: str) -> str:
    """``text`` without NUL characters: HTML parsers reject them and PostgreSQL cannot store them."""
    return text.replace("\x00", "") if "\x00" in text else text


# C0 control characters other than tab, line feed and carriage return: no text shows them, and lxml
# refuses to build a tree that holds them, so a parsed page that kept one fails later on.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control_chars(text: str) -> str:
    """``text`` without NUL and the other C0 control characters that text never uses."""
    return _CONTROL_CHARS.sub("", text)

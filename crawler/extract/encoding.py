"""Turn response bytes into text when servers and pages lie about their charset.

News sites in Russian and Arabic still serve windows-1251 and windows-1256, often
declared in only one place, and UTF-8 pages are regularly mislabelled by a server
default such as iso-8859-1. Decoding wrongly yields mojibake that then poisons
language detection, dedup and search, so the order of evidence below matters.
"""

from __future__ import annotations

import codecs

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

FALLBACK_ENCODING = "utf-8"
# A UTF-8 label is believed despite a few broken sequences (a truncated body, one
# bad paste), but not when most non-ASCII text fails to decode: then the label is wrong.
_UTF8_MAX_BROKEN_SHARE = 0.1
# Detection on a whole multi-megabyte page is slow and no more accurate.
_DETECTION_SAMPLE_BYTES = 64 * 1024


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode an HTML body; return (text, name of the encoding used).

    Evidence, strongest first: a byte order mark; the bytes being valid UTF-8
    with non-ASCII content (beats any label, which is usually a server default);
    the HTTP header charset; ``<meta charset>`` / http-equiv; statistical
    detection; UTF-8 with replacement characters. ``header_charset`` may be a bare
    label or a whole Content-Type value. Never raises.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        return body[len(bom) :].decode(bom_encoding, "replace"), _label(bom_encoding)

    if _is_non_ascii_utf8(body):
        return body.decode("utf-8"), "utf-8"

    for encoding in (_header_encoding(header_charset), _meta_encoding(body)):
        if encoding is None:
            continue
        text = _decode_declared(body, encoding)
        if text is not None:
            return text, _label(encoding)

    detected = _detect(body)
    if detected is not None:
        return body.decode(detected, "replace"), _label(detected)
    return body.decode(FALLBACK_ENCODING, "replace"), FALLBACK_ENCODING


def _is_non_ascii_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header_encoding(header_charset: str | None) -> str | None:
    if not header_charset or not header_charset.strip():
        return None
    if "charset" in header_charset.lower():
        return http_content_type_encoding(header_charset)
    return resolve_encoding(header_charset.strip().strip("\"'"))


def _meta_encoding(body: bytes) -> str | None:
    encoding = html_body_declared_encoding(body)
    # A page cannot declare UTF-16/32 in its own ASCII-readable markup; browsers
    # read such a declaration as UTF-8 (HTML "prescan" rule).
    if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return encoding


def _decode_declared(body: bytes, encoding: str) -> str | None:
    """Decode with a declared encoding, or None when the declaration is evidently false."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    if codecs.lookup(encoding).name == "utf-8" and not _mostly_utf8(body):
        return None
    # Single-byte code pages only fail on a handful of unassigned bytes: keep the
    # declared encoding and mark those bytes rather than discard the declaration.
    return body.decode(encoding, "replace")


def _mostly_utf8(body: bytes) -> bool:
    text = body.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    decoded = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    return decoded > 0 and broken <= decoded * _UTF8_MAX_BROKEN_SHARE


def _detect(body: bytes) -> str | None:
    if not body or body.isascii():
        return None
    try:
        best = charset_normalizer.from_bytes(body[:_DETECTION_SAMPLE_BYTES]).best()
    except Exception:  # detection is advisory: a detector bug must not lose the page
        return None
    if best is None:
        return None
    return resolve_encoding(best.encoding)


def _label(encoding: str) -> str:
    """Name an encoding the way HTTP and HTML spell it (windows-1251, not cp1251)."""
    name = codecs.lookup(encoding).name
    if name.startswith("cp125"):
        return "windows-" + name[2:]
    return name.replace("_", "-")

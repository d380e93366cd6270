"""URL normalisation shared by discovery, dedup and linking.

Two URLs that name the same article must produce the same string here, or dedup
counts the article twice; that is why tracking parameters and AMP variants are
folded away before anything is hashed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref_src",
        "igshid",
        "spm",
    }
)
# Campaign tags come in many names (utm_source, utm_medium, utm_content, ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_FETCHABLE_SCHEMES = frozenset({"http", "https"})
_AMP_QUERY_FLAGS = frozenset({"amp", "amp=1", "amp=true"})


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _strip_tracking(url: str) -> str:
    query = urlsplit(url).query
    names = {name for name, _ in parse_qsl(query, keep_blank_values=True) if _is_tracking(name)}
    if not names:
        return url
    # unique=False keeps repeated legitimate parameters (e.g. ?tag=a&tag=b).
    return url_query_cleaner(url, sorted(names), remove=True, unique=False, keep_fragments=True)


def _drop_default_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port is None or _DEFAULT_PORTS.get(parts.scheme) != parts.port:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal lost its brackets in .hostname
        host = f"[{host}]"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{auth}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def canonicalize(url: str) -> str:
    """Return the canonical form of ``url`` used as the identity of a page.

    w3lib's canonicalize_url sorts the query, drops the fragment, percent-encodes
    consistently and lowercases scheme and host; on top of that tracking
    parameters and the default port are removed. Path case is kept because
    servers treat paths case-sensitively.
    """
    url = url.strip()
    if not url:
        return url
    try:
        cleaned = _strip_tracking(url)
        canonical = canonicalize_url(cleaned, keep_fragments=False)
    except ValueError:
        # Malformed netlocs (bad ports, broken IPv6) cannot be canonicalised;
        # returning the input keeps callers total and the URL still dedups by itself.
        return url
    canonical = _drop_default_port(canonical)
    return canonical.rstrip("?") if canonical.endswith("?") else canonical


def _is_amp_segment(segment: str) -> bool:
    return segment.lower() == "amp"


def strip_amp(url: str) -> str | None:
    """Return the non-AMP URL when ``url`` is an AMP variant by its shape, else None.

    Recognised shapes: a last path segment ``amp`` (``/x/amp`` or ``/x/amp/``),
    a first path segment ``amp`` (``/amp/x``), a query ``amp=1`` and an ``amp.``
    host prefix. Only the URL is inspected; rel=canonical on the page remains the
    stronger signal and is handled by extraction.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return None
    netloc, path, query = parts.netloc, parts.path, parts.query
    changed = False

    if host.lower().startswith("amp.") and host.count(".") >= 2:
        netloc = netloc[netloc.lower().index("amp.") + 4 :]
        changed = True

    segments = path.split("/")
    trailing_slash = path.endswith("/") and len(segments) > 1
    core = segments[1:-1] if trailing_slash else segments[1:]
    if core and _is_amp_segment(core[-1]):
        core = core[:-1]
        trailing_slash = False
        changed = True
    elif len(core) > 1 and _is_amp_segment(core[0]):
        core = core[1:]
        changed = True
    if changed:
        path = "/" + "/".join(core) + ("/" if trailing_slash and core else "")

    # Filter the raw pieces so the remaining parameters keep their exact encoding.
    pieces = [p for p in query.split("&") if p]
    kept = [p for p in pieces if p.lower() not in _AMP_QUERY_FLAGS]
    if len(kept) != len(pieces):
        query = "&".join(kept)
        changed = True

    if not changed:
        return None
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def is_fetchable(url: str) -> bool:
    """True for absolute http(s) URLs with a host; the crawler requests nothing else."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except (ValueError, AttributeError):
        return False
    return parts.scheme.lower() in _FETCHABLE_SCHEMES and bool(host)

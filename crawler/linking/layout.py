"""Where evidence stands in a text, how its paragraphs are shaped, and which picture it shows. Pure.

A translation follows its original paragraph by paragraph: the paragraphs have the same relative
lengths (a Russian text is longer than its English original as a whole, not in one paragraph only)
and the same facts come in the same places. A publisher's shortened version keeps the first
paragraphs: what the longer version says further down was left out, not contradicted, so the
longer side is only held to the part the shorter one covers (:func:`covered_share`). Versions of
one story also show the same photo or video, whose file name survives translation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

MAX_PARAGRAPHS = 40
"""Only the first paragraphs' shape is kept: a translation's agreement shows early."""

# Paragraph-shape agreement: the total variation distance of the two length profiles below which
# the shapes agree, by how many paragraphs are compared. Two unrelated texts of four paragraphs
# agree within 0.03 about one time in a hundred; of twelve, within 0.09 (measured on news text).
MIN_SHAPE_PARAGRAPHS = 4
SHAPE_TOLERANCE_BASE = 0.012
SHAPE_TOLERANCE_PER_PARAGRAPH = 0.0065
SHAPE_TOLERANCE_MAX = 0.09
# A language's text runs up to this much longer than the same text in another.
LENGTH_SLACK = 1.3
# A shortened version keeps at least this share of the original's opening: a text shorter than
# that is a summary or another report, held to what the longer text says there.
MIN_COVERED_SHARE = 0.4


def paragraphs(body: str) -> list[str]:
    return [block.strip() for block in body.split("\n\n") if block.strip()]


def paragraph_lengths(body: str) -> tuple[int, ...]:
    return tuple(len(block) for block in paragraphs(body)[:MAX_PARAGRAPHS])


def first_positions(body: str, keys: Callable[[str], Iterable[str]]) -> dict[str, float]:
    """For every key ``keys`` finds in a paragraph, where the first paragraph holding it starts, as
    a share of the body (0 = the opening)."""
    blocks = paragraphs(body)
    total = sum(len(block) for block in blocks) or 1
    found: dict[str, float] = {}
    offset = 0
    for block in blocks:
        for key in keys(block):
            found.setdefault(key, round(offset / total, 3))
        offset += len(block)
    return found


def shape_agreement(a: Sequence[int], b: Sequence[int]) -> tuple[int, float]:
    """(paragraphs compared, agreement 0..1) of two paragraph-length profiles over their common start.

    A shortened version is compared with the same number of opening paragraphs of the other one.
    Agreement is 1 for identical relative lengths and falls to 0 at the tolerance for that count.
    """
    count = min(len(a), len(b))
    if count < MIN_SHAPE_PARAGRAPHS:
        return count, 0.0
    a_total, b_total = sum(a[:count]), sum(b[:count])
    if not a_total or not b_total:
        return count, 0.0
    distance = 0.5 * sum(abs(x / a_total - y / b_total) for x, y in zip(a[:count], b[:count], strict=True))
    tolerance = min(SHAPE_TOLERANCE_MAX, SHAPE_TOLERANCE_BASE + SHAPE_TOLERANCE_PER_PARAGRAPH * count)
    return count, max(0.0, 1 - distance / tolerance)


def in_same_order(a: Sequence[str], b: Sequence[str], keep: Collection[str]) -> list[str]:
    """The most ``keep`` values (each at most once in ``a`` and ``b``) that the two sequences give in
    the same order: their longest common subsequence, as the longest increasing run of positions."""
    where = {value: index for index, value in enumerate(b) if value in keep}
    chain = [value for value in a if value in where]
    tails: list[int] = []  # tails[k]: index in chain of the smallest end of a run of length k + 1
    ends: list[int] = []  # the position in b of each of those ends
    before: list[int] = []  # index in chain of the previous element of the best run ending here
    for index, value in enumerate(chain):
        slot = bisect_left(ends, where[value])
        before.append(tails[slot - 1] if slot else -1)
        if slot == len(tails):
            tails.append(index)
            ends.append(where[value])
        else:
            tails[slot], ends[slot] = index, where[value]
    run: list[str] = []
    at = tails[-1] if tails else -1
    while at >= 0:
        run.append(chain[at])
        at = before[at]
    return run[::-1]


def covered_share(a_length: int, b_length: int) -> tuple[float, float]:
    """How much of each text the other can be expected to cover: 1 for the shorter, and for the
    longer its opening share that the shorter one's length (with slack between languages) reaches."""
    if not a_length or not b_length:
        return 1.0, 1.0
    if a_length > b_length:
        return max(MIN_COVERED_SHARE, min(1.0, LENGTH_SLACK * b_length / a_length)), 1.0
    return 1.0, max(MIN_COVERED_SHARE, min(1.0, LENGTH_SLACK * a_length / b_length))


def within(keys: Mapping[str, float], positions: Mapping[str, float], share: float) -> dict[str, float]:
    """The keys whose first mention falls within the opening ``share`` (keys of the title or the
    description, which have no position, always do)."""
    if share >= 1.0:
        return dict(keys)
    return {k: w for k, w in keys.items() if positions.get(k, 0.0) < share}


# --- pictures and videos -----------------------------------------------------------------------

_SIZE_SUFFIX = re.compile(
    r"([-_.](?:\d{2,4}x\d{2,4}|w\d{2,4}|h\d{2,4}|small|medium|large|thumb|thumbnail|orig|original|crop\w*|scaled|\d{2,4}))+$",
    re.I,
)
_VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "rutube.ru", "dailymotion.com")
_GENERIC = frozenset(("image", "img", "photo", "default", "logo", "placeholder", "share", "og", "cover", "thumb"))


def media_key(url: str | None) -> str | None:
    """What identifies a picture or video across a publisher's editions: the video id of a known
    video host, else the image's file name without extension, size or crop suffixes. None for a
    name too generic or short to tell two pictures apart (a logo, "image.jpg")."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    if any(host == h or host.endswith("." + h) for h in _VIDEO_HOSTS):
        video = parse_qs(parts.query).get("v", [""])[0] or parts.path.rstrip("/").rsplit("/", 1)[-1]
        return f"video:{video}" if len(video) >= 6 else None
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _SIZE_SUFFIX.sub("", stem).lower()
    if len(stem) < 6 or stem in _GENERIC or stem.startswith(("logo", "default", "placeholder")):
        return None
    return f"image:{stem}"

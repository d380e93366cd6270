"""Numbers in an article's text, in any script: values, weights and order. Pure.

Part of the content features (:mod:`crawler.linking.features`): digits of every script folded to
ASCII, separators and scale words normalised ("21 500", "21,5 тыс.", "٢١٫٥ ألف" are one value),
each value weighted by how rarely it recurs by chance, and the order in which a text gives them
(a translation gives its figures in the same order).
"""

from __future__ import annotations

import re
import unicodedata


class _DigitFolding(dict[int, int | str]):
    """A ``str.translate`` table that finds its entries on first sight: every Unicode decimal digit
    (Arabic-Indic, Persian, Devanagari ...) becomes ASCII; Arabic decimal and thousands separators
    become "." and ","; any other character stays itself."""

    def __missing__(self, code: int) -> int | str:
        char = chr(code)
        value = unicodedata.digit(char, None) if char.isdigit() and not char.isascii() else None
        found: int | str = str(value) if value is not None else code
        self[code] = found
        return found


_FOLD = _DigitFolding({ord("٫"): ".", ord("٬"): ",", ord("\u066c"): ","})


def fold_digits(text: str) -> str:
    """ASCII digits for every script's decimal digits; Arabic separators as "." and ","."""
    return text.translate(_FOLD)


# Digit groups joined by separators: "21 500", "21,500", "48,6", "2.07.41", "12.03.2026".
# Arabic writes "and" and "by" onto a number ("و١٢٥٠٠", "بـ320"), so only digits and separators
# before it stop a match.
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:(?:[.,'’]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*(?:\s*%)?")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
# Scale words after a number: "9,8 млн", "46.5 million", "25 ألف", "34 Mrd." give the full value too.
_SCALES: dict[str, int] = {
    **dict.fromkeys(("thousand", "тыс", "тысяч", "тысячи", "тысяча", "ألف", "آلاف", "الف", "tausend", "mille"), 10**3),
    **dict.fromkeys(("million", "millions", "mln", "mn", "млн", "миллион", "миллиона", "миллионов", "مليون",
                     "ملايين", "millionen", "mio", "millón", "millones", "milhões"), 10**6),
    **dict.fromkeys(("billion", "billions", "bn", "млрд", "миллиард", "миллиарда", "миллиардов", "مليار",
                     "مليارات", "milliarde", "milliarden", "mrd", "milliard", "milliards"), 10**9),
}  # fmt: skip
_SCALE_AFTER = re.compile(r"\s*([^\W\d_]+)")


def _number_value(raw: str) -> list[str]:
    """Canonical values of one number token ("21 500" -> 21500, "48,6" -> 48.6); a dotted date
    or a dotted run ("2.07.41") gives its parts."""
    raw = raw.rstrip("% ").replace("’", "'")
    if _SPACES.search(raw) or "'" in raw:  # "21 500", "1'000'000": spaces group thousands
        raw = _SPACES.sub("", raw).replace("'", "")
    separators = re.findall(r"[.,]", raw)
    groups = re.split(r"[.,]", raw)
    if not separators:
        return [raw.lstrip("0") or "0"]
    if len(separators) == 1:
        integer, fraction = groups
        if len(fraction) == 3 and integer != "0" and len(integer) <= 3:
            return [(integer + fraction).lstrip("0") or "0"]  # "2,000", "45.000"
        fraction = fraction.rstrip("0")
        integer = integer.lstrip("0") or "0"
        return [f"{integer}.{fraction}" if fraction else integer]
    if len(set(separators)) == 1 and all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3:
        return ["".join(groups).lstrip("0") or "0"]  # "1,234,567"
    if len(set(separators)) == 2 and all(len(g) == 3 for g in groups[1:-1]):
        *integer, fraction = groups  # "1,234.5" or "1.234,5"
        fraction = fraction.rstrip("0")
        whole = "".join(integer).lstrip("0") or "0"
        return [f"{whole}.{fraction}" if fraction else whole]
    return [g.lstrip("0") or "0" for g in groups]  # "12.03.2026", "2.07.41"


def _scaled(value: str, scale: int) -> str | None:
    try:
        number = float(value) * scale
    except ValueError:
        return None
    return str(round(number)) if number < 10**15 else None


def _number_weight(value: str) -> float:
    """How much a shared number says: years and round or small numbers are in every story, while
    a number with three significant digits ("47.8", "12 500", "105") rarely recurs by chance."""
    if ":" in value:
        return 1.0  # a clock or race time
    whole, _, fraction = value.partition(".")
    if not fraction and (int(whole) < 10 or 1900 <= int(whole) <= 2100):
        return 0.25
    significant = (whole + fraction).lstrip("0")
    significant = significant if fraction else significant.rstrip("0")
    return {0: 0.25, 1: 0.25, 2: 0.5}.get(len(significant), 1.0)


def mentions(text: str) -> list[tuple[int, str, float]]:
    """Every number of folded ``text`` in the order it is written: where it starts, its value in
    canonical form (a number with a scale word also as its full value; times as h:mm[:ss]) and
    its weight."""
    found: list[tuple[int, str, float]] = []
    for match in _TIME.finditer(text):
        hours, minutes, seconds = match.groups()
        found.append((match.start(), f"{int(hours)}:{minutes}" + (f":{seconds}" if seconds else ""), 1.0))
    masked = _TIME.sub(lambda m: " " * len(m.group()), text)
    for match in _NUMBER.finditer(masked):
        values = _number_value(match.group())
        found.extend((match.start(), value, _number_weight(value)) for value in values)
        scale_word = _SCALE_AFTER.match(masked, match.end())
        if len(values) == 1 and scale_word:
            scale = _SCALES.get(scale_word.group(1).lower().rstrip("."))
            scaled = _scaled(values[0], scale) if scale else None
            if scaled:
                found.append((match.start(), scaled, _number_weight(scaled)))
    found.sort(key=lambda mention: mention[0])
    return found


def numbers(text: str) -> dict[str, float]:
    """Every number in folded ``text`` with its weight: values in canonical form, times as h:mm[:ss]."""
    found: dict[str, float] = {}
    for _start, value, weight in mentions(text):
        found.setdefault(value, weight)
    return found


# Numbers closer together than this are one figure ("+7 495 123", "18 June 2020", "10-6"): their
# order is the writer's format, not the story's, so only the first of them is kept in order.
MIN_ORDER_GAP = 16


def in_order(text: str, limit: int) -> tuple[str, ...]:
    """The distinct numbers of folded ``text`` in the order they first appear, at most ``limit``,
    leaving out a number written right after another (:data:`MIN_ORDER_GAP`)."""
    kept: dict[str, None] = {}
    previous = -MIN_ORDER_GAP
    for start, value, _weight in mentions(text):
        if start - previous >= MIN_ORDER_GAP:
            kept.setdefault(value)
        previous = start
    return tuple(kept)[:limit]

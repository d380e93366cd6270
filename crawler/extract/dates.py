"""Dates from feeds, meta tags and visible page text, always returned in UTC.

dateparser covers most formats, but news pages in Arabic use month names it does
not know (Levantine آذار, Maghrebi جانفي, spelling variants such as إبريل/يونيه),
write digits as Arabic-Indic numerals, and Russian pages write "в марте" or
"2026 г.". A small normalisation layer rewrites those into forms dateparser reads.
Relative phrases ("вчера", "2 hours ago") are refused on purpose: resolved
against crawl time they would invent a publication date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

DEFAULT_LANGUAGES: tuple[str, ...] = ("ru", "ar", "en")
# Tried after DEFAULT_LANGUAGES: languages of neighbouring editions and wire copies.
# A fixed list rather than dateparser's guess among ~200 locales: faster, and a
# stray word cannot turn into a month of some remote language.
FALLBACK_LANGUAGES: tuple[str, ...] = ("fr", "de", "es", "it", "pt", "tr", "uk", "bg", "fa")
# Whole-text parsing is only tried on strings short enough to be a date label;
# longer text is searched for date-shaped spans instead.
MAX_LABEL_CHARS = 120
MAX_INPUT_CHARS = 2000

_DIGITS = {ord("٠") + i: str(i) for i in range(10)} | {ord("۰") + i: str(i) for i in range(10)}
_DIGITS |= {ord("٫"): ".", ord("٬"): ","}

_DATEPARSER_SETTINGS: dict[str, Any] = {
    # Day-first is how ru and ar pages (and most of the world) write 12.03.2026.
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    # Without a month and a year dateparser fills the gaps from today's date.
    "REQUIRE_PARTS": ["month", "year"],
    # No relative dates and no bare numbers taken as Unix timestamps.
    "PARSERS": ["custom-formats", "absolute-time"],
}

# Canonical Egyptian/Gulf names (which dateparser knows) -> every spelling seen on
# news sites: Levantine/Iraqi (Syriac-derived) names, Maghrebi (French-derived)
# names and hamza/ta-marbuta variants.
_ARABIC_MONTHS: dict[str, tuple[str, ...]] = {
    "يناير": ("يناير", "كانون الثاني", "كانون ثاني", "جانفي"),
    "فبراير": ("فبراير", "شباط", "فيفري"),
    "مارس": ("مارس", "آذار"),
    "أبريل": ("أبريل", "إبريل", "نيسان", "أفريل"),
    "مايو": ("مايو", "أيار", "مايس", "ماي"),
    "يونيو": ("يونيو", "يونيه", "يونية", "حزيران", "جوان"),
    "يوليو": ("يوليو", "يوليه", "يولية", "تموز", "جويلية", "يوليوز"),
    "أغسطس": ("أغسطس", "أوت", "غشت"),
    "سبتمبر": ("سبتمبر", "أيلول", "شتنبر"),
    "أكتوبر": ("أكتوبر", "تشرين الأول", "تشرين أول"),
    "نوفمبر": ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر"),
    "ديسمبر": ("ديسمبر", "كانون الأول", "كانون أول", "دجنبر"),
}
# آب (August) is written apart: with a loose alef it would also match أب ("father").
_ARABIC_EXACT: dict[str, str] = {"آب": "أغسطس"}

# Russian months in the cases dateparser does not read (dative "к 12 марту", instrumental
# "мартом", prepositional "в марте"), mapped to the nominative it does; it knows the genitive.
_RU_MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)


def _ru_oblique_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    endings: tuple[str, ...]
    for month in _RU_MONTHS:
        if month.endswith(("ь", "й")):  # soft stems: январь -> январю, январём/январем, январе
            stem = month[:-1]
            endings = ("ю", "ём", "ем", "е")
        else:  # hard stems: март -> марту, мартом, марте
            stem = month
            endings = ("у", "ом", "е")
        forms |= {stem + ending: month for ending in endings}
    return forms


_RU_OBLIQUE: dict[str, str] = _ru_oblique_forms()


def _loose_arabic(word: str) -> str:
    """Regex for an Arabic word that tolerates alef/hamza, ya/alef-maqsura and ha/ta-marbuta spellings."""
    classes = {"ا": "[اأإآ]", "أ": "[اأإآ]", "إ": "[اأإآ]", "آ": "[اأإآ]", "ي": "[يى]", "ى": "[يى]"}
    spaces = {" ": r"\s+"}
    pattern = "".join(classes.get(char) or spaces.get(char) or re.escape(char) for char in word)
    return re.sub(r"(?:ه|ة)$", "[هة]", pattern)


def _month_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    patterns: list[str] = []
    for variants in _ARABIC_MONTHS.values():
        patterns += [_loose_arabic(variant) for variant in variants]
    patterns += [re.escape(word) for word in _ARABIC_EXACT]
    # Longest first so "كانون الثاني" wins over a shorter overlapping name.
    patterns.sort(key=len, reverse=True)
    for canonical, variants in _ARABIC_MONTHS.items():
        for variant in variants:
            lookup[_arabic_key(variant)] = canonical
    lookup |= {_arabic_key(word): canonical for word, canonical in _ARABIC_EXACT.items()}
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)"), lookup


def _arabic_key(word: str) -> str:
    word = re.sub("[أإآ]", "ا", word).replace("ى", "ي")
    word = re.sub(r"ة$", "ه", word)
    return " ".join(word.split())


_AR_MONTH_RE, _AR_MONTH_LOOKUP = _month_regex()
_AR_CANONICAL = "|".join(_ARABIC_MONTHS)
# "آذار/مارس" and "مارس (آذار)" name one month twice; after mapping, keep one.
_AR_DOUBLE_RE = re.compile(rf"({_AR_CANONICAL})\s*(?:[/\-–(]\s*)\1\s*\)?")
_AR_NOISE_RE = re.compile("[\u064b-\u0652\u0640]")  # harakat and tatweel
_RU_OBLIQUE_RE = re.compile(r"(?<!\w)(" + "|".join(_RU_OBLIQUE) + r")(?!\w)", re.IGNORECASE)
_RU_YEAR_SUFFIX_RE = re.compile(r"(\d{4})\s*(?:гг?\.|года?(?!\w)|г(?!\w))", re.IGNORECASE)
_MSK_RE = re.compile(r"(?<!\w)мск(?!\w)", re.IGNORECASE)

_YEAR_RE = re.compile(r"(?<!\d)(?:\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2})(?!\d)")
_WORD = r"[^\W\d_]{3,}\.?"
# The day's own marks and the small words some languages put around the month: "6. August",
# "6th of August", "6 de agosto de 2009", "1er mars".
_DAY = r"\d{1,2}(?:\.|st|nd|rd|th|er|e|º)?"
_LINK = r"(?:\s+(?:of|de|del|di))?"
_DATE_SPAN_RES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"(?<!\d){_DAY}{_LINK}\s+{_WORD},?{_LINK}\s+\d{{4}}(?!\d)",  # 12 марта 2026, 6. August 2009
        rf"{_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?!\d)",  # March 12, 2026
        r"(?<!\d)\d{4}[./-]\d{1,2}[./-]\d{1,2}(?!\d)",  # 2026/03/12
        r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d)",  # 12.03.2026
        rf"{_WORD}\s+\d{{4}}(?!\d)",  # март 2026
    )
)
_TIME_AFTER_RE = re.compile(
    r"^[\s,،|–—-]{0,4}(?:в|at|الساعة|um|à)?\s*"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[ap]\.?m\.?|[مص](?!\w)))?"
    r"(?:\s*(?:UTC|GMT|MSK|[A-Z]{3,4})?\s*[+-]\d{2}:?\d{2}|\s*(?:UTC|GMT|MSK|[A-Z]{3,4})(?![A-Za-z]))?",
    re.IGNORECASE,
)
_TIME_BEFORE_RE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?[\s,،|–—-]{1,4}$")


def fold_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII; Arabic decimal/thousands separators to "." and ","."""
    return text.translate(_DIGITS)


def to_utc(dt: datetime, tz: str) -> datetime:
    """Return ``dt`` as an aware UTC datetime; a naive ``dt`` is taken as local time in ``tz``.

    Raises ValueError for an unknown IANA zone name.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {tz!r}: use an IANA name such as 'Europe/Moscow'") from error
        dt = dt.replace(tzinfo=zone)
    return dt.astimezone(UTC)


def parse_date(text: str, tz: str = "UTC", *, languages: Sequence[str] | None = None) -> datetime | None:
    """Parse a date from ISO 8601, RFC 822 or free text; return an aware UTC datetime or None.

    A value without an offset is read as local time in ``tz``. ``languages`` (ISO
    639-1) narrows dateparser's guesses; by default DEFAULT_LANGUAGES are tried,
    then FALLBACK_LANGUAGES. Never raises; implausible years are returned as they are and
    judged by the caller.
    """
    parsed = parse_local(text, languages=languages)
    try:
        return to_utc(parsed, tz) if parsed is not None else None
    except (ValueError, OverflowError):  # an unknown zone, or a moment that leaves the calendar in UTC
        return None


def parse_local(text: str, *, languages: Sequence[str] | None = None) -> datetime | None:
    """The date as the text gives it: aware in its own offset when it states one, naive otherwise.

    Its calendar day is the page's own publication day, which conversion to UTC may move. Never raises.
    """
    try:
        return _parse(text, tuple(languages) if languages else None)
    except Exception:  # third-party parsers fail in surprising ways on junk; a date is optional
        return None


def _parse(text: str, languages: tuple[str, ...] | None) -> datetime | None:
    if not isinstance(text, str):
        return None
    text = text.strip()[:MAX_INPUT_CHARS]
    if not text:
        return None
    return _parse_iso(text) or _parse_rfc822(text) or _parse_free(normalise(text), languages)


def _parse_iso(text: str) -> datetime | None:
    candidate = fold_digits(text)
    if not re.match(r"\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        return datetime.fromisoformat(candidate.replace("z", "Z"))
    except ValueError:
        return None


def _parse_rfc822(text: str) -> datetime | None:
    if not re.match(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}", text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 5322: "-0000" means UTC with the sender's zone unknown, not local time.
    if parsed.tzinfo is None and text.rstrip().endswith("-0000"):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def normalise(text: str) -> str:
    """Rewrite digits, Arabic month variants and Russian forms into what dateparser reads."""
    text = unicodedata.normalize("NFC", fold_digits(text))
    text = _AR_NOISE_RE.sub("", text).replace("،", ",").replace("؛", ";")
    text = _AR_MONTH_RE.sub(lambda match: _AR_MONTH_LOOKUP.get(_arabic_key(match.group()), match.group()), text)
    text = _AR_DOUBLE_RE.sub(r"\1 ", text)
    text = _RU_OBLIQUE_RE.sub(lambda match: _RU_OBLIQUE[match.group().lower()], text)
    text = _RU_YEAR_SUFFIX_RE.sub(r"\1", text)
    text = _MSK_RE.sub("MSK", text)
    return " ".join(text.split())


def _parse_free(text: str, languages: tuple[str, ...] | None) -> datetime | None:
    # Every accepted date has a year, so text without one is refused before the
    # (slow) parser runs; this is most of the text a page offers.
    if not _YEAR_RE.search(text):
        return None
    candidates = [text] if len(text) <= MAX_LABEL_CHARS else []
    candidates += [span for span in _date_spans(text) if span != text]
    # The main languages first over every candidate, the wider net last.
    attempts = [list(languages)] if languages else [list(DEFAULT_LANGUAGES), list(FALLBACK_LANGUAGES)]
    for attempt in attempts:
        for candidate in candidates:
            parsed: datetime | None = dateparser.parse(candidate, languages=attempt, settings=_DATEPARSER_SETTINGS)
            if parsed is not None:
                return parsed
    return None


def _date_spans(text: str) -> Iterator[str]:
    """Date-shaped substrings in reading order, each with a neighbouring time of day."""
    matches = sorted(
        (m for regex in _DATE_SPAN_RES for m in regex.finditer(text)),
        key=lambda m: (m.start(), -m.end()),
    )
    covered_until = -1
    for match in matches:
        # "февраля 2026" inside a rejected "31 февраля 2026" must not be retried
        # on its own: it would turn an invalid date into the first of the month.
        if match.end() <= covered_until:
            continue
        covered_until = match.end()
        after = _TIME_AFTER_RE.match(text[match.end() :])
        before = _TIME_BEFORE_RE.search(text[max(0, match.start() - 16) : match.start()])
        if after:
            yield match.group() + " " + after.group().strip(" ,،|–—-")
        elif before:
            yield before.group().strip(" ,،|–—-") + " " + match.group()
        yield match.group()

"""Dates and quoted addresses in an article's text, in any of its languages. Pure.

Part of the content features (:mod:`crawler.linking.features`): a day with a month name in en, ru,
ar (Egyptian, Levantine and Maghrebi names), de, fr or es, ISO and dotted dates; web and e-mail
addresses, @handles and #tags.
"""

from __future__ import annotations

import re

# --- dates -------------------------------------------------------------------------------------

_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "январь", "января", "январе", "يناير", "كانون الثاني", "جانفي", "januar", "janvier", "enero"),
    ("february", "feb", "февраль", "февраля", "феврале", "فبراير", "شباط", "فيفري", "februar", "février", "febrero"),
    ("march", "mar", "март", "марта", "марте", "مارس", "آذار", "märz", "mars", "marzo"),
    ("april", "apr", "апрель", "апреля", "апреле", "أبريل", "ابريل", "إبريل", "نيسان", "أفريل", "avril", "abril"),
    ("may", "май", "мая", "мае", "مايو", "أيار", "ماي", "mai", "mayo"),
    ("june", "jun", "июнь", "июня", "июне", "يونيو", "يونيه", "حزيران", "جوان", "juni", "juin", "junio"),
    ("july", "jul", "июль", "июля", "июле", "يوليو", "يوليه", "تموز", "جويلية", "juli", "juillet", "julio"),
    ("august", "aug", "август", "августа", "августе", "أغسطس", "آب", "أوت", "août", "agosto"),
    ("september", "sep", "sept", "сентябрь", "сентября", "сентябре", "سبتمبر", "أيلول", "septembre", "septiembre"),
    ("october", "oct", "октябрь", "октября", "октябре", "أكتوبر", "تشرين الأول", "oktober", "octobre", "octubre"),
    ("november", "nov", "ноябрь", "ноября", "ноябре", "نوفمبر", "تشرين الثاني", "novembre", "noviembre"),
    ("december", "dec", "декабрь", "декабря", "декабре", "ديسمبر", "كانون الأول", "dezember", "décembre", "diciembre"),
)  # fmt: skip
MONTHS: dict[str, int] = {name: index + 1 for index, names in enumerate(_MONTH_NAMES) for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|\.|-?го)?\s+(?:of\s+)?({_MONTH_ALT})(?!\w)", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)", re.IGNORECASE)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\d.])")


def dates(text: str) -> set[str]:
    """Day-and-month mentions in folded ``text`` as "MM-DD", in any of the listed languages."""
    found: set[str] = set()

    def add(month: int | None, day: int) -> None:
        if month is not None and 1 <= month <= 12 and 1 <= day <= 31:
            found.add(f"{month:02d}-{day:02d}")

    for match in _DAY_MONTH.finditer(text):
        add(MONTHS.get(match.group(2).lower()), int(match.group(1)))
    for match in _MONTH_DAY.finditer(text):
        add(MONTHS.get(match.group(1).lower()), int(match.group(2)))
    for match in _ISO_DATE.finditer(text):
        add(int(match.group(2)), int(match.group(3)))
    for match in _DOTTED_DATE.finditer(text):
        add(int(match.group(2)), int(match.group(1)))
    return found


# --- URLs and handles --------------------------------------------------------------------------

_URL = re.compile(r"(?<![\w@.])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,12}(?:/[^\s\"'«»“”<>()]*)?)", re.I)
_HANDLE = re.compile(r"(?<![\w@])([@#][A-Za-z_][A-Za-z0-9_]{2,})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def links(text: str) -> set[str]:
    """Quoted web addresses (without scheme and www), e-mail addresses and @handles/#tags, lower-case."""
    found = {match.group().lower() for match in _EMAIL.finditer(text)}
    rest = _EMAIL.sub(" ", text)
    for match in _URL.finditer(rest):
        address = match.group(1).rstrip(".,;:!?/").lower()
        host = address.split("/", 1)[0]
        # "9.8" is not a host: a real one has letters in its last label and is not a decimal number.
        if any(ch.isalpha() for ch in host.rsplit(".", 1)[-1]):
            found.add(address)
    found.update(match.group(1).lower() for match in _HANDLE.finditer(rest))
    return found

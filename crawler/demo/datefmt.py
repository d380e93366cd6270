"""Dates as the demo pages and feeds print them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

# Moscow has kept UTC+3 all year since 2014, so a fixed offset is exact and needs no tz database.
MOSCOW = timezone(timedelta(hours=3), "MSK")

RU_MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Egypt and the Gulf use the Latin-derived names; the Levant and Iraq use the Syriac ones.
AR_MONTHS_EG = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
AR_MONTHS_LEV = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def visible_date(moment: datetime, lang: str, *, levantine: bool = False, tz: timezone = MOSCOW) -> str:
    """The dateline a reader sees: local wall-clock time, no zone, in the page's language."""
    local = moment.astimezone(tz)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if lang == "ru":
        return f"{local.day} {RU_MONTHS_GENITIVE[local.month - 1]} {local.year} г., {clock}"
    if lang == "ar":
        months = AR_MONTHS_LEV if levantine else AR_MONTHS_EG
        return f"{local.day} {months[local.month - 1]} {local.year}، {clock}".translate(ARABIC_INDIC)
    return f"{local.day} {EN_MONTHS[local.month - 1]} {local.year}, {clock}"


def iso_moscow(moment: datetime) -> str:
    """ISO 8601 with the +03:00 offset, as the Meridian's metadata gives it."""
    return moment.astimezone(MOSCOW).isoformat()


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def rfc822_moscow(moment: datetime) -> str:
    """RSS pubDate, e.g. 'Thu, 12 Mar 2026 14:30:00 +0300'."""
    return format_datetime(moment.astimezone(MOSCOW))


def rfc822_utc(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))

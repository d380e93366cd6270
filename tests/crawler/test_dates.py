"""crawler.extract.dates: ru/ar/en date text, ISO and RFC 822, always to UTC, never raising."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.extract.dates import fold_digits, parse_date, parse_local, to_utc

MSK = "Europe/Moscow"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def test_fold_digits() -> None:
    assert fold_digits("١٢ مارس ٢٠٢٦، ١٤:٣٠") == "12 مارس 2026، 14:30"
    assert fold_digits("۱۴۰۵/۰۱/۲۰") == "1405/01/20"
    assert fold_digits("٣٫٥ مليون و١٬٢٠٠") == "3.5 مليون و1,200"
    assert fold_digits("12 марта") == "12 марта"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 марта 2026", utc(2026, 3, 11, 21)),  # genitive, midnight in Moscow
        ("12 марта 2026 г., 14:30", utc(2026, 3, 12, 11, 30)),
        ("12 марта 2026г. в 14:30", utc(2026, 3, 12, 11, 30)),
        ("12 мая 2026 года, 09:05", utc(2026, 5, 12, 6, 5)),
        ("март 2026", utc(2026, 2, 28, 21)),  # nominative: first of the month
        ("в марте 2026", utc(2026, 2, 28, 21)),  # prepositional
        ("в мае 2026 г.", utc(2026, 4, 30, 21)),
        ("12 мар. 2026", utc(2026, 3, 11, 21)),
        ("3 сент. 2025", utc(2025, 9, 2, 21)),
        ("7 нояб. 2025, 18:00", utc(2025, 11, 7, 15)),
        ("12.03.2026", utc(2026, 3, 11, 21)),  # day first
        ("12.03.2026 14:30", utc(2026, 3, 12, 11, 30)),
        ("четверг, 12 марта 2026, 14:30 МСК", utc(2026, 3, 12, 11, 30)),
        ("Опубликовано: 12 марта 2026 г., 14:30", utc(2026, 3, 12, 11, 30)),
    ],
)
def test_russian(text: str, expected: datetime) -> None:
    assert parse_date(text, MSK) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٢ مارس ٢٠٢٦، ١٤:٣٠", utc(2026, 3, 12, 11, 30)),  # Egyptian names, Arabic-Indic digits
        ("١٢ آذار ٢٠٢٦", utc(2026, 3, 11, 21)),  # Levantine
        ("١٢ آذار ٢٠٢٦، ١٤:٣٠", utc(2026, 3, 12, 11, 30)),
        ("١٢ اذار ٢٠٢٦", utc(2026, 3, 11, 21)),  # without madda
        ("3 تشرين الأول 2025", utc(2025, 10, 2, 21)),
        ("3 تشرين اول 2025", utc(2025, 10, 2, 21)),
        ("10 كانون الثاني 2026", utc(2026, 1, 9, 21)),
        ("10 كانون الأول 2025", utc(2025, 12, 9, 21)),
        ("10 تشرين الثاني 2025", utc(2025, 11, 9, 21)),
        ("١ شباط ٢٠٢٦", utc(2026, 1, 31, 21)),
        ("١ نيسان ٢٠٢٦", utc(2026, 3, 31, 21)),
        ("١ أيار ٢٠٢٦", utc(2026, 4, 30, 21)),
        ("١ حزيران ٢٠٢٦", utc(2026, 5, 31, 21)),
        ("١ تموز ٢٠٢٦", utc(2026, 6, 30, 21)),
        ("١ آب ٢٠٢٦", utc(2026, 7, 31, 21)),
        ("١ أيلول ٢٠٢٦", utc(2026, 8, 31, 21)),
        ("٥ إبريل ٢٠٢٦", utc(2026, 4, 4, 21)),
        ("٥ ابريل ٢٠٢٦", utc(2026, 4, 4, 21)),
        ("20 يونيه 2026", utc(2026, 6, 19, 21)),
        ("20 يوليه 2026", utc(2026, 7, 19, 21)),
        ("12 جانفي 2026", utc(2026, 1, 11, 21)),  # Maghrebi
        ("12 آذار/مارس 2026", utc(2026, 3, 11, 21)),  # both series side by side
        ("الخميس ١٢ مارس ٢٠٢٦ - ٢:٣٠ م", utc(2026, 3, 12, 11, 30)),  # م = pm
        ("نشر في ١٢ مارس ٢٠٢٦ الساعة ١٤:٣٠", utc(2026, 3, 12, 11, 30)),
    ],
)
def test_arabic(text: str, expected: datetime) -> None:
    assert parse_date(text, MSK) == expected


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-03-12T14:30:00+03:00", "UTC", utc(2026, 3, 12, 11, 30)),
        ("2026-03-12T14:30:00+03:00", MSK, utc(2026, 3, 12, 11, 30)),  # an offset beats tz
        ("2026-03-12T14:30:00Z", MSK, utc(2026, 3, 12, 14, 30)),
        ("2026-03-12T14:30:00.250-05:00", "UTC", utc(2026, 3, 12, 19, 30, 0, 250000)),
        ("2026-03-12 14:30:00+0300", "UTC", utc(2026, 3, 12, 11, 30)),
        ("2026-03-12T14:30:00", MSK, utc(2026, 3, 12, 11, 30)),  # naive: read in Moscow
        ("2026-03-12T14:30:00", "UTC", utc(2026, 3, 12, 14, 30)),
        ("2026-03-12", MSK, utc(2026, 3, 11, 21)),
        ("Thu, 12 Mar 2026 14:30:00 +0300", "UTC", utc(2026, 3, 12, 11, 30)),
        ("Thu, 12 Mar 2026 14:30:00 GMT", MSK, utc(2026, 3, 12, 14, 30)),
        ("12 Mar 2026 14:30:00 -0000", MSK, utc(2026, 3, 12, 14, 30)),
        ("Thu, 12 Mar 2026 14:30:00", MSK, utc(2026, 3, 12, 11, 30)),
        ("March 12, 2026 at 2:30 pm", MSK, utc(2026, 3, 12, 11, 30)),
        ("Updated: March 12, 2026 2:30 PM EST", "UTC", utc(2026, 3, 12, 19, 30)),
        ("12 mars 2026", "UTC", utc(2026, 3, 12)),  # fallback languages
        ("12. März 2026, 14:30", "Europe/Berlin", utc(2026, 3, 12, 13, 30)),
        ("12 листопада 2025", "Europe/Kyiv", utc(2025, 11, 11, 22)),
    ],
)
def test_iso_rfc822_and_english(text: str, tz: str, expected: datetime) -> None:
    assert parse_date(text, tz) == expected


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Veröffentlicht am: 6. August 2009", "2009-08-06"),
        ("am 6. August 2009 um 10:15 Uhr", "2009-08-06"),
        ("Publié le 1er mars 2021 à 10:00", "2021-03-01"),
        ("Publicado el 6 de agosto de 2009", "2009-08-06"),
        ("Posted on the 6th of August 2009", "2009-08-06"),
        ("Posted August 6th, 2009", "2009-08-06"),
        ("опубликовано 6 августа 2009 г.", "2009-08-06"),
        ("نشر بتاريخ ٦ آب ٢٠٠٩", "2009-08-06"),
        ("الخميس ٦ أغسطس ٢٠٠٩", "2009-08-06"),
    ],
)
def test_day_month_orders_keep_their_day(text: str, day: str) -> None:
    parsed = parse_local(text)
    assert parsed is not None and parsed.date().isoformat() == day


def test_the_local_form_keeps_the_page_own_day_and_offset() -> None:
    # Converted to UTC the moment falls on the 26th; the page published it on the 27th.
    local = parse_local("2020-11-27T00:00+08:00")
    assert local is not None and local.isoformat() == "2020-11-27T00:00:00+08:00"
    assert parse_date("2020-11-27T00:00+08:00") == utc(2020, 11, 26, 16)
    naive = parse_local("12 марта 2026 г., 14:30")
    assert naive is not None and naive.tzinfo is None and naive.isoformat() == "2026-03-12T14:30:00"
    assert parse_local("garbage") is None


def test_summer_time_uses_the_offset_of_that_date() -> None:
    assert parse_date("2026-07-01T12:00:00", "Europe/Berlin") == utc(2026, 7, 1, 10)
    assert parse_date("2026-01-01T12:00:00", "Europe/Berlin") == utc(2026, 1, 1, 11)


def test_languages_argument_restricts_guessing() -> None:
    assert parse_date("12 марта 2026", languages=["ru"]) == utc(2026, 3, 12)
    assert parse_date("12 марта 2026", languages=["en"]) is None


def test_result_is_always_aware_utc() -> None:
    result = parse_date("12 марта 2026 г., 14:30", MSK)
    assert result is not None
    assert result.utcoffset() == timedelta(0)


def test_implausible_years_are_returned_for_the_caller_to_judge() -> None:
    assert parse_date("1970-01-01T00:00:00Z") == utc(1970, 1, 1)
    assert parse_date("12 марта 2099") == utc(2099, 3, 12)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "hello world 2026",
        "12",
        "2026",
        "14:30",
        "вчера",
        "сегодня, 14:30",
        "2 hours ago",
        "منذ ساعتين",
        "1710243000",
        "2026-13-45",
        "31 февраля 2026",
        "أب لثلاثة أطفال",
        "<script>alert(1)</script>",
    ],
)
def test_garbage_and_relative_dates_give_none(text: str) -> None:
    assert parse_date(text, MSK) is None


def test_unknown_time_zone_gives_none_not_an_error() -> None:
    assert parse_date("2026-03-12T14:30:00", "Mars/Olympus_Mons") is None
    assert parse_date("2026-03-12T14:30:00+03:00", "Mars/Olympus_Mons") == utc(2026, 3, 12, 11, 30)


def test_never_raises_on_random_strings() -> None:
    rng = random.Random(12032026)
    alphabet = string.printable + "марта٠١٢٣٤٥٦٧٨٩آذارتشرينالأول،г.:+-TZ/" + "\x00\ufffd\u200f"
    for index in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        if index % 3 == 0:  # a year lets the text reach the full parser
            text = f"{text[:30]} {rng.randint(1900, 2100)} {text[30:]}"
        result = parse_date(text, MSK)
        assert result is None or result.tzinfo is not None
    assert parse_date("12 марта 2026 " * 1000, MSK) == utc(2026, 3, 11, 21)
    assert parse_date(None, MSK) is None  # type: ignore[arg-type]


def test_to_utc() -> None:
    assert to_utc(datetime(2026, 3, 12, 14, 30), MSK) == utc(2026, 3, 12, 11, 30)
    aware = datetime(2026, 3, 12, 14, 30, tzinfo=timezone(timedelta(hours=4)))
    assert to_utc(aware, MSK) == utc(2026, 3, 12, 10, 30)
    assert to_utc(aware, MSK).tzinfo is UTC
    with pytest.raises(ValueError, match="IANA"):
        to_utc(datetime(2026, 3, 12), "Not/AZone")


RU_GENITIVE = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]  # fmt: skip
AR_EGYPTIAN = [
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
]  # fmt: skip
AR_LEVANTINE = [
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
]  # fmt: skip
TO_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_of_every_series_round_trips(month: int) -> None:
    expected = utc(2026, month, 9, 11, 5)  # 14:05 in Moscow
    datelines = [
        f"9 {RU_GENITIVE[month - 1]} 2026 г., 14:05",
        f"9 {AR_EGYPTIAN[month - 1]} 2026، 14:05".translate(TO_ARABIC_INDIC),
        f"9 {AR_LEVANTINE[month - 1]} 2026، 14:05".translate(TO_ARABIC_INDIC),
    ]
    for dateline in datelines:
        assert parse_date(dateline, MSK) == expected, dateline


RU_NOMINATIVE = [
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
]  # fmt: skip


def russian_cases(nominative: str) -> list[str]:
    """The month in its six cases (accusative = nominative): март, марта, марту, мартом, марте."""
    if nominative[-1] in "ьй":
        stem = nominative[:-1]
        return [nominative, stem + "я", stem + "ю", stem + "ём", stem + "ем", stem + "е"]
    return [nominative, nominative + "а", nominative + "у", nominative + "ом", nominative + "е"]


@pytest.mark.parametrize("month", range(1, 13))
def test_russian_month_names_in_every_case(month: int) -> None:
    for form in russian_cases(RU_NOMINATIVE[month - 1]):
        assert parse_date(f"{form} 2026", MSK) == utc(2026, month, 1) - timedelta(hours=3), form
        assert parse_date(f"{form.upper()} 2026", MSK) == utc(2026, month, 1) - timedelta(hours=3), form

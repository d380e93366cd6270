"""crawler.extract.language: language by statistics, checked against the alphabet; real pages included."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trafilatura

from crawler.extract.encoding import decode_html
from crawler.extract.language import LanguageGuess, detect_language, normalize_lang

# One sentence per language, written for these tests (a budget story, so that the
# close relatives share their vocabulary as much as they can).
SENTENCES = {
    "ru": "Президент подписал закон о федеральном бюджете на следующий год, сообщила пресс-служба Кремля.",
    "uk": "Президент підписав закон про державний бюджет на наступний рік, повідомила пресслужба Офісу.",
    "bg": "Президентът подписа закона за държавния бюджет за следващата година, съобщиха от прессекретариата.",
    "mk": "Претседателот го потпиша законот за државниот буџет за следната година, соопшти неговиот кабинет.",
    "sr": "Председник је потписао закон о државном буџету за следећу годину, саопштила је његова служба.",
    "be": "Прэзідэнт падпісаў закон аб дзяржаўным бюджэце на наступны год, паведаміла яго прэс-служба.",
    "ar": "وقع الرئيس قانون الموازنة العامة للدولة للعام المقبل، وفق ما أعلنه المكتب الإعلامي للرئاسة.",
    "fa": "رئیس جمهور قانون بودجه کل کشور برای سال آینده را امضا کرد، دفتر مطبوعاتی ریاست جمهوری گزارش داد.",
    "ur": "صدر نے اگلے سال کے قومی بجٹ کے قانون پر دستخط کر دیے ہیں، ایوان صدر کے ترجمان نے بتایا۔",
    "en": "The president signed the state budget law for next year, the presidential press office said on Tuesday.",
    "fr": "Le président a signé la loi de finances pour l'année prochaine, a annoncé son service de presse mardi.",
}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        ("ru_RU", "ru"),
        ("ar-EG", "ar"),
        ("zh-Hant-TW", "zh"),
        (" fa-IR ", "fa"),
        ("rus", "ru"),
        ("ara", "ar"),
        ("iw", "he"),
        ("x-default", None),
        ("i-klingon", None),
        ("und", None),
        ("", None),
        (None, None),
        ("english", None),
        ("e1", None),
        ("ру", None),
    ],
)
def test_normalize_lang(code: str | None, expected: str | None) -> None:
    assert normalize_lang(code) == expected


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_one_sentence_per_language(lang: str) -> None:
    guess = detect_language(SENTENCES[lang])
    assert guess.lang == lang
    assert guess.confidence >= 0.9


@pytest.mark.parametrize(
    ("lang", "script"), [("ru", "Cyrillic"), ("uk", "Cyrillic"), ("ar", "Arabic"), ("fa", "Arabic"), ("en", "Latin")]
)
def test_script_is_reported(lang: str, script: str) -> None:
    assert detect_language(SENTENCES[lang]).script == script


@pytest.mark.parametrize(
    "text", ["", "   ", "12:30 — 14.03.2026", "Привет", "OK", "مرحبا بكم", "https://example.com/a-long-url-here"]
)
def test_too_little_text_gives_no_language(text: str) -> None:
    guess = detect_language(text, declared="ru")
    assert guess.lang is None
    assert guess.confidence == 0.0


def test_detection_is_deterministic() -> None:
    text = "Новини Враца: общината спечели проект за изграждане"
    assert len({detect_language(text) for _ in range(20)}) == 1


@pytest.mark.parametrize("declared", ["en", "ar", "fr", None])
def test_cyrillic_text_is_never_english_or_arabic(declared: str | None) -> None:
    for text in ("Кремль", "Путин и Байден провели переговоры", SENTENCES["ru"], "ПРОЕКТ ЗА ИЗГРАЖДАНЕТО"):
        assert detect_language(f"{text} " * 4, declared).lang in {"ru", "uk", "bg", "mk", "sr", "be"}


def test_arabic_text_is_never_latin_language_even_if_declared() -> None:
    assert detect_language(SENTENCES["ar"], declared="en").lang == "ar"


def test_ukrainian_letters_keep_short_text_from_russian() -> None:
    assert detect_language("Київ: у столиці триватимуть відключення світла").lang == "uk"
    assert detect_language("Їхня історія є частиною нашої").lang == "uk"


def test_bulgarian_hard_signs_keep_text_from_russian() -> None:
    # langdetect alone calls this line Russian.
    assert detect_language("ПРОЕКТ ЗА ИЗГРАЖДАНЕТО НА ДОПЪЛНИТЕЛЕН КОРПУС").lang == "bg"
    assert detect_language("Във връзка със съобщението на общината").lang == "bg"


def test_russian_letters_keep_text_from_relatives() -> None:
    assert detect_language("Государственная дума рассмотрит вопрос").lang == "ru"


def test_long_text_without_russian_letters_is_not_russian() -> None:
    bulgarian = SENTENCES["bg"].replace("ъ", "а")  # strip Bulgarian's own marker as well
    guess = detect_language(" ".join([bulgarian] * 4))
    assert guess.lang != "ru"


def test_persian_letters_keep_text_from_arabic() -> None:
    assert detect_language("گزارش خبرگزاری از پایتخت کشور").lang == "fa"
    assert detect_language("گزارش خبرگزاری از پایتخت کشور", declared="ar").lang == "fa"


def test_persian_typed_with_arabic_yeh_and_kaf_is_still_persian() -> None:
    text = SENTENCES["fa"].replace("ی", "ي").replace("ک", "ك")
    assert detect_language(text).lang == "fa"


def test_arabic_without_persian_letters_is_arabic() -> None:
    assert detect_language("قال المتحدث باسم الحكومة إن الاجتماع سيعقد غدا").lang == "ar"


def test_declared_language_breaks_ties_between_relatives() -> None:
    # No ы/э/ё and no і/ї/є: the alphabet fits Russian, Ukrainian and Bulgarian alike.
    text = "Президент подписал закон о бюджете на следующий год"
    assert detect_language(text).lang == "ru"
    assert detect_language(text, declared="ru-RU") == LanguageGuess("ru", detect_language(text).confidence, "Cyrillic")
    assert detect_language(text, declared="uk").lang == "uk"
    russian_hard_sign = "Депутаты съехались во дворец"
    assert detect_language(russian_hard_sign, declared="ru").lang == "ru"


def test_declared_language_does_not_override_a_sure_answer() -> None:
    assert detect_language(SENTENCES["en"], declared="fr").lang == "en"
    assert detect_language(SENTENCES["ru"] * 4, declared="uk").lang == "ru"
    assert detect_language(SENTENCES["fa"], declared="ar").lang == "fa"


def test_urls_and_emails_do_not_count_as_text() -> None:
    text = SENTENCES["ru"] + " https://www.example.com/english/words/here desk@example.com " * 5
    assert detect_language(text).lang == "ru"


# --- real pages -------------------------------------------------------------------------

TARGET_LANGS = ("ru", "ar", "en")
DISTRACTORS = {"uk": "ru", "bg": "ru", "fa": "ar"}  # language -> what it must never be taken for


def page_text(realworld: Path, record: dict[str, str]) -> str:
    """The ground-truth body, or for pages without one the text trafilatura extracts."""
    if record.get("body"):
        return record["body"]
    html, _ = decode_html(gzip.decompress((realworld / record["file"]).read_bytes()), None)
    return trafilatura.extract(html) or ""


def records(realworld: Path, langs: set[str]) -> Iterator[dict[str, str]]:
    for groundtruth in sorted(realworld.glob("*/groundtruth.json")):
        for record in json.loads(groundtruth.read_text(encoding="utf-8")):
            if record["lang"] in langs:
                yield record


@pytest.fixture(scope="module")
def target_bodies(realworld: Path) -> list[tuple[str, str, str]]:
    return [(r["file"], r["lang"], r["body"]) for r in records(realworld, set(TARGET_LANGS)) if r.get("body")]


@pytest.fixture(scope="module")
def distractor_texts(realworld: Path) -> list[tuple[str, str, str]]:
    return [(r["file"], r["lang"], page_text(realworld, r)) for r in records(realworld, set(DISTRACTORS))]


def test_realworld_bodies_in_target_languages(target_bodies: list[tuple[str, str, str]]) -> None:
    assert {lang for _, lang, _ in target_bodies} == set(TARGET_LANGS)
    misses = [(name, lang, detect_language(body)) for name, lang, body in target_bodies]
    misses = [miss for miss in misses if miss[2].lang != miss[1]]
    assert not misses, f"{len(misses)} of {len(target_bodies)} wrong: {misses}"


def test_realworld_distractors_are_not_taken_for_target_languages(
    distractor_texts: list[tuple[str, str, str]],
) -> None:
    assert {lang for _, lang, _ in distractor_texts} == set(DISTRACTORS)
    for name, lang, text in distractor_texts:
        assert len(text) > 150, f"{name}: extraction found too little text to test"
        guess = detect_language(text)
        assert guess.lang == lang, f"{name}: {guess}"


def windows(text: str, size: int) -> Iterator[str]:
    flat = " ".join(text.split())
    for start in range(0, len(flat) - size + 1, size):
        yield flat[start : start + size]


def test_realworld_distractor_paragraphs_never_become_russian_or_arabic(
    distractor_texts: list[tuple[str, str, str]],
) -> None:
    for name, lang, text in distractor_texts:
        for window in windows(text, 150):
            assert detect_language(window).lang != DISTRACTORS[lang], f"{name}: {window!r}"


def test_realworld_short_lines_with_declared_language(distractor_texts: list[tuple[str, str, str]]) -> None:
    # 40 characters is headline length: the declaration settles what the alphabet cannot.
    wrong = [
        window
        for name, lang, text in distractor_texts
        for window in windows(text, 40)
        if detect_language(window, declared=lang).lang not in {lang, None}
    ]
    assert not wrong

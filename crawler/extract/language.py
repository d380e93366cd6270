"""Language of an article body, checked against the alphabet it is written in.

langdetect is accurate on long text but confuses close relatives on short text:
Ukrainian and Bulgarian come out as Russian, Persian as Arabic. Each of these
languages uses letters that the others never write, so the alphabet first rules
out what is impossible (and Cyrillic text is never English), then langdetect
chooses among what is left.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from langdetect import DetectorFactory, LangDetectException
from langdetect.detector_factory import PROFILES_DIRECTORY

from crawler.extract.ngram_detector import CompactProfiles, FastDetector

# Seed once so that the same text always gets the same answer (langdetect samples randomly).
DetectorFactory.seed = 0

SAMPLE_CHARS = 5000
# Below this many letters no detector is reliable; the caller falls back to the declared language.
MIN_LETTERS = 20
# Below this langdetect is unsure, and a declared language may break the tie.
SURE_PROBABILITY = 0.9
# The confidence of an answer that the alphabet alone settled.
ALPHABET_CONFIDENCE = 0.9
# Up to this many letters a declared language beats langdetect between close relatives
# (ru/uk/bg, ar/fa); the confidence then never drops below the floor, so that a
# declared answer is not mistaken for "no answer".
SHORT_TEXT_LETTERS = 300
DECLARED_FLOOR = 0.1

CYRILLIC, ARABIC, LATIN, OTHER = "Cyrillic", "Arabic", "Latin", "other"


@dataclass(frozen=True)
class _Alphabet:
    """Letters a language writes often (own) and never (foreign), within its script."""

    own: frozenset[str]
    foreign: frozenset[str]
    # In this many letters of the language at least one own letter is all but certain,
    # so a longer text without any is not in it.
    proof_letters: int


def _alphabet(own: str, foreign: str, proof_letters: int) -> _Alphabet:
    return _Alphabet(frozenset(own + own.upper()), frozenset(foreign + foreign.upper()), proof_letters)


# Frequencies behind the numbers: і/ї/є are ~7 % of Ukrainian letters, ы/э/ё ~2.3 % of
# Russian, ъ ~2.5 % of Bulgarian, ј/љ/њ... ~4 % of Macedonian, ی/ک/گ/پ/چ ~10 % of Persian,
# ے/ہ/ں... ~11 % of Urdu.
_ALPHABETS: dict[str, dict[str, _Alphabet]] = {
    CYRILLIC: {
        "ru": _alphabet("ыэё", "іїєґўђћјљњѓќѕџ", 300),
        "uk": _alphabet("іїєґ", "ыэёъўђћјљњѓќѕџ", 150),
        "bg": _alphabet("ъ", "ыэёіїєґўђћјљњѓќѕџ", 250),
        "mk": _alphabet("јљњѓќѕџ", "ыэёіїєґъўђћ", 100),
        "sr": _alphabet("ђћјљњџ", "ыэёіїєґъўѓќѕ", 100),
        "be": _alphabet("ў", "ъїєґищђћјљњѓќѕџ", 100),
    },
    ARABIC: {
        "ar": _alphabet("", "پچژگکیٹڈڑںےۓہۂ", 0),
        # Some Persian sites type Arabic ي and ك, leaving only پ چ ژ گ (~2 %) as proof.
        "fa": _alphabet("پچژگکی", "ٹڈڑںےۓہۂ", 200),
        "ur": _alphabet("ٹڈڑںےۓہۂ", "", 25),
    },
}
# A few foreign letters come with names and quotes ("Київ" in a Russian report); a
# language is ruled out only when its foreign letters pass this share of the script.
_FOREIGN_SHARE = 0.002
# Russian writes ъ ("съезд") but seldom: ъ without any ы, э or ё is Bulgarian's signature.
_RU_EXCLUDED_BY = frozenset("ъЪ")

# langdetect languages written in a script other than Latin: never an answer for Latin text.
_NON_LATIN = frozenset(
    {"ar", "fa", "ur", "ru", "uk", "bg", "mk", "el", "he", "hi", "mr", "ne", "bn", "gu", "pa", "ta", "te"}
    | {"kn", "ml", "th", "ja", "ko", "zh-cn", "zh-tw"}
)

_URL_RE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_LANG_CODE_RE = re.compile(r"[a-z]{2,3}")
_ISO_639_2 = {
    "ara": "ar",
    "bul": "bg",
    "deu": "de",
    "eng": "en",
    "fas": "fa",
    "fra": "fr",
    "fre": "fr",
    "ger": "de",
    "per": "fa",
    "rus": "ru",
    "spa": "es",
    "ukr": "uk",
}
_DEPRECATED = {"iw": "he", "in": "id", "ji": "yi"}


@dataclass(frozen=True)
class LanguageGuess:
    """A detected language: ISO 639-1 code (None when unknown), 0..1 confidence, dominant script."""

    lang: str | None
    confidence: float
    script: str | None


def normalize_lang(code: str | None) -> str | None:
    """Reduce a language tag to its ISO 639-1 code: "en-US" -> "en", "ru_RU" -> "ru", "x-default" -> None."""
    if not code:
        return None
    primary = re.split(r"[-_\s]", code.strip().lower(), maxsplit=1)[0]
    if not _LANG_CODE_RE.fullmatch(primary):
        return None
    if len(primary) == 3:
        return _ISO_639_2.get(primary)
    return _DEPRECATED.get(primary, primary)


def detect_language(text: str, declared: str | None = None) -> LanguageGuess:
    """Guess the language of ``text`` (ISO 639-1).

    ``declared`` (``<html lang>``, feed language) decides between close relatives
    the alphabet cannot tell apart, and otherwise breaks ties when langdetect is unsure.
    Text with fewer than MIN_LETTERS letters gets lang None and confidence 0.
    """
    sample = _URL_RE.sub(" ", text[:SAMPLE_CHARS])
    letters = Counter(_script_of(char) for char in sample if char.isalpha())
    script = letters.most_common(1)[0][0] if letters else None
    if script is None or sum(letters.values()) < MIN_LETTERS:
        return LanguageGuess(None, 0.0, script)
    if script in _ALPHABETS:
        return _within_script(sample, script, letters[script], normalize_lang(declared))
    allowed = None if script == OTHER else frozenset(_languages()) - _NON_LATIN
    return _choose(_detect(sample, allowed), script, normalize_lang(declared))


def _script_of(char: str) -> str:
    point = ord(char)
    if 0x0400 <= point <= 0x052F:
        return CYRILLIC
    if 0x0600 <= point <= 0x06FF or 0x0750 <= point <= 0x077F or 0x08A0 <= point <= 0x08FF or 0xFB50 <= point <= 0xFEFF:
        return ARABIC
    if point < 0x0250:
        return LATIN
    return OTHER


def _hard_signs_exclude_russian(counts: Counter[str], declared: str | None) -> bool:
    hard_signs = sum(counts[char] for char in _RU_EXCLUDED_BY)
    # One ъ is also a Russian "объявил" or "съезд": let a declared ru page keep it.
    return hard_signs >= 2 or (hard_signs == 1 and declared != "ru")


def _possible(text: str, script: str, script_letters: int, declared: str | None) -> list[str]:
    """The script's languages whose alphabet fits the text."""
    counts = Counter(text)
    possible = []
    for lang, alphabet in _ALPHABETS[script].items():
        own = sum(counts[char] for char in alphabet.own)
        foreign = sum(counts[char] for char in alphabet.foreign)
        if foreign > script_letters * _FOREIGN_SHARE:
            continue
        if alphabet.own and own == 0 and script_letters >= alphabet.proof_letters:
            continue
        if lang == "ru" and own == 0 and _hard_signs_exclude_russian(counts, declared):
            continue
        possible.append(lang)
    return possible


def _within_script(text: str, script: str, script_letters: int, declared: str | None) -> LanguageGuess:
    possible = _possible(text, script, script_letters, declared) or list(_ALPHABETS[script])
    known = [lang for lang in possible if lang in _languages()]
    if len(possible) == 1 or not known:
        # The alphabet settled it, or only languages langdetect lacks remain (be, sr).
        lang = possible[0]
        detected = dict(_detect(text, frozenset([lang]))) if lang in _languages() else {}
        return LanguageGuess(lang, max(detected.get(lang, 0.0), ALPHABET_CONFIDENCE), script)
    candidates = _detect(text, frozenset(known))
    if declared in known and script_letters < SHORT_TEXT_LETTERS:
        # Close relatives with no telling letters: langdetect's split between them is
        # noise on short text, while the page's own declaration is not.
        return LanguageGuess(declared, max(dict(candidates).get(declared, 0.0), DECLARED_FLOOR), script)
    return _choose(candidates, script, declared)


def _choose(candidates: list[tuple[str, float]], script: str | None, declared: str | None) -> LanguageGuess:
    """langdetect's best answer, unless it is unsure and the declared language is among its answers."""
    best, confidence = candidates[0] if candidates else (None, 0.0)
    if declared is not None and declared != best and confidence < SURE_PROBABILITY:
        declared_prob = dict(candidates).get(declared)
        if declared_prob is not None:
            return LanguageGuess(declared, declared_prob, script)
    return LanguageGuess(best, confidence, script)


@cache
def _profiles() -> CompactProfiles:
    # Own profiles instead of langdetect's module global so priors can be set per call.
    return CompactProfiles.load(PROFILES_DIRECTORY, DetectorFactory.seed)


@cache
def _languages() -> frozenset[str]:
    return frozenset(_profiles().get_lang_list())


def _detect(text: str, allowed: frozenset[str] | None) -> list[tuple[str, float]]:
    """langdetect's (language, probability) answers, most probable first, limited to ``allowed``."""
    try:
        detector = FastDetector(_profiles())
        if allowed:
            detector.set_prior_map(dict.fromkeys(allowed & _languages(), 1.0))
        detector.append(text)
        found = detector.get_probabilities()
    except LangDetectException:
        return []
    results = [(normalize_lang(item.lang), float(item.prob)) for item in found]
    return [(lang, prob) for lang, prob in results if lang is not None]

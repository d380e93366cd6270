"""Language of an article body, checked against the script it is written in.

langdetect is accurate on long text but confuses close relatives on short text:
Ukrainian and Bulgarian come out as Russian, Persian as Arabic. Each of these
languages has letters the others never use, so the alphabet settles what the
statistics cannot, and the dominant script rules out impossible answers
(Cyrillic text is never English).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from langdetect import DetectorFactory, LangDetectException, detect_langs

# Seed once so that the same text always gets the same answer (langdetect samples randomly).
DetectorFactory.seed = 0

SAMPLE_CHARS = 5000
# Below this many letters no detector is reliable; the caller falls back to the declared language.
MIN_LETTERS = 20
# langdetect is "unsure" below this probability; a declared language may then break the tie.
SURE_PROBABILITY = 0.9
# Below this the detector has no real opinion, and any declared language may win.
_NO_OPINION = 0.5
# How sure an answer settled by letters that only one language uses is.
MARKER_CONFIDENCE = 0.9

CYRILLIC, ARABIC, LATIN, OTHER = "Cyrillic", "Arabic", "Latin", "other"

# Languages langdetect knows, by the script they are written in; an answer in
# another script than the text's is discarded.
_SCRIPT_LANGS: dict[str, frozenset[str]] = {
    CYRILLIC: frozenset({"ru", "uk", "bg", "mk", "be", "sr"}),
    ARABIC: frozenset({"ar", "fa", "ur"}),
}
_NON_LATIN = frozenset().union(*_SCRIPT_LANGS.values())

_RU_LETTERS = frozenset("ыэёЫЭЁ")  # never written in Ukrainian or Bulgarian
_CYRILLIC_MARKERS: dict[str, frozenset[str]] = {
    "uk": frozenset("іїєґІЇЄҐ"),
    "ru": _RU_LETTERS,
    "bg": frozenset("ъЪ"),  # a vowel in Bulgarian, a rare hard sign in Russian
    "be": frozenset("ўЎ"),
    "sr": frozenset("ђћЂЋ"),
    "mk": frozenset("ѓќѕЃЌЅ"),
}
_FA_LETTERS = frozenset("پچژگکی")
_UR_LETTERS = frozenset("ٹڈڑںےۓہۂ")
# Shares of the script's letters. Ukrainian writes і/ї/є in about 6 % of letters,
# Russian ы/э/ё in about 2 %, Bulgarian ъ in about 2 % and Persian ی/ک/گ/پ/چ in
# about 10 %; a proper name or a quote stays far below these floors.
_MARKER_SHARE = 0.01
_ABSENT_SHARE = 0.002
# In this many Russian letters at least one ы, э or ё is all but certain (p < 0.001).
_RU_PROOF_LETTERS = 300
_MIN_BG_HARD_SIGNS = 2

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
    """Guess the language of ``text``; ``declared`` (e.g. ``<html lang>``) breaks ties when detection is unsure."""
    sample = _URL_RE.sub(" ", text[:SAMPLE_CHARS])
    letters = _letters_by_script(sample)
    total = sum(letters.values())
    if total < MIN_LETTERS:
        return LanguageGuess(None, 0.0, _dominant(letters))
    script = _dominant(letters)
    candidates = _drop_impossible(_candidates(sample, script), sample, script)
    lang, confidence = _by_markers(sample, script, candidates)
    if lang is not None:
        return LanguageGuess(lang, confidence, script)
    return _use_declared(candidates, script, sample, normalize_lang(declared))


def _script_of(char: str) -> str:
    point = ord(char)
    if 0x0400 <= point <= 0x052F:
        return CYRILLIC
    if 0x0600 <= point <= 0x06FF or 0x0750 <= point <= 0x077F or 0x08A0 <= point <= 0x08FF or 0xFB50 <= point <= 0xFEFF:
        return ARABIC
    if point < 0x0250:
        return LATIN
    return OTHER


def _letters_by_script(text: str) -> Counter[str]:
    return Counter(_script_of(char) for char in text if char.isalpha())


def _dominant(letters: Counter[str]) -> str | None:
    if not letters:
        return None
    return letters.most_common(1)[0][0]


def _candidates(text: str, script: str | None) -> list[tuple[str, float]]:
    """langdetect's answers that are possible in ``script``, most probable first."""
    try:
        found = detect_langs(text)
    except LangDetectException:
        return []
    results = [(normalize_lang(item.lang), float(item.prob)) for item in found]
    allowed = _SCRIPT_LANGS.get(script or "")
    return [
        (lang, prob)
        for lang, prob in results
        if lang is not None and (lang in allowed if allowed else lang not in _NON_LATIN or script == OTHER)
    ]


def _share(text: str, letters: frozenset[str], script_total: int) -> float:
    return sum(1 for char in text if char in letters) / script_total if script_total else 0.0


def _by_markers(text: str, script: str | None, candidates: list[tuple[str, float]]) -> tuple[str | None, float]:
    """Settle close relatives by letters unique to one of them; (None, 0) when the letters say nothing."""
    if script == CYRILLIC:
        lang = _cyrillic_by_markers(text)
    elif script == ARABIC:
        lang = _arabic_by_markers(text)
    else:
        return None, 0.0
    if lang is None:
        return None, 0.0
    prob = dict(candidates).get(lang, 0.0)
    return lang, max(prob, MARKER_CONFIDENCE)


def _script_total(text: str, script: str) -> int:
    return sum(1 for char in text if char.isalpha() and _script_of(char) == script)


def _cyrillic_by_markers(text: str) -> str | None:
    total = _script_total(text, CYRILLIC)
    shares = {name: _share(text, letters, total) for name, letters in _CYRILLIC_MARKERS.items()}
    uk, ru, bg = shares["uk"], shares["ru"], shares["bg"]
    for lang in ("be", "sr", "mk"):
        if shares[lang] >= _ABSENT_SHARE:
            return lang
    if uk >= _MARKER_SHARE and uk > ru:
        return "uk"
    if ru >= _MARKER_SHARE / 2 and uk < _ABSENT_SHARE:
        return "ru"
    if ru == 0 and uk > 0:
        return "uk"  # і/ї/є without ы/э/ё: neither Russian nor Bulgarian
    # Russian writes ъ too ("съезд"), so one ъ in a short line proves nothing.
    if ru == 0 and bg >= _MARKER_SHARE and bg * total >= _MIN_BG_HARD_SIGNS:
        return "bg"
    return None


def _arabic_by_markers(text: str) -> str | None:
    total = _script_total(text, ARABIC)
    fa = _share(text, _FA_LETTERS, total)
    if _share(text, _UR_LETTERS, total) >= _MARKER_SHARE:
        return None  # Urdu shares the Persian letters: leave it to the statistics
    if fa >= _MARKER_SHARE:
        return "fa"
    if fa < _ABSENT_SHARE:
        return "ar"
    return None


def _ru_impossible(text: str) -> bool:
    """Long Cyrillic text without ы, э or ё cannot be Russian."""
    if _script_total(text, CYRILLIC) < _RU_PROOF_LETTERS:
        return False
    return not any(char in _RU_LETTERS for char in text)


def _drop_impossible(candidates: list[tuple[str, float]], text: str, script: str | None) -> list[tuple[str, float]]:
    if script != CYRILLIC or not _ru_impossible(text):
        return candidates
    return [(lang, prob) for lang, prob in candidates if lang != "ru"]


def _use_declared(
    candidates: list[tuple[str, float]], script: str | None, text: str, declared: str | None
) -> LanguageGuess:
    """Pick among the detector's answers, letting the declared language break ties it cannot."""
    best, confidence = candidates[0] if candidates else (None, 0.0)
    if declared is None or declared == best:
        return LanguageGuess(best, confidence, script)
    declared_prob = dict(candidates).get(declared)
    relatives = _SCRIPT_LANGS.get(script or "")
    if relatives is not None:
        # Close relatives with no telling letters: the detector's split between them
        # is noise on such text, the page's own declaration is not.
        if declared in relatives and not (declared == "ru" and _ru_impossible(text)):
            return LanguageGuess(declared, max(declared_prob or 0.0, _NO_OPINION), script)
        return LanguageGuess(best, confidence, script)
    if declared in _NON_LATIN or confidence >= SURE_PROBABILITY:
        return LanguageGuess(best, confidence, script)
    if declared_prob is None and confidence >= _NO_OPINION:
        return LanguageGuess(best, confidence, script)  # the detector ruled the declared language out
    return LanguageGuess(declared, max(declared_prob or 0.0, confidence), script)

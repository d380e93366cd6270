"""Cyrillic and Arabic to Latin, and a sound key that lets a name match across scripts. Pure.

Content linking compares named entities across editions: "Бенали", "Benali" and "بنعلي" are one
runner. Transliteration alone cannot make them equal (Arabic writes no short vowels, Russian
declines names, every press service has its own romanisation), so names are compared by a
*consonant key*: transliterate, fold the sounds that scripts confuse (v/f, p/b, q/k, zh/j/g, z/s ...),
drop vowels and the letters that act as vowels (h, w, y, Arabic ain and hamza), collapse doubles.
"Кузьмина", "Kuzmina" and "كوزمينا" all give "ksmn".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Russian, Ukrainian, Belarusian, Serbian, Macedonian, Bulgarian and Kazakh letters; a simple
# BGN/PCGN-like romanisation (what English-language editions of these agencies mostly use).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dzh", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ә": "a", "ғ": "gh",
    "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip

# Arabic letters plus the Persian and Urdu additions; long vowels as their consonant letters,
# which the sound key treats as vowels anyway.
_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "'", "ؤ": "'", "ئ": "'", "ب": "b",
    "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "'", "غ": "gh", "ف": "f",
    "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w", "ي": "y",
    "ى": "a", "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "y", "ۀ": "h", "ڤ": "v",
    "ڨ": "g", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ھ": "h", "ے": "e",
}  # fmt: skip

# Harakat, tanwin, shadda, sukun, superscript alef and tatweel carry no consonant.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

# Latin letters that NFKD does not decompose.
_LATIN_EXTRA = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}

_TABLE = str.maketrans({**_CYRILLIC, **_ARABIC, **_LATIN_EXTRA})

# One pass over a lower-case Latin word, longest spelling first, so that a replacement is never
# read again. Each sound class becomes one letter; vowels and vowel-like letters vanish.
_SOUNDS = {
    **dict.fromkeys(("tsch", "tch", "tsh", "ch"), "c"),  # ч, تش, German tsch
    **dict.fromkeys(("shch", "sch", "sh"), "x"),  # ш, щ, ش
    # ж, ج, г and غ meet: Egypt reads ج as g ("Niugini", نيوجيني) and غ stands for г (Oleg, أوليغ)
    **dict.fromkeys(("dzh", "dj", "zh", "j", "gh", "g"), "j"),
    **dict.fromkeys(("kh", "ck", "q", "c", "k"), "k"),  # х, خ, ق
    **dict.fromkeys(("ph", "f", "v"), "f"),  # Arabic has no v: ф, в and ف meet on f
    **dict.fromkeys(("th", "t"), "t"),
    **dict.fromkeys(("dh", "d"), "d"),
    **dict.fromkeys(("p", "b"), "b"),  # Arabic has no p
    "x": "ks",
    "z": "s",  # a voiced s is written z or s ("Micronesia", "Микронезия", ميكرونيسيا)
    **dict.fromkeys("aeiouywh'", ""),
}
_SOUND_RE = re.compile("|".join(sorted(_SOUNDS, key=len, reverse=True)))
_NOT_LETTER = re.compile(r"[^a-z']+")
_DOUBLES = re.compile(r"(.)\1+")


def to_latin(text: str) -> str:
    """Lower-case Latin transliteration of ``text``: Cyrillic and Arabic romanised, Latin
    diacritics removed; other scripts pass through unchanged."""
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text).lower()).translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65_536)
def sound_key(word: str) -> str:
    """The consonant skeleton of one word, for matching names across scripts ("" when none).

    Only Latin letters survive: a word of another script (CJK, Greek ...) gives "".
    """
    latin = _NOT_LETTER.sub("", to_latin(word))
    return _DOUBLES.sub(r"\1", _SOUND_RE.sub(lambda m: _SOUNDS[m.group()], latin))

"""langdetect's Detector with its per-character preparation done faster, and the same answers.

langdetect spends most of its time preparing text in pure Python, one method call per character:
collapsing spaces, counting scripts, normalising characters and cutting n-grams. The trials that
follow draw n-grams at random from that list, so the list must be exactly the same, in the same order:
these overrides build it with the same rules, with each character normalised once per process and the
scanning done in regular expressions where one suffices.
"""

from __future__ import annotations

import re

from langdetect.detector import Detector
from langdetect.utils.ngram import NGram

_SPACES = re.compile(" {2,}")
# langdetect's Latin test is the code-point range A..z, which also holds [ \ ] ^ _ and `.
_LATIN = re.compile("[A-z]")
# langdetect means to leave out Latin Extended Additional here, but compares a block number with a block
# name: every character from U+0300 up counts as non-Latin, and so it does here.
_FROM_COMBINING = re.compile("[\u0300-\U0010ffff]")

_normalized: dict[str, str] = {}


def _normal(char: str) -> str:
    found = _normalized.get(char)
    if found is None:
        found = _normalized[char] = NGram.normalize(char)
    return found


class FastDetector(Detector):  # type: ignore[misc]
    text: str

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        text = self.text
        latin = len(_LATIN.findall(text))
        others = len(_FROM_COMBINING.findall(text))
        if latin * 2 < others:
            self.text = _LATIN.sub("", text)

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        normalized = _normalized
        result: list[str] = []
        add = result.append
        grams = " "
        capital = False
        text = self.text
        for raw in text:
            char = normalized.get(raw) or _normal(raw)
            last = grams[-1]
            if last == " ":
                if char == " ":
                    grams, capital = " ", False
                    continue
                grams = " " + char
            else:
                grams = (grams[1:] if len(grams) >= 3 else grams) + char
            if char.isupper():
                if last.isupper():
                    capital = True
                    continue
            else:
                capital = False
            if capital:
                continue
            # The 1-, 2- and 3-grams ending here (langdetect's N_GRAM is 3); a lone space is none.
            if char != " " and char in known:
                add(char)
            size = len(grams)
            if size >= 2:
                if grams[-2:] in known:
                    add(grams[-2:])
                if size >= 3 and grams in known:
                    add(grams)
        return result

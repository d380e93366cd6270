"""langdetect's Detector with its per-character preparation done faster, its profiles held compactly, and
the same answers.

langdetect spends most of its time preparing text in pure Python, one method call per character:
collapsing spaces, counting scripts, normalising characters and cutting n-grams. The trials that
follow draw n-grams at random from that list, so the list must be exactly the same, in the same order:
these overrides build it with the same rules, with each character normalised once per process and the
scanning done in regular expressions where one suffices.

Its profiles give each of ~88k n-grams a list of 55 probabilities, of which two on average are not
zero (about 45 MiB of zeros). :class:`CompactProfiles` keeps only those, and the trial step multiplies
as langdetect does (``p * (weight + 0.0)`` is ``p * weight``), so every probability comes out the same.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class CompactProfiles:
    """What a DetectorFactory holds, with each n-gram's non-zero probabilities as (index, p, index, p ...)."""

    langlist: list[str]
    word_lang_prob_map: dict[str, tuple[Any, ...]]
    seed: int | None

    @classmethod
    def load(cls, directory: str, seed: int | None) -> CompactProfiles:
        """The profiles in ``directory``, read in the order and with the arithmetic of DetectorFactory.load_profile."""
        langlist: list[str] = []
        sparse: dict[str, list[Any]] = {}
        for filename in os.listdir(directory):
            path = os.path.join(directory, filename)
            if filename.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as file:
                profile = json.load(file)
            index = len(langlist)
            langlist.append(profile["name"])
            n_words = profile["n_words"]
            for word, count in profile["freq"].items():
                entry = sparse.setdefault(word, [])
                if 1 <= len(word) <= 3:
                    entry += (index, 1.0 * count / n_words[len(word) - 1])
        return cls(langlist, {word: tuple(entry) for word, entry in sparse.items()}, seed)

    def get_lang_list(self) -> list[str]:
        return list(self.langlist)


class FastDetector(Detector):  # type: ignore[misc]
    """A Detector over :class:`CompactProfiles` (given where langdetect takes its factory)."""

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

    def _update_lang_prob(self, prob: list[float], word: str | None, alpha: float) -> bool:
        entry = self.word_lang_prob_map.get(word) if word is not None else None
        if entry is None:
            return False
        weight = alpha / self.BASE_FREQ
        found = [(entry[k], prob[entry[k]] * (weight + entry[k + 1])) for k in range(0, len(entry), 2)]
        prob[:] = [value * weight for value in prob]
        for index, value in found:
            prob[index] = value
        return True

"""crawler.extract.ngram_detector: the faster preparation and the compact profiles give exactly langdetect's
text, n-grams and probabilities."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from crawler.extract.language import _profiles
from crawler.extract.ngram_detector import FastDetector

# Every kind of character the preparation treats apart: ASCII letters and the symbols between Z and a,
# capitals, runs of spaces, Latin-1 and Romanian letters, Vietnamese marks, Latin Extended Additional,
# Cyrillic, Arabic and Persian letters and digits, CJK, kana, hangul, URLs and e-mail addresses.
ALPHABET = "aAbZz  \t\n.,-_[]`^ёЁыЖжÀàǅǆşțș\u1ea0\u1e00ệ\u0301\u0300ابةپی۰٣漢字かカ한 http://x.y/ q@w.e 12"


@cache
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def test_compact_profiles_hold_every_ngram_and_every_probability_that_is_not_zero() -> None:
    dense, compact = _factory(), _profiles()
    assert compact.langlist == dense.langlist
    assert compact.word_lang_prob_map.keys() == dense.word_lang_prob_map.keys()
    for word, values in dense.word_lang_prob_map.items():
        entry = compact.word_lang_prob_map[word]
        assert dict(zip(entry[::2], entry[1::2], strict=True)) == {i: p for i, p in enumerate(values) if p}


def _prepared(detector: Detector, text: str) -> tuple[str, str, list[str]]:
    detector.append(text)
    appended = detector.text
    detector.cleaning_text()
    return appended, detector.text, detector._extract_ngrams()


def _probabilities(detector: Detector, text: str) -> list[tuple[str, float]]:
    detector.append(text)
    return [(found.lang, found.prob) for found in detector.get_probabilities()]


def _same_everywhere(texts: list[str]) -> None:
    for text in texts:
        assert _prepared(FastDetector(_profiles()), text) == _prepared(Detector(_factory()), text), text[:80]


def test_random_mixtures_of_scripts_prepare_alike() -> None:
    rng = random.Random(11)
    _same_everywhere(["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 300))) for _ in range(1500)])


def test_realworld_texts_prepare_alike_and_get_the_same_probabilities(realworld: Path) -> None:
    texts = [
        record[field]
        for truth in sorted(realworld.glob("*/groundtruth.json"))
        for record in json.loads(truth.read_text(encoding="utf-8"))
        for field in ("title", "body")
        if record.get(field)
    ]
    _same_everywhere(texts)
    for text in texts[:80]:
        assert _probabilities(FastDetector(_profiles()), text[:5000]) == _probabilities(
            Detector(_factory()), text[:5000]
        )


def test_priors_and_mixed_texts_get_the_same_probabilities() -> None:
    rng = random.Random(5)
    allowed = {"ru": 1.0, "uk": 1.0, "bg": 1.0}
    for _ in range(40):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(20, 400)))
        fast, plain = FastDetector(_profiles()), Detector(_factory())
        assert _probabilities(fast, text) == _probabilities(plain, text)
        fast, plain = FastDetector(_profiles()), Detector(_factory())
        fast.set_prior_map(allowed)
        plain.set_prior_map(allowed)
        assert _probabilities(fast, text) == _probabilities(plain, text)

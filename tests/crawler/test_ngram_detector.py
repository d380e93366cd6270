"""crawler.extract.ngram_detector: the faster preparation gives langdetect exactly the same text and n-grams."""

from __future__ import annotations

import json
import random
from pathlib import Path

from langdetect.detector import Detector

from crawler.extract.language import _factory
from crawler.extract.ngram_detector import FastDetector

# Every kind of character the preparation treats apart: ASCII letters and the symbols between Z and a,
# capitals, runs of spaces, Latin-1 and Romanian letters, Vietnamese marks, Latin Extended Additional,
# Cyrillic, Arabic and Persian letters and digits, CJK, kana, hangul, URLs and e-mail addresses.
ALPHABET = "aAbZz  \t\n.,-_[]`^ёЁыЖжÀàǅǆşțș\u1ea0\u1e00ệ\u0301\u0300ابةپی۰٣漢字かカ한 http://x.y/ q@w.e 12"


def _prepared(detector: Detector, text: str) -> tuple[str, str, list[str]]:
    detector.append(text)
    appended = detector.text
    detector.cleaning_text()
    return appended, detector.text, detector._extract_ngrams()


def _same_everywhere(texts: list[str]) -> None:
    factory = _factory()
    for text in texts:
        assert _prepared(FastDetector(factory), text) == _prepared(Detector(factory), text), text[:80]


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
    factory = _factory()
    for text in texts[:60]:
        fast, plain = FastDetector(factory), Detector(factory)
        fast.append(text[:5000])
        plain.append(text[:5000])
        assert [(p.lang, p.prob) for p in fast.get_probabilities()] == [
            (p.lang, p.prob) for p in plain.get_probabilities()
        ]

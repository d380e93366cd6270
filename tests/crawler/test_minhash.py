"""crawler.dedup.minhash: signatures and band parameters are datasketch's (stored signatures stay comparable)."""

from __future__ import annotations

import random
import zlib
from typing import Any

import numpy as np
import pytest

from crawler.dedup.fingerprints import NUM_PERM, SEED, shingles, signature, similarity
from crawler.dedup.minhash import lsh_params, minhash, permutations
from crawler.dedup.near_index import MemoryIndex


def _random_words(rng: random.Random, count: int) -> list[str]:
    return [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzабвгдеёжзиклмн") for _ in range(rng.randint(1, 9)))
        for _ in range(count)
    ]


@pytest.fixture(scope="module")
def datasketch() -> Any:
    return pytest.importorskip("datasketch")


def test_signatures_are_datasketchs_affine32_ones(datasketch: Any) -> None:
    rng = random.Random(7)
    a, b = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    assert (permutations(NUM_PERM, SEED)[0] == a).all() and (permutations(NUM_PERM, SEED)[1] == b).all()
    for size in (1, 2, 10, 500, 4000):
        members = [" ".join(_random_words(rng, 5)).encode() for _ in range(size)]
        theirs = datasketch.MinHash(
            num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, permutations=(a, b), scheme="affine32"
        )
        theirs.update_batch(members)
        ours = minhash([zlib.crc32(member) for member in members], NUM_PERM, SEED)
        assert ours.dtype == np.uint32
        assert (ours == theirs.hashvalues.astype(np.uint32)).all()


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.45, 0.5, 0.6, 0.75, 0.8])
def test_band_parameters_are_the_ones_datasketch_chooses(datasketch: Any, threshold: float) -> None:
    lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    assert lsh_params(threshold, NUM_PERM) == (lsh.b, lsh.r)


def test_a_signature_estimates_the_jaccard_similarity_of_the_shingles() -> None:
    rng = random.Random(3)
    words = _random_words(rng, 600)
    text = " ".join(words)
    edited = " ".join(words[:450] + _random_words(rng, 150))
    first, second = shingles(text), shingles(edited)
    exact = len(first & second) / len(first | second)
    one, other = signature(text), signature(edited)
    assert one is not None and other is not None
    assert abs(similarity(one, other) - exact) < 0.15


def test_the_memory_index_finds_a_shared_band_and_forgets_a_discarded_article() -> None:
    from crawler.dedup.near_index import Entry

    rng = random.Random(5)
    text = " ".join(_random_words(rng, 300))
    values = signature(text)
    copy = signature(text + " " + " ".join(_random_words(rng, 10)))
    other = signature(" ".join(_random_words(rng, 300)))
    assert values is not None and copy is not None and other is not None
    index = MemoryIndex.__new__(MemoryIndex)
    MemoryIndex.__init__(index, database=None, threshold=0.5)  # type: ignore[arg-type]
    index.add(Entry(1, 10, "en", values))
    index.add(Entry(2, 11, "en", other))
    index.add(Entry(3, 12, "en", values))
    assert set(index.candidates("en", copy)) == {10, 12}
    assert index.candidates("ru", copy) == {}
    index.discard(10)
    assert set(index.candidates("en", copy)) == {12}
    index.discard(12)
    assert index.candidates("en", copy) == {}
    assert set(index.candidates("en", other)) == {11}

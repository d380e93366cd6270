"""Content fingerprints: pure functions, no I/O.

Two fingerprints per text: a SHA-256 of the normalised body (exact copies) and a MinHash signature over
word shingles of title and body (near copies: a sentence added or dropped, a new headline, an agency's
boilerplate appended). Signatures are plain ``uint32`` arrays so that they can be stored as bytes in
the database or Redis and compared without unpickling anything.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from functools import lru_cache

import numpy as np

from crawler.dedup.minhash import Signature as Signature  # the type every user of fingerprints names
from crawler.dedup.minhash import minhash
from crawler.extract.dates import fold_digits

_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")

SHINGLE_SIZE = 5
"""Words per shingle: long enough that two different articles on one story share few shingles."""
NUM_PERM = 128
"""MinHash permutations: the similarity estimate's standard error is about 0.04 near 0.5."""
MIN_SHINGLES = 10
"""Below this a text is too short for a similarity estimate to mean anything; only exact copies count."""
SEED = 1
METHOD = f"minhash-affine32-crc32-w{SHINGLE_SIZE}-p{NUM_PERM}-s{SEED}"
"""Names how signatures are made; stored with each one, so a change of method never mixes signatures."""


def normalize_text(text: str) -> str:
    """The form two copies of one text share: NFKC, digits folded, case and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = fold_digits(text).casefold()
    return _WHITESPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    """Word tokens of the normalised text; punctuation and quote styles do not count."""
    return _WORD.findall(normalize_text(text))


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of ``size``-word windows of ``text``; a text shorter than that is one shingle."""
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (what a signature estimates)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def fingerprint_text(title: str | None, body: str) -> str:
    """What the signature covers: a changed headline is a small edit, not a different article."""
    return f"{title}\n\n{body}" if title else body


@lru_cache(maxsize=256)
def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``'s shingles, or None when it has too few to compare.

    Cached: the dedupe step computes it and the store step saves the same one.
    CRC-32 hashes the shingles (fast and the same in every process); the affine32 scheme
    (:mod:`crawler.dedup.minhash`) mixes the values before permuting them.
    """
    found = shingles(text)
    if len(found) < MIN_SHINGLES:
        return None
    values = minhash([zlib.crc32(s.encode("utf-8")) for s in found], NUM_PERM, SEED)
    values.flags.writeable = False
    return values


def similarity(a: Signature, b: Signature) -> float:
    """The Jaccard similarity two signatures estimate: the share of equal minima."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(values: Signature) -> bytes:
    return values.astype("<u4", copy=False).tobytes()


def from_bytes(data: bytes) -> Signature:
    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"a signature has {NUM_PERM} values, got {len(values)}")
    return values

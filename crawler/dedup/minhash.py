"""MinHash signatures and LSH band parameters in numpy alone.

The values are those of datasketch's ``affine32`` scheme (the same seeded permutations, MurmurHash3
finaliser and affine maps mod 2^32), so signatures stored before stay comparable; importing datasketch
would also load scipy, for one integral, at a cost of about 90 MiB per crawl process.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]

# MurmurHash3's 32-bit finaliser: a bijection that spreads weakly mixed input hashes before the affine maps.
_FMIX_SHIFTS = (16, 13, 16)
_FMIX_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


@lru_cache(maxsize=4)
def permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The affine maps ``h -> a*h + b mod 2^32`` (``a`` odd, so each is a bijection), drawn from ``seed``."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    values = values ^ (values >> np.uint32(_FMIX_SHIFTS[0]))
    values = values * _FMIX_MULTIPLIERS[0]
    values = values ^ (values >> np.uint32(_FMIX_SHIFTS[1]))
    values = values * _FMIX_MULTIPLIERS[1]
    return values ^ (values >> np.uint32(_FMIX_SHIFTS[2]))


def minhash(hashes: Sequence[int], num_perm: int, seed: int) -> Signature:
    """The signature of a set given as 32-bit hashes of its members (at least one)."""
    a, b = permutations(num_perm, seed)
    mixed = _fmix32(np.array(hashes, dtype=np.uint32).reshape(-1, 1))
    values: Signature = (mixed * a + b).min(axis=0)
    return values


@lru_cache(maxsize=8)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) with the least false positives plus false negatives around ``threshold``,
    equally weighted: datasketch's choice. The integrands are polynomials of degree at most ``num_perm``,
    which Gauss-Legendre quadrature with that many nodes integrates exactly."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 2)

    def integral(bands: int, rows: int, low: float, high: float, *, above: bool) -> float:
        s = (high - low) / 2 * nodes + (high + low) / 2
        collision = 1 - (1 - s ** float(rows)) ** float(bands)
        return float((high - low) / 2 * np.sum(weights * (1 - collision if above else collision)))

    best, chosen = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = integral(bands, rows, 0.0, threshold, above=False)
            false_negative = integral(bands, rows, threshold, 1.0, above=True)
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, chosen = error, (bands, rows)
    return chosen

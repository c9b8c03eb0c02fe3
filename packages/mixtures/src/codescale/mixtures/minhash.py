"""MinHash signatures and LSH band keys for near-duplicate detection: datasketch's scheme, computed in the workers.

The model is datasketch's (``datasketch.MinHash`` with its default ``affine32`` scheme, ``datasketch.MinHashLSH``
for the banding): a document is the set of its word n-grams (``shingles.py``, 5 words by default, as BigCode did for
The Stack and StarCoder); each shingle's 32-bit hash is mixed with the MurmurHash3 finalizer and sent through
``num_perm`` affine permutations ``a * h + b mod 2^32`` whose parameters come from ``datasketch.MinHash(num_perm,
seed)``; the signature keeps each permutation's minimum. So a signature here equals
``datasketch.MinHash(num_perm, seed, hashfunc=...).update_batch(shingles)`` bit for bit (a test checks it). It is
computed here rather than by ``update_batch`` for two reasons measured on this corpus: a worker then never imports
datasketch, whose package import pulls in scipy (0.7 s of CPU and 45 MB per worker process), and the shingles x
permutations matrix is built a block of 1,024 shingles at a time, where ``update_batch`` builds it for a whole
document (1 GB for a 4 MB one). The speed is the same (0.08 s per 1,000 documents either way).

LSH: ``datasketch.MinHashLSH(threshold, num_perm)`` picks ``bands`` x ``rows`` minimising the weighted false
positive and negative probabilities at the threshold; a document's key in band ``i`` is a 64-bit hash of signature
values ``i*rows .. (i+1)*rows``. Two documents are near-duplicate candidates when they share a key in any band — the
same rule as ``MinHashLSH.query`` — and ``dedup.py`` finds those pairs over the whole corpus with DuckDB.

datasketch is only imported where the parameters are made (:func:`lsh_parameters`, once per prepare, in the driver);
workers get plain arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from codescale.mixtures.shingles import fmix64

SEED = 1
"""datasketch's default MinHash seed (it fixes the permutations, so signatures are comparable across runs)."""
_BLOCK = 1024  # shingles per numpy block: the block x num_perm uint32 matrix stays in cache (a 3x speed-up)
_EMPTY = np.uint32(0xFFFFFFFF)
_Q = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class LshParameters:
    num_perm: int
    bands: int
    rows: int
    a: np.ndarray
    """uint32 multipliers of the permutations (odd)."""
    b: np.ndarray
    """uint32 offsets of the permutations."""


@functools.lru_cache(maxsize=16)
def lsh_parameters(threshold: float, num_perm: int) -> LshParameters:
    """The permutations and the banding datasketch uses for ``threshold`` and ``num_perm`` (default weights)."""
    from datasketch import MinHash, MinHashLSH

    from codescale.core.errors import CodescaleError

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    except ValueError as err:  # e.g. a threshold so high that fewer than two bands fit
        raise CodescaleError(
            f"no LSH banding for threshold {threshold} with {num_perm} permutations ({err})",
            field="dedup.threshold",
            hint="lower dedup.threshold or raise dedup.num_perm",
        ) from None
    a, b = MinHash(num_perm=num_perm, seed=SEED).permutations
    return LshParameters(
        num_perm, int(lsh.b), int(lsh.r), np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)
    )


def _fmix32(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def shingle_hash32(ngram_hashes: np.ndarray) -> np.ndarray:
    """The 32-bit value a shingle feeds to MinHash (datasketch's ``hashfunc`` output): the n-gram hash's top bits."""
    return (ngram_hashes >> np.uint64(32)).astype(np.uint32)


def signatures(shingles: np.ndarray, document: np.ndarray, documents: int, params: LshParameters) -> np.ndarray:
    """uint32 ``[documents, num_perm]`` signatures; ``shingles`` (32-bit) must be grouped by ``document``
    (non-decreasing). A document without shingles keeps the empty signature (all ``0xFFFFFFFF``)."""
    out = np.full((documents, params.num_perm), _EMPTY, dtype=np.uint32)
    if len(shingles) == 0:
        return out
    mixed = _fmix32(shingles.astype(np.uint32, copy=False))
    block = np.empty((_BLOCK, params.num_perm), dtype=np.uint32)
    a, b = params.a[None, :], params.b[None, :]
    for start in range(0, len(mixed), _BLOCK):
        stop = min(len(mixed), start + _BLOCK)
        values = block[: stop - start]
        with np.errstate(over="ignore"):
            np.multiply(mixed[start:stop, None], a, out=values)
            np.add(values, b, out=values)
        owners = document[start:stop]
        firsts = np.flatnonzero(np.concatenate([[True], owners[1:] != owners[:-1]]))
        minima = np.minimum.reduceat(values, firsts, axis=0)
        rows = owners[firsts]
        np.minimum(out[rows], minima, out=minima)  # a document split over two blocks
        out[rows] = minima
    return out


def band_keys(sigs: np.ndarray, params: LshParameters) -> np.ndarray:
    """uint64 ``[documents, bands]``: one 64-bit key per LSH band of each signature."""
    used = sigs[:, : params.bands * params.rows].astype(np.uint64).reshape(len(sigs), params.bands, params.rows)
    with np.errstate(over="ignore"):
        keys = used[:, :, 0].copy()
        for r in range(1, params.rows):
            keys *= _Q
            keys += used[:, :, r]
    return fmix64(keys)

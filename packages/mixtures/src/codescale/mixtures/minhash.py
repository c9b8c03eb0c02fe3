"""MinHash signatures and LSH band keys for near-duplicate detection, computed by datasketch.

A document is the set of its word n-grams (``shingles.py``, 5 words by default, as BigCode did for The Stack and
StarCoder). Its signature is ``datasketch.MinHash(num_perm, seed=1)`` updated with its shingles' 32-bit hashes
(``hashfunc`` is the identity: the shingles are hashed already, deterministically), datasketch's default ``affine32``
scheme. ``datasketch.MinHashLSH(threshold, num_perm)`` picks ``bands`` x ``rows`` minimising the weighted false
positive and negative probabilities at the threshold; a document's key in band ``i`` is a 64-bit hash of signature
values ``i*rows .. (i+1)*rows``. Two documents are near-duplicate candidates when they share a key in any band — the
rule of ``MinHashLSH.query`` — and ``dedup.py`` finds those pairs over the whole corpus with DuckDB, where an
in-memory ``MinHashLSH`` index would grow with the corpus.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from codescale.mixtures.shingles import fmix64

SEED = 1
"""datasketch's default MinHash seed (it fixes the permutations, so signatures are comparable across runs)."""
_Q = np.uint64(0x9E3779B97F4A7C15)
SHINGLES_PER_CALL = 4096
"""update_batch builds a shingles x num_perm matrix: feeding a long document in slices keeps it to 4 MiB at 256
permutations, whatever the document's length (the minima accumulate across calls)."""


@dataclass(frozen=True)
class LshParameters:
    num_perm: int
    bands: int
    rows: int


@functools.lru_cache(maxsize=16)
def lsh_parameters(threshold: float, num_perm: int) -> LshParameters:
    """The banding datasketch uses for ``threshold`` and ``num_perm`` (its default false positive/negative weights)."""
    from datasketch import MinHashLSH

    from codescale.core.errors import CodescaleError

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    except ValueError as err:  # e.g. a threshold so high that fewer than two bands fit
        raise CodescaleError(f"no LSH banding for threshold {threshold} with {num_perm} permutations ({err})",
                             field="dedup.threshold", hint="lower dedup.threshold or raise dedup.num_perm") from None
    return LshParameters(num_perm, int(lsh.b), int(lsh.r))


def shingle_hash32(ngram_hashes: np.ndarray) -> np.ndarray:
    """The 32-bit value a shingle feeds to MinHash (datasketch's ``hashfunc`` output): the n-gram hash's top bits."""
    return (ngram_hashes >> np.uint64(32)).astype(np.uint32)


@functools.lru_cache(maxsize=4)
def _empty_minhash(num_perm: int):
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=SEED, hashfunc=int)


def signatures(shingles: np.ndarray, document: np.ndarray, documents: int, params: LshParameters) -> np.ndarray:
    """uint32 ``[documents, num_perm]``: each document's ``datasketch.MinHash`` hash values. ``shingles`` (32-bit)
    must be grouped by ``document`` (non-decreasing); a document without shingles keeps the empty signature."""
    out = np.empty((documents, params.num_perm), dtype=np.uint32)
    if documents == 0:
        return out
    empty = _empty_minhash(params.num_perm)
    bounds = np.searchsorted(document, np.arange(1, documents))
    for i, group in enumerate(np.split(shingles, bounds)):
        minhash = empty.copy()  # shares the permutations, fresh hash values
        for start in range(0, len(group), SHINGLES_PER_CALL):
            minhash.update_batch(group[start:start + SHINGLES_PER_CALL].tolist())
        out[i] = minhash.hashvalues
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

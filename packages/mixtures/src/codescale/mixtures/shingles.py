"""Words and word n-grams of a batch of documents, hashed in numpy: what near-dedup and decontamination compare.

A batch is its documents' UTF-8 bytes back to back (:class:`TextBatch`). A *word* is a maximal run of bytes that are
ASCII letters, digits, ``_`` or non-ASCII (so identifiers, numbers and words in any script; punctuation and
whitespace separate words), never crossing a document boundary. Code such as ``total += x * 5`` has the words
``total x 5``: formatting and operators do not matter, identifiers and literals do.

Hashes are 64-bit and the same on every machine and in every process (no Python ``hash``, which is salted): a
word's hash is a polynomial over its first 32 bytes mixed with its length, an n-gram's folds its words' hashes in
order, and both end in the MurmurHash3 finalizer. Everything is vectorised over the batch — no Python loop per
word or per document — so hashing costs a few numpy passes over the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_WORD_BYTES = np.zeros(256, dtype=bool)
_WORD_BYTES[[*b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"]] = True
_WORD_BYTES[0x80:] = True
WORD_PREFIX = 32
"""Bytes of a word that enter its hash (with its length): long identifiers rarely differ only after 32 bytes."""
_M = np.uint64(0x100000001B3)
_Q = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_MIX = np.uint64(0xD6E8FEB86659FD93)
with np.errstate(over="ignore"):
    _POWERS = np.cumprod(np.concatenate([[np.uint64(1)], np.full(WORD_PREFIX - 1, _M, dtype=np.uint64)]),
                         dtype=np.uint64)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (a bijection that spreads every input bit), elementwise on uint64."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xFF51AFD7ED558CCD)
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xC4CEB9FE1A85EC53)
        return values ^ (values >> np.uint64(33))


@dataclass
class TextBatch:
    """Documents as one byte array: document ``i`` is ``data[starts[i]:starts[i + 1]]``."""

    data: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, encoded: list[bytes]) -> TextBatch:
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        starts = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), starts)

    @property
    def documents(self) -> int:
        return len(self.starts) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.starts)

    def subset(self, keep: np.ndarray) -> TextBatch:
        """The documents where ``keep`` is true, in order."""
        lengths = self.lengths[keep]
        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        if len(lengths) == 0:
            return TextBatch(np.zeros(0, dtype=np.uint8), starts)
        pieces = [self.data[a:b] for a, b in zip(self.starts[:-1][keep], self.starts[1:][keep])]
        return TextBatch(np.concatenate(pieces), starts)

    def document_of(self, positions: np.ndarray) -> np.ndarray:
        """The document index of each byte position."""
        return np.searchsorted(self.starts, positions, side="right") - 1


@dataclass
class Words:
    hashes: np.ndarray
    """uint64 hash of every word, documents in order."""
    document: np.ndarray
    """int64 document index of every word."""


def words(batch: TextBatch) -> Words:
    """Every word of the batch with its hash and document."""
    data = batch.data
    if data.size == 0:
        return Words(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
    mask = _WORD_BYTES[data]
    boundary = np.zeros(data.size + 1, dtype=bool)
    boundary[batch.starts] = True  # a word never runs across two documents
    starts_flag = mask.copy()
    starts_flag[1:] &= ~mask[:-1] | boundary[1:-1]
    ends_flag = mask.copy()
    ends_flag[:-1] &= ~mask[1:] | boundary[1:-1]
    word_starts = np.flatnonzero(starts_flag)
    word_ends = np.flatnonzero(ends_flag) + 1
    lengths = word_ends - word_starts
    # offset of each word byte inside its word; only the first WORD_PREFIX bytes enter the hash
    word_id = np.cumsum(starts_flag) - 1
    offsets = np.arange(data.size, dtype=np.int64) - word_starts[np.maximum(word_id, 0)]
    hashed = mask & (offsets < WORD_PREFIX)
    with np.errstate(over="ignore"):
        contributions = (data[hashed].astype(np.uint64) + np.uint64(1)) * _POWERS[offsets[hashed]]
        prefix = np.minimum(lengths, WORD_PREFIX)
        first = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(prefix[:-1], out=first[1:])
        hashes = np.add.reduceat(contributions, first) if len(first) else np.zeros(0, dtype=np.uint64)
        hashes = fmix64(hashes ^ (lengths.astype(np.uint64) * _LENGTH_MIX))
    return Words(hashes, batch.document_of(word_starts))


def ngrams(found: Words, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, document)`` of every run of ``n`` consecutive words inside one document."""
    count = len(found.hashes) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    same = found.document[:count] == found.document[n - 1:]
    with np.errstate(over="ignore"):
        folded = found.hashes[:count].copy()
        for k in range(1, n):
            folded *= _Q
            folded += found.hashes[k:k + count]
    return fmix64(folded[same]), found.document[:count][same]


def text_ngrams(texts: list[str], n: int) -> np.ndarray:
    """Sorted distinct hashes of the word n-grams of ``texts`` (an evaluation set, built once)."""
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    hashes, _ = ngrams(words(TextBatch.of([t.encode("utf-8", "replace") for t in texts])), n)
    return np.unique(hashes)

"""Words and word n-grams of a batch of documents, hashed in numpy: what near-dedup and decontamination compare.

A batch is its documents' UTF-8 bytes back to back (:class:`TextBatch`). A *word* is a maximal run of bytes that are
ASCII letters, digits, ``_`` or non-ASCII (so identifiers, numbers and words in any script; punctuation and
whitespace separate words), never crossing a document boundary. Code such as ``total += x * 5`` has the words
``total x 5``: formatting and operators do not matter, identifiers and literals do.

Hashes are 64-bit and the same on every machine and in every process (no Python ``hash``, which is salted): a
word's hash mixes its length with its first, middle and last 8 bytes (all of a word of up to 16 bytes; two
identifiers longer than 24 bytes that differ only outside those windows collide, which near-dedup and
decontamination can afford), an n-gram's folds its words' hashes in order, and both end in the MurmurHash3
finalizer. Everything is vectorised over the batch — no Python loop per word or per document — so hashing costs a
few numpy passes over the bytes plus a few over the words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_WORD_BYTES = np.zeros(256, dtype=bool)
_WORD_BYTES[[*b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"]] = True
_WORD_BYTES[0x80:] = True
_Q = np.uint64(0x9E3779B97F4A7C15)
_MIX = (np.uint64(0xD6E8FEB86659FD93), np.uint64(0xA0761D6478BD642F), np.uint64(0xE7037ED1A0B428DB))


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


def _window(padded: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The 8 bytes at each offset ``at`` of ``padded``, as little-endian uint64."""
    windows = np.lib.stride_tricks.sliding_window_view(padded, 8)
    return np.ascontiguousarray(windows[at]).view("<u8").ravel()


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
    starts = np.flatnonzero(starts_flag)
    lengths = np.flatnonzero(ends_flag) + 1 - starts
    padded = np.concatenate([data, np.zeros(8, dtype=np.uint8)])
    with np.errstate(over="ignore"):
        short = lengths < 8
        keep = np.where(
            short,
            (np.uint64(1) << (lengths.astype(np.uint64) * np.uint64(8) & np.uint64(63))) - np.uint64(1),
            np.uint64(0xFFFFFFFFFFFFFFFF),
        )
        first = _window(padded, starts) & keep
        last = np.where(short, np.uint64(0), _window(padded, np.maximum(starts + lengths - 8, 0)))
        middle = np.where(lengths > 16, _window(padded, starts + (lengths - 8) // 2), np.uint64(0))
        hashes = fmix64(first ^ _MIX[0] * lengths.astype(np.uint64))
        hashes = fmix64(hashes ^ last ^ _MIX[1])
        hashes = fmix64(hashes ^ middle ^ _MIX[2])
    return Words(hashes, batch.document_of(starts))


def ngrams(found: Words, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, document)`` of every run of ``n`` consecutive words inside one document."""
    count = len(found.hashes) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    same = found.document[:count] == found.document[n - 1 :]
    with np.errstate(over="ignore"):
        folded = found.hashes[:count].copy()
        for k in range(1, n):
            folded *= _Q
            folded += found.hashes[k : k + count]
    return fmix64(folded[same]), found.document[:count][same]


def text_ngrams(texts: list[str], n: int) -> np.ndarray:
    """Sorted distinct hashes of the word n-grams of ``texts`` (an evaluation set, built once)."""
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    hashes, _ = ngrams(words(TextBatch.of([t.encode("utf-8", "replace") for t in texts])), n)
    return np.unique(hashes)

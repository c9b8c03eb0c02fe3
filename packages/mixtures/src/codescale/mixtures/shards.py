"""The token shard format: a flat array of token ids plus the offsets where each document starts.

``NAME.bin`` holds the tokens of many documents back to back (uint16 when the vocabulary fits, else uint32, native
little-endian, no header), ``NAME.idx`` holds ``documents + 1`` int64 offsets into it, so document ``i`` is
``tokens[idx[i]:idx[i + 1]]``. Monolingual documents end with the EOS token; parallel and translation documents do
not (the sampler adds separators and EOS when it pairs them).

A shard is written to ``NAME.bin.tmp`` / ``NAME.idx.tmp`` and renamed when complete, so a file without ``.tmp`` is
always whole; the prepared corpus's manifest, written last, is what makes a directory of shards usable at all.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from codescale.core.errors import CodescaleError


def token_dtype(vocab_size: int) -> np.dtype:
    return np.dtype(np.uint16) if vocab_size <= np.iinfo(np.uint16).max + 1 else np.dtype(np.uint32)


class ShardWriter:
    """Appends documents (already concatenated per batch) to one shard; ``close()`` publishes it."""

    def __init__(self, path_stem: Path, dtype: np.dtype) -> None:
        self.bin_path = path_stem.with_suffix(".bin")
        self.idx_path = path_stem.with_suffix(".idx")
        self.dtype = dtype
        self.bin_path.parent.mkdir(parents=True, exist_ok=True)
        self._tokens = open(self._tmp(self.bin_path), "wb")
        self._offsets: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self.tokens = 0
        self.documents = 0

    @staticmethod
    def _tmp(path: Path) -> Path:
        return path.with_name(path.name + ".tmp")

    def append(self, flat_tokens: np.ndarray, lengths: np.ndarray) -> None:
        """Add ``len(lengths)`` documents whose tokens are ``flat_tokens`` back to back."""
        if len(lengths) == 0:
            return
        flat_tokens.astype(self.dtype, copy=False).tofile(self._tokens)
        self._offsets.append(self.tokens + np.cumsum(lengths, dtype=np.int64))
        self.tokens += int(flat_tokens.size)
        self.documents += len(lengths)

    def close(self) -> None:
        self._tokens.flush()
        os.fsync(self._tokens.fileno())
        self._tokens.close()
        np.concatenate(self._offsets).tofile(self._tmp(self.idx_path))
        os.replace(self._tmp(self.bin_path), self.bin_path)
        os.replace(self._tmp(self.idx_path), self.idx_path)

    def abort(self) -> None:
        self._tokens.close()
        for path in (self._tmp(self.bin_path), self._tmp(self.idx_path)):
            path.unlink(missing_ok=True)


def write_shard(path_stem: Path, documents: list[np.ndarray], dtype: np.dtype) -> tuple[int, int]:
    """Write a whole (small) shard at once; returns (documents, tokens)."""
    writer = ShardWriter(path_stem, dtype)
    lengths = np.array([len(d) for d in documents], dtype=np.int64)
    flat = np.concatenate(documents) if documents else np.zeros(0, dtype=dtype)
    writer.append(flat, lengths)
    writer.close()
    return writer.documents, writer.tokens


class Shard:
    """A read-only view of one shard: memmapped tokens and in-memory offsets."""

    def __init__(self, bin_path: Path, dtype: np.dtype) -> None:
        idx_path = bin_path.with_suffix(".idx")
        for path in (bin_path, idx_path):
            if not path.is_file():
                raise CodescaleError(
                    "shard file missing",
                    source=path,
                    hint="the prepared corpus is incomplete; run `codescale data prepare` again",
                )
        self.offsets = np.fromfile(idx_path, dtype=np.int64)
        size = bin_path.stat().st_size // dtype.itemsize
        if len(self.offsets) == 0 or self.offsets[-1] != size:
            raise CodescaleError(
                f"offsets end at {self.offsets[-1] if len(self.offsets) else 'nothing'} but the shard has {size} tokens",
                source=bin_path,
                hint="the prepared corpus is damaged; delete it and run `codescale data prepare` again",
            )
        self.tokens = np.memmap(bin_path, dtype=dtype, mode="r") if size else np.zeros(0, dtype=dtype)

    @property
    def documents(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def document(self, i: int) -> np.ndarray:
        return self.tokens[self.offsets[i] : self.offsets[i + 1]]

"""Parallel pairing: documents made of a program and its translation, as in the paper's §5.

A paired document joins an implementation ``x`` in the source language and its equivalent ``y`` in the target
language from one parallel group:

- ``direct``:  x, a blank line, y, EOS
- ``prompt``:  x, an instruction naming the target (``// Translate the above Java code to Python:``), y, EOS

written as a comment of the source language so the document stays plausible code. The translation evaluation sets
use the ``prompt`` form, since a model trained without pairing still needs to be told which language to write.

Token accounting: ``x`` counts towards (and carries the language id of) the source language; the separator, ``y``
and the EOS count towards the target language. Which groups and directions are used, how many paired tokens a run
gets and how they interleave with monolingual sequences is decided by the sampler (``sampler.py``); this module
defines the documents and builds the table of their pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codescale.core.domains import direction_key, display

TEMPLATES = ("direct", "prompt")
_HASH_COMMENT = {"python"}


def separator_text(template: str, src: str, tgt: str) -> str:
    """The text between ``x`` and ``y`` of a paired document."""
    if template == "direct":
        return "\n\n"
    comment = "#" if src in _HASH_COMMENT else "//"
    return f"\n\n{comment} Translate the above {display(src)} code to {display(tgt)}:\n"


@dataclass
class PairPieces:
    """Every paired document of a run as pieces into one token array.

    Document ``d`` is pieces ``4d .. 4d+3`` (x, separator, y, EOS): ``start``/``length`` index the combined token
    array, ``language`` is the language index each piece's tokens count towards.
    """

    start: np.ndarray  # int64 [4 * documents]
    length: np.ndarray  # int64 [4 * documents]
    language: np.ndarray  # int8 [4 * documents]

    @property
    def documents(self) -> int:
        return len(self.start) // 4

    @property
    def document_lengths(self) -> np.ndarray:
        return self.length.reshape(-1, 4).sum(axis=1)

    def language_tokens(self, n_languages: int) -> np.ndarray:
        """int64 [documents, n_languages]: tokens of each language in each document."""
        table = np.zeros((self.documents, n_languages), dtype=np.int64)
        rows = np.repeat(np.arange(self.documents), 4)
        np.add.at(table, (rows, self.language.astype(np.int64)), self.length)
        return table


def build_pairs(
    offsets: dict[str, np.ndarray],
    bases: dict[str, int],
    separator_bases: dict[str, tuple[int, int]],
    eos_position: int,
    train_groups: np.ndarray,
    directions: list[tuple[str, str]],
    languages: list[str],
) -> PairPieces:
    """The paired documents for ``directions`` over the training groups that hold both sides.

    ``offsets[lang]`` are the parallel shard's document offsets (one document per group, empty when the group lacks
    the language); ``bases[lang]`` is where that shard starts in the combined token array, ``separator_bases[key]``
    the (start, length) of a direction's separator there, and ``eos_position`` a position holding EOS.
    """
    starts, lengths, langs = [], [], []
    for src, tgt in directions:
        x_len = np.diff(offsets[src])[train_groups]
        y_len = np.diff(offsets[tgt])[train_groups]
        groups = train_groups[(x_len > 0) & (y_len > 0)]
        n = len(groups)
        sep_start, sep_len = separator_bases[direction_key(src, tgt)]
        piece_start = np.empty((n, 4), dtype=np.int64)
        piece_len = np.empty((n, 4), dtype=np.int64)
        piece_start[:, 0] = bases[src] + offsets[src][groups]
        piece_len[:, 0] = np.diff(offsets[src])[groups]
        piece_start[:, 1], piece_len[:, 1] = sep_start, sep_len
        piece_start[:, 2] = bases[tgt] + offsets[tgt][groups]
        piece_len[:, 2] = np.diff(offsets[tgt])[groups]
        piece_start[:, 3], piece_len[:, 3] = eos_position, 1
        piece_lang = np.empty((n, 4), dtype=np.int8)
        piece_lang[:, 0] = languages.index(src)
        piece_lang[:, 1:] = languages.index(tgt)
        starts.append(piece_start.ravel())
        lengths.append(piece_len.ravel())
        langs.append(piece_lang.ravel())
    if not starts:
        empty = np.zeros(0, dtype=np.int64)
        return PairPieces(empty, empty.copy(), np.zeros(0, dtype=np.int8))
    return PairPieces(np.concatenate(starts), np.concatenate(lengths), np.concatenate(langs))

"""A prepared corpus, read back: the manifest plus memmapped shards (contracts §2).

Opening one reads ``manifest.json`` through :meth:`codescale.core.contracts.PreparedManifest.read_dir` (refusing a
directory without one, another artifact or an unknown major format version, with the file and the fix) and maps
shards lazily. Everything it hands out is numpy: token arrays are memmaps, batches are ``int64`` arrays ready for
``torch.from_numpy`` in the runner. No tokenizer is loaded here.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from codescale.core.contracts import PreparedManifest
from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError
from codescale.mixtures.shards import Shard

IGNORE_INDEX = -100


class PreparedCorpus:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self.prepared = PreparedManifest.read_dir(self.path)
        self.manifest = self.prepared.to_dict()
        """The manifest as plain data (what ``manifest.json`` holds); :attr:`prepared` is the validated model."""
        self.dtype = np.dtype(self.prepared.dtype)
        self._shards: dict[str, Shard] = {}

    # -- facts ---------------------------------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return int(self.prepared.tokenizer.vocab_size)

    @property
    def tokenizer_dir(self) -> Path:
        return self.path / self.prepared.tokenizer.dir

    @property
    def eos_id(self) -> int:
        eos = self.prepared.tokenizer.eos_id
        if eos is None:  # every corpus `prepare` writes has one; documents are packed with it as the separator
            raise CodescaleError(
                "the prepared corpus's tokenizer has no end-of-document token",
                source=self.path / "manifest.json",
                field="tokenizer.eos_id",
                hint="prepare the corpus again with `codescale data prepare`",
            )
        return int(eos)

    @property
    def pad_id(self) -> int:
        pad = self.prepared.tokenizer.pad_id
        return int(pad if pad is not None else self.eos_id)

    @property
    def languages(self) -> list[str]:
        return list(self.prepared.languages)

    @property
    def content_hash(self) -> str:
        return self.prepared.content_hash

    def shard(self, relative: str) -> Shard:
        if relative not in self._shards:
            self._shards[relative] = Shard(self.path / relative, self.dtype)
        return self._shards[relative]

    def split(self, lang: str, split: str) -> Shard:
        """The one shard of a language's split (``train`` or ``valid``)."""
        if lang not in self.prepared.languages:
            raise CodescaleError(
                f"language {lang!r} is not in this prepared corpus (it has {', '.join(self.languages)})",
                source=self.path,
                hint="add the language to the corpus catalog and prepare again, or drop it from the mixture",
            )
        shards = self.prepared.languages[lang][split].shards
        if len(shards) != 1:
            raise CodescaleError(
                f"{lang}/{split} has {len(shards)} shards; this codescale reads one per split",
                source=self.path,
                hint="prepare the corpus with this codescale",
            )
        return self.shard(shards[0])

    def tokens(self, lang: str, split: str = "train") -> np.ndarray:
        """All tokens of a language's split, documents back to back, each ending in EOS (a memmap)."""
        return self.split(lang, split).tokens

    @cached_property
    def translation_directions(self) -> list[tuple[str, str]]:
        return [tuple(key.split("->")) for key in self.prepared.translation]  # type: ignore[misc]

    # -- evaluation batches --------------------------------------------------------------------------------------
    def validation_batches(self, lang: str, seq_len: int, max_sequences: int) -> np.ndarray:
        """Held-out documents of ``lang`` packed into at most ``max_sequences`` rows of ``seq_len + 1`` tokens.

        Rows are consecutive, non-overlapping windows of the validation stream (documents in file order, EOS
        between them), so the same corpus always gives the same batches.
        """
        stream = self.tokens(lang, "valid")
        rows = min(max_sequences, len(stream) // (seq_len + 1))
        if rows == 0:
            raise CodescaleError(
                f"{lang} has {len(stream)} validation tokens, fewer than one sequence of {seq_len + 1}",
                source=self.path,
                field=f"languages.{lang}.valid",
                hint="raise validation.fraction in the catalog and prepare again, or use a shorter seq_len",
            )
        return np.asarray(stream[: rows * (seq_len + 1)], dtype=np.int64).reshape(rows, seq_len + 1)

    def translation_examples(
        self, src: str, tgt: str, seq_len: int, max_examples: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(inputs, labels)``, each ``int64[n, seq_len]``: source then target, loss on the target only.

        An example is the source program with the prompt naming the target language, then the target program and
        EOS. ``labels[i]`` is the token after ``inputs[i]``; it is ``-100`` where that token belongs to the source
        side and on padding. A too-long example keeps the end of its source (at least half the window when the
        source is that long) and the start of its target.
        """
        key = direction_key(src, tgt)
        facts = self.prepared.translation.get(key)
        if facts is None:
            known = ", ".join(self.prepared.translation) or "none"
            raise CodescaleError(
                f"no translation eval set for {key} (this corpus has {known})",
                source=self.path,
                hint="add both languages to the catalog (and the eval tasks) and prepare again",
            )
        shard = self.shard(facts.file)
        n = min(max_examples, shard.documents // 2)
        inputs = np.full((n, seq_len), self.pad_id, dtype=np.int64)
        labels = np.full((n, seq_len), IGNORE_INDEX, dtype=np.int64)
        for i in range(n):
            source = shard.document(2 * i)
            target = shard.document(2 * i + 1)
            # a too-long example keeps at least half the window of source context (its end: the prompt)
            target = target[: seq_len + 1 - min(len(source), (seq_len + 1) // 2)]
            source = (
                source[len(source) - (seq_len + 1 - len(target)) :]
                if len(source) + len(target) > seq_len + 1
                else source
            )
            example = np.concatenate([source, target]).astype(np.int64)
            width = len(example) - 1
            inputs[i, :width] = example[:-1]
            labels[i, :width] = example[1:]
            labels[i, : len(source) - 1] = IGNORE_INDEX
        return inputs, labels

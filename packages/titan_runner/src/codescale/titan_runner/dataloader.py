"""A torchtitan dataloader fed by the ``codescale.mixtures`` sampler.

The Trainer builds its dataloader from ``Trainer.Config.dataloader`` with
``config.build(dp_world_size=, dp_rank=, tokenizer=, seq_len=, local_batch_size=, snapshot_every_n_steps=)``.
Compiled jobs render ``MixtureDataLoader.Config(manifest="<run_dir>/mixture.json")``: the manifest names the
prepared corpus, the languages (their order is the language index) and the exact per-language token quotas, so the
config needs nothing else. The tokenizer the Trainer passes is not used: the corpus is already tokenised with the
same tokenizer the Trainer loads from ``hf_assets_path``.

Each item is ``({"input": LongTensor[B, L], "positions": LongTensor[B, L]}, labels LongTensor[B, L])`` with labels
already shifted and -100 where a token must not count. ``positions`` restart at 0 after every end-of-document token
(and at a BOS token), as torchtitan's own text loader does: RoPE uses them, and FlexAttention builds its
per-document causal mask from them (on the CPU, SDPA is plainly causal and only RoPE uses them).

Languages. Each label token's language cannot travel in the input dict (its extra keys become model forward kwargs),
so with ``language_label_stride`` set the labels carry it: ``token + language * stride``, -100 unchanged
(:func:`codescale.titan_runner.loss.encode_language_labels`; the job's
:class:`~codescale.titan_runner.loss.LanguageCrossEntropy` decodes them on the device). Without it the labels are
plain token ids. The loader announces itself to the run's
:class:`~codescale.titan_runner.recording.RunMetrics`, which reads the sampler's token counts per language.

Resume: the loader's state is the sampler's state (plain ints and lists), saved by torchtitan's checkpointer under
``dataloader`` at every checkpoint step. The Trainer pulls batches lazily (no prefetch), so the state at save time
is exactly "the batches the finished steps consumed"; loading it replays the same data order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torchtitan.components.dataloader import BaseDataLoader

from codescale.core.contracts import MixtureManifest, PreparedManifest
from codescale.core.errors import CodescaleError
from codescale.titan_runner import recording
from codescale.titan_runner.loss import encode_language_labels


def load_manifest(path: str | Path) -> MixtureManifest:
    """Read a run's ``mixture.json`` (the core contract's reader); it must name a prepared corpus."""
    manifest = MixtureManifest.read(path, hint="compile the spec first: codescale compile SPEC -o OUT")
    if not manifest.prepared:
        raise CodescaleError(
            "the mixture names no prepared corpus",
            source=path,
            field="prepared",
            hint="compile with --corpus CATALOG --prepared DIR so the run knows its token shards",
        )
    return manifest


def document_positions(input_ids: np.ndarray, eos_id: int | None, bos_id: int | None = None) -> np.ndarray:
    """Position of each token within its packed document: 0 after an EOS token and at a BOS token."""
    n_rows, length = input_ids.shape
    index = np.broadcast_to(np.arange(length, dtype=np.int64), (n_rows, length))
    boundary = np.zeros((n_rows, length), dtype=bool)
    if eos_id is not None:
        boundary[:, 1:] = input_ids[:, :-1] == eos_id
    if bos_id is not None:
        boundary |= input_ids == bos_id
    starts = np.where(boundary, index, 0)
    np.maximum.accumulate(starts, axis=1, out=starts)
    return index - starts


def special_token_ids(prepared_dir: str | Path) -> tuple[int | None, int | None]:
    """``(eos_id, bos_id)`` of a prepared corpus' tokenizer, from its manifest."""
    tokenizer = PreparedManifest.read_dir(prepared_dir).tokenizer
    return tokenizer.eos_id, tokenizer.bos_id


class MixtureDataLoader(BaseDataLoader):
    """Batches of a run's mixture for one data-parallel rank, checkpointable through torchtitan."""

    @dataclass(kw_only=True, slots=True)
    class Config(BaseDataLoader.Config):
        manifest: str
        """Path of the run's ``mixture.json`` (the sampler manifest written by ``codescale compile``)."""
        language_label_stride: int | None = None
        """Encode each label's language into it (``token + language * stride``; the model's vocabulary size), for
        ``LanguageCrossEntropy``; None: plain token labels."""

    def __init__(
        self,
        config: Config,
        *,
        dp_world_size: int = 1,
        dp_rank: int = 0,
        tokenizer: Any = None,
        seq_len: int,
        local_batch_size: int,
        snapshot_every_n_steps: int | None = None,
    ) -> None:
        from codescale.mixtures import MixtureSampler, PreparedCorpus

        self.config = config
        self.manifest_path = Path(config.manifest)
        self.manifest = load_manifest(self.manifest_path)
        if self.manifest.seq_len != int(seq_len):
            raise CodescaleError(
                f"training.seq_len is {seq_len} but the mixture was compiled for {self.manifest.seq_len}",
                source=self.manifest_path,
                field="seq_len",
                hint="recompile the spec instead of overriding training.seq_len",
            )
        self.languages: list[str] = list(self.manifest.languages)
        self.seq_len = int(seq_len)
        self.local_batch_size = int(local_batch_size)
        self.dp_rank = int(dp_rank)
        self.dp_world_size = int(dp_world_size)
        if self.manifest.prepared is None:
            raise CodescaleError(
                "the mixture names no prepared corpus",
                source=self.manifest_path,
                field="prepared",
                hint="compile the spec with --prepared DIR (or corpus.prepared in the spec)",
            )
        self.corpus = PreparedCorpus(self.manifest.prepared)
        self.eos_id, self.bos_id = special_token_ids(self.manifest.prepared)
        self.sampler = MixtureSampler(
            self.manifest.to_dict(), self.corpus, dp_rank=self.dp_rank, dp_world_size=self.dp_world_size
        )
        self.label_stride = config.language_label_stride
        recording.announce("data", self)

    def __iter__(self) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
        while True:
            try:
                batch = self.sampler.next_batch(self.local_batch_size)
            except StopIteration:
                return
            if batch is None:
                return
            input_ids = np.asarray(batch.input_ids, dtype=np.int64)
            positions = document_positions(input_ids, self.eos_id, self.bos_id)
            labels = np.asarray(batch.labels, dtype=np.int64)
            if self.label_stride is not None:
                labels = encode_language_labels(labels, np.asarray(batch.language_ids), self.label_stride)
            yield (
                {"input": torch.from_numpy(input_ids), "positions": torch.from_numpy(positions)},
                torch.from_numpy(labels),
            )

    def tokens_seen(self) -> dict[str, int]:
        """Tokens this rank has drawn per language so far (as the sampler counts them)."""
        return dict(self.sampler.tokens_seen())

    def state_dict(self) -> dict[str, Any]:
        # Keyed by rank: DCP saves one entry per dp rank, as torchtitan's own loaders do.
        return {f"dp_rank_{self.dp_rank}": json.dumps(self.sampler.state_dict()), "world_size": self.dp_world_size}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not state_dict:
            return
        key = f"dp_rank_{self.dp_rank}"
        if key not in state_dict:
            raise CodescaleError(
                f"the checkpoint holds no data-loader state for data-parallel rank {self.dp_rank}",
                hint="resume with the same parallelism the run started with",
            )
        if int(state_dict.get("world_size", self.dp_world_size)) != self.dp_world_size:
            raise CodescaleError(
                f"the checkpoint was written with {state_dict['world_size']} data-parallel ranks, "
                f"this run has {self.dp_world_size}",
                hint="resume with the same parallelism the run started with",
            )
        self.sampler.load_state_dict(json.loads(state_dict[key]))

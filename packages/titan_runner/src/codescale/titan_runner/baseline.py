"""A compiled job as torchtitan's own llama3 training: the same model, at the same shape, with torchtitan's stock
components in place of codescale's — for comparing the codescale runner with plain torchtitan (throughput, memory).

:func:`with_torchtitan_components` keeps everything that decides the cost of a step — the model spec (llama3 blocks,
FlexAttention, float8 layers, ``parallelize_llama``), parallelism, compile, activation checkpointing, CUDA graphs,
optimizer, schedule, batch and sequence length, seed — and swaps the four codescale components for the ones
torchtitan's ``llama3`` config registry uses: ``HuggingFaceTextDataLoader`` (text tokenised on the fly), a
``CrossEntropyLoss`` in the same ``ChunkedLossWrapper``, the plain ``MetricsProcessor`` and no validator.
Checkpointing is off and outputs go to ``dump_folder``, so the run directory is never touched. The result is an
ordinary ``Trainer.Config``: build it (``config.build().train()``) or return it from a config-registry function for
``python -m torchtitan.train``.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def with_torchtitan_components(config: Any, *, dataset_path: str, dump_folder: str) -> Any:
    """A copy of a compiled job's ``Trainer.Config`` with torchtitan's stock llama3 components.

    ``dataset_path``: a directory of ``*.jsonl`` files of ``{"text": ...}`` rows (torchtitan's ``c4_test`` format),
    tokenised with the job's tokenizer (``hf_assets_path``)."""
    from torchtitan.components.loss import ChunkedLossWrapper, CrossEntropyLoss
    from torchtitan.components.metrics import MetricsProcessor
    from torchtitan.components.validate import Validator
    from torchtitan.hf_datasets.text_datasets import HuggingFaceTextDataLoader

    vocab_size = config.model_spec.model.vocab_size
    loss: Any = CrossEntropyLoss.Config(global_vocab_size=vocab_size)
    if isinstance(config.loss, ChunkedLossWrapper.Config):
        loss = dataclasses.replace(config.loss, loss_fn=loss)
    metrics = config.metrics
    return dataclasses.replace(
        config,
        dump_folder=dump_folder,
        dataloader=HuggingFaceTextDataLoader.Config(dataset="c4_test", dataset_path=dataset_path),
        loss=loss,
        metrics=MetricsProcessor.Config(log_freq=metrics.log_freq, enable_tensorboard=metrics.enable_tensorboard),
        validator=Validator.Config(enable=False),
        checkpoint=dataclasses.replace(config.checkpoint, enable=False),
    )

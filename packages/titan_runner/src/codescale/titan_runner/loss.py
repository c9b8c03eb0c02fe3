"""``LanguageCrossEntropy``: torchtitan's cross-entropy that also adds up each language's token losses, on the device.

How the language reaches the loss. A codescale batch's labels carry each token's language in the same tensor:
``label = token + language * stride`` for a counted token (``stride`` = the model's vocabulary size) and -100 where
nothing is counted (:func:`encode_language_labels`, applied by the data loader when its config sets
``language_label_stride``). So the language travels wherever torchtitan moves the labels (device copies, context-
parallel sharding, :class:`~torchtitan.components.loss.ChunkedLossWrapper`'s sequence chunks, the static input
buffers of a CUDA graph) and torchtitan's own bookkeeping is unchanged (a counted label is still ``!= -100``).

Why it is CUDA-graph safe. torchtitan 0.3 captures the forward/backward of a micro-batch in a CUDA graph and then
only replays it: Python inside the captured region runs once, at capture. Everything this loss does per call is
therefore tensor work on the call's own inputs plus in-place ``index_add_`` into two buffers that live for the whole
run (allocated on the first, eager warm-up call): decode the labels, per-token cross-entropy, add each token's loss
and a count of 1 to its language's slot. No host copy, no ``.item()``, no branch on a tensor's value. Replays
accumulate exactly as eager calls do. The only branch is on ``pred.requires_grad`` (static per call site: training
micro-batches always, evaluation under ``no_grad`` never), so evaluation never adds to the training sums.

Who reads the sums: :class:`~codescale.titan_runner.recording.RunMetrics` zeroes them when a logged step begins
(outside the captured step) and reads them, summed over the data-parallel ranks, when torchtitan logs the step. The
loss value itself is exactly torchtitan's: the sum of token losses over the global count of counted tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import spmd_types as spmd
import torch
import torch.nn.functional as F
from torch.distributed.tensor import DTensor
from torchtitan.components.loss import IGNORE_INDEX, BaseLoss, cross_entropy_loss
from torchtitan.config import CompileConfig

from codescale.titan_runner import recording


def encode_language_labels(labels: np.ndarray, language_ids: np.ndarray, stride: int) -> np.ndarray:
    """``label + language * stride`` where the label counts (>= 0); -100 stays -100."""
    counted = labels >= 0
    if np.any(counted & (language_ids < 0)):
        raise ValueError("a counted label token has no language (language id < 0)")
    return np.where(counted, labels + language_ids.astype(np.int64) * stride, labels)


def decode_language_labels(labels: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(token labels, language ids)``: -100 / -1 where nothing is counted. Plain token labels decode as language 0."""
    counted = labels >= 0
    language = torch.where(counted, torch.div(labels, stride, rounding_mode="floor"), -1)
    tokens = torch.where(counted, labels - language * stride, IGNORE_INDEX)
    return tokens, language


def per_token_cross_entropy(pred: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Natural-log cross-entropy of every token ([B*L]; 0 where the label is -100), in float32 as torchtitan's."""
    return F.cross_entropy(
        pred.flatten(0, 1).float(), labels.flatten(0, 1), reduction="none", ignore_index=IGNORE_INDEX
    )


class LanguageCrossEntropy(BaseLoss):
    """Sum-reduced cross-entropy over language-carrying labels, with per-language sums kept on the device."""

    @dataclass(kw_only=True, slots=True)
    class Config(BaseLoss.Config):
        global_vocab_size: int
        """The model's vocabulary size: the stride the data loader encoded languages with."""
        languages: list[str]
        """The mixture's languages in manifest order (a language id indexes this list)."""

    def __init__(self, config: Config, *, compile_config: CompileConfig | None = None) -> None:
        self.config = config
        self.stride = int(config.global_vocab_size)
        self.languages = list(config.languages)
        self.fn = per_token_cross_entropy
        self._maybe_compile(compile_config)
        self.loss_sums: torch.Tensor | None = None
        self.token_counts: torch.Tensor | None = None
        recording.announce("loss", self)

    def __call__(
        self, pred: torch.Tensor, labels: torch.Tensor, global_valid_tokens: torch.Tensor | None = None, **kwargs: Any
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        del kwargs
        token_labels, language = decode_language_labels(labels, self.stride)
        if isinstance(pred, DTensor) or isinstance(labels, DTensor):
            # Vocabulary-parallel logits (tensor parallelism, which codescale never compiles): torchtitan's own
            # loss on the decoded labels, without the per-language sums.
            loss = cross_entropy_loss(pred, token_labels, global_vocab_size=self.stride)
        else:
            token_losses = self.fn(pred, token_labels)
            loss = token_losses.sum()
            if pred.requires_grad:
                self._accumulate(token_losses.detach(), language.flatten())
        if global_valid_tokens is not None:
            is_type_checking = spmd.is_type_checking()
            with spmd.no_typecheck():
                loss = loss / global_valid_tokens
                if is_type_checking:
                    spmd.assert_type(loss, {"dp": spmd.P, "cp": spmd.P, "tp": spmd.I})
        return loss, {}

    def _accumulate(self, token_losses: torch.Tensor, language: torch.Tensor) -> None:
        if self.loss_sums is None or self.loss_sums.device != token_losses.device:
            self.loss_sums = torch.zeros(len(self.languages), dtype=torch.float64, device=token_losses.device)
            self.token_counts = torch.zeros_like(self.loss_sums)
        assert self.token_counts is not None
        counted = language >= 0
        index = torch.where(counted, language, 0)
        weight = counted.to(torch.float64)
        self.loss_sums.index_add_(0, index, token_losses.to(torch.float64) * weight)
        self.token_counts.index_add_(0, index, weight)

    def reset_language_sums(self) -> None:
        """Zero the per-language sums in place (their storage must stay where a captured graph writes)."""
        if self.loss_sums is not None and self.token_counts is not None:
            self.loss_sums.zero_()
            self.token_counts.zero_()

    def language_sums(self) -> torch.Tensor | None:
        """``[2, n_languages]``: this rank's token-loss sums and token counts since the last reset (None before any)."""
        if self.loss_sums is None or self.token_counts is None:
            return None
        return torch.stack([self.loss_sums, self.token_counts])

"""Evaluation of a run: per-language validation loss and per-direction translation loss.

What is measured (natural-log cross-entropy per token, as in training):
  - ``valid_loss[lang]``: next-token loss on the prepared corpus' held-out documents of each language in
    ``run.json eval.languages``, at most ``eval.max_sequences`` sequences of ``seq_len`` tokens.
  - ``translation_loss["src->tgt"]``: loss on the *target* tokens of translation examples (the corpus marks source
    tokens and padding with -100), for each direction in ``eval.translation``; ``translation_seen`` says whether the
    direction was paired in training.

When: every ``eval.interval_steps`` steps and at the last step (:class:`~codescale.titan_runner.validator.LanguageValidator`,
the torchtitan validator of a compiled job, decides and calls :class:`Evaluator`).

How, under data parallelism: the evaluation rows are split across data-parallel ranks. FSDP needs every rank to run
the same number of forward passes, so each rank gets the same number of rows; a short rank is padded with rows whose
labels are all -100 (they cost a forward and count for nothing). Each rank sums its token losses and token counts,
one all-reduce adds them up, and every rank returns the same numbers.

The model forward itself is the validator's ``batch_loss``: the same input processing (positions, attention masks,
SPMD annotations) and the same loss function as training, without gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from codescale.core.domains import direction_key
from codescale.core.errors import CodescaleError

IGNORE_INDEX = -100

# (input_ids int64[B, L], labels int64[B, L]) -> (sum of token losses, number of counted tokens), both 0-d tensors
BatchLoss = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class EvalSet:
    """Rows of one evaluated quantity (a language's validation text or a translation direction)."""

    kind: str  # "valid" | "translation"
    key: str  # language id or "src->tgt"
    inputs: np.ndarray  # int64[n, L]
    labels: np.ndarray  # int64[n, L]
    seen: bool | None = None


def build_eval_sets(
    corpus, seq_len: int, languages: list[str], translation: list[tuple[str, str, bool]], max_sequences: int
) -> list[EvalSet]:
    """Load the evaluation sets from the prepared corpus: each language's validation text, and the examples of each
    ``(src, tgt, seen)`` translation direction."""
    sets: list[EvalSet] = []
    for lang in languages:
        rows = np.asarray(corpus.validation_batches(lang, seq_len, max_sequences), dtype=np.int64)
        if rows.size == 0:
            raise CodescaleError(
                f"the prepared corpus has no validation text for {lang}",
                field="eval.languages",
                hint="raise validation.fraction in the catalog, or drop the language from eval.languages",
            )
        sets.append(EvalSet("valid", lang, rows[:, :-1], rows[:, 1:]))
    for src, tgt, seen in translation:
        inputs, labels = corpus.translation_examples(src, tgt, seq_len, max_sequences)
        inputs, labels = np.asarray(inputs, dtype=np.int64), np.asarray(labels, dtype=np.int64)
        if inputs.shape[0] == 0:
            raise CodescaleError(
                f"the prepared corpus has no translation examples for {direction_key(src, tgt)}",
                field="eval.translation",
                hint="prepare the corpus with a translation_eval set covering this direction",
            )
        sets.append(EvalSet("translation", direction_key(src, tgt), inputs, labels, seen))
    return sets


def rank_rows(n_rows: int, dp_rank: int, dp_world_size: int) -> tuple[np.ndarray, int]:
    """Row indices of this rank and how many padding rows it adds so that every rank has the same count."""
    per_rank = math.ceil(n_rows / dp_world_size)
    rows = np.arange(dp_rank * per_rank, min(n_rows, (dp_rank + 1) * per_rank))
    return rows, per_rank - len(rows)


class Evaluator:
    """Runs every evaluation set through ``batch_loss`` and reduces the sums across data-parallel ranks."""

    def __init__(
        self,
        eval_sets: list[EvalSet],
        *,
        batch_size: int,
        dp_rank: int = 0,
        dp_world_size: int = 1,
        all_reduce: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        self.eval_sets = eval_sets
        self.batch_size = batch_size
        self.dp_rank = dp_rank
        self.dp_world_size = dp_world_size
        self.all_reduce = all_reduce

    def __call__(self, batch_loss: BatchLoss) -> dict:
        totals = torch.zeros(len(self.eval_sets), 2, dtype=torch.float64)
        for i, eval_set in enumerate(self.eval_sets):
            rows, padding = rank_rows(len(eval_set.inputs), self.dp_rank, self.dp_world_size)
            inputs, labels = eval_set.inputs[rows], eval_set.labels[rows]
            if padding:
                length = eval_set.inputs.shape[1]
                inputs = np.concatenate([inputs, np.zeros((padding, length), dtype=np.int64)])
                labels = np.concatenate([labels, np.full((padding, length), IGNORE_INDEX, dtype=np.int64)])
            for start in range(0, len(inputs), self.batch_size):
                loss_sum, count = batch_loss(
                    torch.from_numpy(inputs[start : start + self.batch_size]),
                    torch.from_numpy(labels[start : start + self.batch_size]),
                )
                totals[i, 0] += float(loss_sum)
                totals[i, 1] += float(count)
        if self.all_reduce is not None and self.dp_world_size > 1:
            totals = self.all_reduce(totals)
        result: dict = {"valid_loss": {}, "translation_loss": {}, "translation_seen": {}}
        for eval_set, (loss_sum, count) in zip(self.eval_sets, totals.tolist()):
            loss = loss_sum / count if count else float("nan")
            if eval_set.kind == "valid":
                result["valid_loss"][eval_set.key] = loss
            else:
                result["translation_loss"][eval_set.key] = loss
                result["translation_seen"][eval_set.key] = eval_set.seen
        return result

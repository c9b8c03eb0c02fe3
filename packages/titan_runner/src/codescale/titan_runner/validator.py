"""``LanguageValidator``: a run's per-language validation loss and per-direction translation loss, as torchtitan's
validator component (``Trainer.Config.validator`` of a compiled job).

torchtitan calls ``validate(model_parts, step)`` after a step's checkpoint is saved whenever
``should_validate(step)``: here every ``freq`` steps and at the final step. What is measured and how the rows are
split over data-parallel ranks is :mod:`codescale.titan_runner.evaluate`; the evaluation sets come from the prepared
corpus the run's ``mixture.json`` names (loaded once, at the first evaluation). Each batch goes through the same
input processing as training (document positions, the attention masks FlexAttention needs, context-parallel and
SPMD handling: torchtitan's ``Validator.post_dataloading_process``) and through the trainer's own loss function (so
a chunked loss applies the output head as in training), without gradients. The result goes to
:meth:`~codescale.titan_runner.recording.RunMetrics.log_eval` (one ``eval`` line), or, with another metrics
processor, to torchtitan's ``log_validation`` as a mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.distributed.tensor import DTensor
from torchtitan.components.loss import IGNORE_INDEX
from torchtitan.components.validate import BaseValidator, Validator
from torchtitan.distributed.spmd_types import annotate_input_spmd_types
from torchtitan.tools import utils

from codescale.core.errors import CodescaleError
from codescale.titan_runner import recording
from codescale.titan_runner.evaluate import EvalSet, Evaluator, build_eval_sets


class LanguageValidator(Validator):
    """Validation loss per language and translation loss per direction, every ``freq`` steps and at the end."""

    @dataclass(kw_only=True, slots=True)
    class Config(Validator.Config):
        enable: bool = True
        manifest: str
        """The run's ``mixture.json``: it names the prepared corpus the evaluation sets come from."""
        total_steps: int
        """The run's last step, always evaluated."""
        languages: list[str] = field(default_factory=list)
        """Languages whose held-out loss is measured."""
        translation: list[str] = field(default_factory=list)
        """Directions ``"src->tgt"`` whose target-token loss is measured."""
        seen: list[str] = field(default_factory=list)
        """The directions among ``translation`` that were paired in training."""
        max_sequences: int = 64
        """Validation sequences per language (and examples per direction)."""

    def __init__(
        self,
        config: Config,
        *,
        parallelism: Any,
        dp_world_size: int,
        dp_rank: int,
        parallel_dims: Any,
        loss_fn: Any,
        validation_context: Any,
        metrics_processor: Any,
        seq_len: int,
        local_batch_size: int,
        pp_schedule: Any = None,
        **kwargs: Any,
    ) -> None:
        BaseValidator.__init__(self, config=config)  # not Validator's: it would build a text data loader
        if pp_schedule is not None:
            raise CodescaleError(
                "the codescale validator does not support pipeline parallelism",
                field="parallelism.pipeline_parallel_degree",
                hint="codescale compiles FSDP/HSDP only",
            )
        self.parallelism = parallelism
        self.parallel_dims = parallel_dims
        self.loss_fn = loss_fn
        self.validation_context = validation_context
        self.metrics_processor = metrics_processor
        self.seq_len = int(seq_len)
        self.local_batch_size = int(local_batch_size)
        self.dp_world_size, self.dp_rank = int(dp_world_size), int(dp_rank)
        self._evaluator: Evaluator | None = None
        self._eos_id: int | None = None
        self._bos_id: int | None = None
        recording.announce("validator", self)

    def should_validate(self, step: int) -> bool:
        return step % self.config.freq == 0 or step == self.config.total_steps

    def _eval_sets(self) -> list[EvalSet]:
        from codescale.mixtures import PreparedCorpus
        from codescale.titan_runner.dataloader import load_manifest, special_token_ids

        config = self.config
        manifest = load_manifest(config.manifest)
        prepared = manifest.prepared
        assert prepared is not None  # load_manifest refuses a mixture without a prepared corpus
        corpus = PreparedCorpus(prepared)
        self._eos_id, self._bos_id = special_token_ids(prepared)
        seen = set(config.seen)
        directions = []
        for key in config.translation:
            src, tgt = (part.strip() for part in key.split("->"))
            directions.append((src, tgt, key in seen))
        return build_eval_sets(corpus, self.seq_len, list(config.languages), directions, config.max_sequences)

    def _all_reduce(self, values: torch.Tensor) -> torch.Tensor:
        """Sum a CPU tensor over the data-parallel ranks."""
        if not self.parallel_dims.dp_enabled:
            return values
        on_device = values.to(utils.device_type)
        dist.all_reduce(on_device, op=dist.ReduceOp.SUM, group=self.parallel_dims.get_mesh("batch").get_group())
        return on_device.cpu()

    @torch.no_grad()
    def validate(self, model_parts: list[nn.Module], step: int) -> None:
        if self._evaluator is None:
            self._evaluator = Evaluator(
                self._eval_sets(),
                batch_size=self.local_batch_size,
                dp_rank=self.dp_rank,
                dp_world_size=self.dp_world_size,
                all_reduce=self._all_reduce,
            )
        for model in model_parts:
            model.eval()
        try:
            result = self._evaluator(lambda inputs, labels: self._batch_loss(model_parts, inputs, labels))
        finally:
            for model in model_parts:
                model.train()
        if isinstance(self.metrics_processor, recording.RunMetrics):
            self.metrics_processor.log_eval(step, result)
        else:
            losses = [v for v in result["valid_loss"].values()]
            self.metrics_processor.log_validation(loss=sum(losses) / max(len(losses), 1), step=step)

    def _batch_loss(
        self, model_parts: list[nn.Module], inputs: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Sum of token losses and the count of counted tokens of one batch, through the training input path."""
        from codescale.titan_runner.dataloader import document_positions

        device = utils.device_type
        positions = torch.from_numpy(document_positions(inputs.numpy(), self._eos_id, self._bos_id))
        input_dict = {"input": inputs.to(device), "positions": positions.to(device)}
        counted = (labels != IGNORE_INDEX).sum().double()
        x, y, extra_kwargs = self.post_dataloading_process(input_dict, labels.to(device), model_parts)
        if self.parallelism.spmd_backend == "spmd_types":
            x, y, extra_kwargs = annotate_input_spmd_types(self.parallel_dims, x, y, extra_kwargs)
        with self.validation_context():
            pred = model_parts[0](x, **extra_kwargs)
            loss_kwargs = {"positions": extra_kwargs["positions"]} if "positions" in extra_kwargs else {}
            loss_sum, _ = self.loss_fn(pred, y, None, **loss_kwargs)
        if isinstance(loss_sum, DTensor):
            loss_sum = loss_sum.full_tensor()
        return loss_sum.detach().double().cpu(), counted

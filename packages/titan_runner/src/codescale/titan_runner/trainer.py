"""``RunTrainer``: torchtitan's own ``Trainer`` plus what a codescale run records.

Nothing of the training itself is replaced: model build, parallelism, optimizer, checkpointing and the training loop
are torchtitan's. The subclass adds, through public hooks of the Trainer:

- ``forward_backward_step``: before each micro-batch, the batch's per-token language ids (kept by
  :class:`~codescale.titan_runner.dataloader.MixtureDataLoader`, in the order the batches were drawn) are handed to a
  :class:`LanguageLoss` that wraps the loss function. On log steps it computes the same loss torchtitan does (sum of
  per-token cross-entropies over the global token count) from the per-token values, which it also adds up per
  language. On other steps it only forwards to the wrapped loss.
- ``train_step``: after torchtitan's step, on log steps, one ``train`` line goes to metrics.jsonl (loss, per-language
  loss summed over data-parallel ranks, tokens per language, lr, grad norm, tokens/s) and status.json gets the
  progress (at most every ``STATUS_EVERY_S`` seconds, and at the last step); at the
  eval interval and the last step an ``eval`` line follows (:mod:`codescale.titan_runner.evaluate`).
- ``load_state_dict`` of the train state: when a checkpoint is restored we learn the step we resume from; before the
  first line is appended, metrics.jsonl is cut back to that step (see :mod:`codescale.titan_runner.rundir`).

Only global rank 0 writes files; every rank takes part in the reductions.
"""

from __future__ import annotations

import time
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.distributed.tensor import DTensor
from torchtitan.components.loss import IGNORE_INDEX, ChunkedLossWrapper, CrossEntropyLoss
from torchtitan.trainer import Trainer

from codescale.core.contracts import EvalLine, Run, TrainLine
from codescale.titan_runner import cpu_compat
from codescale.titan_runner.dataloader import MixtureDataLoader, document_positions
from codescale.titan_runner.evaluate import Evaluator, build_eval_sets
from codescale.titan_runner.rundir import MetricsWriter, RunDir

STATUS_EVERY_S = 2.0  # status.json progress is rewritten (fsync + rename) at most this often; metrics every log step


class LanguageLoss:
    """Wraps the leaf loss (inside ``ChunkedLossWrapper`` when there is one) to sum token losses per language."""

    def __init__(self, inner: Any, n_languages: int) -> None:
        self.inner = inner
        self.n_languages = n_languages
        self._language_ids: torch.Tensor | None = None
        self._column = 0
        self.loss_sums = torch.zeros(n_languages, dtype=torch.float64)
        self.token_counts = torch.zeros(n_languages, dtype=torch.float64)

    def arm(self, language_ids: torch.Tensor | None) -> None:
        """Record the next loss calls against these ids ([B, L]); ``None`` disarms (eval, non-log steps)."""
        self._language_ids = language_ids
        self._column = 0

    def reset(self) -> None:
        self.loss_sums.zero_()
        self.token_counts.zero_()

    def _ids_for(self, labels: torch.Tensor) -> torch.Tensor | None:
        ids = self._language_ids
        if ids is None or isinstance(labels, DTensor) or ids.shape[0] != labels.shape[0]:
            return None
        # ChunkedLossWrapper calls us once per sequence chunk, in order.
        width = labels.shape[1]
        chunk = ids[:, self._column : self._column + width]
        self._column += width
        return chunk if chunk.shape == labels.shape else None

    def __call__(self, pred: torch.Tensor, labels: torch.Tensor, global_valid_tokens=None, **kwargs: Any):
        ids = self._ids_for(labels)
        if ids is None or isinstance(pred, DTensor):
            return self.inner(pred, labels, global_valid_tokens, **kwargs)
        if type(self.inner) is CrossEntropyLoss:
            # The same loss as torchtitan's cross_entropy_loss (sum, then / global tokens), kept per token.
            token_losses = F.cross_entropy(
                pred.flatten(0, 1).float(), labels.flatten(0, 1), reduction="none", ignore_index=IGNORE_INDEX
            )
            loss = token_losses.sum()
            if global_valid_tokens is not None:
                loss = loss / global_valid_tokens
            metrics: dict = {}
        else:
            loss, metrics = self.inner(pred, labels, global_valid_tokens, **kwargs)
            with torch.no_grad():
                token_losses = F.cross_entropy(
                    pred.detach().flatten(0, 1).float(), labels.flatten(0, 1), reduction="none",
                    ignore_index=IGNORE_INDEX,
                )
        with torch.no_grad():  # on the loss's device: no host sync per micro-batch
            if self.loss_sums.device != token_losses.device:
                self.loss_sums = self.loss_sums.to(token_losses.device)
                self.token_counts = self.token_counts.to(token_losses.device)
            flat_ids = ids.flatten().to(token_losses.device, non_blocking=True)
            counted = flat_ids >= 0
            index = torch.where(counted, flat_ids, 0)
            weights = counted.to(torch.float64)
            self.loss_sums.index_add_(0, index, token_losses.detach().double() * weights)
            self.token_counts.index_add_(0, index, weights)
        return loss, metrics


class RunTrainer(Trainer):
    """torchtitan's Trainer writing a codescale run directory."""

    # Set by torchtitan's Trainer (untyped); declared so the type checker knows what this class reads and replaces.
    loss_fn: Any
    ntokens_seen: int

    def __init__(self, config: Trainer.Config, *, run_dir: RunDir, run: Run) -> None:
        self.run_dir = run_dir
        self.run = run
        self.resumed_from_step: int | None = None
        super().__init__(config)
        cpu_compat.force_sum_reduction(self.model_parts)

        self.is_writer = dist.get_rank() == 0
        self.languages: list[str] = list(run.languages)
        self.total_steps = int(config.training.steps)
        self.eval_interval = run.eval.interval_steps

        self.language_loss: LanguageLoss | None = None
        if isinstance(self.dataloader, MixtureDataLoader):
            self.language_loss = LanguageLoss(self._leaf_loss(), len(self.languages))
            self._set_leaf_loss(self.language_loss)

        self._captured: dict[str, Any] = {}
        processor_log = self.metrics_processor.log

        def capture(step, global_avg_loss, global_max_loss, grad_norm, extra_metrics=None, **kwargs):
            self._captured = {"loss": global_avg_loss, "grad_norm": grad_norm, "extra": dict(extra_metrics or {})}
            return processor_log(step, global_avg_loss, global_max_loss, grad_norm, extra_metrics, **kwargs)

        self.metrics_processor.log = capture  # observe the numbers torchtitan logs; it still logs them

        self.evaluator: Evaluator | None = None
        if isinstance(self.dataloader, MixtureDataLoader) and (run.eval.languages or run.eval.translation):
            dp_world, dp_rank = self._batch_degree_and_rank()
            self.evaluator = Evaluator(
                build_eval_sets(run, self.dataloader.corpus, config.training.seq_len),
                batch_size=config.training.local_batch_size,
                dp_rank=dp_rank,
                dp_world_size=dp_world,
                all_reduce=self._all_reduce_batch,
            )
        self.metrics: MetricsWriter | None = None
        self._logging_this_step = False
        self._last_status_write = 0.0
        self._started = False
        self._last_log = (time.perf_counter(), 0)

    # --- loss wiring -------------------------------------------------------------------------------------------
    def _leaf_loss(self) -> Any:
        return self.loss_fn.loss_fn if isinstance(self.loss_fn, ChunkedLossWrapper) else self.loss_fn

    def _set_leaf_loss(self, loss: Any) -> None:
        if isinstance(self.loss_fn, ChunkedLossWrapper):
            self.loss_fn.loss_fn = loss
        else:
            self.loss_fn = loss

    # --- distributed helpers -------------------------------------------------------------------------------------
    def _batch_degree_and_rank(self) -> tuple[int, int]:
        if self.parallel_dims.dp_enabled:
            mesh = self.parallel_dims.get_mesh("batch")
            return mesh.size(), mesh.get_local_rank()
        return 1, 0

    def _all_reduce_batch(self, values: torch.Tensor) -> torch.Tensor:
        """Sum a CPU tensor over the data-parallel ranks."""
        if not self.parallel_dims.dp_enabled:
            return values
        group = self.parallel_dims.get_mesh("batch").get_group()
        on_device = values.to(self.device)
        dist.all_reduce(on_device, op=dist.ReduceOp.SUM, group=group)
        return on_device.cpu()

    # --- torchtitan hooks ----------------------------------------------------------------------------------------
    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.resumed_from_step = int(state_dict["step"])

    def forward_backward_step(self, *, input_dict, labels, global_valid_tokens):
        if self.language_loss is not None:
            ids = self.dataloader.take_language_ids()
            self.language_loss.arm(ids if self._logging_this_step else None)
        try:
            return super().forward_backward_step(
                input_dict=input_dict, labels=labels, global_valid_tokens=global_valid_tokens
            )
        finally:
            if self.language_loss is not None:
                self.language_loss.arm(None)

    def train_step(self, data_iterator) -> None:
        if not self._started:
            self.begin_recording(loaded_step=self.step - 1)
        self._logging_this_step = self.metrics_processor.should_log(self.step)
        if self.language_loss is not None:
            self.language_loss.reset()
        super().train_step(data_iterator)
        if self._logging_this_step:
            self._record_train_line()
        if self.step == self.total_steps or (self.eval_interval and self.step % self.eval_interval == 0):
            self.evaluate_and_record()

    # --- recording -------------------------------------------------------------------------------------------
    def begin_recording(self, loaded_step: int) -> None:
        """Cut metrics.jsonl back to the checkpoint we start from, then open it for appending (rank 0)."""
        self._started = True
        self._last_log = (time.perf_counter(), self._global_tokens_per_language()[1])
        if not self.is_writer:
            return
        self.run_dir.truncate_metrics_after(loaded_step)
        starts = self.run_dir.read_status().starts
        if starts:
            starts[-1].resumed_from_step = loaded_step
        self.run_dir.update_status(keep_terminal=True, starts=starts, step=loaded_step, total_steps=self.total_steps)
        self.metrics = MetricsWriter(self.run_dir.metrics_jsonl)

    def _global_tokens_per_language(self) -> tuple[dict[str, int], int]:
        if not isinstance(self.dataloader, MixtureDataLoader):
            total = int(self.ntokens_seen) * self._batch_degree_and_rank()[0]
            return {}, total
        seen = self.dataloader.tokens_seen()  # the sampler counts every rank's rows: already global
        per_language = {lang: int(seen.get(lang, 0)) for lang in self.languages}
        return per_language, sum(per_language.values())

    def _record_train_line(self) -> None:
        per_language_tokens, tokens = self._global_tokens_per_language()
        loss_per_language: dict[str, float] = {}
        if self.language_loss is not None:
            sums = self._all_reduce_batch(
                torch.cat([self.language_loss.loss_sums, self.language_loss.token_counts]).cpu()
            )
            n = len(self.languages)
            for i, lang in enumerate(self.languages):
                if sums[n + i] > 0:
                    loss_per_language[lang] = float(sums[i] / sums[n + i])
        now = time.perf_counter()
        last_time, last_tokens = self._last_log
        self._last_log = (now, tokens)
        if not self.is_writer or self.metrics is None:
            return
        extra = self._captured.get("extra", {})
        lr = next((float(v) for k, v in extra.items() if k.startswith("lr")), None)
        self.metrics.write(TrainLine(
            step=self.step,
            time=time.time(),
            tokens=tokens,
            tokens_per_language=dict(per_language_tokens),
            loss=float(self._captured.get("loss", float("nan"))),
            loss_per_language=loss_per_language,
            lr=lr,
            tokens_per_second=(tokens - last_tokens) / max(now - last_time, 1e-9),
            grad_norm=float(self._captured.get("grad_norm", float("nan"))),
        ))
        if now - self._last_status_write >= STATUS_EVERY_S or self.step == self.total_steps:
            self.run_dir.update_status(keep_terminal=True, durable=False, step=self.step, tokens_seen=tokens)
            self._last_status_write = now

    def evaluate_and_record(self) -> None:
        if self.evaluator is None:
            return
        result = self.evaluator(self._batch_loss)
        _, tokens = self._global_tokens_per_language()
        if self.is_writer and self.metrics is not None:
            self.metrics.write(EvalLine(step=self.step, time=time.time(), tokens=tokens, **result))

    @torch.no_grad()
    def _batch_loss(self, inputs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Sum of token losses and token count of one eval batch, through the training input path."""
        loader = self.dataloader
        positions = document_positions(inputs.numpy(), loader.eos_id, loader.bos_id)
        input_dict = {"input": inputs.to(self.device), "positions": torch.from_numpy(positions).to(self.device)}
        labels = labels.to(self.device)
        tokens_before = self.ntokens_seen  # post_dataloading_process counts training tokens
        model = self.model_parts[0]
        model.eval()
        try:
            x, y, extra_kwargs = self.post_dataloading_process(input_dict, labels)
            with self.train_context():
                pred = model(x, **extra_kwargs)
                loss_kwargs = {"positions": extra_kwargs["positions"]} if "positions" in extra_kwargs else {}
                loss_sum, _ = self.loss_fn(pred, y, None, **loss_kwargs)
        finally:
            model.train()
            self.ntokens_seen = tokens_before
        if isinstance(loss_sum, DTensor):
            loss_sum = loss_sum.full_tensor()
        return loss_sum.detach().double().cpu(), (labels != IGNORE_INDEX).sum().double().cpu()

    def close(self) -> None:
        if self.metrics is not None:
            self.metrics.close()
        super().close()

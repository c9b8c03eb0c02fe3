"""``RunMetrics``: torchtitan's metrics processor, extended to record a codescale run through small callbacks.

The model. torchtitan's ``Trainer`` builds one ``MetricsProcessor`` from ``Trainer.Config.metrics`` and talks to it
at fixed points of every step; a compiled job puts a :class:`RunMetrics` there, so the stock Trainer drives the
recording without being subclassed:

- ``should_log(step)``, asked once at the start of every step before any data is drawn: the step-start event.
  The first one is also the start of this process's training (``begin``: the step torchtitan restored is
  ``step - 1``). RunMetrics logs torchtitan's log steps *and the final step*, and zeroes the per-language loss sums
  before a logged step, so they cover exactly that step.
- ``log(step, loss, max_loss, grad_norm, extra)``, on log steps: one :class:`~codescale.core.contracts.TrainLine`
  (torchtitan's loss, grad norm and lr; per-language losses summed over the data-parallel ranks; tokens per
  language as the mixture sampler counts them), then torchtitan's own console / TensorBoard / W&B logging.
- :meth:`log_eval`, called by :class:`~codescale.titan_runner.validator.LanguageValidator`: one ``EvalLine``.

What happens to a line is each callback's concern (OLMo-core's trainer callbacks are the model): the compiled job
lists them in ``RunMetrics.Config.callbacks`` — :mod:`~codescale.titan_runner.callbacks` has the metrics.jsonl
writer, the status.json writer and the cancel-at-a-step-boundary handler. A callback sees ``on_begin``,
``on_step_start``, ``on_train_line``, ``on_eval_line`` and ``on_close``; only global rank 0 writes files.

How the components meet. torchtitan hands each component only its constructor arguments: the metrics processor
gets neither the loss nor the data loader, yet a train line needs the loss's per-language sums and the sampler's
token counts. So the codescale components announce themselves when torchtitan builds them (:func:`announce`:
``"loss"``, ``"data"``, ``"validator"``) and RunMetrics takes them at ``begin``. torchtitan builds the metrics
processor first (then loss, data loader, checkpointer, validator), so RunMetrics forgets earlier announcements when
it is built, and again when it closes: one training process trains one run at a time.

Resume. A start that restores the checkpoint of step k measures the evaluation of step k again before training on
(when k is an evaluation step): torchtitan validates *after* saving a checkpoint, so a process killed between the
two would otherwise leave that evaluation missing for good. The metrics file drops its old line of it first.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import torch.distributed as dist
from torchtitan.components.metrics import MetricsProcessor
from torchtitan.config import Configurable

from codescale.core.contracts import EvalLine, TrainLine
from codescale.titan_runner.rundir import RunDir

log = logging.getLogger(__name__)

_announced: dict[str, Any] = {}


def announce(role: str, component: Any) -> None:
    """A codescale component built by torchtitan makes itself known to this process's :class:`RunMetrics`."""
    _announced[role] = component


class RunStopped(KeyboardInterrupt):
    """Training stopped on purpose at a step boundary (a cancel); recorded as ``cancelled``."""


class RunCallback(Configurable):
    """One concern of recording a run; built by :class:`RunMetrics` with ``recorder=`` itself."""

    @dataclass(kw_only=True, slots=True)
    class Config(Configurable.Config):
        pass

    def __init__(self, config: Config, *, recorder: RunMetrics) -> None:
        self.config = config
        self.recorder = recorder

    def on_begin(self, loaded_step: int, *, eval_again: bool) -> None:
        """Training starts after the checkpoint of ``loaded_step`` (0: from scratch); ``eval_again``: the evaluation
        of that step is measured again before the first step."""

    def on_step_start(self, step: int) -> None:
        """``step`` is about to run (every rank, every step)."""

    def on_train_line(self, line: TrainLine) -> None:
        """A logged step (every rank; the same line everywhere)."""

    def on_eval_line(self, line: EvalLine) -> None:
        """An evaluation (every rank)."""

    def on_close(self) -> None:
        """The trainer closes (after training or a failure)."""


class RunMetrics(MetricsProcessor):
    """torchtitan's metrics processor plus a codescale run's train and eval lines, dispatched to callbacks."""

    @dataclass(kw_only=True, slots=True)
    class Config(MetricsProcessor.Config):
        run_dir: str
        """The run directory the callbacks write to."""
        total_steps: int
        """The run's last step: always logged, so the final step's numbers are recorded."""
        wandb_mode: Literal["offline", "online"] = "offline"
        """With ``enable_wandb``: ``offline`` sets WANDB_MODE=offline before W&B starts (no network)."""
        callbacks: list[RunCallback.Config] = field(default_factory=list)
        """What is done with each line, in order."""

    def __init__(self, config: Config, **kwargs: Any) -> None:
        if config.enable_wandb and config.wandb_mode == "offline":
            os.environ["WANDB_MODE"] = "offline"
        super().__init__(config, **kwargs)
        _announced.clear()  # leftovers of an earlier trainer in this process; ours are built after us
        self.run_dir = RunDir(config.run_dir)
        self.total_steps = int(config.total_steps)
        self.is_writer = not dist.is_initialized() or dist.get_rank() == 0
        self.loss: Any = None
        self.data: Any = None
        self.validator: Any = None
        self.began = False
        self.last_train_step = 0
        self.last_eval_step = 0
        self._fallback_tokens = 0
        self._last_line = (time.perf_counter(), 0)
        self.callbacks: list[RunCallback] = [c.build(recorder=self) for c in config.callbacks]

    # --- the step-start event ----------------------------------------------------------------------------------
    def should_log(self, step: int) -> bool:
        if not self.began:
            self.begin(step - 1)
        for callback in self.callbacks:
            callback.on_step_start(step)
        logged = super().should_log(step) or step == self.total_steps
        if logged and self.loss is not None:
            self.loss.reset_language_sums()
        return logged

    def begin(self, loaded_step: int) -> None:
        """Training starts after checkpoint step ``loaded_step``: collect the components, start the callbacks."""
        if self.began:
            return
        self.began = True
        self.loss = _announced.pop("loss", None)
        self.data = _announced.pop("data", None)
        self.validator = _announced.pop("validator", None)
        if self.data is None:
            log.warning("no codescale data loader: train lines have no per-language token counts")
        self._last_line = (time.perf_counter(), self.tokens()[1])
        eval_again = (
            loaded_step > 0
            and self.validator is not None
            and self.model_parts is not None
            and self.validator.should_validate(loaded_step)
        )
        for callback in self.callbacks:
            callback.on_begin(loaded_step, eval_again=eval_again)
        if eval_again:
            self.validator.validate(self.model_parts, loaded_step)

    # --- numbers -------------------------------------------------------------------------------------------------
    def tokens(self) -> tuple[dict[str, int], int]:
        """Training tokens seen so far, per language and in total, over all ranks (the sampler's count)."""
        if self.data is None:
            return {}, int(self._fallback_tokens)
        seen = self.data.tokens_seen()  # every rank's sampler counts all ranks' rows: already global
        per_language = {lang: int(seen.get(lang, 0)) for lang in self.data.languages}
        return per_language, sum(per_language.values())

    def _language_losses(self) -> dict[str, float]:
        if self.loss is None:
            return {}
        sums = self.loss.language_sums()
        if sums is None:
            return {}
        if self.parallel_dims.dp_cp_enabled:
            mesh = self.parallel_dims.get_optional_mesh("loss")
            if mesh is not None:
                dist.all_reduce(sums, op=dist.ReduceOp.SUM, group=mesh.get_group())
        loss_sums, counts = sums.cpu().tolist()
        return {lang: s / c for lang, s, c in zip(self.loss.languages, loss_sums, counts) if c > 0}

    # --- torchtitan's logging points ---------------------------------------------------------------------------
    def log(
        self,
        step: int,
        global_avg_loss: float,
        global_max_loss: float,
        grad_norm: float,
        extra_metrics: dict[str, Any] | None = None,
    ) -> None:
        extra = dict(extra_metrics or {})
        self._fallback_tokens = int(extra.get("n_tokens_seen", self._fallback_tokens))
        loss_per_language = self._language_losses()
        tokens_per_language, tokens = self.tokens()
        now = time.perf_counter()
        last_time, last_tokens = self._last_line
        self._last_line = (now, tokens)
        line = TrainLine(
            step=step,
            time=time.time(),
            tokens=tokens,
            tokens_per_language=dict[str, int | float](tokens_per_language),
            loss=float(global_avg_loss),
            loss_per_language=loss_per_language,
            lr=next((float(v) for k, v in extra.items() if k.startswith("lr")), None),
            tokens_per_second=(tokens - last_tokens) / max(now - last_time, 1e-9),
            grad_norm=float(grad_norm),
        )
        extra.update({f"loss_per_language/{lang}": value for lang, value in loss_per_language.items()})
        super().log(step, global_avg_loss, global_max_loss, grad_norm, extra_metrics=extra)
        self.last_train_step = step
        for callback in self.callbacks:
            callback.on_train_line(line)

    def log_eval(self, step: int, result: dict[str, Any]) -> None:
        """Record one evaluation: ``{"valid_loss": {lang: x}, "translation_loss": {dir: x},
        "translation_seen": {dir: bool}}``."""
        line = EvalLine(step=step, time=time.time(), tokens=self.tokens()[1], **result)
        scalars = {f"validation/valid_loss/{k}": v for k, v in (line.valid_loss or {}).items() if math.isfinite(v)}
        scalars.update(
            {
                f"validation/translation_loss/{k}": v
                for k, v in (line.translation_loss or {}).items()
                if math.isfinite(v)
            }
        )
        self.logger.log(scalars, step)
        log.info("eval step %d: %s", step, ", ".join(f"{k} {v:.4f}" for k, v in scalars.items()))
        self.last_eval_step = step
        for callback in self.callbacks:
            callback.on_eval_line(line)

    def close(self) -> None:
        try:
            for callback in self.callbacks:
                try:
                    callback.on_close()
                except Exception:  # one callback's failure must not keep the others from closing
                    log.exception("closing %s failed", type(callback).__name__)
        finally:
            _announced.clear()
            super().close()

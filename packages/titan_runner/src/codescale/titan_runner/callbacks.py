"""The recording callbacks of a compiled job (``RunMetrics.Config.callbacks``), one concern each.

- :class:`MetricsFile`: ``metrics.jsonl``. At the start of training it cuts the file back to the restored
  checkpoint's step (and drops the evaluation of that step when it is measured again), then appends every line.
- :class:`StatusFile`: progress in ``status.json`` (at most every ``every_s`` seconds, and at the final step), and
  the step this start resumed from. Under codescale's driver (``codescale train``, ``codescale submit``) the driver
  owns the run's lifecycle (lease, start records, terminal state); a start by torchtitan's own entry point has no
  driver, so this callback records that start itself and marks the run ``completed`` once the final step's
  evaluation is written (torchtitan validates after saving the final checkpoint).
- :class:`StopOnCancel`: ``codescale cancel`` stops training at the next step boundary. SIGTERM (what ``scancel``
  and the local executor's controller send every task) is caught and acted on when the next step starts: the
  previous step's metrics, checkpoint and evaluation are complete, and the run ends ``cancelled``. Under Slurm a
  SIGTERM is also the first signal of a preemption, which submitit answers by requeueing on the USR2 that follows; so
  there a SIGTERM stops training only when ``codescale cancel`` asked for it (it marks ``submission.json`` before
  calling ``scancel``), and is otherwise left to submitit as before. A cancel that arrived while the trainer was
  still being built (submitit's handler ignores SIGTERM then) is found by the same mark (``local_job.json`` for the
  local executor) and stops training before its first step. All ranks agree on the step to stop at
  (a max-reduction of the flag at every step start, over a gloo group, so the GPU never waits on it).

Only global rank 0 writes files; every rank takes part in the reductions.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from codescale.core.contracts import EvalLine, StartRecord, TrainLine
from codescale.titan_runner.recording import RunCallback, RunMetrics, RunStopped
from codescale.titan_runner.rundir import MetricsWriter, now_iso

log = logging.getLogger(__name__)


class MetricsFile(RunCallback):
    """Appends every train and eval line to ``metrics.jsonl`` (flushed per line)."""

    @dataclass(kw_only=True, slots=True)
    class Config(RunCallback.Config):
        pass

    def __init__(self, config: Config, *, recorder: RunMetrics) -> None:
        super().__init__(config, recorder=recorder)
        self.writer: MetricsWriter | None = None

    def on_begin(self, loaded_step: int, *, eval_again: bool) -> None:
        if not self.recorder.is_writer:
            return
        run_dir = self.recorder.run_dir
        run_dir.truncate_metrics_after(loaded_step, keep_eval_at_step=not eval_again)
        self.writer = MetricsWriter(run_dir.metrics_jsonl)

    def on_train_line(self, line: TrainLine) -> None:
        if self.writer is not None:
            self.writer.write(line)

    def on_eval_line(self, line: EvalLine) -> None:
        if self.writer is not None:
            self.writer.write(line)

    def on_close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class StatusFile(RunCallback):
    """Progress (step, tokens seen) and the resumed-from step in ``status.json``."""

    @dataclass(kw_only=True, slots=True)
    class Config(RunCallback.Config):
        every_s: float = 2.0
        """status.json is rewritten (atomically) at most this often; metrics.jsonl has every logged step."""

    def __init__(self, config: Config, *, recorder: RunMetrics) -> None:
        super().__init__(config, recorder=recorder)
        self.driverless = False
        self._last_write = 0.0
        self._finished = False

    def on_begin(self, loaded_step: int, *, eval_again: bool) -> None:
        if not self.recorder.is_writer:
            return
        run_dir = self.recorder.run_dir
        status = run_dir.read_status()
        starts = status.starts
        fields: dict[str, Any] = {}
        if starts and starts[-1].pid == os.getpid() and starts[-1].resumed_from_step is None:
            starts[-1].resumed_from_step = loaded_step  # the driver's record of this start
        else:  # started by torchtitan's entry point: no driver wrote a start record
            self.driverless = True
            start = StartRecord(
                time=now_iso(), host=socket.gethostname(), pid=os.getpid(), job_id=None, resumed_from_step=loaded_step
            )
            starts = [*starts, start]
            fields.update(state="running", started_at=status.started_at or start.time, finished_at=None, error=None)
        run_dir.update_status(
            keep_terminal=True, starts=starts, step=loaded_step, total_steps=self.recorder.total_steps, **fields
        )
        self._finished = loaded_step >= self.recorder.total_steps

    def on_train_line(self, line: TrainLine) -> None:
        if not self.recorder.is_writer:
            return
        now = time.monotonic()
        final = line.step >= self.recorder.total_steps
        if final or now - self._last_write >= self.config.every_s:
            self.recorder.run_dir.update_status(
                keep_terminal=True, durable=final, step=line.step, tokens_seen=int(line.tokens or 0)
            )
            self._last_write = now
        if final and self.recorder.validator is None:
            self._finished = True

    def on_eval_line(self, line: EvalLine) -> None:
        if line.step >= self.recorder.total_steps:
            self._finished = True

    def on_close(self) -> None:
        if self.recorder.is_writer and self.driverless and self._finished:
            self.recorder.run_dir.update_status(keep_terminal=True, state="completed", finished_at=now_iso())


def cancel_requested(run_dir: Path) -> bool:
    """Whether ``codescale cancel`` has asked this job to stop: its mark in the run's submission record."""
    from codescale.titan_runner.localqueue import read_local_job
    from codescale.titan_runner.slurm import read_submission
    from codescale.titan_runner.train import submitit_job_id

    executor = os.environ.get("SUBMITIT_EXECUTOR")
    record = read_submission(run_dir) if executor == "slurm" else read_local_job(run_dir) if executor else None
    if not record or not record.get("cancel_requested_at"):
        return False
    job_id = submitit_job_id()
    return job_id is None or str(record.get("job_id")) == str(job_id)


class StopOnCancel(RunCallback):
    """SIGTERM stops training at the next step boundary (under Slurm: only when ``codescale cancel`` sent it)."""

    @dataclass(kw_only=True, slots=True)
    class Config(RunCallback.Config):
        pass

    def __init__(self, config: Config, *, recorder: RunMetrics) -> None:
        super().__init__(config, recorder=recorder)
        self.signalled = False
        self._previous: Any = None
        self._installed = False
        self.world_size = dist.get_world_size() if dist.is_initialized() else 1
        self.group = None
        if self.world_size > 1 and dist.get_backend() != "gloo":
            self.group = dist.new_group(backend="gloo")  # every rank builds this callback, in the same order

    def on_begin(self, loaded_step: int, *, eval_again: bool) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._on_sigterm)
            self._installed = True
        if cancel_requested(self.recorder.run_dir.path):
            self.signalled = True  # the SIGTERM came while the trainer was being built (submitit ignored it then)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        self.signalled = True
        log.warning("SIGTERM: training stops at the next step boundary if this is a cancel")

    def on_step_start(self, step: int) -> None:
        stop = 0
        if self.signalled:
            self.signalled = False
            if os.environ.get("SUBMITIT_EXECUTOR") != "slurm" or cancel_requested(self.recorder.run_dir.path):
                stop = 1
            else:
                log.warning(
                    "SIGTERM without a codescale cancel: left to Slurm and submitit (a preemption's USR2 follows)"
                )
        if self.world_size > 1:
            flag = torch.tensor([stop], dtype=torch.int32)
            dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=self.group)
            stop = int(flag.item())
        if stop:
            raise RunStopped(f"cancelled: stopped by SIGTERM at the step boundary after step {step - 1}")

    def on_close(self) -> None:
        if self._installed:
            signal.signal(signal.SIGTERM, self._previous if self._previous is not None else signal.SIG_DFL)
            self._installed = False

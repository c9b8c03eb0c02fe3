"""Run one compiled run with torchtitan's Trainer: ``codescale train RUN_DIR`` or
``python -m codescale.titan_runner.train RUN_DIR``, and :class:`TrainJob`, the callable executors submit.

What one start of a run does:
  1. reads ``run.json``; a run whose status is ``completed`` is left alone;
  2. sets the torch distributed environment: inside a submitit task from the task (``TorchDistributedEnvironment``),
     otherwise, when RANK/WORLD_SIZE are absent, for one process on a free local port;
  3. takes the run's lease (``lease.json``): all processes of this job share it, another live job is refused;
  4. marks the run ``running`` and appends this start to ``status.json`` (time, host, pid, job id);
  5. applies :mod:`~codescale.titan_runner.cpu_compat`, calls the job function named in ``run.json paths`` of the
     compiled ``jobs.py`` (fallback: ``OUT/jobs.py`` and ``job_<run_id with - -> _>``), writes what it returns to
     ``resolved_config.json``, and builds and trains it with torchtitan's own ``Trainer``: the returned
     ``Trainer.Config`` is complete (seed, dump folder, data loader, loss, validator, metrics recording), nothing is
     changed after loading;
  6. torchtitan restores the latest checkpoint in ``RUN_DIR/checkpoints`` if there is one: the model, optimizer, lr
     schedule, train step and the sampler's position, so the run goes on with the same data order; the job's
     recording components cut metrics.jsonl back to that step before anything is appended
     (:mod:`~codescale.titan_runner.recording`);
  7. ends ``completed``, or ``failed`` with the error (type, message, traceback), or ``cancelled``: on SIGINT at
     once, on SIGTERM (``codescale cancel``) at the next step boundary once training runs
     (:class:`~codescale.titan_runner.callbacks.StopOnCancel`). Metrics and checkpoints already written are kept;
     starting the run again resumes it.

A run killed by SIGKILL cannot record anything: it stays ``running`` with a lease whose process is dead, which
``codescale status`` shows as ``interrupted`` and ``codescale submit`` starts again.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import importlib.util
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import submitit

from codescale.core import logging as codescale_logging
from codescale.core.contracts import ErrorRecord, Run, StartRecord, Status
from codescale.core.errors import CodescaleError
from codescale.core.io import write_json_atomic
from codescale.titan_runner.rundir import RunDir, now_iso

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_submitit_task() -> bool:
    return bool(os.environ.get("SUBMITIT_EXECUTOR"))


def submitit_job_id() -> str | None:
    if not in_submitit_task():
        return None
    try:
        return str(submitit.JobEnvironment().job_id)
    except Exception:  # not a fully set-up task (e.g. a debug executor)
        return None


DIST_ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def ensure_distributed_env() -> dict[str, str | None]:
    """RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT for ``init_process_group`` (env://).

    Returns the previous values of what it set, for :func:`restore_env` (runs in one process one after another)."""
    if all(k in os.environ for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")):
        return {}
    previous = {key: os.environ.get(key) for key in DIST_ENV}
    if in_submitit_task() and os.environ.get("SUBMITIT_EXECUTOR") != "debug":
        submitit.helpers.TorchDistributedEnvironment().export(set_cuda_visible_devices=False, overwrite=True)
        if os.environ["WORLD_SIZE"] == "1":
            # submitit derives the port from the job id, so every rank agrees on it without talking; a one-task job
            # has nobody to agree with, and a port the OS hands out cannot already be taken (a derived one can:
            # it lies in the ephemeral range, and a CI run lost an array task to EADDRINUSE that way).
            os.environ["MASTER_PORT"] = str(free_port())
    else:
        os.environ.update(
            RANK="0",
            WORLD_SIZE="1",
            LOCAL_RANK="0",
            LOCAL_WORLD_SIZE="1",
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(free_port()),
        )
    return previous


def restore_env(previous: dict[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def lease_token() -> str:
    """Shared by every process of one job, different between jobs."""
    job_id = submitit_job_id() or os.environ.get("SLURM_JOB_ID")
    if job_id:
        return f"job:{job_id}"
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        return f"rendezvous:{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}"
    return f"process:{socket.gethostname()}:{os.getpid()}"


def job_location(run: Run, run_dir: RunDir) -> tuple[Path, str]:
    """The compiled ``jobs.py`` and the function in it that returns this run's ``Trainer.Config``."""
    paths = run.paths
    module = Path(paths.job_module) if paths.job_module else run_dir.path.parent.parent / "jobs.py"
    function = paths.job_function or "job_" + run.run_id.replace("-", "_")
    return module, function


def load_job_config(run: Run, run_dir: RunDir) -> Any:
    module_path, function_name = job_location(run, run_dir)
    if not module_path.is_file():
        raise CodescaleError(
            "compiled job module not found", source=module_path, hint="recompile: codescale compile SPEC -o OUT"
        )
    name = "codescale_jobs_" + hashlib.sha256(str(module_path).encode()).hexdigest()[:12]
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, module_path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[name]
            raise
    function = getattr(module, function_name, None)
    if function is None:
        raise CodescaleError(
            f"{function_name}() is not defined in the job module",
            source=module_path,
            hint="the plan and jobs.py are out of sync; recompile the spec",
        )
    return function()


def config_as_json(value: Any) -> Any:
    """The config tree as JSON, every config object tagged with its class (``"__class__"``), so the file says
    exactly what ran (e.g. ``ScaledDotProductAttention`` instead of flex on the CPU, float8 layers in emulation)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"__class__": f"{type(value).__module__}.{type(value).__qualname__}"}
        for field in dataclasses.fields(value):
            out[field.name] = config_as_json(getattr(value, field.name))
        return out
    if isinstance(value, (list, tuple)):
        return [config_as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): config_as_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return repr(value)


def _error_record(err: BaseException) -> ErrorRecord:
    message = err.render() if isinstance(err, CodescaleError) else str(err)
    return ErrorRecord(type=type(err).__name__, message=message, traceback="".join(traceback.format_exception(err)))


class _Interruption:
    """SIGINT/SIGTERM raise KeyboardInterrupt and are remembered: torchtitan code (e.g. a checkpoint save) may wrap
    the KeyboardInterrupt in its own exception, and the run must still end ``cancelled``, not ``failed``."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Interruption:
        if threading.current_thread() is threading.main_thread():
            for signum, default in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL)):
                if signal.getsignal(signum) in (default, None):  # leave submitit's own handlers alone
                    self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.signal = signum
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def train_run(run_dir: str | Path) -> Status:
    """Run (or resume) the run in ``run_dir`` in this process and return its final status."""
    codescale_logging.setup()  # a job's own process: its log lines go to the run's logs/
    run_dir = RunDir(run_dir)
    run = run_dir.load_run()
    status = run_dir.read_status()
    if status.state == "completed":
        log.info("%s is already completed: nothing to train", run.run_id)
        return status
    previous_env = ensure_distributed_env()
    rank = int(os.environ["RANK"])
    job_id = submitit_job_id() or os.environ.get("SLURM_JOB_ID")
    try:
        lease = run_dir.acquire_lease(lease_token(), job_id, holder=rank == 0)
    except BaseException:
        restore_env(previous_env)
        raise
    started = time.time()
    with _Interruption() as interruption:
        try:
            world_size = int(os.environ["WORLD_SIZE"])
            expected = run.parallelism.world_size
            if world_size != expected:
                raise CodescaleError(
                    f"run {run.run_id} is planned for {expected} processes but this start has {world_size}",
                    source=run_dir.run_json,
                    field="parallelism.world_size",
                    hint="start it with `codescale submit` (one process per rank) or torchrun --nproc-per-node",
                )
            if rank == 0:
                status = run_dir.read_status()
                start = StartRecord(
                    time=now_iso(), host=socket.gethostname(), pid=os.getpid(), job_id=job_id, resumed_from_step=None
                )
                run_dir.update_status(
                    state="running",
                    starts=[*status.starts, start],
                    started_at=status.started_at or start.time,
                    finished_at=None,
                    error=None,
                    total_steps=run.training.steps,
                )
            final_step, total_steps = _train(run, run_dir)
            if final_step < total_steps:
                raise CodescaleError(
                    f"training stopped at step {final_step} of {total_steps}: the data loader ran out",
                    source=run_dir.mixture_json,
                    hint="the mixture's token quotas are smaller than steps x global batch; recompile the spec",
                )
            if rank == 0:
                return _finish(run_dir, "completed", started, None)
            return run_dir.read_status()
        except KeyboardInterrupt as err:
            _finish(run_dir, "cancelled", started, _error_record(err))
            raise
        except SystemExit as err:
            # submitit's requeue (timeout/preemption) exits from its signal handler; the next start resumes.
            _finish(run_dir, "pending", started, _error_record(err))
            raise
        except BaseException as err:
            _finish(run_dir, "cancelled" if interruption.signal else "failed", started, _error_record(err))
            raise
        finally:
            lease.release()
            _shutdown_distributed()
            restore_env(previous_env)
            gc.enable()  # torchtitan's Trainer disables automatic GC for its lifetime


def _train(run: Run, run_dir: RunDir) -> tuple[int, int]:
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()  # before torchtitan.trainer is imported (the job module does it too)
    config = load_job_config(run, run_dir)  # complete for this machine: nothing is patched after loading
    if Path(config.dump_folder).resolve() != run_dir.path:
        raise CodescaleError(
            f"the compiled job writes to {config.dump_folder}, not to this run directory",
            source=run_dir.run_json,
            field="paths.run_dir",
            hint="the run directory was moved or copied after compiling; compile the spec again into its new place",
        )
    if int(os.environ["RANK"]) == 0:
        write_json_atomic(run_dir.resolved_config_json, config_as_json(config), durable=True)
    trainer = config.build()  # torchtitan's own Trainer; the job's components record the run
    cpu_compat.skip_rank_wait()
    try:
        trainer.train()
        recorder = trainer.metrics_processor
        if getattr(recorder, "began", True) is False:  # restored at the last step: nothing left to train
            recorder.begin(trainer.step)
        return trainer.step, int(config.training.steps)
    finally:
        trainer.close()


def _finish(run_dir: RunDir, state: str, started: float, error: ErrorRecord | None) -> Status:
    status = run_dir.read_status()
    if status.state in ("failed", "cancelled") and state != "completed":
        if status.state == state and status.error is None and error is not None:
            # `codescale cancel` marked it first; keep that, and add the run's own account of how it stopped
            return run_dir.update_status(error=error)
        return status  # the first recorded failure wins (e.g. another rank's)
    fields: dict[str, Any] = {
        "state": state,
        "error": error,
        "wall_seconds": (status.wall_seconds or 0.0) + time.time() - started,
    }
    if state in ("completed", "failed", "cancelled"):
        fields["finished_at"] = now_iso()
    return run_dir.update_status(**fields)


def _shutdown_distributed() -> None:
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
    except Exception:
        pass


class TrainJob(submitit.helpers.Checkpointable):
    """What executors submit: ``TrainJob()(run_dir)`` trains (or resumes) the run; on timeout or preemption
    :meth:`checkpoint` requeues the same call, which resumes from the latest torchtitan checkpoint in the run dir."""

    def __call__(self, run_dir: str) -> Status:
        return train_run(run_dir)

    def checkpoint(self, run_dir: str) -> submitit.helpers.DelayedSubmission:
        return submitit.helpers.DelayedSubmission(TrainJob(), run_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codescale.titan_runner.train", description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", help="OUT/runs/<run_id> of `codescale compile`")
    args = parser.parse_args(argv)
    try:
        status = train_run(args.run_dir)
    except CodescaleError as err:
        print(f"error: {err.render()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0 if status.state == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())

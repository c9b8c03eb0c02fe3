"""Evaluation as jobs: one task per checkpoint, through the executors training uses.

What gets evaluated: the runs a target names (:func:`~codescale.titan_runner.targets.resolve_targets`: a run
directory, a compiled output directory or its ``plan.json``), only those that completed, at their latest checkpoint,
a chosen step, or every checkpoint (``--step all``). Each (run, step, settings) is one :class:`EvalTask`, and its
directory (:func:`~.pipeline.eval_dir`) is its identity: the task is the same however many times it is submitted.

Executors:

``inline``  each task in this process, one after another (the default; what a laptop wants).
``local``   submitit's ``LocalExecutor``: each task its own process, at most ``max_parallel`` at once (the harness
            workers are divided among them), logs in ``EVAL_DIR/logs``; waits for all of them.
``slurm``   submitit's ``SlurmExecutor``: all tasks as one job array (``max_parallel`` = array parallelism), one GPU
            each where the run's cluster has GPUs; returns at once. ``codescale status`` follows the jobs and
            ``codescale ingest`` stores their results once they finish.

Idempotent: a task whose ``result.json`` exists is skipped (completed), one whose directory lock a live process holds
is skipped (running), one whose Slurm job is still pending or running is skipped (queued). Resumable: a task that was
killed or preempted starts again where its samples and verdicts stopped (:mod:`.pipeline`); on Slurm a timeout or
preemption requeues the same task (:class:`EvalJob` is checkpointable).

Every task's ``status.json`` records the executor and job id; :func:`status_rows` reads them for ``codescale status``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import submitit

from codescale.core.contracts import Run, Status
from codescale.core.contracts.evals import EvalResult, EvalSettingsRecord, EvalState, EvalStatus
from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.pipeline import ExecutionOptions, eval_dir, evaluate_checkpoint, is_live

log = logging.getLogger(__name__)
EXECUTORS = ("inline", "local", "slurm")
POLL_S = 1.0


@dataclass(frozen=True)
class EvalTask:
    """One checkpoint to evaluate with one set of settings (plain data: it travels to submitit's workers)."""

    run_dir: str
    step: int
    settings: dict
    options: dict
    force: bool = False
    """Start over (drop samples, verdicts and result) instead of reusing or resuming."""

    @property
    def directory(self) -> Path:
        return eval_dir(self.run_dir, EvalSettingsRecord.model_validate(self.settings), self.step)

    @property
    def run_id(self) -> str:
        return Path(self.run_dir).name


class EvalJob(submitit.helpers.Checkpointable):
    """What executors submit: ``EvalJob()(task)`` evaluates one checkpoint (resuming a partial evaluation); on a
    Slurm timeout or preemption :meth:`checkpoint` requeues the same task."""

    def __call__(self, task: EvalTask) -> dict:
        from codescale.core.logging import setup

        setup()
        result = evaluate_checkpoint(
            task.run_dir,
            task.step,
            EvalSettingsRecord.model_validate(task.settings),
            ExecutionOptions(**task.options),
            force=task.force,
            report=log.info,
        )
        return {"run_id": result.run_id, "step": result.step, "eval_id": result.eval_id}

    def checkpoint(self, task: EvalTask) -> submitit.helpers.DelayedSubmission:
        # a requeued task resumes what it has; only its first start may have been asked to start over
        return submitit.helpers.DelayedSubmission(EvalJob(), dataclasses.replace(task, force=False))


def plan_tasks(
    targets: list[str | Path],
    settings: EvalSettingsRecord,
    options: ExecutionOptions,
    step: str | int = "latest",
    force: bool = False,
) -> tuple[list[EvalTask], list[dict]]:
    """The tasks for ``targets`` and a record for every run left out (and why)."""
    from codescale.titan_runner.evals.export import checkpoints
    from codescale.titan_runner.targets import resolve_targets

    tasks, skipped = [], []
    for run_dir in resolve_targets(list(targets)):
        status = Status.read_or_pending(run_dir / "status.json", run_dir.name)
        record = {"run_id": run_dir.name, "run_dir": str(run_dir), "step": None, "eval_dir": None}
        if status.state != "completed":
            skipped.append({**record, "action": "skipped", "reason": f"run is {status.state}, not completed"})
            continue
        available = checkpoints(run_dir)
        if not available:
            skipped.append({**record, "action": "skipped", "reason": "no checkpoint"})
            continue
        if step == "latest":
            steps = [available[-1].step]
        elif step == "all":
            steps = [c.step for c in available]
        else:
            steps = [c.step for c in available if c.step == int(step)]
            if not steps:
                have = ", ".join(str(c.step) for c in available)
                skipped.append({**record, "action": "skipped", "reason": f"no checkpoint of step {step} (has {have})"})
                continue
        tasks += [EvalTask(str(run_dir), s, settings.to_dict(), dataclasses.asdict(options), force) for s in steps]
    return tasks, skipped


def _record(task: EvalTask, action: str, reason: str = "", job_id: str | None = None) -> dict:
    return {
        "run_id": task.run_id,
        "run_dir": task.run_dir,
        "step": task.step,
        "eval_dir": str(task.directory),
        "action": action,
        "reason": reason,
        "job_id": job_id,
    }


def _why_not(task: EvalTask) -> str | None:
    """A reason to leave the task alone (completed, running, queued), or None."""
    directory = task.directory
    if is_live(directory):
        return "running"
    if (directory / "result.json").is_file() and not task.force:
        return "completed"
    status = _status(directory)
    if status and status.executor == "slurm" and status.job_id and status.state in ("pending", "running"):
        from codescale.titan_runner.slurm_states import ACTIVE, query

        with contextlib.suppress(CodescaleError):
            found = query([status.job_id], live=True).get(status.job_id)
            if found and found[0] in ACTIVE:
                return f"queued as Slurm job {status.job_id} ({found[0]})"
    return None


def _status(directory: Path) -> EvalStatus | None:
    try:
        return EvalStatus.read(directory / "status.json")
    except CodescaleError:
        return None


def _mark(task: EvalTask, executor: str, job_id: str | None, state: EvalState = "pending") -> None:
    directory = task.directory
    directory.mkdir(parents=True, exist_ok=True)
    status = _status(directory) or EvalStatus(
        run_id=task.run_id, step=task.step, eval_id=directory.parent.name, suite=task.settings["suite"]
    )
    status.executor, status.job_id, status.state = executor, job_id, state
    status.error = None
    status.write(directory / "status.json")


def run_tasks(
    tasks: list[EvalTask],
    *,
    executor: str = "inline",
    max_parallel: int | None = None,
    slurm: dict | None = None,
    dry_run: bool = False,
    report: Callable[[str], None] | None = None,
) -> list[dict]:
    """Evaluate (or submit) every task that is not completed, running or queued; one record per task."""
    if executor not in EXECUTORS:
        raise CodescaleError(f"unknown executor {executor!r}", hint=f"use one of {', '.join(EXECUTORS)}")
    if max_parallel is not None and max_parallel < 1:
        raise CodescaleError(f"--max-parallel must be at least 1, got {max_parallel}")
    records: dict[int, dict] = {}
    todo = []
    for index, task in enumerate(tasks):
        reason = _why_not(task)
        if reason:
            records[index] = _record(task, "skipped", reason)
        elif dry_run:
            records[index] = _record(task, "would_evaluate")
        else:
            todo.append((index, task))
    if todo:
        run = {"inline": _inline, "local": _local, "slurm": _slurm}[executor]
        records.update(run(todo, max_parallel=max_parallel, slurm=slurm or {}, report=report))
    return [records[i] for i in range(len(tasks))]


def _inline(todo, *, max_parallel, slurm, report) -> dict[int, dict]:
    records = {}
    for index, task in todo:
        try:
            evaluate_checkpoint(
                task.run_dir,
                task.step,
                EvalSettingsRecord.model_validate(task.settings),
                ExecutionOptions(**task.options),
                force=task.force,
                report=report,
            )
        except CodescaleError as err:
            records[index] = _record(task, "failed", err.render())
            continue
        records[index] = _record(task, "evaluated")
    return records


def _local(todo, *, max_parallel, slurm, report) -> dict[int, dict]:
    import torch

    parallel = max_parallel or 1
    pending, records = list(todo), {}
    active: list[tuple[int, EvalTask, submitit.Job[dict]]] = []
    while pending or active:
        while pending and len(active) < parallel:
            index, task = pending.pop(0)
            if task.options.get("workers") is None:  # share the cores between the concurrent tasks
                task = dataclasses.replace(
                    task, options={**task.options, "workers": max(1, (os.cpu_count() or 1) // parallel)}
                )
            logs = task.directory / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            executor = submitit.LocalExecutor(folder=str(logs))
            executor.update_parameters(timeout_min=7 * 24 * 60, gpus_per_node=1 if torch.cuda.is_available() else 0)
            job = executor.submit(EvalJob(), task)
            _mark(task, "local", str(job.job_id))
            if report:
                report(f"started {task.run_id} step {task.step} as local job {job.job_id}")
            active.append((index, task, job))
        still = []
        for index, task, job in active:
            if not job.done():
                still.append((index, task, job))
                continue
            try:
                job.result()
                records[index] = _record(task, "evaluated", job_id=str(job.job_id))
            except Exception as err:  # the job's own status.json holds the error
                records[index] = _record(
                    task, "failed", str(err).strip().splitlines()[-1][:300], job_id=str(job.job_id)
                )
        active = still
        if active:
            time.sleep(POLL_S)
    return records


def slurm_parameters(task: EvalTask, overrides: dict) -> dict:
    """Resources of an evaluation job: one task, one GPU where the run's cluster has GPUs, the run's partition,
    account and QOS unless overridden."""
    run = Run.read(Path(task.run_dir) / "run.json")
    cluster = run.cluster
    gpus = 0 if str(cluster.gpu).lower() == "cpu" else 1
    params: dict[str, Any] = {
        "nodes": 1,
        "ntasks_per_node": 1,
        "cpus_per_task": cluster.cpus_per_task or 8,
        "time": 60,
        "partition": cluster.partition,
        "account": cluster.account,
        "qos": cluster.qos,
        "gpus_per_node": gpus,
    }
    params.update({k: v for k, v in overrides.items() if v is not None})
    if params.get("mem_gb"):
        params["mem"] = f"{int(float(params.pop('mem_gb')) * 1024)}M"
    params.pop("mem_gb", None)
    if not params.get("gpus_per_node"):
        params.pop("gpus_per_node", None)
    return {k: v for k, v in params.items() if v is not None}


def _slurm(todo, *, max_parallel, slurm, report) -> dict[int, dict]:
    from codescale.compiler.cluster import SlurmCluster

    cluster = SlurmCluster.read()
    first = todo[0][1]
    params = slurm_parameters(first, slurm)
    if not params.get("partition"):
        params["partition"] = cluster.default_partition()
    largest = max((node.cpus for node in cluster.nodes), default=params["cpus_per_task"])
    params["cpus_per_task"] = min(params["cpus_per_task"], largest)  # the default of 8 on a small node
    job_name = f"codescale-eval-{uuid.uuid4().hex[:8]}"
    folder = Path(first.run_dir).parent.parent / "slurm-evals" / job_name
    executor = submitit.SlurmExecutor(folder=folder / "%j", max_num_timeout=3)
    settings = {"job_name": job_name, **params}
    if max_parallel:
        settings["array_parallelism"] = max_parallel
    try:
        executor.update_parameters(**settings)
    except ValueError as err:
        raise CodescaleError(f"invalid Slurm parameter: {str(err).splitlines()[0]}") from err
    records = {}
    for start in range(0, len(todo), cluster.max_array_size):
        chunk = todo[start : start + cluster.max_array_size]
        try:
            with contextlib.redirect_stderr(io.StringIO()), executor.batch():
                jobs = [executor.submit(EvalJob(), task) for _, task in chunk]
        except submitit.core.utils.FailedJobError as err:
            raise CodescaleError(
                f"sbatch refused the evaluation array: {str(err).strip().splitlines()[-1]}",
                hint="check --partition/--gpus/--time-min against the cluster",
            ) from err
        for (index, task), job in zip(chunk, jobs):
            _mark(task, "slurm", str(job.job_id))
            records[index] = _record(task, "submitted", f"Slurm job {job.job_id}", str(job.job_id))
    if report:
        report(f"submitted {len(todo)} evaluation(s) as job array {job_name}; logs in {folder}")
    return records


# --- codescale status ---------------------------------------------------------------------------------------------


def status_rows(run_dirs: list[Path]) -> list[dict]:
    """One row per evaluation found in these run directories: its state, progress and headline score."""
    directories = [d for run_dir in run_dirs for d in sorted(Path(run_dir).glob("evals/*/step-*")) if d.is_dir()]
    statuses = {d: _status(d) for d in directories}
    slurm_ids = [
        s.job_id
        for s in statuses.values()
        if s and s.executor == "slurm" and s.job_id and s.state in ("pending", "running")
    ]
    scheduler: dict[str, str] = {}
    if slurm_ids:
        from codescale.titan_runner.slurm_states import poll

        with contextlib.suppress(CodescaleError, OSError):
            scheduler = poll(slurm_ids)
    rows = []
    for directory in directories:
        status = statuses[directory]
        result = None
        if (directory / "result.json").is_file():
            with contextlib.suppress(CodescaleError):
                result = EvalResult.read(directory / "result.json")
        state, reason = _state(directory, status, result, scheduler)
        pass_at_1 = [s.value for s in (result.scores if result else []) if s.metric == "pass@k" and s.k == 1]
        rows.append(
            {
                "run_id": directory.parent.parent.parent.name,
                "step": int(directory.name.split("-")[1]),
                "eval_id": directory.parent.name,
                "suite": (result.suite if result else status.suite if status else "?"),
                "state": state,
                "reason": reason,
                "generated": status.generated if status else 0,
                "judged": status.judged if status else 0,
                "samples": status.samples_total if status else 0,
                "pass_at_1": sum(pass_at_1) / len(pass_at_1) if pass_at_1 else None,
                "executor": status.executor if status else None,
                "job_id": status.job_id if status else None,
            }
        )
    return rows


def _state(
    directory: Path, status: EvalStatus | None, result: EvalResult | None, scheduler: dict[str, str]
) -> tuple[str, str]:
    if result is not None:
        return "completed", ""
    if status is None:
        return "pending", ""
    if is_live(directory):
        return "running", f"pid {status.pid} on {status.host}" if status.pid else ""
    if status.executor == "slurm" and status.job_id in scheduler:
        job_state = scheduler[status.job_id]
        if job_state in ("PENDING", "REQUEUED"):
            return "pending", f"Slurm job {status.job_id} {job_state.lower()}"
        if job_state == "RUNNING":
            return "running", f"Slurm job {status.job_id}"
        if status.state in ("pending", "running"):
            return "failed", f"Slurm job {status.job_id} ended {job_state.lower()} without a result; evaluate again"
    if status.state == "running":
        return "failed", "interrupted (process gone); evaluate again to resume"
    if status.state == "failed":
        return "failed", (status.error or "").splitlines()[0][:200] if status.error else "failed"
    return status.state, ""


def format_rows(rows: list[dict]) -> str:
    header = ("run", "step", "evaluation", "state", "progress", "pass@1", "job", "note")
    lines = [header]
    for row in rows:
        progress = (
            f"gen {row['generated']}/{row['samples']} run {row['judged']}/{row['samples']}" if row["samples"] else "-"
        )
        score = f"{row['pass_at_1']:.3f}" if row["pass_at_1"] is not None else "-"
        lines.append(
            (
                row["run_id"],
                str(row["step"]),
                row["eval_id"],
                row["state"],
                progress,
                score,
                str(row["job_id"] or "-"),
                row["reason"] or "",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)

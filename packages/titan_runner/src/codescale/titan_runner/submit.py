"""``codescale submit``: start a plan's runs on an executor; idempotent; returns at once (except ``debug``).

Executors:
  - ``local``: submitit's ``LocalExecutor``, one process per rank (``parallelism.world_size``; FSDP2 over gloo on
    the CPU), at most ``max_parallel`` runs at once through a detached local queue
    (:mod:`~codescale.titan_runner.localqueue`). Job ids are recorded in each run's ``local_job.json``.
  - ``debug``: submitit's ``DebugExecutor``: each run in this process, one after the other (blocking; for pdb).
  - ``slurm``: :func:`codescale.titan_runner.slurm.submit_runs` (job arrays, ``max_parallel`` = array parallelism);
    records in ``submission.json``.

Idempotence: a completed run is skipped ("completed"); a run with a live lease, or queued/started by a local queue
whose process is alive, or queued on Slurm, is skipped too. Everything else (never started, failed, cancelled,
interrupted) is started and resumes from its latest checkpoint. Deciding and starting happen under a per-run
``flock``, so two concurrent submits cannot both start a run; the lease in the run directory is the last guard.

Each call returns one record per run: ``{"run_id", "run_dir", "executor", "action": "submitted"|"skipped"|
"would_submit", "reason", "job_id"}``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError
from codescale.titan_runner.localqueue import (
    pid_alive,
    read_local_job,
    submission_lock,
    why_not_start,
    write_local_job,
)
from codescale.titan_runner.rundir import RunDir, now_iso
from codescale.titan_runner.targets import resolve_targets

EXECUTORS = ("local", "debug", "slurm")


def submit(
    target: str | Path | list[str | Path],
    *,
    executor: str = "local",
    max_parallel: int | None = None,
    dry_run: bool = False,
    out: str | Path | None = None,
    corpus: str | None = None,
    prepared: str | None = None,
) -> list[dict[str, Any]]:
    """Submit every run of ``target`` (spec, compiled dir, plan.json or run dirs) that still needs to run."""
    if executor not in EXECUTORS:
        raise CodescaleError(f"unknown executor {executor!r}", hint=f"use one of {', '.join(EXECUTORS)}")
    if max_parallel is not None and max_parallel < 1:
        raise CodescaleError(f"--max-parallel must be at least 1, got {max_parallel}")
    targets = target if isinstance(target, list) else [target]
    run_dirs = resolve_targets(targets, allow_spec=True, out=out, corpus=corpus, prepared=prepared)
    if not run_dirs:
        raise CodescaleError("the plan has no runs", source=str(targets[0]))
    for run_dir in run_dirs:
        RunDir(run_dir).load_run()  # refuse a broken run directory before starting anything
    if executor == "slurm":
        from codescale.titan_runner import slurm

        folder = run_dirs[0].parent.parent / "slurm"
        return slurm.submit_runs(run_dirs, folder, array_parallelism=max_parallel, dry_run=dry_run)
    if executor == "debug":
        return [_submit_debug(RunDir(d), dry_run) for d in run_dirs]
    return _submit_local([RunDir(d) for d in run_dirs], max_parallel or 1, dry_run)


def _record(run_dir: RunDir, executor: str, action: str, reason: str = "", job_id: str | None = None) -> dict:
    return {
        "run_id": run_dir.path.name,
        "run_dir": str(run_dir.path),
        "executor": executor,
        "action": action,
        "reason": reason,
        "job_id": job_id,
    }


def _local_skip_reason(run_dir: RunDir) -> str | None:
    reason = why_not_start(run_dir)
    if reason:
        return reason
    record = read_local_job(run_dir.path) or {}
    if record.get("state") == "queued" and pid_alive(record.get("queue_pid")):
        return f"queued in the local queue (pid {record['queue_pid']})"
    return None


def _submit_local(run_dirs: list[RunDir], max_parallel: int, dry_run: bool) -> list[dict]:
    records: dict[Path, dict] = {}
    with contextlib.ExitStack() as locks:
        for run_dir in sorted(run_dirs, key=lambda d: d.path):
            locks.enter_context(submission_lock(run_dir.path))
        todo = []
        for run_dir in run_dirs:
            reason = _local_skip_reason(run_dir)
            if reason:
                records[run_dir.path] = _record(run_dir, "local", "skipped", reason)
            elif dry_run:
                records[run_dir.path] = _record(run_dir, "local", "would_submit")
            else:
                todo.append(run_dir)
        if todo:
            token = uuid.uuid4().hex
            for run_dir in todo:
                write_local_job(
                    run_dir.path,
                    state="queued",
                    queue_token=token,
                    queue_pid=None,
                    job_id=None,
                    submitted_at=now_iso(),
                    started_at=None,
                    reason=None,
                    cancel_requested_at=None,
                )
            queue_pid = _spawn_queue(todo, max_parallel, token)
            for run_dir in todo:
                write_local_job(run_dir.path, queue_pid=queue_pid)
                records[run_dir.path] = _record(run_dir, "local", "submitted", f"local queue pid {queue_pid}")
    return [records[d.path] for d in run_dirs]


def _spawn_queue(run_dirs: list[RunDir], max_parallel: int, token: str) -> int:
    """Start the local queue detached from this process (own session), logging next to the plan."""
    logs = run_dirs[0].path.parent.parent / "logs"
    logs.mkdir(exist_ok=True)
    log = open(logs / f"local-queue-{token[:8]}.log", "a")
    command = [
        sys.executable,
        "-m",
        "codescale.titan_runner.localqueue",
        "--max-parallel",
        str(max_parallel),
        "--token",
        token,
        *[str(d.path) for d in run_dirs],
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=os.environ.copy(),
    )
    log.close()
    return process.pid


def _submit_debug(run_dir: RunDir, dry_run: bool) -> dict:
    import submitit

    from codescale.titan_runner.train import TrainJob

    reason = why_not_start(run_dir)
    if reason:
        return _record(run_dir, "debug", "skipped", reason)
    world_size = run_dir.load_run().parallelism.world_size
    if world_size > 1:
        raise CodescaleError(
            f"run {run_dir.path.name} needs {world_size} processes; the debug executor runs one",
            source=run_dir.run_json,
            field="parallelism.world_size",
            hint="use --executor local",
        )
    if dry_run:
        return _record(run_dir, "debug", "would_submit")
    run_dir.logs.mkdir(exist_ok=True)
    job = submitit.DebugExecutor(folder=str(run_dir.logs)).submit(TrainJob(), str(run_dir.path))
    try:
        status = job.result()
    except Exception as err:  # recorded in status.json by the run itself
        return _record(run_dir, "debug", "submitted", f"failed: {err}", str(job.job_id))
    return _record(run_dir, "debug", "submitted", str(status.state), str(job.job_id))

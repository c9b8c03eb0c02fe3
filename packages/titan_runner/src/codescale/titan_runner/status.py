"""``codescale status``: each run's state and progress, from its run directory (and the scheduler for Slurm jobs).

State rules (the words of status.json):
  - ``completed``, ``failed``, ``cancelled``: as the run recorded them;
  - ``running`` on disk but no live lease: the process died without recording anything (SIGKILL, node loss): shown
    as ``failed`` with "interrupted at step N"; ``codescale submit`` starts it again and it resumes;
  - a run whose latest submission went to Slurm: :func:`codescale.titan_runner.slurm.run_state` merges the
    scheduler's state (one ``sacct``/``squeue`` call for all runs) with status.json;
  - a run queued in a live local queue: ``pending`` ("queued").

Progress comes from the last ``train`` line of metrics.jsonl (only its tail is read): step/total, loss, tokens/s.
The runs' generation evaluations (``RUN_DIR/evals/``) are listed after them by
:func:`codescale.titan_runner.evals.jobs.status_rows` (``codescale status`` prints both).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from codescale.core import fmt
from codescale.core.contracts import TrainLine, parse_metric_line
from codescale.core.errors import CodescaleError
from codescale.titan_runner.localqueue import pid_alive, read_local_job
from codescale.titan_runner.rundir import TERMINAL_STATES, RunDir
from codescale.titan_runner.targets import resolve_targets

TAIL_BYTES = 64 * 1024


def last_train_line(metrics: Path) -> TrainLine | None:
    """The last complete ``train`` line of metrics.jsonl, reading at most its last 64 KiB."""
    try:
        with open(metrics, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - TAIL_BYTES))
            tail = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    for line in reversed(tail.splitlines()):
        try:
            record = parse_metric_line(json.loads(line))
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(record, TrainLine):
            return record
    return None


def _timestamp(text: str | None) -> float:
    try:
        return datetime.fromisoformat(text).timestamp() if text else 0.0
    except ValueError:
        return 0.0


def _latest_executor(run_dir: RunDir) -> tuple[str | None, dict | None]:
    from codescale.titan_runner.slurm import read_submission

    local = read_local_job(run_dir.path)
    slurm = read_submission(run_dir.path)
    if slurm and (not local or _timestamp(slurm.get("submitted_at")) >= _timestamp(local.get("submitted_at"))):
        return "slurm", slurm
    return ("local", local) if local else (None, None)


def run_progress(run_dir: RunDir, scheduler_state: str | None = None) -> dict[str, Any]:
    """One row of ``codescale status`` for ``run_dir``."""
    status = run_dir.read_status()
    executor, submission = _latest_executor(run_dir)
    state, reason = status.state, ""
    if executor == "slurm":
        from codescale.titan_runner.slurm import run_state

        state, reason = run_state(run_dir.path, scheduler_state)
    elif state == "running" and run_dir.liveness() != "live":
        state, reason = "failed", f"interrupted at step {status.step} (process gone); submit again to resume"
    elif state not in TERMINAL_STATES and executor == "local" and submission:
        if submission.get("state") == "queued" and pid_alive(submission.get("queue_pid")):
            state, reason = "pending", "queued in the local queue"
        elif submission.get("state") == "started" and pid_alive(submission.get("job_id")) and state == "pending":
            state, reason = "running", "starting"
    if state == "failed" and not reason and status.error is not None and status.error.message:
        reason = status.error.message.splitlines()[0][:200]
    if state == "cancelled" and not reason:
        reason = "cancelled"
    last = last_train_line(run_dir.metrics_jsonl)
    total_steps = status.total_steps
    if total_steps is None:
        with contextlib.suppress(CodescaleError):
            total_steps = run_dir.load_run().training.steps
    return {
        "run_id": status.run_id or run_dir.path.name,
        "run_dir": str(run_dir.path),
        "state": state,
        "reason": reason,
        "step": max(status.step, last.step if last is not None else 0),
        "total_steps": total_steps,
        "loss": last.loss if last is not None else None,
        "tokens": last.tokens if last is not None and last.tokens is not None else status.tokens_seen,
        "tokens_per_second": last.tokens_per_second if last is not None else None,
        "executor": executor,
        "job_id": (submission or {}).get("job_id"),
        "wall_seconds": status.wall_seconds,
    }


def collect(target: str | Path | list[str | Path]) -> list[dict[str, Any]]:
    """Progress rows for every run of ``target`` (compiled dir, plan.json or run dirs), in plan order."""
    targets = target if isinstance(target, list) else [target]
    run_dirs = [RunDir(d) for d in resolve_targets(targets)]
    scheduler: dict[str, str] = {}
    slurm_jobs = [
        sub["job_id"]
        for rd in run_dirs
        for ex, sub in [_latest_executor(rd)]
        if ex == "slurm" and sub and sub.get("job_id")
    ]
    if slurm_jobs:
        from codescale.titan_runner.slurm import poll

        scheduler = poll(slurm_jobs)
    rows = []
    for run_dir in run_dirs:
        executor, submission = _latest_executor(run_dir)
        job_id = (submission or {}).get("job_id") if executor == "slurm" else None
        rows.append(run_progress(run_dir, scheduler.get(str(job_id)) if job_id else None))
    return rows


def wait(target: str | Path | list[str | Path], *, timeout_s: float | None = None, poll_s: float = 2.0) -> list[dict]:
    """Block until every run of ``target`` is completed, failed or cancelled (or ``timeout_s`` passes)."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        rows = collect(target)
        if all(row["state"] in TERMINAL_STATES for row in rows):
            return rows
        if deadline is not None and time.monotonic() > deadline:
            return rows
        time.sleep(poll_s)


def format_table(rows: list[dict[str, Any]]) -> str:
    header = ("run", "state", "step", "loss", "tokens/s", "job", "note")
    cells = []
    for row in rows:
        total = row["total_steps"]
        cells.append(
            (
                row["run_id"],
                row["state"],
                f"{row['step']}/{total}" if total else str(row["step"]),
                f"{row['loss']:.4f}" if isinstance(row["loss"], (int, float)) else "-",
                f"{row['tokens_per_second']:.0f}" if isinstance(row["tokens_per_second"], (int, float)) else "-",
                str(row["job_id"] or "-"),
                row["reason"] or "",
            )
        )
    return fmt.table(header, cells)

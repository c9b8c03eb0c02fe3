"""``codescale cancel``: stop runs wherever they execute, and record ``cancelled`` in their status.

- queued in a local queue: marked ``cancelled`` in ``local_job.json``; the queue skips it;
- started by a local queue: ``cancel_requested_at`` in ``local_job.json``, then SIGTERM to its submitit controller,
  which forwards it to every rank; training stops at the next step boundary
  (:class:`~codescale.titan_runner.callbacks.StopOnCancel`) and the ranks record ``cancelled`` themselves;
- started by ``codescale train`` on this host: SIGTERM to the lease holder (the same stop at a step boundary);
- on Slurm: ``cancel_requested_at`` in ``submission.json`` first (so the job can tell a cancel from a preemption,
  which also begins with SIGTERM), then one ``scancel`` for all of them (:func:`codescale.titan_runner.slurm.cancel`),
  whose SIGTERM stops training at the next step boundary.

A local run still alive ``GRACE_S`` seconds after its SIGTERM (a step longer than that) is interrupted at once:
SIGINT (the local controller then kills its ranks). Checkpoints and metrics stay; ``codescale submit`` later
resumes a cancelled run from its last checkpoint. A run the signal could not reach in time (or one that was only
queued) is marked ``cancelled`` here.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError
from codescale.titan_runner.localqueue import pid_alive, read_local_job, submission_lock, write_local_job
from codescale.titan_runner.rundir import RunDir, now_iso
from codescale.titan_runner.status import _latest_executor
from codescale.titan_runner.targets import resolve_targets

GRACE_S = 15.0


def _signal(pid: int, signum: int = signal.SIGTERM) -> bool:
    try:
        os.kill(pid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def cancel(targets: list[str | Path], *, all_runs: bool = False) -> list[dict[str, Any]]:
    """Cancel the runs named by ``targets``; a plan (or compiled directory) needs ``all_runs=True``."""
    for target in targets:
        path = Path(target)
        if not (path / "run.json").is_file() and not all_runs:
            raise CodescaleError(
                "names a whole plan", source=path, hint="pass --all to cancel every run of it, or name run directories"
            )
    run_dirs = [RunDir(d) for d in resolve_targets(targets)]
    records: dict[Path, dict] = {}
    slurm_jobs: list[tuple[RunDir, str]] = []
    signalled: list[tuple[RunDir, int]] = []  # (run, the pid that got SIGTERM)
    for run_dir in run_dirs:
        record = {"run_id": run_dir.path.name, "run_dir": str(run_dir.path), "action": "cancelled", "reason": ""}
        records[run_dir.path] = record
        status = run_dir.read_status()
        if status.terminal:
            record.update(action="skipped", reason=status.state)
            continue
        executor, submission = _latest_executor(run_dir)
        if executor == "slurm" and submission and submission.get("job_id"):
            slurm_jobs.append((run_dir, str(submission["job_id"])))
            record["reason"] = f"scancel {submission['job_id']}"
            continue
        with submission_lock(run_dir.path):
            local = read_local_job(run_dir.path) or {}
            if local.get("state") == "queued":
                write_local_job(run_dir.path, state="cancelled", reason="cancelled before it started")
                record["reason"] = "removed from the local queue"
            elif local.get("state") == "started" and pid_alive(local.get("job_id")):
                write_local_job(run_dir.path, cancel_requested_at=now_iso())
                if _signal(int(local["job_id"])):
                    record["reason"] = f"interrupted local job {local['job_id']} at a step boundary"
                    signalled.append((run_dir, int(local["job_id"])))
                    continue
        lease = run_dir.read_lease()
        if (
            lease is not None
            and RunDir.lease_is_live(lease)
            and lease.host == socket.gethostname()
            and _signal(lease.pid)
        ):
            record["reason"] = f"interrupted pid {lease.pid} at a step boundary"
            signalled.append((run_dir, lease.pid))
        elif not record["reason"]:
            if status.state == "pending":
                record.update(action="skipped", reason="not started")
            else:
                record["reason"] = "its process was gone"
    if slurm_jobs:
        from codescale.titan_runner import slurm

        for run_dir, _ in slurm_jobs:
            slurm.mark_cancel_requested(run_dir.path)  # before scancel: the job reads it when SIGTERM arrives
        slurm.cancel([job for _, job in slurm_jobs])

    def still_running() -> list[tuple[RunDir, int]]:
        return [(rd, pid) for rd, pid in signalled if not rd.read_status().terminal and rd.liveness() == "live"]

    deadline = time.monotonic() + GRACE_S
    while still_running() and time.monotonic() < deadline:
        time.sleep(0.2)
    for _, pid in still_running():
        _signal(pid, signal.SIGINT)  # a step longer than the grace period: interrupt it now
    for run_dir in run_dirs:
        if records[run_dir.path]["action"] == "cancelled" and not run_dir.read_status().terminal:
            run_dir.update_status(state="cancelled", finished_at=now_iso())
    return [records[d.path] for d in run_dirs]

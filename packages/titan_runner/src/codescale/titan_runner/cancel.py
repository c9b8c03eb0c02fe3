"""``codescale cancel``: stop runs wherever they execute, and record ``cancelled`` in their status.

- queued in a local queue: marked ``cancelled`` in ``local_job.json``; the queue skips it;
- started by a local queue: SIGINT to its submitit controller, which interrupts every rank (SIGINT, then SIGKILL a
  second later); the ranks record ``cancelled`` themselves;
- started by ``codescale train`` on this host: SIGINT to the lease holder;
- on Slurm: one ``scancel`` for all of them (:func:`codescale.titan_runner.slurm.cancel`).

Checkpoints and metrics stay; ``codescale submit`` later resumes a cancelled run from its last checkpoint. A run the
signal could not reach in time (or one that was only queued) is marked ``cancelled`` here.
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


def _signal(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGINT)
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
    signalled: list[RunDir] = []
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
            elif local.get("state") == "started" and pid_alive(local.get("job_id")) and _signal(int(local["job_id"])):
                record["reason"] = f"interrupted local job {local['job_id']}"
                signalled.append(run_dir)
                continue
        lease = run_dir.read_lease()
        if lease is not None and RunDir.lease_is_live(lease) and lease.host == socket.gethostname() and _signal(lease.pid):
            record["reason"] = f"interrupted pid {lease.pid}"
            signalled.append(run_dir)
        elif not record["reason"]:
            if status.state == "pending":
                record.update(action="skipped", reason="not started")
            else:
                record["reason"] = "its process was gone"
    if slurm_jobs:
        from codescale.titan_runner import slurm

        slurm.cancel([job for _, job in slurm_jobs])
        for run_dir, _ in slurm_jobs:
            slurm.mark_cancel_requested(run_dir.path)
    deadline = time.monotonic() + GRACE_S
    while any(not rd.read_status().terminal and rd.liveness() == "live" for rd in signalled):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for run_dir in run_dirs:
        if records[run_dir.path]["action"] == "cancelled" and not run_dir.read_status().terminal:
            run_dir.update_status(state="cancelled", finished_at=now_iso())
    return [records[d.path] for d in run_dirs]

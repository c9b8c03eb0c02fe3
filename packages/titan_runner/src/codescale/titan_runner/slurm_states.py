"""Scheduler states in batches, and how they merge with what a run directory says about itself.

The model:

- **One call per poll.** :func:`poll` asks ``sacct`` once for every job id it is given (array tasks are queried through
  their array's id, so a 1000-run array costs one short command line), and falls back to one ``squeue`` call when
  accounting is off. A job neither command knows is ``UNKNOWN``: its records are gone (``MinJobAge`` for squeue, a
  purged or reset database for sacct).
- **Normalised states.** Slurm's ~25 states (``CANCELLED by 0``, ``OUT_OF_MEMORY``, ``COMPLETING``...) map onto the ten
  states codescale reports: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, REQUEUED, UNKNOWN.
- **The run directory is the truth about the run; the scheduler is the truth about the process.** A run is identified
  by its run ID, never by a Slurm job id: one run may live through several jobs (requeue after preemption or timeout,
  a resubmit after a failure). :func:`explain_state` combines both views: ``completed`` in ``status.json`` always wins
  (the last checkpoint and final eval are written); a job that is pending, requeued or running wins over a stale
  ``running``/``failed`` in the run directory (a requeued job restarts from its checkpoint); a job that is over, or that
  the scheduler no longer knows, while the run directory still says ``running`` means the process died without saying
  so (cancelled, killed at its time limit, its node failed), and the run is reported failed or cancelled with that
  reason. A cancellation codescale itself requested (recorded by
  :func:`~codescale.titan_runner.slurm.mark_cancel_requested`) is remembered in the run directory, so the run still
  shows ``cancelled`` after Slurm has forgotten the job. The one ``UNKNOWN`` that is not a loss: a job submitted
  moments ago that accounting does not list yet, which stays ``pending``.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from codescale.compiler.cluster import slurm_command
from codescale.core.contracts import Status
from codescale.core.errors import CodescaleError

STATES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "REQUEUED",
          "UNKNOWN")
ACTIVE = frozenset({"PENDING", "RUNNING", "REQUEUED"})

_SLURM_TO_STATE = {
    "PENDING": "PENDING", "CONFIGURING": "PENDING", "REQUEUE_HOLD": "REQUEUED", "REQUEUE_FED": "REQUEUED",
    "REQUEUED": "REQUEUED", "RESV_DEL_HOLD": "PENDING",
    "RUNNING": "RUNNING", "COMPLETING": "RUNNING", "SUSPENDED": "RUNNING", "STOPPED": "RUNNING",
    "SIGNALING": "RUNNING", "STAGE_OUT": "RUNNING", "RESIZING": "RUNNING",
    "COMPLETED": "COMPLETED",
    "FAILED": "FAILED", "OUT_OF_MEMORY": "FAILED", "SPECIAL_EXIT": "FAILED", "BOOT_FAIL": "NODE_FAIL",
    "CANCELLED": "CANCELLED", "REVOKED": "CANCELLED",
    "TIMEOUT": "TIMEOUT", "DEADLINE": "TIMEOUT",
    "NODE_FAIL": "NODE_FAIL", "PREEMPTED": "PREEMPTED",
}


def normalise_state(slurm_state: str) -> str:
    """``CANCELLED by 0`` -> CANCELLED, ``COMPLETING`` -> RUNNING, anything unrecognised -> UNKNOWN."""
    word = slurm_state.strip().split(" ")[0].rstrip("+").upper()
    return _SLURM_TO_STATE.get(word, "UNKNOWN")


def _expand_ids(raw: str) -> list[str]:
    """sacct/squeue ids -> job ids: ``12``, ``12_3``, and pending array ranges ``12_[0-3,7%2]``."""
    match = re.fullmatch(r"(\d+)_\[([\d,\-]+)(?:%\d+)?\]", raw)
    if not match:
        return [raw]
    main, ranges = match.groups()
    ids = []
    for part in ranges.split(","):
        low, _, high = part.partition("-")
        ids.extend(f"{main}_{i}" for i in range(int(low), int(high or low) + 1))
    return ids


def query(job_ids: list[str], *, live: bool = False) -> dict[str, tuple[str, str]]:
    """``{job_id: (normalised state, job name)}`` for the ids the scheduler knows, from ONE sacct (or squeue) call.

    ``live=True`` asks the queue itself (``squeue``): it knows a job the instant it is submitted, while accounting
    may lag a second behind; that is what deciding "already queued?" needs. Otherwise ``sacct`` answers, which also
    remembers finished jobs, with ``squeue`` as the fallback where accounting is off.
    """
    ids = sorted({str(j) for j in job_ids if j})
    if not ids:
        return {}
    wanted = set(ids)
    mains = ",".join(sorted({j.split("_")[0] for j in ids}, key=int))
    proc = None
    if not live and shutil.which("sacct"):
        proc = subprocess.run(["sacct", "-n", "-P", "-X", "-o", "JobID,JobName,State", "-j", mains],
                              capture_output=True, text=True, timeout=120)
    if proc is not None and proc.returncode == 0:
        lines = proc.stdout
    else:  # the queue knows live jobs and, for MinJobAge seconds, finished ones
        lines = slurm_command(["squeue", "-h", "-r", "-t", "all", "-o", "%i|%j|%T", "-j", mains], timeout=120)
    found: dict[str, tuple[str, str]] = {}
    for line in lines.splitlines():
        fields = line.split("|")
        if len(fields) < 3:
            continue
        state, name = normalise_state(fields[2]), fields[1]
        for job_id in _expand_ids(fields[0]):
            if job_id in wanted or job_id.split("_")[0] in wanted:
                found[job_id] = (state, name)
    return found


def poll(job_ids: list[str]) -> dict[str, str]:
    """Normalised state of every id (UNKNOWN where the scheduler has no record), from one scheduler call."""
    known = query(job_ids)
    return {str(j): known.get(str(j), ("UNKNOWN", ""))[0] for j in job_ids}


def cancel(job_ids: list[str]) -> None:
    """Cancel jobs (array tasks or whole arrays) with one ``scancel`` call."""
    ids = [str(j) for j in job_ids if j]
    if ids:
        slurm_command(["scancel", *ids])


def explain_state(run_dir_status: Status | None, scheduler_state: str | None, *,
                  cancel_requested: bool = False, just_submitted: bool = False) -> tuple[str, str]:
    """``(state, reason)`` with state one of pending/running/completed/failed/cancelled (``status.json``'s words).

    ``scheduler_state`` is None when the run was never submitted to Slurm; ``UNKNOWN`` when it was but the
    scheduler no longer knows the job, or does not know it *yet* (``just_submitted``: sbatch returned moments ago and
    the job has not started; accounting lags the queue).
    """
    status = run_dir_status
    run_state = status.state if status is not None else "pending"
    if scheduler_state is not None and scheduler_state not in STATES:
        raise CodescaleError(f"unknown scheduler state {scheduler_state!r}", hint=f"use one of {', '.join(STATES)}")
    if run_state == "completed":
        return "completed", ""
    if scheduler_state is None:
        return run_state, ""
    if scheduler_state == "UNKNOWN" and just_submitted:
        return "pending", "just submitted; not in the scheduler's accounting yet"
    if scheduler_state in ("PENDING", "REQUEUED"):
        resumed = " (requeued; resumes from its last checkpoint)" if status is not None and status.starts else ""
        return "pending", f"queued{resumed}"
    if scheduler_state == "RUNNING":
        return "running", ""
    if run_state in ("failed", "cancelled"):  # the run said why it ended; keep its own words
        error = status.error if status is not None else None
        return run_state, error.message if error is not None else ""
    if scheduler_state == "CANCELLED" or cancel_requested:
        return "cancelled", "job cancelled" + (" by `codescale cancel`" if cancel_requested else "")
    reasons = {
        "COMPLETED": "job ended but the run did not finish (its status was never marked completed)",
        "FAILED": "job failed (see its submitit log)",
        "TIMEOUT": "job hit its time limit and was not requeued (raise cluster.time_limit_min or max requeues)",
        "NODE_FAIL": "the job's node failed",
        "PREEMPTED": "job was preempted and not requeued",
        "UNKNOWN": "the scheduler has no record of the job any more and the run never finished",
    }
    return "failed", reasons[scheduler_state]


def merge_state(run_dir_status: Status | None, scheduler_state: str | None) -> str:
    """The run's state for ``codescale status``: see :func:`explain_state` for the rules."""
    return explain_state(run_dir_status, scheduler_state)[0]

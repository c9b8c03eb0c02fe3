"""Scheduler states in batches, and how they merge with what a run directory says about itself.

The model:

- **Two calls per poll, the queue first.** :func:`poll` asks ``squeue`` and ``sacct`` once each for every job id it is
  given (array tasks are queried through their array's id, so a 1000-run array costs two short command lines). The
  queue is the controller's live view and wins wherever it knows a job: accounting lags it by seconds, and for an
  array it keeps a *range* line (``23_[1-2%1]|PENDING``) that goes on covering a task after the task started (23_1 is
  RUNNING) or was cancelled. So accounting answers only for jobs the queue no longer holds (ended more than
  ``MinJobAge`` ago), its own task lines first and a range line only for tasks it names nowhere else; and never for a
  live array's pending range. A task of an array the scheduler knows that neither lists is one cancelled while it
  was pending (``scancel`` removes such a task from the array without a record of its own): ``CANCELLED`` (without
  accounting, a task that ended more than ``MinJobAge`` ago while its array still runs looks the same; its run
  directory then says how it ended, and that wins, see :func:`explain_state`). A job neither command knows at all is ``UNKNOWN``: its records are gone (``MinJobAge`` for squeue, a purged or reset
  database for sacct), or it was submitted a moment ago.
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

STATES = (
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "NODE_FAIL",
    "PREEMPTED",
    "REQUEUED",
    "UNKNOWN",
)
ACTIVE = frozenset({"PENDING", "RUNNING", "REQUEUED"})

_SLURM_TO_STATE = {
    "PENDING": "PENDING",
    "CONFIGURING": "PENDING",
    "REQUEUE_HOLD": "REQUEUED",
    "REQUEUE_FED": "REQUEUED",
    "REQUEUED": "REQUEUED",
    "RESV_DEL_HOLD": "PENDING",
    "RUNNING": "RUNNING",
    "COMPLETING": "RUNNING",
    "SUSPENDED": "RUNNING",
    "STOPPED": "RUNNING",
    "SIGNALING": "RUNNING",
    "STAGE_OUT": "RUNNING",
    "RESIZING": "RUNNING",
    "COMPLETED": "COMPLETED",
    "FAILED": "FAILED",
    "OUT_OF_MEMORY": "FAILED",
    "SPECIAL_EXIT": "FAILED",
    "BOOT_FAIL": "NODE_FAIL",
    "CANCELLED": "CANCELLED",
    "REVOKED": "CANCELLED",
    "TIMEOUT": "TIMEOUT",
    "DEADLINE": "TIMEOUT",
    "NODE_FAIL": "NODE_FAIL",
    "PREEMPTED": "PREEMPTED",
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
    ids: list[str] = []
    for part in ranges.split(","):
        low, _, high = part.partition("-")
        ids.extend(f"{main}_{i}" for i in range(int(low), int(high or low) + 1))
    return ids


def _records(lines: str) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """``id|name|state`` lines -> (the jobs and tasks listed by their own line, the tasks only a range line covers)."""
    own: dict[str, tuple[str, str]] = {}
    ranged: dict[str, tuple[str, str]] = {}
    for line in lines.splitlines():
        fields = line.split("|")
        if len(fields) < 3:
            continue
        record = (normalise_state(fields[2]), fields[1])
        expanded = _expand_ids(fields[0])
        if expanded == [fields[0]]:
            own[fields[0]] = record
        else:
            for job_id in expanded:
                ranged.setdefault(job_id, record)
    return own, {job_id: r for job_id, r in ranged.items() if job_id not in own}


def _squeue(mains: str, *, required: bool) -> str | None:
    """The queue's lines for these jobs; "" when it knows none of them; None when it cannot be asked (and not
    ``required``)."""
    if shutil.which("squeue") is None and not required:
        return None
    try:
        return slurm_command(["squeue", "-h", "-r", "-t", "all", "-o", "%i|%j|%T", "-j", mains], timeout=120)
    except CodescaleError as err:
        if "Invalid job id" in err.message:  # squeue's answer when it holds none of the ids (all ended long ago)
            return ""
        if required:
            raise
        return None


def query(job_ids: list[str], *, live: bool = False) -> dict[str, tuple[str, str]]:
    """``{job_id: (normalised state, job name)}`` for the ids the scheduler knows (see the module docstring).

    ``live=True`` asks only the queue (``squeue``): it knows a job the instant it is submitted, which is what
    deciding "already queued?" needs. Otherwise the queue and then accounting (``sacct``), which also remembers jobs
    that ended long ago; either may be missing (no accounting, or a cluster whose queue cannot be asked).
    """
    ids = sorted({str(j) for j in job_ids if j})
    if not ids:
        return {}
    mains = ",".join(sorted({j.split("_")[0] for j in ids}, key=int))
    queue_lines = _squeue(mains, required=live)
    account_lines = None
    if not live and shutil.which("sacct"):
        proc = subprocess.run(
            ["sacct", "-n", "-P", "-X", "-o", "JobID,JobName,State", "-j", mains],
            capture_output=True,
            text=True,
            timeout=120,
        )
        account_lines = proc.stdout if proc.returncode == 0 else None
    if queue_lines is None and account_lines is None:  # neither answers: say why, as the queue would
        queue_lines = _squeue(mains, required=True)
    return merge_records(ids, queue_lines or "", account_lines or "")


def merge_records(ids: list[str], queue_lines: str, account_lines: str) -> dict[str, tuple[str, str]]:
    """The rules of the module docstring: ``squeue`` and ``sacct`` lines (``id|name|state``) -> ``{job_id: (state,
    name)}`` for the ``ids`` either knows."""
    queue, queue_ranges = _records(queue_lines)
    queue.update(queue_ranges)  # -r lists tasks one by one; a range here is still live
    accounted, account_ranges = _records(account_lines)
    live_arrays = {job_id.split("_")[0] for job_id in queue}
    names = {
        job_id.split("_")[0]: name
        for job_id, (_, name) in (*accounted.items(), *account_ranges.items(), *queue.items())
    }
    found: dict[str, tuple[str, str]] = {}
    for job_id in ids:
        main = job_id.split("_")[0]
        if job_id in queue:
            found[job_id] = queue[job_id]
        elif job_id in accounted:
            found[job_id] = accounted[job_id]
        elif job_id in account_ranges and main not in live_arrays:
            found[job_id] = account_ranges[job_id]
        elif "_" in job_id and main in names:  # the array is known, this task nowhere: cancelled while pending
            found[job_id] = ("CANCELLED", names[main])
    return found


def poll(job_ids: list[str]) -> dict[str, str]:
    """Normalised state of every id (UNKNOWN where the scheduler has no record), from one squeue and one sacct call."""
    known = query(job_ids)
    return {str(j): known.get(str(j), ("UNKNOWN", ""))[0] for j in job_ids}


def cancel(job_ids: list[str]) -> None:
    """Cancel jobs (array tasks or whole arrays) with one ``scancel`` call."""
    ids = [str(j) for j in job_ids if j]
    if ids:
        slurm_command(["scancel", *ids])


def explain_state(
    run_dir_status: Status | None,
    scheduler_state: str | None,
    *,
    cancel_requested: bool = False,
    just_submitted: bool = False,
) -> tuple[str, str]:
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

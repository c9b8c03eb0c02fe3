"""Submit compiled runs to Slurm through submitit's ``SlurmExecutor``: job arrays, idempotent, returns at once.

The model:

- **Identity is the run ID.** Each run directory (``OUT/runs/<run_id>/``) is submitted as one array task that calls
  the checkpointable ``TrainJob`` with that directory. Slurm job ids are only *where the run currently executes*: they
  are recorded in ``submission.json`` next to ``run.json`` (the previous ones under ``history``), never used to name
  anything. Every job is named ``codescale-<token>`` and the token is recorded too, so a job id that Slurm handed out
  again (after a controller reset ids restart at 1) is not mistaken for ours.
- **Arrays by shape.** Runs that ask for the same resources (nodes, tasks, GPUs, CPUs, memory, time, partition,
  account, QOS, constraint, extra sbatch lines) share an array; different shapes get different arrays. An array
  never holds more than the cluster's ``MaxArraySize`` tasks (read from ``scontrol show config``), and at most
  ``array_parallelism`` of its tasks run at once. Each task has ``nodes x tasks_per_node = world_size`` ranks, one per
  GPU (or per CPU rank on a CPU cluster); ``TrainJob`` exports the torch distributed environment in each of them.
- **Idempotent.** Before queueing, :func:`submit_runs` takes an ``flock`` on every run directory, skips runs whose
  ``status.json`` says ``completed`` or whose lease (``lease.json``) a live process holds, and asks the live queue
  once (one ``squeue`` for every recorded job; accounting can lag a fresh job by a moment): a run whose job is still
  pending, requeued or running (or still completing: its process may yet write) is not submitted twice. Failed,
  cancelled, timed-out or lost runs are submitted again and resume from their latest checkpoint (the run directory
  is the same). If sbatch refuses one array, the arrays queued before it are already recorded, so submitting again
  queues only what is missing.
- **Preemption, timeout, requeue.** submitit asks Slurm for ``--signal=USR2@signal_delay_s`` (default 90 s before the
  time limit; preemption sends the same signal). On it, rank 0 calls ``TrainJob.checkpoint()`` and requeues the *same*
  job id, up to ``max_num_timeout`` times (submitit counts every USR2 of a job shorter than 50 min as a timeout).
  A job killed without warning (``scontrol requeue``, a node failure, then a resubmit) gets no checkpoint call. Either
  way the next start runs in the same run directory, resumes from its latest torchtitan checkpoint and records a new
  entry in ``status.json``'s ``starts``.
- **Validated first.** :func:`~codescale.titan_runner.slurm_validate.validate_against_cluster` checks every run against
  the live cluster and raises all problems before anything is queued.

The submitit folder and the run directories must sit on a filesystem every node sees; tasks run with the submitting
interpreter (``sys.executable``). States: :func:`poll`, :func:`merge_state` and :func:`cancel` live in
:mod:`codescale.titan_runner.slurm_states`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import io
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codescale.compiler.cluster import RunShape, SlurmCluster, sbatch_options
from codescale.core.contracts import FORMATS, Status
from codescale.core.errors import CodescaleError
from codescale.core.io import write_json_atomic
from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.slurm_states import ACTIVE, cancel, explain_state, merge_state, poll, query
from codescale.titan_runner.slurm_validate import load_run, validate_against_cluster

__all__ = [
    "submit_runs",
    "poll",
    "merge_state",
    "explain_state",
    "cancel",
    "validate_against_cluster",
    "read_submission",
    "mark_cancel_requested",
    "run_state",
]

SUBMISSION_FILE = "submission.json"
SUBMISSION_FORMAT = FORMATS["submission"]
JUST_SUBMITTED_S = 120  # accounting may not list a job for a moment after sbatch returns


def read_submission(run_dir: Path) -> dict[str, Any] | None:
    path = Path(run_dir) / SUBMISSION_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _read_status(run_dir: Path) -> Status | None:
    """The run's status, or None before it first starts (or if the file is damaged: not ours to judge here)."""
    if not (Path(run_dir) / "status.json").is_file():
        return None
    try:
        return RunDir(run_dir).read_status()
    except CodescaleError:
        return None


def mark_cancel_requested(run_dir: Path) -> None:
    """Remember in the run directory that codescale cancelled its job (Slurm may forget it long before we do)."""
    record = read_submission(run_dir)
    if record is not None:
        record["cancel_requested_at"] = _now()
        write_json_atomic(Path(run_dir) / SUBMISSION_FILE, record)


def run_state(run_dir: Path, scheduler_state: str | None) -> tuple[str, str]:
    """``(state, reason)`` of one run directory given its job's scheduler state (see ``explain_state``)."""
    record = read_submission(run_dir) or {}
    status = _read_status(run_dir)
    submitted_at = record.get("submitted_at")
    age = (datetime.now(UTC) - datetime.fromisoformat(submitted_at)).total_seconds() if submitted_at else None
    started = status is not None and any(s.job_id == record.get("job_id") for s in status.starts)
    state, reason = explain_state(
        status,
        scheduler_state,
        cancel_requested="cancel_requested_at" in record,
        just_submitted=age is not None and age < JUST_SUBMITTED_S and not started,
    )
    if state == "failed" and scheduler_state and record.get("stderr") and Path(record["stderr"]).is_file():
        reason = f"{reason}; log: {record['stderr']}"  # a job that never started has no log to point at
    return state, reason


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def _locked(run_dirs: list[Path]) -> Iterator[None]:
    """Hold an exclusive flock on every run directory (sorted, so two submitters cannot deadlock)."""
    with contextlib.ExitStack() as stack:
        for run_dir in sorted(run_dirs):
            handle = stack.enter_context(open(run_dir / ".submission.lock", "w"))
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _executor_parameters(shape: RunShape, default_partition: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "nodes": shape.nodes,
        "ntasks_per_node": shape.tasks_per_node,
        "cpus_per_task": shape.cpus_per_task,
        "time": shape.time_limit_min,
        "partition": shape.partition or default_partition,
    }
    if shape.gpus_per_node:
        params["gpus_per_node"] = shape.gpus_per_node
    if shape.mem_gb:
        params["mem"] = f"{int(shape.mem_gb * 1024)}M"
    for key in ("account", "qos", "constraint"):
        if getattr(shape, key):
            params[key] = getattr(shape, key)
    return {k: v for k, v in params.items() if v is not None}


def _public(record: dict | None) -> dict:
    return {k: v for k, v in (record or {}).items() if k not in ("history", "format")}


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _default_job() -> Callable[[str], Any]:
    from codescale.titan_runner.train import TrainJob

    return TrainJob()


def submit_runs(
    run_dirs: list[Path],
    folder: Path,
    *,
    array_parallelism: int | None = None,
    dry_run: bool = False,
    extra: dict | None = None,
    job: Callable[[str], Any] | None = None,
) -> list[dict]:
    """Queue every run that is not completed nor already queued; return one record per run, in input order.

    ``folder`` holds submitit's files: each array gets its own ``folder/<job_name>/<job_id>/`` (pickles, sbatch
    script, logs), so a folder reused after Slurm's job ids restart never hands a task a stale pickle. ``extra``
    overrides ``SlurmExecutor`` parameters (``setup``, ``signal_delay_s``, ``srun_args``, ``additional_parameters``...)
    plus ``max_num_timeout`` (requeues after a timeout). ``job`` is the checkpointable callable run as
    ``job(run_dir)`` in each task (default: ``TrainJob()``).

    Records: ``{"run_id", "run_dir", "action": "submitted"|"skipped"|"would_submit", "reason", "job_id",
    "array_id", "array_index", "submitted_at", "executor": "slurm", "folder", "job_name", "stdout", "stderr"}``
    (rank 0's submitit logs).
    """
    run_dirs = [Path(d).resolve() for d in run_dirs]
    folder = Path(folder).resolve()
    if array_parallelism is not None and array_parallelism < 1:
        raise CodescaleError(f"array_parallelism must be at least 1, got {array_parallelism}")
    cluster = SlurmCluster.read()
    shapes = validate_against_cluster(run_dirs, cluster)
    sbatch_extras = [sbatch_options(s.extra_sbatch) for s in shapes]  # validated above
    extra = dict(extra or {})
    max_num_timeout = int(extra.pop("max_num_timeout", 3))

    records: dict[Path, dict] = {}
    with _locked(run_dirs):
        previous = {d: read_submission(d) for d in run_dirs}
        scheduler = query([p["job_id"] for p in previous.values() if p and p.get("job_id")], live=True)
        todo: dict[tuple, list[Path]] = {}
        for run_dir, shape, sbatch in zip(run_dirs, shapes, sbatch_extras):
            run_id = load_run(run_dir).run_id
            base = {"run_id": run_id, "run_dir": str(run_dir), "executor": "slurm"}
            status = _read_status(run_dir)
            prev = previous[run_dir]
            if status is not None and status.state == "completed":
                records[run_dir] = {**base, **_public(prev), "action": "skipped", "reason": "completed"}
                continue
            if prev and prev.get("job_id") in scheduler:
                state, name = scheduler[prev["job_id"]]
                if state in ACTIVE and name == prev.get("job_name"):
                    records[run_dir] = {
                        **base,
                        **_public(prev),
                        "action": "skipped",
                        "reason": f"already queued as job {prev['job_id']} ({state})",
                    }
                    continue
            lease = RunDir(run_dir).read_lease()
            if lease is not None and RunDir.lease_is_live(lease):  # e.g. `codescale train` or a local run has it now
                records[run_dir] = {
                    **base,
                    **_public(prev),
                    "action": "skipped",
                    "reason": f"running outside Slurm (pid {lease.pid} on {lease.host})",
                }
                continue
            key = (dataclasses.astuple(shape), tuple(sorted(sbatch.items())))
            todo.setdefault(key, []).append(run_dir)

        for (shape_tuple, sbatch_items), group in todo.items():
            shape = RunShape(*shape_tuple)
            params = _executor_parameters(shape, cluster.default_partition())
            if sbatch_items:
                params["additional_parameters"] = dict(sbatch_items)
            for chunk in _chunks(group, cluster.max_array_size):
                records.update(
                    _submit_array(
                        chunk, folder, params, array_parallelism, extra, max_num_timeout, dry_run, job, previous
                    )
                )
    return [records[d] for d in run_dirs]


def _submit_array(
    chunk: list[Path],
    folder: Path,
    params: dict,
    array_parallelism: int | None,
    extra: dict,
    max_num_timeout: int,
    dry_run: bool,
    job: Callable[[str], Any] | None,
    previous: dict[Path, dict | None],
) -> dict[Path, dict]:
    import submitit

    job_name = f"codescale-{uuid.uuid4().hex[:8]}"
    folder = folder / job_name  # never shared: job ids restart at 1 after a controller reset, names do not repeat
    executor = submitit.SlurmExecutor(folder=folder / "%j", max_num_timeout=max_num_timeout)
    settings = {"job_name": job_name, **params}
    if array_parallelism:
        settings["array_parallelism"] = array_parallelism
    settings.update(extra)
    try:
        executor.update_parameters(**settings)
    except ValueError as err:
        raise CodescaleError(
            f"invalid Slurm executor parameter: {str(err).splitlines()[0]}",
            hint="extra's keys are SlurmExecutor.update_parameters names",
        ) from err
    out: dict[Path, dict] = {}
    if dry_run:
        for run_dir in chunk:
            out[run_dir] = {
                "run_id": load_run(run_dir).run_id,
                "run_dir": str(run_dir),
                "executor": "slurm",
                "action": "would_submit",
                "reason": f"array of {len(chunk)}",
                "job_id": None,
                "array_id": None,
                "array_index": None,
                "submitted_at": None,
                "folder": str(folder),
                "job_name": job_name,
                "parameters": dict(executor.parameters),
            }
        return out
    callable_ = job if job is not None else _default_job()
    try:  # submitit also prints sbatch's stderr on failure; the error below carries it once
        with contextlib.redirect_stderr(io.StringIO()), executor.batch():
            jobs = [executor.submit(callable_, str(run_dir)) for run_dir in chunk]
    except submitit.core.utils.FailedJobError as err:  # sbatch said no; its message says why
        names = ", ".join(d.name for d in chunk[:3]) + (", ..." if len(chunk) > 3 else "")
        raise CodescaleError(
            f"sbatch refused the array of {len(chunk)} run(s) ({names}): {str(err).strip().splitlines()[-1]}",
            source=chunk[0] / "run.json",
            field="cluster",
            hint="fix the cluster section and submit again; runs queued before this one are not queued twice",
        ) from err
    submitted_at = _now()
    for index, (run_dir, submitted) in enumerate(zip(chunk, jobs)):
        array_id = str(submitted.job_id).split("_")[0]
        record = {
            "format": SUBMISSION_FORMAT,
            "run_id": load_run(run_dir).run_id,
            "run_dir": str(run_dir),
            "executor": "slurm",
            "action": "submitted",
            "reason": "",
            "job_id": str(submitted.job_id),
            "array_id": array_id,
            "array_index": index if len(chunk) > 1 else None,
            "submitted_at": submitted_at,
            "folder": str(folder),
            "job_name": job_name,
            "stdout": str(submitted.paths.stdout),
            "stderr": str(submitted.paths.stderr),
        }
        prev = previous.get(run_dir)
        history = list((prev or {}).get("history", []))
        if prev:
            history.append({k: v for k, v in prev.items() if k != "history"})
        write_json_atomic(run_dir / SUBMISSION_FILE, {**record, "history": history})
        out[run_dir] = _public(record)
    return out

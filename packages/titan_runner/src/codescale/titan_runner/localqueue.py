"""The local queue: runs a list of run directories through submitit's ``LocalExecutor``, at most K at a time.

``codescale submit --executor local`` must return at once yet start no more than ``--max-parallel`` runs at once, so
it starts this queue as a detached process (its own session, so closing the terminal does not stop it) and returns.
The queue, for each run in order, waits for a free slot, then under the run's submission lock checks again that the
run is neither completed nor running nor cancelled, and submits ``TrainJob()(run_dir)`` with
``tasks_per_node = parallelism.world_size`` (one process per rank, one GPU each when there are GPUs; ``TrainJob``
exports the torch distributed environment in each). submitit's folder is ``RUN_DIR/logs``: per-task stdout/stderr
land there. Unless ``OMP_NUM_THREADS`` is set, each rank gets ``cpus // (K x world_size)`` threads (at least 1) so K
concurrent runs do not oversubscribe the cores.

Each run's ``local_job.json`` tells others what happens to it: ``{"executor": "local", "state":
"queued"|"started"|"skipped"|"cancelled", "queue_pid", "queue_token", "job_id" (the submitit controller's pid), "submitted_at",
"started_at", "reason"}``. ``codescale status`` reads it; ``codescale cancel`` marks queued runs ``cancelled`` (the
queue skips them) and interrupts started ones through their controller.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codescale.core import logging as codescale_logging
from codescale.core.io import write_json_atomic
from codescale.titan_runner.rundir import RunDir, now_iso

log = logging.getLogger(__name__)
LOCAL_JOB_FILE = "local_job.json"
POLL_S = 1.0
TIMEOUT_MIN = 7 * 24 * 60  # the local executor's wall-clock limit; a run is not meant to hit it


def read_local_job(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(run_dir) / LOCAL_JOB_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_local_job(run_dir: Path, **fields: Any) -> dict[str, Any]:
    record = read_local_job(run_dir) or {"executor": "local"}
    record.update(fields)
    write_json_atomic(Path(run_dir) / LOCAL_JOB_FILE, record)
    return record


@contextlib.contextmanager
def submission_lock(run_dir: Path) -> Iterator[None]:
    """Serialises deciding-and-starting a run between submitters and queues."""
    with open(Path(run_dir) / ".local_submission.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(int(pid), os.WNOHANG)
        if done:
            return False
    return True


def why_not_start(run_dir: RunDir) -> str | None:
    """A reason to leave the run alone (completed, running), or None when it may start."""
    if run_dir.read_status().state == "completed":
        return "completed"
    lease = run_dir.read_lease()
    if lease is not None and run_dir.lease_is_live(lease):
        return f"running (pid {lease.pid} on {lease.host})"
    record = read_local_job(run_dir.path)
    if record and record.get("state") == "started" and pid_alive(record.get("job_id")):
        return f"running as local job {record['job_id']}"
    return None


def _start(run_dir: RunDir) -> Any:
    import submitit
    import torch

    from codescale.titan_runner.train import TrainJob

    world_size = run_dir.load_run().parallelism.world_size
    run_dir.logs.mkdir(exist_ok=True)
    executor = submitit.LocalExecutor(folder=str(run_dir.logs))
    # submitit sets CUDA_VISIBLE_DEVICES to the GPUs asked for (none by default): one GPU per rank when there are GPUs
    gpus = world_size if torch.cuda.is_available() else 0
    executor.update_parameters(tasks_per_node=world_size, nodes=1, gpus_per_node=gpus, timeout_min=TIMEOUT_MIN)
    return executor.submit(TrainJob(), str(run_dir.path))


def run_queue(run_dirs: list[Path], max_parallel: int, token: str) -> None:
    # K runs of several ranks each on a few cores: without a cap every process starts one thread per core.
    if "OMP_NUM_THREADS" not in os.environ:
        world = max(RunDir(d).load_run().parallelism.world_size for d in run_dirs)
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // (max_parallel * world)))
    pending = [RunDir(d) for d in run_dirs]
    active: list[tuple[RunDir, Any]] = []
    while pending or active:
        active = [(rd, job) for rd, job in active if not job.done()]
        while pending and len(active) < max_parallel:
            run_dir = pending.pop(0)
            with submission_lock(run_dir.path):
                record = read_local_job(run_dir.path) or {}
                if record.get("state") != "queued" or record.get("queue_token") != token:
                    continue  # cancelled, or taken over by a newer submit
                reason = why_not_start(run_dir)
                if reason:
                    write_local_job(run_dir.path, state="skipped", reason=reason)
                    log.info("skipped %s: %s", run_dir.path.name, reason)
                    continue
                job = _start(run_dir)
                write_local_job(run_dir.path, state="started", job_id=str(job.job_id), started_at=now_iso())
            log.info("started %s as local job %s", run_dir.path.name, job.job_id)
            active.append((run_dir, job))
        time.sleep(POLL_S)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codescale.titan_runner.localqueue")
    parser.add_argument("--max-parallel", type=int, required=True)
    parser.add_argument("--token", required=True, help="the submission's token, written in each run's local_job.json")
    parser.add_argument("run_dirs", nargs="+")
    args = parser.parse_args(argv)
    codescale_logging.setup()
    run_queue([Path(d) for d in args.run_dirs], args.max_parallel, args.token)
    return 0


if __name__ == "__main__":
    sys.exit(main())

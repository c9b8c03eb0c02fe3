"""Running work units: a pool of local worker processes, or a Slurm job array through submitit.

Both executors only decide *where* ``work.run_unit`` runs; a unit's output does not depend on it, so the prepared
corpus is byte-identical for 1 worker, N workers or a Slurm array. Units already finished (their directory is in the
work directory) are never handed out again, which is how an interrupted or partly failed prepare resumes.

- ``local`` (``--workers N``, default: the CPUs this process may use): N spawned processes, each single-threaded
  (the tokenizer's own thread pool is switched off), units handed out one at a time. A worker that dies (the OOM
  killer, ``kill -9``) breaks the pool: the error says so, and the units finished before it are kept. With one
  worker (or one unit left) the units run in this process, single-threaded too, without the start-up cost.
- ``slurm``: one job array of at most ``cluster.max_array_tasks`` tasks (and the cluster's ``MaxArraySize``), units
  dealt round-robin over the tasks,
  submitted with ``submitit.SlurmExecutor`` and the catalog's ``cluster`` settings (the same fields as a spec's
  ``cluster``, turned into parameters by :func:`codescale.core.slurm.executor_parameters`). Each task runs its units
  with ``cluster.cpus_per_task`` local workers. The work directory must be on a filesystem the nodes share.
- ``submitit-local``: the same array through ``submitit.LocalExecutor`` (every task a local process): the Slurm code
  path on a machine without Slurm, used by the tests.

Errors inside a unit come back as data and are raised here as the same CodescaleError (the bad row, the file), not
as a scheduler traceback.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from codescale.core.catalog import SlurmSettings
from codescale.core.errors import CodescaleError
from codescale.mixtures.units import Unit
from codescale.mixtures.work import WorkSettings, is_done, run_unit

log = logging.getLogger(__name__)
EXECUTORS = ("local", "slurm", "submitit-local")


def default_workers() -> int:
    """The CPUs this process may run on (a Slurm allocation or a cgroup may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _single_threaded() -> None:
    """Worker start-up: one core per worker, and Ctrl-C is the parent's to handle."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ["RAYON_NUM_THREADS"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _tokenizer_single_threaded() -> Iterator[None]:
    """This process's tokenizer calls run on one thread while units run here (a worker is one core)."""
    saved = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = saved


@contextmanager
def _main_not_imported() -> Iterator[None]:
    """Spawned workers need nothing from ``__main__``: hide it while they start, so a caller's script is not run
    again in each of them (and ``python -c`` or a script on stdin works at all)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    missing = object()
    saved = {key: main.__dict__.pop(key, missing) for key in ("__file__", "__spec__")}
    main.__spec__ = None
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is missing:
                main.__dict__.pop(key, None)
            else:
                main.__dict__[key] = value


def _unit_task(unit: Unit, settings: WorkSettings, units_dir: str) -> dict:
    """Run one unit; a CodescaleError comes back as data (exceptions lose their fields when pickled)."""
    try:
        return {"ok": run_unit(unit, settings, Path(units_dir))}
    except CodescaleError as err:
        return {
            "error": {
                "message": err.message,
                "source": err.source,
                "line": err.line,
                "column": err.column,
                "field": err.field,
                "hint": err.hint,
            }
        }


def _raise_if_error(result: dict) -> dict:
    if "error" in result:
        raise CodescaleError(**result["error"])
    return result["ok"]


def run_local(
    units: list[Unit],
    settings: WorkSettings,
    units_dir: Path,
    workers: int,
    on_done: Callable[[dict], object] = lambda summary: None,
) -> None:
    """Run ``units`` on ``workers`` local processes; return when all are done or raise the first failure."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    if not units:
        return
    if workers == 1 or len(units) == 1:
        with _tokenizer_single_threaded():
            for unit in units:
                on_done(run_unit(unit, settings, units_dir))
        return
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(units))),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_single_threaded,
    )
    with _main_not_imported():  # every worker process starts inside submit()
        pending = {pool.submit(_unit_task, unit, settings, str(units_dir)) for unit in units}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(_raise_if_error(future.result()))
    except BrokenProcessPool:
        finished = sum(is_done(units_dir, u) for u in units)
        raise CodescaleError(
            f"a prepare worker died (killed by a signal or the out-of-memory killer?) with {len(units) - finished} "
            f"of {len(units)} units unfinished",
            source=units_dir,
            hint="run the same command again: finished units are kept and only the others are redone",
        ) from None
    finally:
        for future in pending:
            future.cancel()
        processes = list(getattr(pool, "_processes", {}).values())
        if pending:  # stopped early: do not wait for the running units
            for process in processes:
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def run_unit_group(units: list[Unit], settings: WorkSettings, units_dir: str, workers: int) -> list[dict]:
    """One array task: its units one after another (or on ``workers`` local processes)."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        if workers > 1:
            run_local(units, settings, Path(units_dir), workers)
            return [{"ok": {"units": len(units)}}]
        return [_unit_task(unit, settings, units_dir) for unit in units]
    except CodescaleError as err:
        return [
            {
                "error": {
                    "message": err.message,
                    "source": err.source,
                    "line": err.line,
                    "column": err.column,
                    "field": err.field,
                    "hint": err.hint,
                }
            }
        ]


def run_array(
    units: list[Unit],
    settings: WorkSettings,
    units_dir: Path,
    folder: Path,
    kind: str,
    cluster: SlurmSettings,
    catalog_path: Path,
    on_done: Callable[[int], object] = lambda n: None,
) -> None:
    """Run ``units`` as one submitit job array (``kind``: ``slurm`` or ``submitit-local``) and wait for it."""
    import submitit

    from codescale.core.slurm import executor_parameters, max_array_size

    if not units:
        return
    tasks = min(len(units), cluster.max_array_tasks, max_array_size() if kind == "slurm" else len(units))
    groups = [units[i::tasks] for i in range(tasks)]
    name = f"codescale-prepare-{uuid.uuid4().hex[:8]}"
    folder = folder / name  # never shared: Slurm job ids restart at 1 after a controller reset
    if kind == "slurm":
        executor = submitit.SlurmExecutor(folder=folder / "%j", max_num_timeout=0)
        params = executor_parameters(
            time_limit_min=cluster.time_limit_min,
            cpus_per_task=cluster.cpus_per_task,
            mem_gb=cluster.mem_gb,
            partition=cluster.partition,
            account=cluster.account,
            qos=cluster.qos,
            constraint=cluster.constraint,
            extra_sbatch=cluster.extra_sbatch,
            source=catalog_path,
        )
        if cluster.array_parallelism:
            params["array_parallelism"] = cluster.array_parallelism
        executor.update_parameters(job_name=name, **params)
    elif kind == "submitit-local":
        executor = submitit.LocalExecutor(folder=folder / "%j")
        executor.update_parameters(timeout_min=cluster.time_limit_min)
    else:
        raise ValueError(f"unknown array executor {kind!r}")
    count = len(groups)
    try:
        jobs = executor.map_array(
            run_unit_group, groups, [settings] * count, [str(units_dir)] * count, [cluster.cpus_per_task] * count
        )
    except submitit.core.utils.FailedJobError as err:
        raise CodescaleError(
            f"sbatch refused the prepare array: {str(err).strip().splitlines()[-1]}",
            source=catalog_path,
            field="cluster",
            hint="fix the catalog's cluster section (partition, account, time...) and run again",
        ) from err
    log.info("prepare: %d units in %d array tasks (job %s), logs in %s", len(units), count, jobs[0].job_id, folder)
    try:
        for job in submitit.helpers.as_completed(jobs):
            try:
                results = job.result()
            except (submitit.core.utils.FailedJobError, submitit.core.utils.UncompletedJobError) as err:
                unfinished = sum(not is_done(units_dir, u) for u in units)
                last = (str(err).strip().splitlines() or ["no message"])[-1]
                raise CodescaleError(
                    f"array task {job.job_id} did not finish ({last}); {unfinished} of {len(units)} units unfinished",
                    source=job.paths.stderr,
                    hint="run the same command again: finished units are kept and only the others are redone",
                ) from None
            for result in results:
                _raise_if_error(result)
            on_done(sum(is_done(units_dir, u) for u in units))
    except BaseException:
        for job in jobs:
            if not job.done():
                job.cancel(check=False)
        raise

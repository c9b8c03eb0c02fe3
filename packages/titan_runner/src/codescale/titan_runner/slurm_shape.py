"""What one compiled run asks of Slurm: its shape, its extra sbatch options and the plan's own time estimate.

A run's shape is read from ``run.json``: ``cluster`` (nodes, gpus_per_node, cpus_per_task, mem_gb, time_limit_min,
partition, account, qos, constraint, extra_sbatch) and ``parallelism.world_size``. One Slurm task is started per
rank: ``nodes x tasks_per_node = world_size``, and on GPU clusters ``tasks_per_node = gpus_per_node`` (one task per
GPU); on CPU clusters (``gpu: cpu`` or ``gpus_per_node`` 0) no GPU is requested and the ranks split evenly over the
nodes. Runs with equal shapes (and equal extra sbatch options) can share one job array.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.core.contracts import Run
from codescale.core.errors import CodescaleError
from codescale.titan_runner.rundir import RunDir


@dataclass(frozen=True)
class RunShape:
    """What one run needs from Slurm; runs with equal shapes can share one job array."""

    partition: str | None
    account: str | None
    qos: str | None
    constraint: str | None
    nodes: int
    tasks_per_node: int
    gpus_per_node: int
    cpus_per_task: int
    mem_gb: float | None
    time_limit_min: int
    extra_sbatch: tuple[str, ...]


def load_run(run_dir: Path) -> Run:
    return RunDir(run_dir).load_run()


def run_shape(run: Run, source: Path) -> RunShape:
    """The run's resources: one Slurm task per GPU (on CPU clusters, per rank of ``parallelism.world_size``)."""
    cluster = run.cluster
    world_size = run.parallelism.world_size
    nodes = cluster.nodes
    # gpu "cpu": gpus_per_node counts CPU training processes, and no GPU is requested from Slurm
    gpus_per_node = 0 if cluster.gpu.lower() == "cpu" else cluster.gpus_per_node
    if world_size % nodes:
        raise CodescaleError(
            f"parallelism.world_size {world_size} does not split evenly over cluster.nodes {nodes}",
            source=source, field="cluster.nodes", hint="make world_size a multiple of nodes",
        )
    tasks_per_node = world_size // nodes
    if gpus_per_node and tasks_per_node != gpus_per_node:
        raise CodescaleError(
            f"world_size {world_size} over {nodes} node(s) is {tasks_per_node} ranks per node, but gpus_per_node is "
            f"{gpus_per_node}; codescale starts one task per GPU",
            source=source, field="parallelism.world_size", hint=f"set world_size to {nodes * gpus_per_node}",
        )
    if cluster.time_limit_min <= 0:
        raise CodescaleError("cluster.time_limit_min is missing", source=source, field="cluster.time_limit_min",
                             hint="set a time limit in minutes in the spec's cluster section")
    return RunShape(
        partition=cluster.partition, account=cluster.account, qos=cluster.qos, constraint=cluster.constraint,
        nodes=nodes, tasks_per_node=tasks_per_node, gpus_per_node=gpus_per_node,
        cpus_per_task=cluster.cpus_per_task or 1, mem_gb=cluster.mem_gb, time_limit_min=cluster.time_limit_min,
        extra_sbatch=tuple(cluster.extra_sbatch),
    )


# sbatch options codescale derives from run.json; extra_sbatch may not set them behind its back.
_OWNED_OPTIONS = {"nodes", "ntasks-per-node", "gpus-per-node", "cpus-per-task", "mem", "time", "partition", "account",
                  "qos", "constraint", "array", "job-name", "output", "error", "signal", "open-mode"}


def sbatch_options(lines: tuple[str, ...], source: Path) -> dict[str, Any]:
    """``["--exclusive", "#SBATCH --reservation=big", "--comment x"]`` -> submitit ``additional_parameters``."""
    params: dict[str, Any] = {}
    for line in lines:
        text = line.strip().removeprefix("#SBATCH").strip()
        if not text.startswith("--"):
            raise CodescaleError(f"extra_sbatch line {line!r} is not a long option", source=source,
                                 field="cluster.extra_sbatch",
                                 hint="write it as --option=value (e.g. --reservation=big)")
        key, sep, value = text[2:].partition("=")
        if not sep and " " in key:
            key, value = key.split(" ", 1)
            sep = "="
        key = key.strip()
        if key in _OWNED_OPTIONS:
            raise CodescaleError(f"extra_sbatch sets --{key}, which codescale derives from the run", source=source,
                                 field="cluster.extra_sbatch", hint="set the matching cluster field instead")
        params[key] = value.strip() if sep else True
    return params


def estimated_minutes(run: Run, shape: RunShape) -> float:
    """The plan's own wall-clock estimate: ``derived.gpu_hours`` spread over the run's devices (GPUs, or CPU ranks)."""
    gpu_hours = float(run.derived.gpu_hours)
    devices = shape.nodes * (shape.gpus_per_node or shape.tasks_per_node)
    return gpu_hours / max(devices, 1) * 60.0

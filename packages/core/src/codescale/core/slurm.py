"""The one way codescale turns cluster settings into submitit ``SlurmExecutor`` parameters (no submitit import here).

Specs (``cluster:`` of a study, for training runs) and corpus catalogs (``cluster:``, for ``data prepare --executor
slurm``) spell Slurm settings the same way: ``partition``, ``account``, ``qos``, ``constraint``, ``time_limit_min``,
``cpus_per_task``, ``mem_gb`` and ``extra_sbatch`` lines. :func:`executor_parameters` maps them onto the keyword
arguments of ``submitit.SlurmExecutor.update_parameters``; :func:`sbatch_options` turns the extra ``#SBATCH`` lines
into its ``additional_parameters``, refusing an option codescale sets itself (so a line cannot silently override the
time limit or the array). Unset settings are left out, so the cluster's defaults apply. :func:`max_array_size` reads
the one cluster limit an array must respect before sbatch sees it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

OWNED_OPTIONS = frozenset(
    {
        "nodes",
        "ntasks-per-node",
        "gpus-per-node",
        "cpus-per-task",
        "mem",
        "time",
        "partition",
        "account",
        "qos",
        "constraint",
        "array",
        "job-name",
        "output",
        "error",
        "signal",
        "open-mode",
    }
)
"""sbatch options codescale derives from the settings; ``extra_sbatch`` may not set them behind its back."""


def sbatch_options(
    lines: list[str] | tuple[str, ...], source: str | Path | None, field: str = "cluster.extra_sbatch"
) -> dict[str, Any]:
    """``["--exclusive", "#SBATCH --reservation=big", "--comment x"]`` -> submitit ``additional_parameters``."""
    params: dict[str, Any] = {}
    for line in lines:
        text = line.strip().removeprefix("#SBATCH").strip()
        if not text.startswith("--"):
            raise CodescaleError(
                f"extra_sbatch line {line!r} is not a long option",
                source=source,
                field=field,
                hint="write it as --option=value (e.g. --reservation=big)",
            )
        key, sep, value = text[2:].partition("=")
        if not sep and " " in key:
            key, value = key.split(" ", 1)
            sep = "="
        key = key.strip()
        if key in OWNED_OPTIONS:
            raise CodescaleError(
                f"extra_sbatch sets --{key}, which codescale derives from the settings",
                source=source,
                field=field,
                hint="set the matching cluster field instead",
            )
        params[key] = value.strip() if sep else True
    return params


def executor_parameters(
    *,
    time_limit_min: int,
    cpus_per_task: int | None = None,
    nodes: int = 1,
    tasks_per_node: int = 1,
    gpus_per_node: int = 0,
    mem_gb: float | None = None,
    partition: str | None = None,
    account: str | None = None,
    qos: str | None = None,
    constraint: str | None = None,
    extra_sbatch: list[str] | tuple[str, ...] = (),
    default_partition: str | None = None,
    source: str | Path | None = None,
) -> dict[str, Any]:
    """Keyword arguments for ``submitit.SlurmExecutor.update_parameters`` (memory in MiB, per node)."""
    params: dict[str, Any] = {
        "nodes": nodes,
        "ntasks_per_node": tasks_per_node,
        "cpus_per_task": cpus_per_task or 1,
        "time": int(time_limit_min),
        "partition": partition or default_partition,
    }
    if gpus_per_node:
        params["gpus_per_node"] = gpus_per_node
    if mem_gb:
        params["mem"] = f"{int(mem_gb * 1024)}M"
    for key, value in (("account", account), ("qos", qos), ("constraint", constraint)):
        if value:
            params[key] = value
    extra = sbatch_options(extra_sbatch, source)
    if extra:
        params["additional_parameters"] = extra
    return {k: v for k, v in params.items() if v is not None}


def max_array_size(default: int = 1001) -> int:
    """The cluster's ``MaxArraySize`` (array indices run 0 .. MaxArraySize - 1); Slurm's default when unknown."""
    if shutil.which("scontrol") is None:
        return default
    try:
        config = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return default
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "MaxArraySize" and value.strip().isdigit():
            return max(1, int(value.strip()))
    return default

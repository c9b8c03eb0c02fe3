"""What the Slurm cluster offers, read once from its own commands, and the checks a plan must pass before queueing.

The model: a plan's runs are checked against the *live* cluster, not against what the spec author believed it had.
:class:`SlurmCluster.read` asks Slurm a fixed, small number of questions (``scontrol show config``,
``scontrol show partition``, ``scontrol show node``, and ``sacctmgr`` for accounts and QOS when accounting runs) and
:func:`validate_against_cluster` turns every mismatch into a :class:`~codescale.errors.CodescaleError` that names the
run, the ``run.json`` field and the fix. All errors of all runs are reported together, and nothing is queued unless the
whole plan passes:

- a partition, account or QOS the cluster does not know;
- a run shape (nodes x (CPUs, GPUs, memory) per node, node features) that no set of nodes in the partition can hold;
- a time limit shorter than the plan's own estimate (``derived.gpu_hours`` spread over the run's devices) or longer
  than the partition allows.

Accounts and QOS are only checked when ``sacctmgr`` answers (clusters without accounting have neither).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.errors import CodescaleError, CodescaleErrors

_KEY_VALUE = re.compile(r"(\w+)=(\S*)")


def slurm_command(args: list[str], *, timeout: float = 60) -> str:
    """Run one Slurm client command and return its stdout; a missing or failing command is a CodescaleError."""
    if shutil.which(args[0]) is None:
        raise CodescaleError(
            f"`{args[0]}` is not on PATH, so no Slurm cluster can be reached from here",
            hint="run on a Slurm login node, or use --executor local",
        )
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise CodescaleError(f"`{' '.join(args)}` did not answer within {timeout:.0f} s", hint="is slurmctld up?") from err
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise CodescaleError(
            f"`{' '.join(args)}` failed (exit {proc.returncode}): {detail[-1] if detail else 'no output'}",
            hint="check that slurmctld is reachable (`scontrol ping`)",
        )
    return proc.stdout


def parse_slurm_minutes(text: str) -> int | None:
    """Slurm time limits (``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``) in minutes; None for unlimited."""
    text = text.strip()
    if text.upper() in ("UNLIMITED", "INFINITE", "NONE", ""):
        return None
    days = 0
    if "-" in text:
        d, text = text.split("-", 1)
        days = int(d)
        parts = [int(p) for p in text.split(":")] + [0, 0]
        hours, minutes, seconds = parts[:3]
    else:
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 1:
            hours, minutes, seconds = 0, parts[0], 0
        elif len(parts) == 2:
            hours, minutes, seconds = 0, parts[0], parts[1]
        else:
            hours, minutes, seconds = parts[:3]
    return days * 1440 + hours * 60 + minutes + math.ceil(seconds / 60)


def _gpu_count(gres: str) -> int:
    """``gpu:8``, ``gpu:h100:8(S:0-1)``, ``gpu:a100:4,shard:8`` -> number of GPUs."""
    total = 0
    for item in gres.split(","):
        item = item.split("(")[0]
        fields = item.split(":")
        if fields[0] == "gpu" and fields[-1].isdigit() and len(fields) > 1:
            total += int(fields[-1])
    return total


@dataclass(frozen=True)
class SlurmNode:
    name: str
    cpus: int
    mem_mb: int
    gpus: int
    features: frozenset[str]
    partitions: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class SlurmPartition:
    name: str
    max_time_min: int | None
    state: str
    default: bool


@dataclass(frozen=True)
class SlurmCluster:
    """A snapshot of the facts codescale needs to place runs."""

    max_array_size: int
    partitions: dict[str, SlurmPartition]
    nodes: list[SlurmNode]
    accounts: frozenset[str] | None  # None: no accounting, nothing to check against
    qos: frozenset[str] | None

    @classmethod
    def read(cls) -> SlurmCluster:
        config = {}
        for line in slurm_command(["scontrol", "show", "config"]).splitlines():
            key, sep, value = line.partition("=")
            if sep:
                config[key.strip()] = value.strip()
        partitions = {}
        for line in slurm_command(["scontrol", "show", "partition", "-o"]).splitlines():
            kv = dict(_KEY_VALUE.findall(line))
            if "PartitionName" in kv:
                partitions[kv["PartitionName"]] = SlurmPartition(
                    kv["PartitionName"], parse_slurm_minutes(kv.get("MaxTime", "UNLIMITED")), kv.get("State", "UP"),
                    kv.get("Default") == "YES",
                )
        nodes = []
        for line in slurm_command(["scontrol", "show", "node", "-o"]).splitlines():
            kv = dict(_KEY_VALUE.findall(line))
            if "NodeName" not in kv:
                continue
            features = kv.get("AvailableFeatures", "(null)")
            nodes.append(SlurmNode(
                name=kv["NodeName"], cpus=int(kv.get("CPUTot", 0)), mem_mb=int(kv.get("RealMemory", 0)),
                gpus=_gpu_count(kv.get("Gres", "")),
                features=frozenset() if features == "(null)" else frozenset(features.split(",")),
                partitions=tuple(p for p in kv.get("Partitions", "").split(",") if p), state=kv.get("State", ""),
            ))
        return cls(
            max_array_size=int(config.get("MaxArraySize", 1001)), partitions=partitions, nodes=nodes,
            accounts=_sacctmgr_names("account", "Account"), qos=_sacctmgr_names("qos", "Name"),
        )

    def default_partition(self) -> str | None:
        return next((p.name for p in self.partitions.values() if p.default), None)


def _sacctmgr_names(entity: str, column: str) -> frozenset[str] | None:
    if shutil.which("sacctmgr") is None:
        return None
    proc = subprocess.run(
        ["sacctmgr", "-n", "-P", "show", entity, f"format={column}"], capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0:
        return None
    return frozenset(line.strip().lower() for line in proc.stdout.splitlines() if line.strip())


# ---------------------------------------------------------------------------------------------------------------
# run.json -> what one run asks of the scheduler


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


def load_run(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / "run.json"
    if not path.is_file():
        raise CodescaleError(
            f"{run_dir} has no run.json", hint="pass run directories from `codescale compile SPEC -o OUT` (OUT/runs/<run_id>)"
        )
    run = json.loads(path.read_text())
    if not str(run.get("format", "")).startswith("codescale.run/1"):
        raise CodescaleError(f"unknown run format {run.get('format')!r}; this codescale reads codescale.run/1", source=path)
    return run


def run_shape(run: dict[str, Any], source: Path) -> RunShape:
    """The run's resources, with one Slurm task per GPU (or, on CPU clusters, per rank of ``parallelism.world_size``)."""
    cluster = run.get("cluster") or {}
    world_size = int((run.get("parallelism") or {}).get("world_size") or 1)
    nodes = int(cluster.get("nodes") or 1)
    gpus_per_node = int(cluster.get("gpus_per_node") or 0)
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
    time_limit = cluster.get("time_limit_min")
    if not time_limit or int(time_limit) <= 0:
        raise CodescaleError("cluster.time_limit_min is missing", source=source, field="cluster.time_limit_min",
                             hint="set a time limit in minutes in the spec's cluster section")
    return RunShape(
        partition=cluster.get("partition"), account=cluster.get("account"), qos=cluster.get("qos"),
        constraint=cluster.get("constraint"), nodes=nodes, tasks_per_node=tasks_per_node, gpus_per_node=gpus_per_node,
        cpus_per_task=int(cluster.get("cpus_per_task") or 1), mem_gb=cluster.get("mem_gb"),
        time_limit_min=int(time_limit), extra_sbatch=tuple(cluster.get("extra_sbatch") or ()),
    )


def estimated_minutes(run: dict[str, Any], shape: RunShape) -> float:
    """The plan's own wall-clock estimate: ``derived.gpu_hours`` spread over the run's devices (GPUs, or CPU ranks)."""
    gpu_hours = float((run.get("derived") or {}).get("gpu_hours") or 0.0)
    devices = shape.nodes * (shape.gpus_per_node or shape.tasks_per_node)
    return gpu_hours / max(devices, 1) * 60.0


# ---------------------------------------------------------------------------------------------------------------
# checks


def validate_against_cluster(run_dirs: list[Path], cluster: SlurmCluster | None = None) -> list[RunShape]:
    """Check every run against the live cluster; raise all problems at once; return each run's shape."""
    cluster = cluster or SlurmCluster.read()
    errors: list[CodescaleError] = []
    shapes: list[RunShape] = []
    for run_dir in run_dirs:
        source = Path(run_dir) / "run.json"
        try:
            run = load_run(Path(run_dir))
            shape = run_shape(run, source)
        except CodescaleError as err:
            errors.append(err)
            continue
        shapes.append(shape)
        errors.extend(_check_run(run, shape, cluster, source))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CodescaleErrors(errors)
    return shapes


def _check_run(run: dict[str, Any], shape: RunShape, cluster: SlurmCluster, source: Path) -> list[CodescaleError]:
    errors = []
    run_id = run.get("run_id", source.parent.name)

    def error(field: str, message: str, hint: str) -> None:
        errors.append(CodescaleError(f"run {run_id}: {message}", source=source, field=field, hint=hint))

    known = ", ".join(sorted(cluster.partitions)) or "none"
    partition = shape.partition or cluster.default_partition()
    if partition is None:
        error("cluster.partition", "no partition given and the cluster has no default partition",
              f"set cluster.partition to one of: {known}")
        return errors
    if partition not in cluster.partitions:
        error("cluster.partition", f"partition {partition!r} does not exist on this cluster",
              f"set cluster.partition to one of: {known}")
        return errors
    if cluster.accounts is not None and shape.account and shape.account.lower() not in cluster.accounts:
        error("cluster.account", f"account {shape.account!r} is not known to Slurm accounting",
              f"use one of: {', '.join(sorted(cluster.accounts))} (see `sacctmgr show assoc user=$USER`)")
    if cluster.qos is not None and shape.qos and shape.qos.lower() not in cluster.qos:
        error("cluster.qos", f"QOS {shape.qos!r} is not known to Slurm accounting",
              f"use one of: {', '.join(sorted(cluster.qos))}")

    required = {f for f in re.split(r"[&,]", shape.constraint or "") if f.strip()}
    simple_constraint = not re.search(r"[|\[\]*()]", shape.constraint or "")
    members = [n for n in cluster.nodes if partition in n.partitions]
    cpus = shape.tasks_per_node * shape.cpus_per_task
    mem_mb = int(shape.mem_gb * 1024) if shape.mem_gb else 0
    fitting = [
        n for n in members
        if n.cpus >= cpus and n.gpus >= shape.gpus_per_node and n.mem_mb >= mem_mb
        and (not simple_constraint or required <= n.features)
    ]
    if len(fitting) < shape.nodes:
        need = f"{shape.nodes} node(s) with {cpus} CPUs, {shape.gpus_per_node} GPUs, {mem_mb} MB memory"
        if required:
            need += f" and features {sorted(required)}"
        biggest = max(members, key=lambda n: (n.gpus, n.cpus, n.mem_mb), default=None)
        have = (f"{len(fitting)} such node(s); its largest node has {biggest.cpus} CPUs, {biggest.gpus} GPUs, "
                f"{biggest.mem_mb} MB" if biggest else "no nodes")
        error("cluster", f"needs {need} in partition {partition!r}, which has {have}",
              "lower cluster.cpus_per_task / mem_gb / gpus_per_node or nodes, or pick a partition with bigger nodes")

    estimate = estimated_minutes(run, shape)
    if shape.time_limit_min < estimate:
        error("cluster.time_limit_min",
              f"time limit {shape.time_limit_min} min is shorter than the plan's estimate of {estimate:.0f} min "
              f"(derived.gpu_hours over {shape.nodes * (shape.gpus_per_node or shape.tasks_per_node)} devices)",
              f"set cluster.time_limit_min to at least {math.ceil(estimate)}")
    max_time = cluster.partitions[partition].max_time_min
    if max_time is not None and shape.time_limit_min > max_time:
        error("cluster.time_limit_min",
              f"time limit {shape.time_limit_min} min exceeds partition {partition!r}'s MaxTime of {max_time} min",
              f"set cluster.time_limit_min to at most {max_time}; checkpoints make a run resume across jobs")
    return errors

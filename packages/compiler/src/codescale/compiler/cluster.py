"""What a plan asks of Slurm, checked before anything is queued: statically from the runs, and against the live cluster
when one answers.

The model. A run's *shape* (:class:`RunShape`: nodes, one task per GPU, CPUs, memory, time, partition, account, QOS,
constraint, extra sbatch lines) follows from its ``run.json``. Two kinds of check turn shapes into problems:

- **static** (:func:`static_problems`; need nothing but the run): ranks per node against ``gpus_per_node``, extra
  sbatch lines (long options only, none that codescale derives itself), and a time limit shorter than the plan's own
  estimate (``derived.gpu_hours`` spread over the run's devices). ``plan_spec`` runs them for every spec with a
  ``cluster`` section, so ``validate``, ``plan`` and ``compile`` refuse what ``submit`` would refuse;
- **live** (:func:`live_problems`; need the facts of the cluster, :class:`SlurmCluster`): partitions, accounts and QOS
  the cluster knows, nodes big enough for the shape, and the partition's ``MaxTime``. ``validate`` and ``plan`` run
  them when Slurm is reachable from here (:func:`slurm_unreachable` says why not, and the commands print it);
  ``submit`` always does.

Every check yields :class:`ClusterProblem` records, one per run. Problems with the same field, words and location are
one *distinct* problem (:func:`distinct`): 420 runs with a too-short time limit are one line naming the count and the
worst run, located at the spec line to change (``cluster.time_limit_min``, or the sweep entry that set it).

:class:`SlurmCluster` asks Slurm a fixed, small number of questions whatever the size of the plan: ``scontrol show
config`` (``MaxArraySize``), ``scontrol show partition``, ``scontrol show node`` and, when accounting runs, ``sacctmgr``
(accounts and QOS; None without accounting, so nothing is checked against them). :func:`slurm_command` is the one way
codescale calls a Slurm client: a missing or failing command is a CodescaleError that says what to check. This module
never imports torch; the runner (``codescale.titan_runner.slurm``) uses it from here.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from codescale.core import slurm as core_slurm
from codescale.core.contracts import Run
from codescale.core.errors import CodescaleError
from codescale.core.yaml_source import SourceMap

_KEY_VALUE = re.compile(r"(\w+)=(\S*)")
REACHABLE_TIMEOUT_S = 10.0

# sbatch options codescale derives from run.json; extra_sbatch may not set them behind its back.
# ---------------------------------------------------------------------------------------------------------- Slurm


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
        raise CodescaleError(
            f"`{' '.join(args)}` did not answer within {timeout:.0f} s", hint="is slurmctld up? (`scontrol ping`)"
        ) from err
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise CodescaleError(
            f"`{' '.join(args)}` failed (exit {proc.returncode}): {detail[-1] if detail else 'no output'}",
            hint="check that slurmctld is reachable (`scontrol ping`)",
        )
    return proc.stdout


def slurm_unreachable(timeout: float = REACHABLE_TIMEOUT_S) -> str | None:
    """Why no Slurm cluster answers from here (``scontrol`` missing, ``scontrol ping`` failing), or None if one does."""
    if shutil.which("scontrol") is None:
        return "`scontrol` is not on PATH"
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"`scontrol ping` did not answer within {timeout:.0f} s"
    if ping.returncode != 0 or "UP" not in ping.stdout:
        said = ((ping.stdout or ping.stderr).strip().splitlines() or ["no answer"])[0]
        return f"`scontrol ping` says {said!r}"
    return None


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


def gpu_count(gres: str) -> int:
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
                    kv["PartitionName"],
                    parse_slurm_minutes(kv.get("MaxTime", "UNLIMITED")),
                    kv.get("State", "UP"),
                    kv.get("Default") == "YES",
                )
        nodes = []
        for line in slurm_command(["scontrol", "show", "node", "-o"]).splitlines():
            kv = dict(_KEY_VALUE.findall(line))
            if "NodeName" not in kv:
                continue
            features = kv.get("AvailableFeatures", "(null)")
            nodes.append(
                SlurmNode(
                    name=kv["NodeName"],
                    cpus=int(kv.get("CPUTot", 0)),
                    mem_mb=int(kv.get("RealMemory", 0)),
                    gpus=gpu_count(kv.get("Gres", "")),
                    features=frozenset() if features == "(null)" else frozenset(features.split(",")),
                    partitions=tuple(p for p in kv.get("Partitions", "").split(",") if p),
                    state=kv.get("State", ""),
                )
            )
        return cls(
            max_array_size=int(config.get("MaxArraySize", 1001)),
            partitions=partitions,
            nodes=nodes,
            accounts=_sacctmgr_names("account", "Account"),
            qos=_sacctmgr_names("qos", "Name"),
        )

    def default_partition(self) -> str | None:
        return next((p.name for p in self.partitions.values() if p.default), None)

    def summary(self) -> str:
        """One line for the commands' output: what was checked against."""
        names = ", ".join(sorted(self.partitions)) or "none"
        return f"partitions {names}; {len(self.nodes)} node(s)" + (
            "" if self.accounts is not None else "; no accounting, so no account/QOS check"
        )


def _sacctmgr_names(entity: str, column: str) -> frozenset[str] | None:
    if shutil.which("sacctmgr") is None:
        return None
    try:
        proc = subprocess.run(
            ["sacctmgr", "-n", "-P", "show", entity, f"format={column}"], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    return frozenset(line.strip().lower() for line in proc.stdout.splitlines() if line.strip())


# ------------------------------------------------------------------------------------------------------ run shapes


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

    @property
    def devices(self) -> int:
        """GPUs of the whole run (CPU ranks on a CPU cluster): what its GPU-hours spread over."""
        return self.nodes * (self.gpus_per_node or self.tasks_per_node)


def run_shape(run: Run) -> RunShape:
    """The run's resources: one Slurm task per GPU (on CPU clusters, per rank of ``parallelism.world_size``, split
    evenly over the nodes). A shape that does not divide evenly is reported by :func:`static_problems`."""
    cluster = run.cluster
    nodes = max(cluster.nodes, 1)
    # gpu "cpu": gpus_per_node counts CPU training processes, and no GPU is requested from Slurm
    gpus_per_node = 0 if cluster.gpu.lower() == "cpu" else cluster.gpus_per_node
    return RunShape(
        partition=cluster.partition,
        account=cluster.account,
        qos=cluster.qos,
        constraint=cluster.constraint,
        nodes=nodes,
        tasks_per_node=max(run.parallelism.world_size // nodes, 1),
        gpus_per_node=gpus_per_node,
        cpus_per_task=cluster.cpus_per_task or 1,
        mem_gb=cluster.mem_gb,
        time_limit_min=cluster.time_limit_min,
        extra_sbatch=tuple(cluster.extra_sbatch),
    )


def estimated_minutes(run: Run, shape: RunShape) -> float:
    """The plan's own wall-clock estimate: ``derived.gpu_hours`` spread over the run's devices (GPUs, or CPU ranks)."""
    return float(run.derived.gpu_hours) / max(shape.devices, 1) * 60.0


def sbatch_options(lines: Iterable[str]) -> dict[str, Any]:
    """``["--exclusive", "#SBATCH --reservation=big", "--comment x"]`` -> submitit ``additional_parameters``.

    The parsing of :func:`codescale.core.slurm.sbatch_options` (shared with ``data prepare --executor slurm``); raises
    its CodescaleError for a short option or an option codescale derives itself (:func:`static_problems` reports
    them as problems, located in the spec)."""
    return core_slurm.sbatch_options(tuple(lines), None)


# ---------------------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ClusterProblem:
    """One check one run fails. ``message`` is the same for every run with the same problem; ``detail`` and ``hint``
    may name this run's numbers, and ``amount`` orders them (the group reports its largest)."""

    run_id: str
    field: str
    message: str
    hint: str
    detail: str = ""
    amount: float = 0.0


def static_problems(run: Run) -> list[ClusterProblem]:
    """What can be checked without the cluster: the shape's arithmetic, extra sbatch lines, time limit vs estimate."""
    problems: list[ClusterProblem] = []
    cluster, world = run.cluster, run.parallelism.world_size

    def add(field: str, message: str, hint: str, detail: str = "", amount: float = 0.0) -> None:
        problems.append(ClusterProblem(run.run_id, field, message, hint, detail, amount))

    gpus_per_node = 0 if cluster.gpu.lower() == "cpu" else cluster.gpus_per_node
    if world % cluster.nodes:
        add(
            "cluster.nodes",
            f"parallelism.world_size {world} does not split evenly over cluster.nodes {cluster.nodes}",
            "make world_size a multiple of nodes",
        )
    elif gpus_per_node and world // cluster.nodes != gpus_per_node:
        add(
            "parallelism",
            f"world_size {world} over {cluster.nodes} node(s) is {world // cluster.nodes} ranks per "
            f"node, but gpus_per_node is {gpus_per_node}; codescale starts one task per GPU",
            f"set world_size to {cluster.nodes * gpus_per_node}",
        )
    for line in cluster.extra_sbatch:
        try:
            sbatch_options([line])
        except CodescaleError as err:
            add("cluster.extra_sbatch", err.message, err.hint or "")
    shape = run_shape(run)
    estimate = estimated_minutes(run, shape)
    if shape.time_limit_min < estimate:
        add(
            "cluster.time_limit_min",
            f"time limit {shape.time_limit_min} min is shorter than the plan's estimate",
            f"set cluster.time_limit_min to at least {math.ceil(estimate)}, or give the run more nodes",
            f"{estimate:,.0f} min: derived.gpu_hours over {shape.devices} devices",
            estimate,
        )
    return problems


def live_problems(run: Run, cluster: SlurmCluster) -> list[ClusterProblem]:
    """What needs the cluster's facts: partition, account, QOS, nodes that fit, the partition's MaxTime."""
    problems: list[ClusterProblem] = []
    shape = run_shape(run)

    def add(field: str, message: str, hint: str, detail: str = "", amount: float = 0.0) -> None:
        problems.append(ClusterProblem(run.run_id, field, message, hint, detail, amount))

    known = ", ".join(sorted(cluster.partitions)) or "none"
    partition = shape.partition or cluster.default_partition()
    if partition is None:
        add(
            "cluster.partition",
            "no partition given and the cluster has no default partition",
            f"set cluster.partition to one of: {known}",
        )
    elif partition not in cluster.partitions:
        add(
            "cluster.partition",
            f"partition {partition!r} does not exist on this cluster",
            f"set cluster.partition to one of: {known}",
        )
    if cluster.accounts is not None and shape.account and shape.account.lower() not in cluster.accounts:
        add(
            "cluster.account",
            f"account {shape.account!r} is not known to Slurm accounting",
            f"use one of: {', '.join(sorted(cluster.accounts))} (see `sacctmgr show assoc user=$USER`)",
        )
    if cluster.qos is not None and shape.qos and shape.qos.lower() not in cluster.qos:
        add(
            "cluster.qos",
            f"QOS {shape.qos!r} is not known to Slurm accounting",
            f"use one of: {', '.join(sorted(cluster.qos))}",
        )
    if partition is None or partition not in cluster.partitions:
        return problems

    required = {f for f in re.split(r"[&,]", shape.constraint or "") if f.strip()}
    simple_constraint = not re.search(r"[|\[\]*()]", shape.constraint or "")
    members = [n for n in cluster.nodes if partition in n.partitions]
    cpus = shape.tasks_per_node * shape.cpus_per_task
    mem_mb = int(shape.mem_gb * 1024) if shape.mem_gb else 0
    fitting = [
        n
        for n in members
        if n.cpus >= cpus
        and n.gpus >= shape.gpus_per_node
        and n.mem_mb >= mem_mb
        and (not simple_constraint or required <= n.features)
    ]
    if len(fitting) < shape.nodes:
        need = f"{shape.nodes} node(s) with {cpus} CPUs, {shape.gpus_per_node} GPUs, {mem_mb} MB memory"
        if required:
            need += f" and features {sorted(required)}"
        biggest = max(members, key=lambda n: (n.gpus, n.cpus, n.mem_mb), default=None)
        have = (
            f"{len(fitting)} such node(s); its largest node has {biggest.cpus} CPUs, {biggest.gpus} GPUs, "
            f"{biggest.mem_mb} MB"
            if biggest
            else "no nodes"
        )
        add(
            "cluster",
            f"needs {need} in partition {partition!r}, which has {have}",
            "lower cluster.cpus_per_task / mem_gb / gpus_per_node or nodes, or pick a partition with bigger nodes",
        )
    max_time = cluster.partitions[partition].max_time_min
    if max_time is not None and shape.time_limit_min > max_time:
        add(
            "cluster.time_limit_min",
            f"time limit {shape.time_limit_min} min exceeds partition {partition!r}'s MaxTime of {max_time} min",
            f"set cluster.time_limit_min to at most {max_time}; checkpoints make a run resume across jobs",
        )
    return problems


def distinct(
    problems: Iterable[ClusterProblem], locate: Callable[[ClusterProblem], tuple]
) -> list[tuple[ClusterProblem, list[str]]]:
    """Group problems with the same field, message and location (``locate(problem)``); each group is its problem with
    the largest ``amount`` (the worst run) and every run id it concerns, in first-seen order."""
    groups: dict[tuple, list[ClusterProblem]] = {}
    for problem in problems:
        groups.setdefault((problem.field, problem.message, locate(problem)), []).append(problem)
    out = []
    for members in groups.values():
        worst = max(members, key=lambda p: p.amount)
        out.append((worst, list(dict.fromkeys(p.run_id for p in members))))
    return out


def describe(problem: ClusterProblem, run_ids: list[str]) -> str:
    """The message of a distinct problem: ``run X: ...`` for one run, ``N runs: ... (up to D for run X)`` for many."""
    if len(run_ids) == 1:
        detail = f" ({problem.detail})" if problem.detail else ""
        return f"run {run_ids[0]}: {problem.message}{detail}"
    worst = f" (up to {problem.detail}, run {problem.run_id})" if problem.detail else f" (e.g. run {run_ids[0]})"
    return f"{len(run_ids)} runs: {problem.message}{worst}"


# ------------------------------------------------------------------------------------------------ located errors


def located(
    problems: Iterable[ClusterProblem], maps: dict[str, SourceMap], fallback: Callable[[str], str] | None = None
) -> list[CodescaleError]:
    """One CodescaleError per distinct problem, at the spec line to change: ``maps[run_id]`` is the run's source map
    (a :class:`~codescale.core.yaml_source.PointMap`, so a swept value points at its sweep entry). A run without a
    map is reported against ``fallback(run_id)`` (e.g. its run.json), without a line."""

    def path(problem: ClusterProblem) -> tuple[str, ...]:
        return tuple(problem.field.split("."))

    def position(problem: ClusterProblem) -> tuple:
        smap = maps.get(problem.run_id)
        return (smap.source, smap.locate(path(problem), key=section(problem))[1]) if smap else (None, None)

    def section(problem: ClusterProblem) -> bool:  # a whole section is reported at its key, a field at its value
        return "." not in problem.field

    errors = []
    for problem, run_ids in distinct(problems, position):
        smap = maps.get(problem.run_id)
        if smap is not None:
            errors.append(smap.error(path(problem), describe(problem, run_ids), problem.hint, key=section(problem)))
        else:
            source = fallback(problem.run_id) if fallback else None
            errors.append(
                CodescaleError(describe(problem, run_ids), source=source, field=problem.field, hint=problem.hint)
            )
    return errors


def spec_maps(runs: Iterable[Run]) -> dict[str, SourceMap]:
    """For compiled runs, the source map of the spec each was compiled from, redirected to the sweep entries that set
    its swept values; runs whose spec cannot be read (moved, deleted) or is now another study are left out."""
    from codescale.compiler.sweep import matching_entry
    from codescale.core.yaml_source import PointMap, load_yaml

    documents: dict[str, tuple[Any, SourceMap] | None] = {}
    maps: dict[str, SourceMap] = {}
    for run in runs:
        if run.spec not in documents:
            try:
                documents[run.spec] = load_yaml(run.spec)
            except CodescaleError:
                documents[run.spec] = None
        loaded = documents[run.spec]
        if loaded is None or not isinstance(loaded[0], dict) or loaded[0].get("study") != run.study:
            continue
        document, smap = loaded
        redirects = {}
        for axis, value in run.sweep.items():
            entry = matching_entry(document, axis, value)
            if entry is not None:
                redirects[tuple(axis.split("."))] = entry
        maps[run.run_id] = PointMap(smap, redirects)
    return maps


def plan_problems(runs: list[Run], maps: dict[str, SourceMap], *, live: bool) -> tuple[list[CodescaleError], str]:
    """The cluster checks of a plan (``plan_spec`` calls this for a spec with a cluster section): the static ones,
    plus the live ones when ``live`` and a Slurm cluster answers from here. Returns every distinct problem located
    through ``maps``, and a line saying what was checked (or why the live checks were not)."""
    problems = [problem for run in runs for problem in static_problems(run)]
    if not live:
        note = "time limit and shape checked; partition, account, QOS and node sizes not (--no-slurm)"
    elif (reason := slurm_unreachable()) is not None:
        note = (
            f"time limit and shape checked; no Slurm cluster reachable ({reason}), so partition, account, QOS "
            "and node sizes not"
        )
    else:
        snapshot = SlurmCluster.read()
        problems += [problem for run in runs for problem in live_problems(run, snapshot)]
        note = f"checked against the live Slurm cluster ({snapshot.summary()})"
    return located(problems, maps), note

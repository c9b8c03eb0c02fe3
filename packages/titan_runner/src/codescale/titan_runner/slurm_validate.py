"""The checks a plan must pass against the live Slurm cluster before anything is queued.

The model: a plan's runs are checked against the *live* cluster, not against what the spec author believed it had.
:class:`SlurmCluster.read` asks Slurm a fixed, small number of questions (``scontrol show config``,
``scontrol show partition``, ``scontrol show node``, and ``sacctmgr`` for accounts and QOS when accounting runs) and
:func:`validate_against_cluster` turns every mismatch into a :class:`~codescale.core.errors.CodescaleError` that names the
run, the ``run.json`` field and the fix. All errors of all runs are reported together, and nothing is queued unless the
whole plan passes:

- a partition, account or QOS the cluster does not know;
- a run shape (nodes x (CPUs, GPUs, memory) per node, node features) that no set of nodes in the partition can hold;
- a time limit shorter than the plan's own estimate (``derived.gpu_hours`` spread over the run's devices) or longer
  than the partition allows.

Accounts and QOS are only checked when ``sacctmgr`` answers (clusters without accounting have neither).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from codescale.core.contracts import Run
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.titan_runner.slurm_cluster import SlurmCluster
from codescale.titan_runner.slurm_shape import RunShape, estimated_minutes, load_run, run_shape, sbatch_options


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
        try:
            sbatch_options(shape.extra_sbatch, source)
        except CodescaleError as err:
            errors.append(err)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CodescaleErrors(errors)
    return shapes


def _check_run(run: Run, shape: RunShape, cluster: SlurmCluster, source: Path) -> list[CodescaleError]:
    errors = []
    run_id = run.run_id

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

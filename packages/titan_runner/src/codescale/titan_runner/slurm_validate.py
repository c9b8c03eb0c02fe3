"""The checks a plan must pass against the live Slurm cluster before anything is queued.

The model: a plan's runs are checked against the *live* cluster, not against what the spec author believed it had.
The checks themselves are the compiler's (:mod:`codescale.compiler.cluster`: one implementation, which ``codescale
validate`` and ``plan`` also run): static ones (ranks per GPU, extra sbatch lines, a time limit shorter than the plan's
own estimate) and live ones (a partition, account or QOS the cluster does not know; a shape no set of nodes in the
partition can hold; a time limit over the partition's ``MaxTime``). Here they run on compiled run directories, and
every *distinct* problem is reported once, with the number of runs it concerns, at the line of the spec the runs were
compiled from (or the sweep entry that set the value); a run whose spec cannot be read any more is reported against its
``run.json``. All problems are raised together, and nothing is queued unless the whole plan passes.

Accounts and QOS are only checked when ``sacctmgr`` answers (clusters without accounting have neither).
"""

from __future__ import annotations

from pathlib import Path

from codescale.compiler.cluster import (
    RunShape,
    SlurmCluster,
    live_problems,
    located,
    run_shape,
    spec_maps,
    static_problems,
)
from codescale.core.contracts import Run
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.titan_runner.rundir import RunDir


def load_run(run_dir: Path) -> Run:
    return RunDir(run_dir).load_run()


def validate_against_cluster(run_dirs: list[Path], cluster: SlurmCluster | None = None) -> list[RunShape]:
    """Check every run against the live cluster; raise all problems at once; return each run's shape."""
    cluster = cluster or SlurmCluster.read()
    errors: list[CodescaleError] = []
    runs: list[Run] = []
    run_json: dict[str, Path] = {}
    for run_dir in run_dirs:
        try:
            run = load_run(Path(run_dir))
        except CodescaleError as err:
            errors.append(err)
            continue
        runs.append(run)
        run_json[run.run_id] = Path(run_dir) / "run.json"
    problems = [problem for run in runs for problem in (*static_problems(run), *live_problems(run, cluster))]
    errors += sorted(
        located(problems, spec_maps(runs), fallback=lambda run_id: str(run_json[run_id])),
        key=lambda e: (e.line is None, () if e.line is None else (e.source or "", e.line, e.column or 0)),
    )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CodescaleErrors(errors)
    return [run_shape(run) for run in runs]

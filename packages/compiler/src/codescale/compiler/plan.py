"""A plan: every run of a spec, resolved, identified and costed, plus totals and the GPU-hour budget check.

**Run identity.** ``run_id = <name>-<hash8>``. The name is the readable slug from the sweep's name template; hash8
is the first 8 hex digits of the SHA-256 of the run's canonical JSON (keys sorted, no whitespace) with these keys
left out:

- labels: ``run_id``, ``name``, ``study``, ``spec``, ``sweep`` (how a run is called is not what it computes);
- where and how it executes: ``paths``, ``corpus`` (absolute paths differ between machines),
  ``cluster.partition/account/qos/constraint/time_limit_min/cpus_per_task/mem_gb/extra_sbatch``, ``tracking``
  (TensorBoard / W&B logging);
- cost assumptions: ``cluster.mfu``, ``cluster.peak_flops``, ``derived.gpu_hours``.

Everything that changes what is trained or measured — model, mixture and quotas, pairing, schedule, batch, seed,
GPU kind, node and process counts, parallel degrees, float8 and its bf16 layers, compile, CUDA graphs, activation
checkpointing, evaluation — is in the hash. Moving a study to another partition or account keeps every id; changing a learning rate changes one.

Two sweep points that resolve to the same run with the same name are one run twice: an error.

Checks, in order, all errors of a stage reported together: the YAML (bounded, see ``yaml_source``); the sweep's own
shape and its size, counted before a point is made (over ``max_runs`` is refused at once); the body's values, even
those every sweep point overrides (a ``.nan`` there is an error, not dead text); each point validated and resolved;
then the GPU-hour budget, summed as the runs are resolved, so a plan far over it stops at the first run that crosses it.
"""

from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codescale.compiler import cluster as _cluster
from codescale.compiler import resolve as _resolve
from codescale.compiler.spec import SweepBlock
from codescale.compiler.sweep import DEFAULT_MAX_RUNS, check_size, expand, run_name, swept_paths
from codescale.compiler.validation import body_errors, pydantic_error, validate
from codescale.core.contracts import PlanBudget, PlanFile, Run, RunPaths, Totals, totals_of
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.fmt import hours
from codescale.core.yaml_source import PointMap, SourceMap, load_yaml, read_source

_CLUSTER_EXCLUDED = (
    "partition",
    "account",
    "qos",
    "constraint",
    "time_limit_min",
    "cpus_per_task",
    "mem_gb",
    "extra_sbatch",
    "mfu",
    "peak_flops",
)
_TOP_EXCLUDED = ("run_id", "name", "study", "spec", "sweep", "paths", "corpus", "tracking")


class OverBudget(CodescaleError):
    """The plan's GPU-hour estimate exceeds ``budget.gpu_hours`` (the CLI exits 1, not 2)."""


@dataclass
class Plan:
    """A spec's typed runs in memory; :meth:`to_file` is what ``plan.json`` holds."""

    spec: str
    spec_sha256: str
    study: str
    runs: list[Run]
    gpu_hours_limit: float | None
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    sources: dict[str, SourceMap] = field(default_factory=dict, repr=False)
    """run_id -> where the run's values were written (its sweep point's source map), for located errors."""
    cluster_checks: str | None = None
    """What the cluster checks covered (a spec with a ``cluster`` section, see ``cluster.py``); None without one."""

    @property
    def totals(self) -> Totals:
        return totals_of(self.runs)

    def to_file(self) -> PlanFile:
        return PlanFile(
            spec=self.spec,
            spec_sha256=self.spec_sha256,
            study=self.study,
            created=self.created,
            codescale_version=_version(),
            runs=self.runs,
            totals=self.totals,
            budget=PlanBudget(gpu_hours_limit=self.gpu_hours_limit),
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("codescale")
    except PackageNotFoundError:
        return "unknown"


def identity_view(run: dict[str, Any]) -> dict[str, Any]:
    """The part of a run (as its JSON object) its hash covers (see the module docstring)."""
    view = {k: v for k, v in run.items() if k not in _TOP_EXCLUDED}
    view["cluster"] = {k: v for k, v in run["cluster"].items() if k not in _CLUSTER_EXCLUDED}
    view["derived"] = {k: v for k, v in run["derived"].items() if k != "gpu_hours"}
    return view


def run_hash(run: Run | dict[str, Any]) -> str:
    data = run.to_dict() if isinstance(run, Run) else run
    text = json.dumps(identity_view(data), sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def job_function(run_id: str) -> str:
    return "job_" + run_id.replace("-", "_")


def plan_spec(
    spec_path: str | Path,
    *,
    catalog: str | None = None,
    prepared: str | None = None,
    out_dir: str | Path | None = None,
    enforce_budget: bool = True,
    max_runs: int = DEFAULT_MAX_RUNS,
    live_cluster: bool = False,
) -> Plan:
    """Load, expand, validate, resolve and identify every run of a spec (all errors reported at once).

    ``max_runs``: the most sweep points (before include/exclude) the spec may have; ``enforce_budget``: refuse a plan
    over ``budget.gpu_hours`` (:class:`OverBudget`); ``live_cluster``: for a spec with a ``cluster`` section, also
    check partition, account, QOS and node sizes against the Slurm cluster reachable from here, if one is."""
    display = str(spec_path)
    raw = read_source(spec_path, display)
    document, smap = load_yaml(spec_path, display, raw=raw)
    if document is None:
        raise smap.error(
            (), "the file holds no YAML document (it is empty or only comments)", "start from a file in specs/demo/"
        )
    if not isinstance(document, dict):
        raise smap.error(
            (),
            f"a spec must be a YAML mapping with study, mixture, model, budget, ..., not a {_kind(document)}",
            "start from a file in specs/demo/",
        )
    _validate_sweep_shape(document, smap)
    total_points = check_size(document, smap, max_runs)
    errors: dict[str, CodescaleError] = {}
    if document.get("sweep") is not None:  # the body alone: its errors, even at values every point overrides
        every, overridden = body_errors(
            {k: v for k, v in document.items() if k != "sweep"}, smap, swept_paths(document)
        )
        if every:  # each point would repeat them: no point is made
            raise CodescaleErrors(_in_order(every + overridden))
        for e in overridden:
            errors.setdefault(e.render(), e)
    points = expand(document, smap)
    ctx = _resolve.Context(
        spec_path=display,
        spec_dir=os.path.dirname(os.path.abspath(spec_path)),
        catalog_override=os.path.abspath(catalog) if catalog else None,
        prepared_override=os.path.abspath(prepared) if prepared else None,
    )
    runs: list[Run] = []
    sources: dict[str, SourceMap] = {}
    seen: dict[str, int] = {}
    study = str(document.get("study", "study"))
    gpu_hours_limit = None
    gpu_hours = 0.0
    out = os.path.abspath(out_dir) if out_dir is not None else None
    for index, point in enumerate(points):
        pmap = PointMap(smap, point.redirects)
        try:
            spec = validate(point.data, pmap)
            if gpu_hours_limit is None:  # not sweepable: every point has the body's value
                gpu_hours_limit = spec.budget.gpu_hours
            body = _resolve.resolve(spec, pmap, ctx)
            name = run_name(point, spec.study, smap)
        except CodescaleError as err:
            for e in getattr(err, "errors", [err]):
                errors.setdefault(e.render(), e)
            continue
        run = Run(
            run_id="-",
            name=name,
            study=spec.study,
            spec=display,
            sweep=dict(point.axes),
            **body,
            paths=RunPaths(run_dir=None, job_module=None, job_function=""),
        )
        run_id = f"{name}-{run_hash(run)}"
        run = run.model_copy(
            update={
                "run_id": run_id,
                "paths": RunPaths(
                    run_dir=os.path.join(out, "runs", run_id) if out else None,
                    job_module=os.path.join(out, "jobs.py") if out else None,
                    job_function=job_function(run_id),
                ),
            }
        )
        if run_id in seen:
            where = smap.locate(("sweep",))[1] or (None, None)
            e = CodescaleError(
                f"sweep points {seen[run_id] + 1} and {index + 1} resolve to the same run {run_id}",
                source=display,
                line=where[0],
                column=where[1],
                field="sweep",
                hint="remove the duplicate values or make the runs differ",
            )
            errors.setdefault(e.render(), e)
            continue
        seen[run_id] = index
        runs.append(run)
        sources[run_id] = pmap
        gpu_hours += run.derived.gpu_hours
        if enforce_budget and gpu_hours_limit is not None and gpu_hours > gpu_hours_limit and not errors:
            if len(runs) < total_points:  # far over budget: no need to resolve the rest to know
                raise _over_budget(
                    display,
                    smap,
                    gpu_hours,
                    gpu_hours_limit,
                    f"{len(runs)} of up to {total_points:,} runs already need an estimated",
                )
    cluster_checks = None
    if isinstance(document.get("cluster"), dict):  # what submit would refuse: time limit vs estimate, shape, ...
        cluster_errors, cluster_checks = _cluster.plan_problems(runs, sources, live=live_cluster)
        for e in cluster_errors:
            errors.setdefault(e.render(), e)
    if errors:
        raise CodescaleErrors(_in_order(errors.values()))
    if not runs:
        if not document.get("sweep"):
            raise smap.error(
                ("sweep",), "the sweep has no blocks, so the spec has no runs", "add a block or remove `sweep`"
            )
        raise smap.error(
            ("sweep",), "include/exclude filter out every sweep point, so the spec has no runs", "loosen the filters"
        )
    plan = Plan(
        spec=display,
        spec_sha256=hashlib.sha256(raw).hexdigest(),
        study=study,
        runs=runs,
        gpu_hours_limit=gpu_hours_limit,
        sources=sources,
        cluster_checks=cluster_checks,
    )
    if enforce_budget:
        check_budget(plan, smap)
    return plan


def _in_order(errors: Any) -> list[CodescaleError]:
    unique = {e.render(): e for e in errors}
    return sorted(unique.values(), key=lambda e: (e.line or 0, e.column or 0, e.render()))


def check_budget(plan: Plan, smap: Any = None) -> None:
    limit = plan.gpu_hours_limit
    if limit is None:
        return
    used = plan.totals.gpu_hours
    if used > limit:
        raise _over_budget(plan.spec, smap, used, limit, "the plan needs an estimated", f" for {len(plan.runs)} runs")


def _over_budget(spec: str, smap: Any, used: float, limit: float, prefix: str, runs: str = "") -> OverBudget:
    where = smap.locate(("budget", "gpu_hours"))[1] if smap is not None else None
    line, col = where or (None, None)
    return OverBudget(
        f"{prefix} {hours(used)} GPU-hours{runs}, over the budget of {hours(limit)}",
        source=spec,
        line=line,
        column=col,
        field="budget.gpu_hours",
        hint="raise budget.gpu_hours, shrink the sweep, or check cluster.mfu",
    )


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "text" if isinstance(value, str) else type(value).__name__


def _validate_sweep_shape(document: dict[str, Any], smap: Any) -> None:
    """Check the sweep section's own fields before expanding it (so a typo there is reported at its line)."""
    from pydantic import TypeAdapter, ValidationError

    sweep = document.get("sweep")
    if sweep is None:
        return
    if not isinstance(sweep, (dict, list)):
        raise smap.error(("sweep",), "sweep must be a block {product:, zip:, ...} or a list of blocks")
    try:
        TypeAdapter(SweepBlock if isinstance(sweep, dict) else list[SweepBlock]).validate_python(sweep)
    except ValidationError as err:
        problems = []
        for e in err.errors(include_url=False):
            loc = ("sweep",) + tuple(e["loc"])
            problems.append(pydantic_error({**e, "loc": loc}, smap))
        unique = {p.render(): p for p in problems}
        raise CodescaleErrors(list(unique.values())) from None


def load_plan(path: str | Path) -> PlanFile:
    """Read a plan.json (or the plan.json of a compiled directory) through the core contract."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    return PlanFile.read(path, hint="a plan.json written by `codescale compile`")


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def diff_plans(a: PlanFile, b: PlanFile) -> dict[str, Any]:
    """Runs added, removed and changed between two plans (matched by run id, then by name)."""
    runs_a = {r.run_id: r.to_dict() for r in a.runs}
    runs_b = {r.run_id: r.to_dict() for r in b.runs}
    only_a = {i: r for i, r in runs_a.items() if i not in runs_b}
    only_b = {i: r for i, r in runs_b.items() if i not in runs_a}
    by_name_b: dict[str, list[str]] = {}
    for run_id, run in only_b.items():
        by_name_b.setdefault(run["name"], []).append(run_id)
    changed, removed = [], []
    for run_id, run in only_a.items():
        partners = by_name_b.get(run["name"])
        if not partners:
            removed.append(run_id)
            continue
        other = only_b.pop(partners.pop(0))
        fa = _flatten(identity_view(copy.deepcopy(run)))
        fb = _flatten(identity_view(copy.deepcopy(other)))
        fields = {k: [fa.get(k), fb.get(k)] for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)}
        changed.append({"name": run["name"], "from": run_id, "to": other["run_id"], "fields": fields})
    unchanged = [i for i in runs_a if i in runs_b]
    return {"added": sorted(only_b), "removed": sorted(removed), "changed": changed, "unchanged": len(unchanged)}

"""``codescale propose``: the next runs, within a GPU-hour budget, that are expected to shrink one answer's uncertainty
most -- written as a spec the compiler accepts.

The loop it closes: fit → propose → compile → submit → ingest → fit. Inputs: a stored fit (a batch of per-language
fits, one per-language fit, or a parametric mixture fit), a *target* and a budget. Targets:

- ``loss[:DOMAIN]@N=<size>,D=<tokens>[,p=<domain>:<share>+...]`` -- the predicted loss at a point, usually beyond
  the runs (extrapolation); without a domain, the mean over what the law predicts there;
- ``gain@N=<size>,D=<tokens>`` -- the predicted gain over uniform of the allocation ``codescale allocate`` recommends
  at that scale (the allocation held fixed, as its interval does);
- ``param:<name>`` -- one parameter: ``python.alpha``, ``go.E`` (L∞), or a mixture law's ``<unit>.<name>``.

The method is in :mod:`.design` (a bootstrap-averaged, linearised c-optimal design chosen greedily per GPU-hour),
the laws as design problems in :mod:`.design_models`, the candidate runs (a grid around the existing runs, or a
candidate spec, compiled by the compiler and cleared of runs already done or planned) in :mod:`.candidates`.

The output spec is the candidate document with one sweep block per proposed run, each under a comment giving its
rank, point, cost, and the expected share of the target's variance left before and after it; compiling the spec
gives exactly the proposed runs (ids included), which :func:`write_spec` checks before it returns.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import yaml

from codescale.core.contracts import PlanFile
from codescale.core.domains import domain_id
from codescale.core.errors import CodescaleError
from codescale.core.fmt import hours, number, si, table
from codescale.core.quantities import parse_quantity
from codescale.laws import candidates as cands
from codescale.laws.design import Design, Points, Target, observation_rows
from codescale.laws.design_models import MixtureModel, PerLanguageModel, gain_target, loss_target, param_target

log = logging.getLogger(__name__)

TARGET_SYNTAX = "loss[:DOMAIN]@N=SIZE,D=TOKENS[,p=DOMAIN:SHARE+...] | gain@N=SIZE,D=TOKENS | param:NAME"
ROWS_BUDGET = 1.5e7  # elements of the Jacobian tensor (draws × candidates × measured domains × parameters)


@dataclass
class TargetSpec:
    """What the proposed runs should pin down (see the module docstring for the syntax)."""

    kind: Literal["loss", "gain", "param"]
    n: float | None = None
    d: float | None = None
    proportions: dict[str, float] | None = None
    domain: str | None = None
    parameter: str | None = None

    def text(self) -> str:
        if self.kind == "param":
            return f"param:{self.parameter}"
        where = f"N={si(self.n or 0)},D={si(self.d or 0)}"
        if self.proportions:
            where += ",p=" + "+".join(f"{k}:{v:g}" for k, v in self.proportions.items())
        return f"{self.kind}{':' + self.domain if self.domain else ''}@{where}"


def parse_target(text: str) -> TargetSpec:
    """``loss:python@N=3.1B,D=64B`` -> TargetSpec; anything else is a CodescaleError showing the syntax."""
    text = text.strip()

    def bad(why: str) -> CodescaleError:
        return CodescaleError(f"--target {text!r}: {why}", hint=f"write {TARGET_SYNTAX}")

    if text.startswith("param:"):
        name = text[len("param:") :].strip()
        if not name:
            raise bad("name the parameter")
        unit, _, short = name.rpartition(".")
        return TargetSpec("param", parameter=f"{_domain(unit)}.{short}" if unit and unit[0] != "(" else name)
    match = re.fullmatch(r"(loss|gain)(?::([^@]+))?@(.+)", text)
    if not match:
        raise bad("not a target")
    kind, domain, rest = match.group(1), match.group(2), match.group(3)
    if kind == "gain" and domain:
        raise bad("the allocation's gain is over every domain; drop the domain")
    values: dict[str, Any] = {}
    for item in rest.split(","):
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("n", "d", "size", "tokens", "p"):
            raise bad(f"{item!r} is not N=..., D=... or p=...")
        key = {"size": "n", "tokens": "d"}.get(key, key)
        if key == "p":
            values["p"] = _shares(value, bad)
            continue
        try:
            values[key] = float(parse_quantity(value.strip()))
        except ValueError as err:
            raise bad(f"{key.upper()}: {err}") from None
    if "n" not in values or "d" not in values:
        raise bad("give both N= and D=")
    if kind == "gain" and "p" in values:
        raise bad("the allocation chooses p; drop p=")
    return TargetSpec("gain" if kind == "gain" else "loss", values["n"], values["d"], values.get("p"),
                      _domain(domain) if domain else None)  # fmt: skip


def _domain(name: str) -> str:
    return name.strip() if name.strip().startswith("(") else domain_id(name)


def _shares(text: str, bad) -> dict[str, float]:
    out = {}
    for item in text.split("+"):
        name, sep, value = item.partition(":")
        try:
            out[_domain(name)] = float(value)
        except ValueError:
            raise bad(f"p: {item!r} is not DOMAIN:SHARE") from None
        if not sep or out[_domain(name)] < 0:
            raise bad(f"p: {item!r} is not DOMAIN:SHARE with a share >= 0")
    return out


@dataclass
class ProposedRun:
    rank: int
    run_id: str
    name: str
    proportions: dict[str, float]
    n: float  # the law's N of the compiled run
    d: float  # its training tokens
    gpu_hours: float
    left_before: float  # expected share of the target's variance left before this run (geometric mean over draws)
    left_after: float
    sd_after: float
    block: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "run_id": self.run_id, "name": self.name, "proportions": self.proportions,
                "params": self.n, "tokens": self.d, "gpu_hours": self.gpu_hours,
                "variance_left_before": self.left_before, "variance_left_after": self.left_after,
                "expected_variance_reduction": self.left_before - self.left_after,
                "expected_sd_after": self.sd_after}  # fmt: skip

    def why(self, unit: str) -> str:
        mix = _mix_text(self.proportions)
        return (f"{self.rank}. {mix}, N={si(self.n)}, D={si(self.d)}: expected variance left "
                f"{_percent(self.left_before)} -> {_percent(self.left_after)} "
                f"(-{100 * (1 - self.left_after / self.left_before):.3g}% of it, sd -> {number(self.sd_after)} {unit}), "
                f"{hours(self.gpu_hours)} GPU-hours; run {self.run_id}").replace("  ", " ")  # fmt: skip


@dataclass
class Proposal:
    fit: str
    law: str
    target: TargetSpec
    description: str
    unit: str
    value: float
    sd_delta: float  # delta-method sd at the point estimate
    sd_draws: float | None  # spread of the target over the bootstrap draws (half the central 68% range)
    interval: tuple[float, float] | None  # central 95% over the draws
    draws: int
    sigma: float
    budget: float
    runs: list[ProposedRun]
    candidates: int  # candidates the design chose from
    candidate_source: str
    dropped: dict[str, int]
    pending: int  # runs counted as if measured
    document: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def gpu_hours(self) -> float:
        return sum(r.gpu_hours for r in self.runs)

    @property
    def left(self) -> float:
        return self.runs[-1].left_after if self.runs else 1.0

    @property
    def sd_now(self) -> float:
        """The delta-method sd: the scale the design's variance fractions apply to."""
        return self.sd_delta

    def as_json(self) -> dict[str, Any]:
        return {"fit": self.fit, "law": self.law, "target": self.target.text(), "description": self.description,
                "value": self.value, "sd_delta_method": self.sd_delta, "sd_bootstrap": self.sd_draws,
                "interval_95": list(self.interval) if self.interval else None, "draws": self.draws,
                "noise_sigma": self.sigma, "budget_gpu_hours": self.budget, "gpu_hours": self.gpu_hours,
                "variance_left": self.left, "expected_sd_after": self.sd_now * math.sqrt(self.left),
                "candidates": self.candidates, "candidate_source": self.candidate_source,
                "dropped": self.dropped, "pending_runs_counted": self.pending,
                "runs": [r.as_json() for r in self.runs], "notes": self.notes, "written": self.written}  # fmt: skip

    def summary_lines(self) -> list[str]:
        now = [f"now: {number(self.value)} {self.unit} ±{number(self.sd_delta)} (delta method, log-loss noise "
               f"{number(self.sigma)})".replace("  ", " ")]  # fmt: skip
        if self.sd_draws is not None and self.interval is not None:
            now.append(f"±{number(self.sd_draws)} over {self.draws} bootstrap draws, 95% "
                       f"[{number(self.interval[0])}, {number(self.interval[1])}]")  # fmt: skip
        dropped = ", ".join(f"{v} {k}" for k, v in self.dropped.items())
        return [
            f"target: {self.description} under {self.fit} ({self.law})",
            "; ".join(now),
            f"candidates: {self.candidates} from {self.candidate_source}" + (f" (dropped: {dropped})" if dropped else "")
            + (f"; {self.pending} planned runs counted as measured" if self.pending else ""),
            f"proposed: {len(self.runs)} runs, {hours(self.gpu_hours)} of {hours(self.budget)} GPU-hours; expected "
            f"variance left {_percent(self.left)}, sd {number(self.sd_now)} -> "
            f"{number(self.sd_now * math.sqrt(self.left))} {self.unit}".rstrip(),
        ]  # fmt: skip

    def render(self) -> str:
        rows = [(r.rank, r.name, _mix_text(r.proportions), si(r.n), si(r.d), hours(r.gpu_hours),
                 _percent(r.left_before), _percent(r.left_after), r.run_id) for r in self.runs]  # fmt: skip
        lines = self.summary_lines()
        if rows:
            lines.append(table(("#", "run", "mixture", "N", "D", "GPU-h", "var. before", "after", "run id"), rows,
                               right=(0, 3, 4, 5, 6, 7), rule=True))  # fmt: skip
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"wrote {p}" for p in self.written]
        return "\n".join(lines)


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.3g}%"


def _mix_text(p: dict[str, float]) -> str:
    if len(p) == 1:
        return next(iter(p))
    return " ".join(f"{k} {100 * v:.0f}%" for k, v in p.items())


def load_model(con: duckdb.DuckDBPyConnection, ref: str):
    """A batch id, a per-language fit id (or a comma list of them), or a mixture fit id -> its design model."""
    from codescale.laws.fitstore import fits_in_batch, load_fit

    ids = fits_in_batch(con, ref) or [s.strip() for s in ref.split(",") if s.strip()]
    if not ids:
        raise CodescaleError("--fit names no fit", hint="pass a batch id printed by `codescale fit` or a fit id")
    stored = [load_fit(con, i) for i in ids]
    if len(stored) == 1 and stored[0].kind in ("mixture", "multilingual"):
        return MixtureModel(con, stored[0])
    bad = [str(s.fit_id) for s in stored if s.kind != "chinchilla" or s.group_key != "language" or not s.group_value]
    if bad:
        raise CodescaleError(f"propose designs for per-language fits or one mixture fit; {', '.join(bad)} is neither",
                             hint="pass the batch id of `codescale fit chinchilla` or a `codescale fit mixture` id")  # fmt: skip
    by_language: dict[str, Any] = {}
    for s in stored:
        assert s.group_value  # every fit without one was refused above
        if s.group_value in by_language:
            raise CodescaleError(f"two fits of {s.group_value} in --fit ({by_language[s.group_value].fit_id}, "
                                 f"{s.fit_id})", hint="pass one batch")  # fmt: skip
        by_language[s.group_value] = s
    return PerLanguageModel(by_language)


def build_target(con: duckdb.DuckDBPyConnection, ref: str, model, spec: TargetSpec):
    """(Target, the allocation's shares for a gain target else None)."""
    if spec.kind == "param":
        assert spec.parameter is not None
        return param_target(model, spec.parameter), None
    assert spec.n is not None and spec.d is not None
    if spec.kind == "loss":
        return loss_target(model, spec.n, spec.d, spec.proportions, spec.domain), None
    from codescale.laws.allocate import allocate

    result = allocate(con, ref, spec.d, spec.n)
    shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in result.proportions.items())
    description = (f"predicted gain over uniform of the recommended allocation at N={si(spec.n)}, "
                   f"D={si(spec.d)} ({shares})")  # fmt: skip
    return gain_target(model, spec.n, spec.d, result.proportions, description), result.proportions


@dataclass
class Setup:
    """A fit seen as a design problem for one target: everything the candidates are scored against."""

    fit: str
    spec: TargetSpec
    model: Any  # PerLanguageModel | MixtureModel
    target: Target
    optimum: dict[str, float] | None  # the allocation of a gain target
    existing: Points  # the fitted runs
    fitted_ids: list[str]
    known: list[cands.KnownRun]  # every run in the store and in the planned plans
    pending: Points  # runs to be measured, counted as if they were
    design: Design


def setup(con: duckdb.DuckDBPyConnection, fit: str, target: TargetSpec, *, planned: list[PlanFile] | None = None,
          draws: int = 40) -> Setup:  # fmt: skip
    """Load the fit as a design model, build the target, and the information of the runs done and planned."""
    model = load_model(con, fit)
    tgt, optimum = build_target(con, fit, model, target)
    existing, fitted_ids = model.existing(con)
    known = cands.store_runs(con) + cands.plan_runs(planned or [])
    fitted = set(fitted_ids)
    pending = cands.known_points(model, [k for k in known if k.run_id not in fitted])
    points = Points.concat([existing, pending], len(model.domains), len(model.targets))
    design = Design.build(model, tgt, points, max_draws=draws)
    return Setup(fit, target, model, tgt, optimum, existing, fitted_ids, known, pending, design)


def default_candidates(con: duckdb.DuckDBPyConnection, problem: Setup, base_spec: str | None = None,
                       seed: int = 0) -> cands.CandidateSet:  # fmt: skip
    """The grid around the existing runs, on the recipe of ``base_spec`` (else the fitted runs' spec), compiled."""
    base = cands.read_document(base_spec or _fitted_spec(con, problem.fitted_ids))
    return cands.grid_candidates(problem.model, problem.existing, problem.target.points, base, problem.optimum,
                                 _relevant(problem.model, problem.design), seed)  # fmt: skip


def propose(
    con: duckdb.DuckDBPyConnection, fit: str, target: TargetSpec, gpu_hours: float, *,
    candidates: cands.CandidateSet | str | None = None, base_spec: str | None = None,
    planned: list[PlanFile] | None = None, max_runs: int | None = None, draws: int = 40, seed: int = 0,
    min_gain: float = 1e-3,
) -> Proposal:  # fmt: skip
    """Choose runs for ``target`` within ``gpu_hours`` (see the module docstring). ``candidates`` is a compiled
    :class:`~codescale.laws.candidates.CandidateSet`, a candidate spec path, or None for the default grid on the
    recipe of ``base_spec`` (else the spec the fitted runs came from)."""
    if not gpu_hours > 0 or not math.isfinite(gpu_hours):
        raise CodescaleError(f"--gpu-hours must be a positive number, got {gpu_hours}")
    problem = setup(con, fit, target, planned=planned, draws=draws)
    if isinstance(candidates, str):
        candidates = cands.spec_candidates(candidates)
    elif candidates is None:
        candidates = default_candidates(con, problem, base_spec, seed)
    log.info("%d candidate runs compiled from %s", len(candidates.candidates), candidates.source)
    return choose(problem, candidates, gpu_hours, max_runs=max_runs, min_gain=min_gain)


def choose(problem: Setup, candidates: cands.CandidateSet, gpu_hours: float, *, max_runs: int | None = None,
           min_gain: float = 1e-3) -> Proposal:  # fmt: skip
    """The design over ``candidates`` within ``gpu_hours``, as a :class:`Proposal`."""
    model, tgt, design = problem.model, problem.target, problem.design
    pool, dropped = eligible(model, candidates, problem.known, gpu_hours)
    # the Jacobian tensor is draws × candidates × domains × parameters: keep it bounded by using fewer draws
    size = max(1, len(pool)) * len(model.targets) * len(model.theta)
    keep = int(max(4, min(len(design.thetas), ROWS_BUDGET // size)))
    if keep < len(design.thetas):
        points_done = Points.concat([problem.existing, problem.pending], len(model.domains), len(model.targets))
        design = Design.build(model, tgt, points_done, max_draws=keep - 1)
        design.notes.append(f"{keep - 1} bootstrap draws used (of {len(model.draws)}) to bound memory")
    points, _ = cands.run_points(model, [c.run for c in pool])
    rows, mask = observation_rows(model, design.thetas, points)
    costs = np.array([c.run.derived.gpu_hours for c in pool])
    steps = design.choose(rows, mask, costs, gpu_hours, max_runs=max_runs, min_gain=min_gain)
    spread, interval = _spread(design.values[1:])
    proposal = Proposal(
        fit=problem.fit, law=getattr(getattr(model, "law", None), "name", "chinchilla per language"),
        target=problem.spec, description=tgt.description, unit=tgt.unit,
        value=float(design.values[0]), sd_delta=design.sd(), sd_draws=spread, interval=interval,
        draws=len(design.thetas) - 1, sigma=design.sigma, budget=gpu_hours, runs=[], candidates=len(pool),
        candidate_source=candidates.source, dropped={**candidates.dropped, **dropped}, pending=len(problem.pending),
        document=candidates.document, notes=[*_fit_notes(model), *candidates.notes, *design.notes],
    )  # fmt: skip
    for rank, step in enumerate(steps, 1):
        run = pool[step.index].run
        proposal.runs.append(ProposedRun(
            rank, run.run_id, run.name, {k: float(v) for k, v in run.mixture.proportions.items() if v},
            float(points.n[step.index]), float(run.training.tokens), step.cost, step.left_before, step.left_after,
            proposal.sd_now * math.sqrt(max(step.left_after, 0.0)), pool[step.index].block,
        ))  # fmt: skip
    if not steps:
        proposal.notes.append("no candidate fits the budget and reduces the target's variance by at least "
                              f"{100 * min_gain:g}% of itself")  # fmt: skip
    return proposal


def _fit_notes(model) -> list[str]:
    stored = list(model.fits.values()) if isinstance(model, PerLanguageModel) else [model.stored]
    reasons = [r for s in stored for r in s.unidentified]
    if not reasons:
        return []
    return [f"the fit is flagged unidentified ({len(reasons)} reasons, e.g. {reasons[0]}): its uncertainty, and so "
            "this design, may be unreliable; more runs spread over the flagged terms help"]  # fmt: skip


def _fitted_spec(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> str:
    rows = con.execute("SELECT spec, count(*) FROM runs WHERE list_contains(?::VARCHAR[], run_id) AND spec IS NOT NULL "
                       "GROUP BY spec ORDER BY count(*) DESC", [run_ids]).fetchall()  # fmt: skip
    for spec, _ in rows:
        if spec and Path(spec).is_file() and Path(spec).suffix in (".yaml", ".yml"):
            return spec
    named = f" (they name {rows[0][0]})" if rows else ""
    raise CodescaleError(f"the spec of the fitted runs is not here{named}: propose needs a recipe (training, "
                         "cluster, corpus) for the runs it proposes", hint="pass --base-spec SPEC or --candidates SPEC")  # fmt: skip


def _relevant(model, design: Design) -> list[str] | None:
    """Languages of a per-language law whose parameters the target depends on."""
    if not isinstance(model, PerLanguageModel):
        return None
    moves = np.abs(design.grad).max(axis=0) > 0
    return [b.language for b in model.blocks if moves[b.start : b.start + b.form.k].any()]


def eligible(model, candidates: cands.CandidateSet, known: list[cands.KnownRun], budget: float):
    """Candidates the law models, that fit the budget alone, and that are not done or planned already."""
    dropped: dict[str, int] = {}
    points, why = cands.run_points(model, [c.run for c in candidates.candidates])
    hashes = {k.run_id.rsplit("-", 1)[-1] for k in known if "-" in k.run_id}
    known_n = np.array([k.n for k in known], float)
    known_d = np.array([k.d for k in known], float)
    pool = []
    for i, cand in enumerate(candidates.candidates):
        run = cand.run
        if why[i] is not None:
            reason = f"not modelled by the law ({why[i]})"
        elif run.derived.gpu_hours > budget * (1 + 1e-9):
            reason = "cost more than the whole budget alone"
        elif run.run_id.rsplit("-", 1)[-1] in hashes or _near(run, known, known_n, known_d):
            reason = "already done or planned"
        else:
            pool.append(cand)
            continue
        dropped[reason] = dropped.get(reason, 0) + 1
    return pool, dropped


def _near(run, known: list[cands.KnownRun], known_n: np.ndarray, known_d: np.ndarray) -> bool:
    if not len(known):
        return False
    n = float(run.model.params_non_embedding or run.model.params)
    with np.errstate(divide="ignore", invalid="ignore"):
        close = (np.abs(np.log(known_n / n)) <= cands.MATCH_LOG_TOLERANCE) & (
            np.abs(np.log(known_d / run.training.tokens)) <= cands.MATCH_LOG_TOLERANCE)  # fmt: skip
    return any(cands.matches(run, known[i]) for i in np.flatnonzero(close))


def _spread(values: np.ndarray) -> tuple[float | None, tuple[float, float] | None]:
    values = values[np.isfinite(values)]
    if len(values) < 10:
        return None, None
    lo, hi, a, b = np.percentile(values, [15.87, 84.13, 2.5, 97.5])
    return float((hi - lo) / 2), (float(a), float(b))


# --- the spec ----------------------------------------------------------------------------------------------------


def write_spec(proposal: Proposal, output: str | Path, study: str | None = None) -> None:
    """The proposed runs as a spec (see the module docstring); checks that it compiles to exactly those runs."""
    from codescale.compiler.plan import plan_spec
    from codescale.core.io import atomic_write_text

    if not proposal.runs:
        raise CodescaleError("no runs to write: nothing was proposed", hint="raise --gpu-hours or widen --candidates")
    path = Path(output)
    document = cands.rebase_paths(proposal.document, None, path.resolve().parent)
    document = {"study": study or document.get("study", "proposed"),
                "description": f"runs proposed by codescale propose for: {proposal.description}",
                **{k: v for k, v in document.items() if k not in ("sweep", "study", "description")}}  # fmt: skip
    budget = dict(document.get("budget") or {})
    budget["gpu_hours"] = _round_up(proposal.gpu_hours)
    document["budget"] = budget
    head = [f"# Written by `codescale propose --fit {proposal.fit} --target '{proposal.target.text()}' "
            f"--gpu-hours {proposal.budget:g}`.", *(f"# {line}" for line in proposal.summary_lines()),
            "# Each run below says why it was chosen: the expected share of the target's variance left before and",
            "# after adding it (linearised; a geometric mean over the fit and its bootstrap draws) and its cost."]  # fmt: skip
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    blocks = ["sweep:"]
    for run in proposal.runs:
        blocks.append(f"  # {run.why(proposal.unit)}")
        dumped = yaml.safe_dump([run.block], sort_keys=False, default_flow_style=None, allow_unicode=True, width=200)
        blocks += [f"  {line}" for line in dumped.rstrip("\n").splitlines()]
    atomic_write_text(path, "\n".join(head) + "\n" + body + "\n".join(blocks) + "\n")
    compiled = plan_spec(path).runs
    expected = [r.run_id for r in proposal.runs]
    if sorted(r.run_id for r in compiled) != sorted(expected):
        raise CodescaleError(f"the written spec compiles to other runs than proposed ({len(compiled)} runs)",
                             source=path, hint="please report this; the proposal's run ids are in --json")  # fmt: skip
    proposal.written.append(str(path))


def _round_up(value: float) -> float:
    """Up to 3 significant digits, never below ``value``."""
    if value <= 0:
        return 0.001
    scale = 10 ** (math.floor(math.log10(value)) - 2)
    out = float(f"{math.ceil(value / scale) * scale:.6g}")
    while out < value:
        out = float(f"{out + scale:.6g}")
    return out

"""Do proposed runs pin a target down better than the usual grid extension, at equal GPU-hours? Simulated studies.

    .venv/bin/python bench/propose_bench.py [--reps 30] [--scenarios extrapolation,parameter,allocation,mixture,
                                            mixture_allocation] [--noise 0.005] [--workers 2] [--json results.json]

Ground truth: ``codescale simulate``'s machinery -- the ``paper`` preset (per-language laws L = E + A/N^α + B/D^β,
paper.md §3) for the per-language scenarios, and a ``joint_additive`` law over go and python (a ``mixture_law``
truth) for the mixture scenarios. Every run is compiled by the compiler from one recipe (H800, seq_len 2048, batch
and learning rate by size), so sizes, tokens and GPU-hours are the ones `codescale compile` gives, and simulated with
log-normal noise (``--noise``; the same run gets the same noise in every arm of a repetition, so the arms are compared
on common random numbers).

Each repetition of a scenario, in a fresh results store:

1. **seed**: per-language scenarios: 3 sizes (0.1B, 0.2B, 0.4B) × 3 budgets (2B, 4B, 8B) per language, fitted with
   ``fit chinchilla`` (units billions, 40 bootstrap replicates); mixture scenarios: 2 sizes (0.1B, 0.4B) × 2 budgets
   (2B, 8B) × 5 mixtures (go share 1, 0.75, 0.5, 0.25, 0), fitted with ``fit mixture --law joint_additive``
   (40 replicates);
2. **grid** (the baseline, and the GPU-hours H of every arm): the usual next step of the grid -- one more size at
   every budget and one more budget at every size (0.8B and 16B per language; 1.6B and 32B per seed mixture);
3. **random**: runs drawn at random from the proposal's own candidate set until H is spent;
4. **proposed**: ``codescale propose`` with budget H, and again with H/2 (its candidates: the default grid around the
   seed runs, compiled once per scenario);
5. each arm's runs are simulated, the law is refitted on seed + arm, and the target's error is measured against
   the truth.

Scenarios (the three kinds of target ``propose`` takes, on both kinds of law):

- ``extrapolation``: python's loss at N = 3.1B, D = 64B (the paper's largest grid point), ``loss:python@N=3.1B,D=64B``;
- ``parameter``: go's model-size exponent α, ``param:go.alpha``;
- ``allocation``: the predicted gain over uniform of the allocation ``codescale allocate`` recommends for python,
  java and rust at N = 1.1B, D = 64B, ``gain@N=1.1B,D=64B``; the error is that of the refitted law's predicted gain
  for its own recommended allocation, against the truth's gain for that allocation;
- ``mixture``: the mean loss of go and python after training on 30% go, 70% python at N = 3.1B, D = 64B;
- ``mixture_allocation``: the allocation's predicted gain over uniform at N = 1.1B, D = 64B under the mixture law.

Reported per scenario: the mean GPU-hours and runs of each arm, the median absolute error, and over repetitions the
median of the per-repetition error ratios against the grid (arm / grid, below 1 = better than the grid) with a 95%
bootstrap interval of that median (2,000 resamplings of repetitions), the same ratio of the proposed runs against
the random ones (what the choice adds beyond spreading H over more, cheaper runs), and the target's true value for
scale. The goal: the proposed runs reach the grid's error with at most half its GPU-hours, i.e. the ratio "proposed
at H/2 / grid at H" at or below 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from codescale.compiler.plan import plan_spec
from codescale.core.contracts import PlanBudget, PlanFile, Run, totals_of
from codescale.laws import presets, store
from codescale.laws.allocate import allocate
from codescale.laws.candidates import CandidateSet
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups
from codescale.laws.propose import TargetSpec, choose, default_candidates, eligible, parse_target, setup
from codescale.laws.simulate import simulate_plan

RECIPE: dict[str, Any] = {
    "study": "bench",
    "mixture": {"uniform": ["python"]},
    "model": {"size": "0.1B", "vocab_size": 32768},
    "budget": {"tokens": "2B"},
    "training": {"seq_len": 2048, "global_batch_tokens": {"by_size": {"0.1B": "0.5Mi", "1B": "1Mi", "2B": "2Mi"}},
                 "lr": {"by_size": {"0.1B": 6.0e-4, "0.4B": 4.0e-4, "1B": 3.0e-4, "2B": 2.5e-4}}, "warmup": 0.01},
    "cluster": {"gpu": "H800", "gpus_per_node": 8, "nodes": 1, "mfu": 0.4},
    "float8": False,
}  # fmt: skip
SEED_SIZES, SEED_TOKENS = ["0.1B", "0.2B", "0.4B"], ["2B", "4B", "8B"]
NEXT_SIZE, NEXT_TOKENS = "0.8B", "16B"
MIX_DOMAINS = ["go", "python"]
MIX_SEED = [{"go": 1.0}, {"go": 0.75, "python": 0.25}, {"go": 0.5, "python": 0.5}, {"go": 0.25, "python": 0.75},
            {"python": 1.0}]  # fmt: skip
SCENARIOS = {
    "extrapolation": (["python"], "loss:python@N=3.1B,D=64B"),
    "parameter": (["go"], "param:go.alpha"),
    "allocation": (["python", "java", "rust"], "gain@N=1.1B,D=64B"),
    "mixture": (MIX_DOMAINS, "loss@N=3.1B,D=64B,p=go:0.3+python:0.7"),
    "mixture_allocation": (MIX_DOMAINS, "gain@N=1.1B,D=64B"),
}
ARMS = ("seed", "grid", "random", "proposed", "proposed_half")
TRUTH = presets.paper_truth()


def mixture_truth():
    """A joint_additive law over go and python (Shukor et al.'s additive form), N0 = 0.2B, D0 = 4B. Transfer is
    asymmetric -- python data helps go (C = 4) more than go data helps python (C = 1), each domain's own data C = 8
    -- so the mean loss's optimal mixture is not uniform (31% go, 0.005 nats better than 50:50 at N = 1.1B,
    D = 64B) and the allocation's gain is an answer worth pinning down."""
    from codescale.laws.mixlaws import AdditiveLaw
    from codescale.laws.simulate import law_truth

    law = AdditiveLaw(MIX_DOMAINS, MIX_DOMAINS, MIX_DOMAINS, 2e8, 4e9, True, True, False)
    transfer = {("go", "go"): 8.0, ("go", "python"): 4.0, ("python", "python"): 8.0, ("python", "go"): 1.0}
    params = {d: {"log_E": float(np.log(TRUTH["languages"][d]["E"])),
                  **{f"log_C:{j}": float(np.log(transfer[d, j])) for j in MIX_DOMAINS},
                  **{f"gamma:{j}": 0.6 for j in MIX_DOMAINS},
                  "log_A": float(np.log(0.4)), "alpha": 0.35, "log_B": float(np.log(0.5)), "beta": 0.3}
              for d in MIX_DOMAINS}  # fmt: skip
    return law, params, law_truth(law, params)


def truth_for(scenario: str) -> dict[str, Any]:
    return mixture_truth()[2] if scenario.startswith("mixture") else TRUTH


def compile_runs(directory: Path, name: str, blocks: list[dict[str, Any]], recipe: dict[str, Any]) -> list[Run]:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump({**recipe, "sweep": blocks}, sort_keys=False))
    return list(plan_spec(path, enforce_budget=False).runs)


def recipe_for(scenario: str) -> dict[str, Any]:
    if not scenario.startswith("mixture"):
        return RECIPE
    return {**RECIPE, "eval": {"languages": MIX_DOMAINS}}  # every run measures both domains


def seed_and_grid(directory: Path, scenario: str) -> tuple[list[Run], list[Run]]:
    """The seed design and the usual grid extension: one more size at every budget, one more budget at every size
    (for the mixture scenario, at every seed mixture; its 2 x 2 seed scales step by 4x, so the next ones are 1.6B
    and 32B)."""
    languages = SCENARIOS[scenario][0]
    recipe = recipe_for(scenario)
    if scenario.startswith("mixture"):
        mixtures = [{"proportions": m} if len(m) > 1 else {"uniform": list(m)} for m in MIX_SEED]
        sizes, tokens, next_size, next_tokens = ["0.1B", "0.4B"], ["2B", "8B"], "1.6B", "32B"
        axis = {"mixture": mixtures}
    else:
        sizes, tokens, next_size, next_tokens = SEED_SIZES, SEED_TOKENS, NEXT_SIZE, NEXT_TOKENS
        axis = {"mixture.uniform": [[x] for x in languages]}
    seed = compile_runs(directory, "seed", [{"product": {**axis, "model.size": sizes, "budget.tokens": tokens}}],
                        recipe)  # fmt: skip
    grid = compile_runs(directory, "grid", [
        {"product": {**axis, "model.size": [next_size], "budget.tokens": tokens + [next_tokens]}},
        {"product": {**axis, "model.size": sizes, "budget.tokens": [next_tokens]}},
    ], recipe)  # fmt: skip
    return seed, grid


def as_plan(runs: list[Run]) -> PlanFile:
    return PlanFile(spec="bench.yaml", spec_sha256="", study="bench", created="", codescale_version="bench",
                    runs=runs, totals=totals_of(runs), budget=PlanBudget(gpu_hours_limit=None))  # fmt: skip


def fit(con, scenario: str, run_ids: list[str], bootstrap: int, seed: int) -> str:
    """Fit the scenario's law to these runs (as `codescale fit` would) and return the batch id or fit id."""
    where = "run_id IN (" + ", ".join(f"'{r}'" for r in run_ids) + ")"
    batch = f"b{len(run_ids)}-{seed}-{bootstrap}"
    if scenario.startswith("mixture"):
        from codescale.laws.mixfit import FitOptions
        from codescale.laws.mixture import fit_and_store

        _, stored = fit_and_store(con, "joint_additive", where, FitOptions(bootstrap=bootstrap, seed=seed), batch=batch)
        return stored.fit_id or ""
    fit_groups(con, kind="chinchilla", view="final_loss", where=where, group_expr="language", group_key="language",
               label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
               d_expr="coalesce(language_tokens, tokens)",
               settings=FitSettings(units="billions", bootstrap=bootstrap, seed=seed), batch=batch,
               extra_settings={"n_column": "params_non_embedding", "d_column": "language"})  # fmt: skip
    return batch


def true_loss(scenario: str, n: float, d: float, shares: dict[str, float]) -> float:
    """The truth's mean loss over the evaluated domains of a run at (N, D, shares): a per-language truth sees
    D·p_i tokens of each language i (the allocation's view), the mixture truth evaluates both domains."""
    if scenario.startswith("mixture"):
        from codescale.laws.mixlaws import Inputs

        law, params, _ = mixture_truth()
        p = np.array([[shares.get(x, 0.0) for x in MIX_DOMAINS]])
        x = Inputs(np.array([n]), np.array([d]), p / p.sum(), np.full(p.shape, np.inf))
        values = law.predict({u: np.array([params[u][k] for k in law.names(u)]) for u in law.units()}, x)
        return float(np.mean([values[t][0] for t in MIX_DOMAINS]))
    laws = TRUTH["languages"]
    return float(np.mean([presets.mono_loss(laws[x], n / 1e9, d * p / 1e9) for x, p in shares.items()]))


def error(con, scenario: str, ref: str, target: TargetSpec) -> tuple[float, float]:
    """(|estimate − truth|, truth) of the target under the fit(s) ``ref`` (for a gain: the truth's gain of the
    allocation that fit recommends)."""
    from codescale.laws.fitstore import fits_in_batch, load_fit

    n, d = target.n or 0.0, target.d or 0.0
    if target.kind == "gain":  # the refitted law's recommended allocation, and its predicted gain
        result = allocate(con, ref, d, n)
        uniform = {x: 1.0 / len(result.proportions) for x in result.proportions}
        truth = true_loss(scenario, n, d, uniform) - true_loss(scenario, n, d, result.proportions)
        return abs(result.gain - truth), truth
    if scenario.startswith("mixture"):
        from codescale.laws import mixture
        from codescale.laws.mixlaws import Inputs

        fitted, _ = mixture.load(con, ref)
        shares = target.proportions or {x: 1.0 / len(MIX_DOMAINS) for x in MIX_DOMAINS}
        p = np.array([[shares.get(x, 0.0) for x in MIX_DOMAINS]])
        estimate = fitted.predict(Inputs(np.array([n]), np.array([d]), p / p.sum(), np.full(p.shape, np.inf)))
        truth = true_loss(scenario, n, d, shares)
        return abs(float(np.mean([estimate[t][0] for t in MIX_DOMAINS])) - truth), truth
    fits = {f.group_value: f for f in (load_fit(con, i) for i in fits_in_batch(con, ref))}
    laws = TRUTH["languages"]
    if target.kind == "param":
        lang, _, name = (target.parameter or "").partition(".")
        return abs(fits[lang].params[name] - laws[lang][name]), laws[lang][name]
    lang = target.domain or ""
    truth = true_loss(scenario, n, d, {lang: 1.0})
    return abs(presets.mono_loss(fits[lang].params, n / 1e9, d / 1e9) - truth), truth


def repetition(job: tuple[str, int, float, list[Run], list[Run], CandidateSet, float]) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    # the fits' small matrix products gain nothing from BLAS threads; on a busy machine those only wait (3x slower)
    with threadpool_limits(1):
        return _repetition(*job)


def _repetition(scenario: str, rep: int, noise: float, seed_runs: list[Run], grid_runs: list[Run],
                candidates: CandidateSet, budget: float) -> dict[str, Any]:  # fmt: skip
    target = parse_target(SCENARIOS[scenario][1])
    truth = truth_for(scenario)
    out: dict[str, Any] = {"rep": rep}
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        simulate_plan(con, as_plan(seed_runs), truth, noise=noise, seed=rep)
        seed_ids = [r.run_id for r in seed_runs]
        ref = fit(con, scenario, seed_ids, 40, rep)
        out["err_seed"], out["truth"] = error(con, scenario, ref, target)
        problem = setup(con, ref, target)
        proposed = choose(problem, candidates, budget)
        half = choose(problem, candidates, budget / 2)
        pool, _ = eligible(problem.model, candidates, problem.known, budget)
        rng = np.random.default_rng([rep, 99])
        random_runs, spent = [], 0.0
        for i in rng.permutation(len(pool)):
            cost = pool[i].run.derived.gpu_hours
            if spent + cost <= budget:
                random_runs.append(pool[i].run)
                spent += cost
        by_id = {c.run.run_id: c.run for c in candidates.candidates}
        arms = {"grid": grid_runs, "random": random_runs,
                "proposed": [by_id[r.run_id] for r in proposed.runs],
                "proposed_half": [by_id[r.run_id] for r in half.runs]}  # fmt: skip
        for arm, runs in arms.items():
            simulate_plan(con, as_plan(runs), truth, noise=noise, seed=rep)
            refit = fit(con, scenario, seed_ids + [r.run_id for r in runs], 0, rep)
            out[f"err_{arm}"] = error(con, scenario, refit, target)[0]
            out[f"hours_{arm}"] = sum(r.derived.gpu_hours for r in runs)
            out[f"runs_{arm}"] = len(runs)
        out["expected_left"] = proposed.left
        con.close()
    return out


def median_interval(values: np.ndarray, seed: int = 0, resamples: int = 2000) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    medians = np.median(values[rng.integers(0, len(values), size=(resamples, len(values)))], axis=1)
    return float(np.median(values)), float(np.percentile(medians, 2.5)), float(np.percentile(medians, 97.5))


def run_scenario(scenario: str, reps: int, noise: float, workers: int) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    languages, target_text = SCENARIOS[scenario]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1):
        directory = Path(tmp)
        seed_runs, grid_runs = seed_and_grid(directory, scenario)
        budget = sum(r.derived.gpu_hours for r in grid_runs)
        (directory / "recipe.yaml").write_text(yaml.safe_dump(recipe_for(scenario), sort_keys=False))
        con = store.connect(directory / "setup.duckdb")  # the candidate grid depends on where the seed runs are
        simulate_plan(con, as_plan(seed_runs), truth_for(scenario), noise=noise, seed=10_000)
        ref = fit(con, scenario, [r.run_id for r in seed_runs], 40, 10_000)
        problem = setup(con, ref, parse_target(target_text))
        candidates = default_candidates(con, problem, str(directory / "recipe.yaml"))
        con.close()
    jobs = [(scenario, rep, noise, seed_runs, grid_runs, candidates, budget) for rep in range(reps)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(repetition, jobs))
    seconds = time.perf_counter() - start
    errors = {arm: np.array([r[f"err_{arm}"] for r in results]) for arm in ARMS}
    summary: dict[str, Any] = {
        "scenario": scenario, "target": target_text, "languages": languages, "reps": reps, "noise": noise,
        "budget_gpu_hours": budget, "candidates": len(candidates.candidates), "seconds": seconds,
        "median_truth": float(np.median([r["truth"] for r in results])),
        "median_error": {arm: float(np.median(v)) for arm, v in errors.items()},
        "mean_gpu_hours": {arm: float(np.mean([r[f"hours_{arm}"] for r in results])) for arm in ARMS[1:]},
        "mean_runs": {arm: float(np.mean([r[f"runs_{arm}"] for r in results])) for arm in ARMS[1:]},
        "ratio_to_grid": {}, "win_rate_vs_grid": {},
        "proposed_to_random": median_interval(errors["proposed"] / np.maximum(errors["random"], 1e-300)),
        "win_rate_vs_random": float(np.mean(errors["proposed"] < errors["random"])), "repetitions": results,
    }  # fmt: skip
    for arm in ("random", "proposed", "proposed_half"):
        ratio = errors[arm] / np.maximum(errors["grid"], 1e-300)
        summary["ratio_to_grid"][arm] = median_interval(ratio)
        summary["win_rate_vs_grid"][arm] = float(np.mean(errors[arm] < errors["grid"]))
    return summary


def report(summary: dict[str, Any]) -> None:
    s = summary
    print(f"\n== {s['scenario']}: {s['target']} ({', '.join(s['languages'])}; {s['reps']} repetitions, noise "
          f"{s['noise']}, {s['candidates']} candidates, {s['seconds']:.0f} s)")  # fmt: skip
    print(f"budget H = {s['budget_gpu_hours']:.1f} GPU-hours (the grid extension); the target's true value "
          f"{s['median_truth']:.5g} (median over repetitions)")  # fmt: skip
    print(f"{'arm':15s} {'GPU-h (mean)':>12s} {'runs':>5s} {'median |error|':>15s} {'median ratio to grid [95%]':>30s} "
          f"{'beats grid':>10s}")  # fmt: skip
    for arm in ARMS:
        hours = s["mean_gpu_hours"].get(arm)
        runs = s["mean_runs"].get(arm)
        ratio = s["ratio_to_grid"].get(arm)
        ratio_text = f"{ratio[0]:.3f} [{ratio[1]:.3f}, {ratio[2]:.3f}]" if ratio else "-"
        win = s["win_rate_vs_grid"].get(arm)
        print(f"{arm:15s} {'-' if hours is None else f'{hours:.1f}':>12s} {'-' if runs is None else f'{runs:.1f}':>5s} "
              f"{s['median_error'][arm]:15.5f} {ratio_text:>30s} {'-' if win is None else f'{100 * win:.0f}%':>10s}")  # fmt: skip
    vs_random = s["proposed_to_random"]
    print(f"proposed / random at H: median ratio {vs_random[0]:.3f} [{vs_random[1]:.3f}, {vs_random[2]:.3f}], "
          f"proposed better in {100 * s['win_rate_vs_random']:.0f}% of repetitions")  # fmt: skip
    half = s["ratio_to_grid"]["proposed_half"]
    verdict = "MET" if half[0] <= 1 else "NOT MET"
    print(f"goal (proposed at H/2 reaches the grid's error at H): median ratio {half[0]:.3f} [{half[1]:.3f}, "
          f"{half[2]:.3f}] -> {verdict}" + ("" if half[2] <= 1 else " with confidence only if the interval's top is <= 1"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=30, help="simulated repetitions per scenario (default 30)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--noise", type=float, default=0.005)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--json", default=None, help="write every repetition's figures here")
    args = parser.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f}, {args.workers} workers")
    summaries = []
    for scenario in [x for x in args.scenarios.split(",") if x]:
        if scenario not in SCENARIOS:
            sys.exit(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        summaries.append(run_scenario(scenario, args.reps, args.noise, args.workers))
        report(summaries[-1])
    if args.json:
        Path(args.json).write_text(json.dumps(summaries, indent=1) + "\n")


if __name__ == "__main__":
    main()

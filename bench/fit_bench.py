"""Fitting and ingest throughput of ``codescale.laws``, each against a baseline run in the same process.

    .venv/bin/python bench/fit_bench.py [--plain-sample 80] [--workers 2] [--parts 1,2,3]

1. One per-language fit over the full 4,500-start grid on 240 simulated runs (python, 10 sizes x 24 token budgets,
   paper preset, noise 0.5%, N and D as raw counts like the Chinchilla replications), next to the plain approach:
   a loop of scipy L-BFGS-B with numerical gradients over the same grid, timed on a random sample of starts and
   scaled to 4,500. Prints both best objectives (they must agree) and the speed ratio. Goal >= 300x.
   Ours is timed both as shipped (successive halving over starts) and exhaustive (every start to convergence).
2. Per-language fits of 7 x 60 simulated runs (the paper's 10 sizes x 6 budgets per language) with the full grid and
   200 bootstrap replicates, languages spread over ``--workers`` processes. Goal <= 20 s on 2 cores.
3. Ingest of 10M long-format metric rows through ``codescale.laws.ingest`` (run directories written by
   ``bench/ingest_bench.make_run_dirs``: 10 runs x 50,000 steps x 20 values). Goal >= 1M rows/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

from codescale.laws import forms, presets, store
from codescale.laws.fit import FitSettings, fit_law, grid_starts
from codescale.laws.simulate import grid_plan, simulate_plan

PAPER_SIZES = [1e8, 2e8, 4e8, 6e8, 1.1e9, 1.3e9, 1.6e9, 2.0e9, 2.4e9, 3.1e9]
PAPER_BUDGETS = [2e9, 4e9, 8e9, 16e9, 32e9, 64e9]


def simulated(languages, sizes, budgets, noise=0.005, seed=0):
    """(language -> (N, D, loss)) from the paper preset, through a throwaway results store."""
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        simulate_plan(con, grid_plan("bench", sizes, budgets, [{x: 1} for x in languages]), presets.paper_truth(),
                      noise, seed)  # fmt: skip
        out = {}
        for lang in languages:
            rows = con.execute("SELECT params_non_embedding, tokens, loss FROM final_loss WHERE language = ? "
                               "ORDER BY run_id", [lang]).fetchall()  # fmt: skip
            out[lang] = tuple(np.array(col, dtype=float) for col in zip(*rows))
        con.close()
    return out


def plain_objective(x, log_n, log_d, log_l, delta=1e-3):
    """The replication scripts' objective: summed scipy Huber of log-sum-exp residuals."""
    a, alpha, b, beta, e = x
    pred = logsumexp([a - alpha * log_n, b - beta * log_d, np.full_like(log_n, e)], axis=0)
    return float(np.sum(huber(delta, pred - log_l)))


def bench_single_fit(sample: int) -> None:
    n, d, loss = simulated(["python"], list(np.geomspace(1e8, 3.1e9, 10)), list(np.geomspace(2e9, 64e9, 24)))["python"]
    print(f"(1) one fit, full grid (4,500 starts), {len(loss)} runs")
    fit_law(n[:20], d[:20], loss[:20], FitSettings(grid="coarse"))  # warm caches and imports
    t = time.perf_counter()
    ours = fit_law(n, d, loss, FitSettings(grid="full"))
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    exhaustive = fit_law(n, d, loss, FitSettings(grid="full", exhaustive=True))
    t_exh = time.perf_counter() - t
    starts = grid_starts(forms.CHINCHILLA, "full")
    pick = np.random.default_rng(0).choice(len(starts), sample, replace=False)
    log_n, log_d, log_l = np.log(n), np.log(d), np.log(loss)
    t = time.perf_counter()
    plain = [minimize(plain_objective, starts[i], args=(log_n, log_d, log_l), method="L-BFGS-B") for i in pick]
    t_plain = (time.perf_counter() - t) / sample * len(starts)
    best_plain = min(r.fun for r in plain)
    print(f"    plain L-BFGS-B, numerical gradients: {t_plain:8.1f} s for 4,500 starts "
          f"(timed on {sample}), best objective {best_plain:.12g}")  # fmt: skip
    print(f"    ours, successive halving:            {t_ours:8.2f} s, best objective {ours.objective:.12g}"
          f"  -> {t_plain / t_ours:6.0f}x")  # fmt: skip
    print(f"    ours, exhaustive:                    {t_exh:8.2f} s, best objective {exhaustive.objective:.12g}"
          f"  -> {t_plain / t_exh:6.0f}x")  # fmt: skip
    rel = (ours.objective - best_plain) / best_plain
    print(f"    objectives agree: ours - plain = {rel:+.2e} relative ({'ok' if rel <= 1e-6 else 'MISMATCH'}); "
          f"params {', '.join(f'{k}={v:.4g}' for k, v in ours.params.items())}")  # fmt: skip


def _fit_language(args):
    n, d, loss, bootstrap = args
    return fit_law(n / 1e9, d / 1e9, loss, FitSettings(grid="full", units="billions", bootstrap=bootstrap)).warnings


def bench_seven_languages(workers: int, bootstrap: int) -> None:
    data = simulated(list(presets.PAPER_PER_LANGUAGE), PAPER_SIZES, PAPER_BUDGETS)
    jobs = [(n, d, loss, bootstrap) for n, d, loss in data.values()]
    print(f"(2) 7 languages x {len(jobs[0][2])} runs, full grid + {bootstrap} bootstraps, {workers} worker(s)")
    t = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            warnings = list(pool.map(_fit_language, jobs))
    else:
        warnings = [_fit_language(j) for j in jobs]
    elapsed = time.perf_counter() - t
    print(f"    {elapsed:.2f} s in all ({elapsed / 7:.2f} s per language), goal <= 20 s"
          f"{'' if elapsed <= 20 else '  (MISSED)'}; warnings: {sum(len(w) for w in warnings)}")  # fmt: skip


def bench_ingest(runs: int, steps: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from ingest_bench import make_run_dirs

    from codescale.laws.ingest import ingest_run_dirs

    root = Path(tempfile.mkdtemp(prefix="fit_bench_ingest_"))
    try:
        t = time.perf_counter()
        dirs = make_run_dirs(root, runs, steps)
        print(f"(3) ingest: wrote {len(dirs)} run directories in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        report = ingest_run_dirs(root / "store.duckdb", dirs)
        elapsed = time.perf_counter() - t
        rate = report.metric_rows / elapsed
        print(f"    {report.metric_rows:,} metric rows + {report.eval_rows:,} eval rows in {elapsed:.2f} s: "
              f"{rate / 1e6:.2f}M metric rows/s, goal >= 1M{'' if rate >= 1e6 else '  (MISSED)'}")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain-sample", type=int, default=80, help="starts timed for the plain loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10, help="ingest: run directories")
    parser.add_argument("--steps", type=int, default=50_000, help="ingest: steps per run (20 rows each)")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run (default all: 1,2,3)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"python {platform.python_version()}, numpy {np.__version__}")  # fmt: skip
    parts = {p.strip() for p in args.parts.split(",")}
    if "1" in parts:
        bench_single_fit(args.plain_sample)
    if "2" in parts:
        bench_seven_languages(args.workers, args.bootstrap)
    if "3" in parts:
        bench_ingest(args.runs, args.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())

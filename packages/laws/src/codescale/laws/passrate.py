"""pass@k against validation loss: a logistic in loss, per language (``codescale fit pass-rate``).

Loss-to-benchmark laws (e.g. the Llama 3 report's second step, which maps a model's loss on the benchmark to its
accuracy with a sigmoid) relate a downstream score to loss rather than to compute. Here the score is a generation
evaluation's pass@k of a language and the loss is that language's validation loss at the same checkpoint (or the
latest evaluation before it), as the ``pass_vs_loss`` view pairs them:

    pass@k(L) = c / (1 + exp(s * (L - L0)))        c in (0, 1] (ceiling), s > 0 (steepness), L0 (midpoint)

fitted by bounded least squares (scipy), one law per language, optionally with the ceiling fixed at 1
(``--ceiling 1``: two parameters, steadier with few points) and bootstrap intervals over points. The fit is stored
like every other law (:mod:`codescale.laws.fitstore`, kind ``pass_rate``) with its selection, so ``codescale report``
redraws it. Its warnings say when the data cannot identify the curve (every pass@k 0, or fewer points than
parameters), which is what micro-scale runs give: the pipeline, not the numbers, is what they test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codescale.core.errors import CodescaleError
from codescale.laws.fitstore import StoredFit, query, save_fit

PARAMS = ("c", "s", "L0")


def logistic(loss: np.ndarray, c: float, s: float, l0: float) -> np.ndarray:
    return c / (1.0 + np.exp(np.clip(s * (np.asarray(loss, dtype=float) - l0), -60, 60)))


@dataclass
class PassRateFit:
    params: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    residual: float
    converged: bool
    warnings: list[str]


def fit_logistic(
    loss: np.ndarray,
    score: np.ndarray,
    *,
    ceiling: float | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    ci: float = 0.95,
) -> PassRateFit:
    """Least-squares logistic of ``score`` (in [0, 1]) against ``loss``; ``ceiling`` fixes c."""
    from scipy.optimize import least_squares

    loss, score = np.asarray(loss, dtype=float), np.asarray(score, dtype=float)
    free = 3 if ceiling is None else 2
    warnings = []
    if len(loss) < free:
        raise CodescaleError(
            f"{len(loss)} point(s) cannot determine a {free}-parameter logistic",
            hint="evaluate more checkpoints or runs (codescale eval TARGET --step all), or fix the "
            "ceiling with --ceiling 1",
        )
    if len(loss) == free:
        warnings.append(f"only {len(loss)} points for {free} parameters: the curve passes through them exactly")
    if np.all(score <= 0):
        warnings.append(
            "pass@k is 0 at every point: the logistic is not identified (its midpoint lies beyond the "
            "lowest loss); the parameters are where the optimiser stopped, not estimates"
        )
    spread = max(float(np.ptp(loss)), 1e-3)

    def solve(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, bool]:
        start_c = ceiling if ceiling is not None else float(np.clip(max(y.max(), 1e-3) * 1.2, 1e-3, 1.0))
        theta0 = [4.0 / spread, float(np.median(x))] + ([] if ceiling is not None else [start_c])
        lower = [1e-6, float(x.min()) - 20 * spread] + ([] if ceiling is not None else [1e-6])
        upper = [1e4, float(x.max()) + 20 * spread] + ([] if ceiling is not None else [1.0])

        def residuals(theta: np.ndarray) -> np.ndarray:
            c = ceiling if ceiling is not None else theta[2]
            return logistic(x, c, theta[0], theta[1]) - y

        result = least_squares(residuals, np.clip(theta0, lower, upper), bounds=(lower, upper))
        return result.x, float(np.sum(result.fun**2)), bool(result.success)

    theta, residual, converged = solve(loss, score)
    params = {"c": float(ceiling if ceiling is not None else theta[2]), "s": float(theta[0]), "L0": float(theta[1])}
    intervals: dict[str, tuple[float, float]] = {}
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = []
        for _ in range(bootstrap):
            pick = rng.integers(0, len(loss), len(loss))
            if len(np.unique(loss[pick])) < free:
                continue
            sample, _, _ = solve(loss[pick], score[pick])
            draws.append([ceiling if ceiling is not None else sample[2], sample[0], sample[1]])
        if draws:
            table = np.array(draws)
            tail = (1 - ci) / 2 * 100
            for i, name in enumerate(PARAMS):
                if ceiling is not None and name == "c":
                    continue
                intervals[name] = (
                    float(np.percentile(table[:, i], tail)),
                    float(np.percentile(table[:, i], 100 - tail)),
                )
    return PassRateFit(params, intervals, residual, converged, warnings)


def fit_pass_rate(
    con,
    *,
    suite: str | None = None,
    k: int = 1,
    where: str = "true",
    ceiling: float | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    batch: str = "",
) -> list[StoredFit]:
    """One stored logistic per language over the ``pass_vs_loss`` rows matching the filters."""
    conditions = [f"({where.strip() or 'true'})", f"k = {int(k)}", "valid_loss IS NOT NULL", "pass_at_k IS NOT NULL"]
    if suite:
        conditions.append(f"suite = '{suite.replace(chr(39), chr(39) * 2)}'")
    selection = " AND ".join(conditions)
    rows = query(
        con,
        f"SELECT language, run_id, step, valid_loss, pass_at_k FROM pass_vs_loss WHERE {selection} "
        "ORDER BY language, run_id, step",
    )
    if not rows:
        raise CodescaleError(
            f"no pass@{k} next to a validation loss matches {selection}",
            hint="evaluate checkpoints with `codescale eval`, ingest their runs, and check "
            '`codescale sql "SELECT * FROM pass_vs_loss"`',
        )
    fits = []
    for language in sorted({r[0] for r in rows}):
        points = [r for r in rows if r[0] == language]
        loss = np.array([r[3] for r in points], dtype=float)
        score = np.array([r[4] for r in points], dtype=float)
        try:
            law = fit_logistic(loss, score, ceiling=ceiling, bootstrap=bootstrap, seed=seed)
        except CodescaleError as err:
            raise CodescaleError(f"pass-rate fit (language = {language}): {err.message}", hint=err.hint) from None
        predicted = logistic(loss, law.params["c"], law.params["s"], law.params["L0"])
        group_selection = f"{selection} AND language = '{language}'"
        stored = StoredFit(
            kind="pass_rate",
            form="logistic" if ceiling is None else "logistic_fixed_ceiling",
            selection_sql=f"SELECT * FROM pass_vs_loss WHERE {group_selection}",
            settings={
                "k": k,
                "suite": suite,
                "ceiling": ceiling,
                "bootstrap": bootstrap,
                "seed": seed,
                "form": "pass@k = c / (1 + exp(s (L - L0)))",
            },
            n_runs=len({r[1] for r in points}),
            objective=law.residual,
            converged=law.converged,
            params=law.params,
            intervals=law.intervals,
            predictions=[(f"{r[1]}@{r[2]}", language, float(o), float(p)) for r, o, p in zip(points, score, predicted)],
            warnings=law.warnings,
            group_key="language",
            group_value=language,
            provenance={
                "view": "pass_vs_loss",
                "where": where,
                "batch": batch,
                "selection_where": group_selection,
                "points": len(points),
            },
        )
        save_fit(con, stored)
        fits.append(stored)
    return fits

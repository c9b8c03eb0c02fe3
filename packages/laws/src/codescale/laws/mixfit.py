"""The fitting engine of the mixture laws: the Chinchilla recipe for any law that predicts log loss.

A :class:`Problem` is one fitting unit of a law -- one evaluated domain of a per-domain law, or the pooled
observations of a law with shared parameters. It holds the observed log losses, which run each observation belongs
to, box bounds and a grid of starts, and the law's log prediction (with its Jacobian, analytic where the law gives
one, else forward differences). :func:`fit_problem` then does what :mod:`.fit` does for the per-language law:

1. **Objective**: the SUM over observations of Huber(δ) of the log residual r = log L − log L̂ (δ = 1e-3 by default;
   a sum, not a mean, so the optimiser's absolute tolerances mean the same at any number of runs).
2. **Grid**: every start is scored; the best ``lm_starts`` distinct ones are refined together by a batched damped
   Gauss-Newton (Levenberg-Marquardt on the iteratively reweighted normal equations of the Huber loss: weight 1
   inside δ, δ/|r| outside), steps projected onto the bounds, a step kept only if it lowers the objective.
3. **Polish**: the best few distinct minima are re-minimised by scipy's L-BFGS-B with the analytic gradient and the
   same bounds; the lowest objective wins. Converged = the optimiser met its tolerance (or the projected gradient
   vanishes at the precision limit).
4. **Bootstrap**: B resamplings of *runs* (the same B resamplings for every unit of a law, so replicate b of the
   whole law is coherent, which allocation relies on), each refitted from the best solution (``bootstrap_starts``
   = 2 adds the next distinct minimum), all replicates at once. Replicates that do not converge are dropped (stored as NaN) and counted; the
   percentile intervals use the converged ones only.
5. **Identification**: a parameter on one of its bounds, or an estimate outside its own bootstrap interval, makes
   the unit *unidentified*, with the reason; the caller stores the flag with the fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

DEFAULT_DELTA = 1e-3
_BLOCK = 1 << 16  # rows x observations per evaluation block


@dataclass
class Problem:
    """One fitting unit: what is observed, and how the law predicts it from a parameter vector."""

    names: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    starts: np.ndarray  # (S, k) in the law's coordinates
    log_obs: np.ndarray  # (m,)
    run_index: np.ndarray  # (m,) index of each observation's run (for bootstrap weights)
    log_predict: Callable[[np.ndarray], np.ndarray]  # (S, k) -> (S, m)
    jacobian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None  # -> (S, m), (S, m, k)
    notes: list[str] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.names)

    def clip(self, theta: np.ndarray) -> np.ndarray:
        return np.clip(theta, self.lower, self.upper)

    def predict_and_jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        value, jac = self._predict_and_jacobian(theta)
        # Subnormal entries (a term switched off by a bound, e^-700) make BLAS crawl; they are zero for the fit.
        jac[np.abs(jac) < 1e-30] = 0.0  # (their products in J^T W J would be subnormal too)
        return value, jac

    def _predict_and_jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.jacobian is not None:
            value, jac = self.jacobian(theta)
            return value, np.array(jac, dtype=float)
        s, k = theta.shape
        step = 1e-6 * np.maximum(1.0, np.abs(theta))
        # step inward at an upper bound so the difference stays feasible
        step = np.where(theta + step > self.upper, -step, step)
        rows = np.concatenate([theta[:, None, :], theta[:, None, :] + np.eye(k)[None] * step[:, None, :]], axis=1)
        values = self.log_predict(rows.reshape(s * (k + 1), k)).reshape(s, k + 1, -1)
        base = values[:, 0]
        jac = (values[:, 1:] - base[:, None]) / step[:, :, None]
        return base, np.transpose(jac, (0, 2, 1))


@dataclass
class FitOptions:
    """How every unit of a mixture law is fitted; stored with the fit."""

    delta: float = DEFAULT_DELTA  # Huber threshold on log residuals
    bootstrap: int = 0  # replicates (resampling runs); 0 = no intervals
    ci: float = 0.95
    seed: int = 0
    lm_starts: int = 4  # best grid starts refined by batched Gauss-Newton
    polish_top: int = 2  # distinct minima polished by L-BFGS-B
    bootstrap_starts: int = 1  # replicates start from the best solution (2: and the next distinct minimum)
    max_iter: int = 100  # Gauss-Newton iterations per start (the L-BFGS-B polish finishes the best ones)
    ftol: float = 1e-10  # relative decrease that ends a Gauss-Newton start
    bootstrap_ftol: float = 1e-6  # the same for replicates: their percentiles move by < 1e-4 of a width (6x faster)


@dataclass
class UnitFit:
    names: tuple[str, ...]
    theta: np.ndarray
    objective: float
    converged: bool
    samples: np.ndarray | None = None  # (B, k), NaN rows = replicate did not converge
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    unidentified: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    minima: list[np.ndarray] = field(default_factory=list)

    @property
    def params(self) -> dict[str, float]:
        return dict(zip(self.names, (float(x) for x in self.theta)))

    @property
    def bootstrap_converged(self) -> int | None:
        return None if self.samples is None else int(np.isfinite(self.samples).all(axis=1).sum())


def huber_sum(r: np.ndarray, delta: float, weights: np.ndarray | None) -> np.ndarray:
    psi = np.clip(r, -delta, delta)
    h = psi * (r - 0.5 * psi)
    if weights is not None:
        h = h * weights
    return h.sum(axis=-1)


def objective(problem: Problem, theta: np.ndarray, delta: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Summed Huber loss for each row of ``theta`` (S, k); non-finite predictions give inf. Evaluated in blocks."""
    theta = np.atleast_2d(theta)
    block = max(1, _BLOCK // max(1, len(problem.log_obs)))
    out = np.empty(len(theta))
    with np.errstate(all="ignore"):
        for i in range(0, len(theta), block):
            pred = problem.log_predict(theta[i : i + block])
            w = weights[i : i + block] if weights is not None and np.ndim(weights) == 2 else weights  # per row of theta
            f = huber_sum(problem.log_obs - pred, delta, w)
            out[i : i + block] = np.where(np.isfinite(f), f, np.inf)
    return out


def _gauss_newton(problem: Problem, theta: np.ndarray, weights, delta: float, max_iter: int, ftol: float):
    """Batched projected Levenberg-Marquardt on the IRLS normal equations; -> theta, f, converged."""
    theta = problem.clip(np.array(theta, dtype=float))
    s, k = theta.shape
    per_row = weights is not None and np.ndim(weights) == 2
    with np.errstate(all="ignore"):
        pred, jac = problem.predict_and_jacobian(theta)
        r = problem.log_obs - pred
        f = huber_sum(r, delta, weights)
    f = np.where(np.isfinite(f), f, np.inf)
    mu = np.full(s, 1e-3)
    done = ~np.isfinite(f)
    converged = np.zeros(s, dtype=bool)
    eye = np.eye(k)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        ra, ja = r[act], jac[act]
        c = weights[act] if per_row else (1.0 if weights is None else weights)
        psi = np.clip(ra, -delta, delta)
        absr = np.abs(ra)
        w = np.where(absr <= delta, 1.0, delta / np.maximum(absr, 1e-300)) * c
        grad = -np.einsum("smk,sm->sk", ja, psi * c)
        hess = np.matmul(np.transpose(ja * w[:, :, None], (0, 2, 1)), ja)
        diag = np.abs(np.einsum("skk->sk", hess))
        scale = np.maximum(diag, 1e-12 * diag.max(axis=1, keepdims=True) + 1e-300)
        system = hess + (mu[act, None] * scale)[:, :, None] * eye
        try:
            step = np.linalg.solve(system, -grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(a, -b, rcond=None)[0] for a, b in zip(system, grad)])
        step = np.where(np.isfinite(step), step, 0.0)
        trial = problem.clip(theta[act] + step)
        real = trial - theta[act]
        predicted = -(np.einsum("sk,sk->s", grad, real) + 0.5 * np.einsum("sk,skl,sl->s", real, hess, real))
        with np.errstate(all="ignore"):
            pred_t, jac_t = problem.predict_and_jacobian(trial)
            r_t = problem.log_obs - pred_t
            f_t = huber_sum(r_t, delta, weights[act] if per_row else weights)
        f_t = np.where(np.isfinite(f_t), f_t, np.inf)
        gain = f[act] - f_t
        ok = gain > 0
        acc, rej = act[ok], act[~ok]
        theta[acc], f[acc], r[acc], jac[acc] = trial[ok], f_t[ok], r_t[ok], jac_t[ok]
        mu[acc] = np.maximum(mu[acc] * 0.3, 1e-12)
        mu[rej] *= 10.0
        tol = ftol * np.abs(f[act]) + 1e-18
        small_gain = ok & (gain <= tol)
        stalled = ~ok & ((np.abs(predicted) <= tol) | (mu[act] > 1e12))
        # a stall counts as converged only where the projected gradient is negligible
        at_lo = theta[act] <= problem.lower + 1e-12
        at_hi = theta[act] >= problem.upper - 1e-12
        g_proj = np.where((at_lo & (grad > 0)) | (at_hi & (grad < 0)), 0.0, grad)
        flat = np.abs(g_proj).max(axis=1) <= 1e-7 * (1.0 + np.abs(f[act]))
        finished = small_gain | stalled
        converged[act[finished]] = (small_gain | (stalled & (flat | (np.abs(predicted) <= tol))))[finished]
        done[act[finished]] = True
    return theta, f, converged


def _distinct(theta: np.ndarray, f: np.ndarray, top: int, tol: float = 1e-4) -> list[int]:
    kept: list[int] = []
    for i in np.argsort(f, kind="stable"):
        if not np.isfinite(f[i]):
            break
        if all(np.max(np.abs(theta[i] - theta[j]) / (1 + np.abs(theta[j]))) > tol for j in kept):
            kept.append(int(i))
        if len(kept) >= top:
            break
    return kept


def _polish(problem: Problem, x0: np.ndarray, delta: float) -> tuple[np.ndarray, float, bool]:
    def fun(x):
        with np.errstate(all="ignore"):
            pred, jac = problem.predict_and_jacobian(x[None, :])
            r = problem.log_obs - pred[0]
            psi = np.clip(r, -delta, delta)
            f = float((psi * (r - 0.5 * psi)).sum())
            g = -(jac[0] * psi[:, None]).sum(axis=0)
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            return 1e300, np.zeros_like(x)
        return f, g

    bounds = [
        (float(lo) if np.isfinite(lo) else None, float(hi) if np.isfinite(hi) else None)
        for lo, hi in zip(problem.lower, problem.upper)
    ]
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"ftol": 1e-13, "gtol": 1e-10, "maxiter": 300, "maxcor": 20})  # fmt: skip
    f, g = fun(res.x)
    at_lo = res.x <= problem.lower + 1e-10
    at_hi = res.x >= problem.upper - 1e-10
    g = np.where((at_lo & (g > 0)) | (at_hi & (g < 0)), 0.0, g)
    ok = bool(res.success) or float(np.max(np.abs(g))) <= 1e-7 * (1 + abs(f))
    return res.x, float(f), ok


def fit_problem(problem: Problem, options: FitOptions, counts: np.ndarray | None = None) -> UnitFit:
    """Grid → batched Gauss-Newton → L-BFGS-B polish → bootstrap over runs (``counts``: (B, runs) resampling
    counts shared by every unit of the law; None = no bootstrap).

    BLAS runs on one thread here: the batched products are small, and a multi-threaded BLAS on a busy machine spends
    more time waiting for its threads than computing (15x slower on the 2-core CI machine)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _fit_problem(problem, options, counts)


def _fit_problem(problem: Problem, options: FitOptions, counts: np.ndarray | None) -> UnitFit:
    delta = options.delta
    starts = problem.clip(np.atleast_2d(problem.starts))
    f0 = objective(problem, starts, delta)
    chosen = _distinct(starts, f0, options.lm_starts)
    if not chosen:
        return UnitFit(problem.names, starts[0], float("inf"), False, warnings=["no start gives a finite prediction"])
    theta, f, conv = _gauss_newton(problem, starts[chosen], None, delta, options.max_iter, options.ftol)
    results = []
    for i in _distinct(theta, f, options.polish_top):
        x, fx, ok = _polish(problem, theta[i], delta)
        results.append((fx, x, ok or bool(conv[i])) if fx <= f[i] else (float(f[i]), theta[i], bool(conv[i])))
    results.sort(key=lambda t: t[0])
    best_f, best_x, best_ok = results[0]
    unit = UnitFit(problem.names, np.asarray(best_x, float), float(best_f), bool(best_ok),
                   minima=[x for _, x, _ in results])  # fmt: skip
    if not best_ok:
        unit.warnings.append("the best start did not converge (the optimiser stopped before its tolerance)")
    if counts is not None and len(counts):
        _bootstrap(problem, unit, counts, options)
    unit.unidentified = identification(problem, unit, options.ci)
    return unit


def _bootstrap(problem: Problem, unit: UnitFit, counts: np.ndarray, options: FitOptions) -> None:
    b = len(counts)
    starts = np.array(unit.minima[: max(1, options.bootstrap_starts)])
    k0 = len(starts)
    weights = np.repeat(counts[:, problem.run_index].astype(float), k0, axis=0)
    theta0 = np.tile(starts, (b, 1))
    theta, f, conv = _gauss_newton(problem, theta0, weights, options.delta, options.max_iter, options.bootstrap_ftol)
    f = np.where(conv, f, np.inf).reshape(b, k0)
    best = np.argmin(f, axis=1)
    rows = np.arange(b) * k0 + best
    ok = np.isfinite(f[np.arange(b), best])
    samples = np.where(ok[:, None], theta[rows], np.nan)
    unit.samples = samples
    kept = int(ok.sum())
    if kept < b:
        unit.warnings.append(f"{b - kept} of {b} bootstrap replicates did not converge and were left out: "
                             f"intervals from the {kept} converged ones")  # fmt: skip
    if kept < 2:
        unit.warnings.append("fewer than 2 bootstrap replicates converged: no intervals")
        return
    tail = (1 - options.ci) / 2 * 100
    lo, hi = np.percentile(samples[ok], [tail, 100 - tail], axis=0)
    unit.intervals = {name: (float(lo[j]), float(hi[j])) for j, name in enumerate(problem.names)}


def identification(problem: Problem, unit: UnitFit, ci: float) -> list[str]:
    """Reasons the data do not pin this unit's parameters down (empty when they do)."""
    out = []
    for j, name in enumerate(problem.names):
        x, lo, hi = unit.theta[j], problem.lower[j], problem.upper[j]
        width = (hi - lo) if np.isfinite(hi - lo) else max(1.0, abs(x))
        if np.isfinite(lo) and x - lo <= 1e-6 * width:
            out.append(f"{name} = {x:.4g} sits on its lower bound {lo:.4g}")
        elif np.isfinite(hi) and hi - x <= 1e-6 * width:
            out.append(f"{name} = {x:.4g} sits on its upper bound {hi:.4g}")
        elif name in unit.intervals:
            a, b = unit.intervals[name]
            if not a - 1e-9 * (1 + abs(a)) <= x <= b + 1e-9 * (1 + abs(b)):
                out.append(f"{name} = {x:.4g} lies outside its own {ci:.0%} bootstrap interval [{a:.4g}, {b:.4g}]")
    return out


def bootstrap_counts(n_runs: int, replicates: int, seed: int) -> np.ndarray | None:
    """(B, runs) multinomial resampling counts, or None without a bootstrap."""
    if replicates <= 0:
        return None
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_runs, np.full(n_runs, 1.0 / n_runs), size=replicates)

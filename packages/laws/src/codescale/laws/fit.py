"""Fitting the per-language law the careful way: every grid start at once, a polish, and a bootstrap over runs.

Procedure (the published Chinchilla-replication recipe, see ``fitting.md``; the form is in :mod:`.forms`):

1. **Grid.** ``full``: α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25} — 4,500 starts (900 for the
   shared-exponent form). ``coarse``: α, β ∈ {0, 1, 2}, e ∈ {−1, 0, 1}, a, b ∈ {0, 10, 20} (243 starts), for quick looks.
2. **All starts together.** Each start is minimised by damped Newton steps (Levenberg–Marquardt damping scaled by the
   Hessian's diagonal, Nielsen's update; a step is kept only if it lowers the summed Huber objective), with the exact
   gradient and Hessian of :func:`.forms.objective`, vectorised over starts and evaluated in cache-sized blocks. A
   start is done once a kept step lowers the objective by less than ``ftol`` relative, or the quadratic model promises
   less than that. By default the starts *race* (successive halving): every grid start gets 5 iterations, then the
   better half by current objective continues for 5 more, and so on until 64 remain, which run to convergence. In
   practice the eventual best start ranks near the top after the first round (hundreds of starts share the best
   basin), and the bench checks that the result equals the plain loop's best objective; ``exhaustive=True``
   (``--exhaustive``) runs every start to convergence instead (about 8x slower).
3. **Polish.** The few best *distinct* local minima are re-minimised with scipy's L-BFGS-B and the analytic gradient
   (ftol 1e-13, gtol 1e-10, at most 200 iterations); the lowest objective over everything wins. This reaches the same (or a
   slightly lower, because better converged) best objective as a plain loop of L-BFGS-B over the same grid, hundreds
   of times faster (``bench/fit_bench.py``).
4. **Bootstrap** (optional): resample runs with replacement B times (as integer weights on runs), refit each replicate
   from the best solution and the next few distinct local minima of the grid (again all at once), keep each
   replicate's best, and report percentile intervals. A trades off against α and B against β, so their intervals are
   wide with few runs; that is the truth about the data.

Bad input is an error (:class:`~codescale.core.errors.CodescaleError`): an empty selection, NaN/inf or non-positive
values, losses with no variation, fewer runs than parameters + 1, a single model size or a single token budget.
Doubtful results become warnings kept with the fit: a best solution that did not converge, non-converged bootstrap
replicates (left out of the intervals, and counted), exponents outside (0, 3), few runs per parameter. A fit the
data do not pin down is flagged ``unidentified`` with the reasons: an estimate outside its own bootstrap interval, E
collapsed onto its bound 0 (below 1e-4 of the smallest loss), or an exponent at or below 0.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import minimize

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.forms import Form

GRIDS = {
    "full": {
        "alpha": np.arange(0, 2.01, 0.5), "beta": np.arange(0, 2.01, 0.5), "e": np.arange(-1, 1.01, 0.5),
        "a": np.arange(0, 25.1, 5), "b": np.arange(0, 25.1, 5),
    },
    "coarse": {
        "alpha": np.array([0.0, 1.0, 2.0]), "beta": np.array([0.0, 1.0, 2.0]), "e": np.array([-1.0, 0.0, 1.0]),
        "a": np.array([0.0, 10.0, 20.0]), "b": np.array([0.0, 10.0, 20.0]),
    },
}  # fmt: skip


@dataclass
class FitSettings:
    """How a law is fitted; stored with every fit."""

    form: str = "chinchilla"
    units: str = "raw"  # N and D as raw counts, or in billions ("billions")
    delta: float = forms.DEFAULT_DELTA  # Huber threshold on log residuals
    grid: str = "full"
    bootstrap: int = 0  # replicates; 0 = no intervals
    ci: float = 0.95  # central percentile interval
    seed: int = 0
    bootstrap_starts: int = 5  # best solution + the next distinct local minima
    polish_top: int = 3
    ftol: float = 1e-12
    max_iter: int = 300
    exhaustive: bool = False  # True: every start to convergence; False: successive halving over starts
    optimizer: str = "batched damped Newton over all grid starts + L-BFGS-B polish (analytic gradient)"

    def validate(self) -> None:
        forms.get_form(self.form)
        if self.units not in forms.UNITS:
            raise CodescaleError(f"unknown units {self.units!r}", hint=f"use one of {', '.join(forms.UNITS)}")
        if self.grid not in GRIDS:
            raise CodescaleError(f"unknown grid {self.grid!r}", hint=f"use one of {', '.join(GRIDS)}")
        if not 0 < self.ci < 1:
            raise CodescaleError(f"confidence level {self.ci} must lie in (0, 1)", hint="e.g. 0.95")
        if self.bootstrap < 0 or self.delta <= 0:
            raise CodescaleError("bootstrap must be >= 0 and delta > 0")


@dataclass
class LawFit:
    """A fitted per-language law: natural parameters (A, B, E, alpha, beta), intervals, diagnostics."""

    form: str
    units: str
    params: dict[str, float]
    objective: float
    converged: bool
    n_runs: int
    warnings: list[str] = field(default_factory=list)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    samples: np.ndarray | None = None  # (B, 5) bootstrap rows of (A, B, E, alpha, beta)
    local_minima: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    settings: FitSettings = field(default_factory=FitSettings)
    bootstrap_converged: int | None = None  # replicates behind the intervals (non-converged ones are left out)
    unidentified: list[str] = field(default_factory=list)

    def predict(self, n: np.ndarray, d: np.ndarray, units: str | None = None) -> np.ndarray:
        """Loss at N, D given in ``units`` (default: the fit's)."""
        scale = forms.UNITS[units or self.units] / forms.UNITS[self.units]
        return forms.predict(self.params, np.asarray(n, float) * scale, np.asarray(d, float) * scale)

    def settings_dict(self) -> dict:
        return asdict(self.settings)


SAMPLE_NAMES = ("A", "B", "E", "alpha", "beta")


def grid_starts(form: Form, grid: str = "full") -> np.ndarray:
    """Every start of the grid, in the form's own coordinates (S, k)."""
    axes = GRIDS[grid]
    return np.array(list(itertools.product(*(axes[p] for p in form.params))), dtype=float)


def check_data(n: np.ndarray, d: np.ndarray, loss: np.ndarray, k: int, labels: list[str] | None = None) -> None:
    """Raise a CodescaleError naming the runs if the data cannot support a k-parameter fit."""
    if len(loss) == 0:
        raise CodescaleError("empty selection: no runs to fit", hint="check the --where predicate and `codescale sql`")
    if not (len(n) == len(d) == len(loss)):
        raise CodescaleError(f"N, D and loss have different lengths ({len(n)}, {len(d)}, {len(loss)})")
    labels = labels or [str(i) for i in range(len(loss))]
    for name, values in (("loss", loss), ("N (params)", n), ("D (tokens)", d)):
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            which = ", ".join(labels[i] for i in np.flatnonzero(bad)[:5])
            raise CodescaleError(
                f"{int(bad.sum())} run(s) have a NaN, infinite or non-positive {name}: {which}",
                hint="exclude them with --where (e.g. `AND isfinite(loss)`) or fix the runs",
            )
    if np.ptp(np.log(loss)) <= 1e-12:
        raise CodescaleError(
            f"all {len(loss)} selected runs have the same loss ({loss[0]:.6g}): a law cannot be fitted to losses "
            "with no variation",
            hint="check that the loss column is the final validation loss of each run (not a constant or a copy)",
        )
    if len(np.unique(n)) < 2:
        raise CodescaleError("all selected runs have the same model size, so the N exponent cannot be fitted")
    if len(np.unique(d)) < 2 and k == 5:
        raise CodescaleError(
            "all selected runs have the same token count, so the D exponent cannot be fitted",
            hint="vary the token budget, or fit --form n_only (L = E' + A/N^alpha)",
        )
    if len(loss) <= k:
        raise CodescaleError(
            f"too few runs for the law: {len(loss)} runs for {k} parameters (need at least {k + 1})",
            hint="widen the selection or use a form with fewer parameters (--form chinchilla_shared or n_only)",
        )


_F_FLOOR = 1e-18  # absolute objective tolerance: an exact fit (f -> 0) need not be chased to 1e-300
_BLOCK_ELEMENTS = 1 << 13  # rows x runs per block: ~64 KiB per temporary, cache-resident


class _Problem:
    """Data + form: objective in the form's own coordinates for many parameter rows."""

    def __init__(self, form: Form, n, d, loss, delta: float):
        self.form = form
        self.log_n = np.log(np.asarray(n, float))
        self.log_d = np.log(np.asarray(d, float))
        self.log_l = np.log(np.asarray(loss, float))
        self.delta = delta
        self.p = form.expand
        self.identity = form.expand.shape == (5, 5) and np.array_equal(form.expand, np.eye(5))

    def evaluate(self, theta: np.ndarray, weights: np.ndarray | None, order: int = 2):
        """Objective (and derivatives) for many rows, in blocks that keep the temporaries in cache."""
        s = len(theta)
        block = max(1, _BLOCK_ELEMENTS // max(1, len(self.log_l)))
        if s <= block:
            return self._evaluate(theta, weights, order)
        per_row = weights is not None and np.ndim(weights) == 2
        parts = [
            self._evaluate(
                theta[i : i + block], weights[i : i + block] if weights is not None and per_row else weights, order
            )
            for i in range(0, s, block)
        ]
        return tuple(None if parts[0][j] is None else np.concatenate([p[j] for p in parts]) for j in range(3))

    def _evaluate(self, theta, weights, order):
        f, g, h = forms.objective(
            theta @ self.p.T + self.form.offset, self.log_n, self.log_d, self.log_l, weights, self.delta, order=order
        )
        if self.identity:
            return f, g, h
        if g is not None:
            g = g @ self.p
        if h is not None:
            h = np.einsum("ia,sij,jb->sab", self.p, h, self.p, optimize=True)
        return f, g, h

    def scalar(self, weights: np.ndarray | None = None):
        def fun(x):
            f, g, _ = self.evaluate(x[None, :], weights, order=1)
            return float(f[0]), g[0]

        return fun


class BatchNewton:
    """Damped Newton (Levenberg-Marquardt) on many starts at once, with state kept between calls.

    Each iteration solves (H + mu*diag|H|) step = -g for every active start, evaluates only the objective at the
    trial point, keeps the step where it lowers f, and computes gradient and Hessian only for the kept ones. The
    damping follows Nielsen's rule (shrink by the gain ratio on success, double the growth on failure). A start is
    done when a kept step lowers f by less than ``ftol`` relative, or when the quadratic model itself promises less
    than that (a minimum to working precision).
    """

    def __init__(self, problem: _Problem, theta: np.ndarray, weights: np.ndarray | None = None, ftol: float = 1e-12):
        self.problem = problem
        self.theta = np.array(theta, dtype=float)
        self.weights = weights
        self.per_row = weights is not None and np.ndim(weights) == 2
        self.ftol = ftol
        s = len(self.theta)
        f, self.g, self.h = problem.evaluate(self.theta, self._w(slice(None)))
        self.f = np.where(np.isfinite(f), f, np.inf)
        self.mu = np.full(s, 1e-6)
        self.nu = np.full(s, 2.0)
        self.converged = np.zeros(s, dtype=bool)
        self.done = ~np.isfinite(f)
        self.iterations = np.zeros(s, dtype=int)

    def _w(self, idx):
        return self.weights[idx] if self.weights is not None and self.per_row else self.weights

    def run(self, max_iter: int, subset: np.ndarray | None = None) -> None:
        """Iterate up to ``max_iter`` times on ``subset`` (default: every start not yet done)."""
        keep = np.ones(len(self.theta), dtype=bool) if subset is None else np.isin(np.arange(len(self.theta)), subset)
        k = self.theta.shape[1]
        eye = np.eye(k)
        for _ in range(max_iter):
            act = np.flatnonzero(keep & ~self.done)
            if act.size == 0:
                return
            self.iterations[act] += 1
            ha, ga = self.h[act], self.g[act]
            diag = np.abs(np.einsum("sii->si", ha))
            scale = np.maximum(diag, 1e-9 * diag.max(axis=1, keepdims=True)) + 1e-30
            system = ha + (self.mu[act, None] * scale)[:, :, None] * eye
            try:
                step = np.linalg.solve(system, -ga[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                step = np.stack([np.linalg.lstsq(a_, -b_, rcond=None)[0] for a_, b_ in zip(system, ga)])
            step = np.where(np.isfinite(step), step, 0.0)
            predicted = -(np.einsum("si,si->s", ga, step) + 0.5 * np.einsum("si,sij,sj->s", step, ha, step))
            trial = self.theta[act] + step
            ft, _, _ = self.problem.evaluate(trial, self._w(act), order=0)
            actual = self.f[act] - ft
            ok = np.isfinite(ft) & (actual > 0)
            acc, rej = act[ok], act[~ok]
            small = actual[ok] <= self.ftol * np.abs(ft[ok]) + _F_FLOOR
            self.theta[acc], self.f[acc] = trial[ok], ft[ok]
            if acc.size:
                _, self.g[acc], self.h[acc] = self.problem.evaluate(self.theta[acc], self._w(acc))
            gain = np.clip(actual[ok] / np.where(predicted[ok] > 0, predicted[ok], np.inf), 0.0, 1.0)
            self.mu[acc] *= np.maximum(1 / 3, 1 - (2 * gain - 1) ** 3)
            self.nu[acc] = 2.0
            self.mu[rej] *= self.nu[rej]
            self.nu[rej] *= 2.0
            stalled = rej[
                (np.abs(predicted[~ok]) <= self.ftol * np.abs(self.f[rej]) + _F_FLOOR) | (self.mu[rej] > 1e10)
            ]
            finished = np.concatenate([acc[small], stalled])
            self.converged[finished] = True
            self.done[finished] = True


def newton_batch(
    problem: _Problem, theta: np.ndarray, weights: np.ndarray | None = None, ftol: float = 1e-12, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimise from every row of ``theta`` to convergence; ``weights`` None, (n,) or (S, n). -> (theta, f, converged)."""
    batch = BatchNewton(problem, theta, weights, ftol)
    batch.run(max_iter)
    return batch.theta, batch.f, batch.converged


def race(
    problem: _Problem,
    starts: np.ndarray,
    ftol: float = 1e-12,
    max_iter: int = 300,
    round_iters: int = 5,
    keep: float = 0.5,
    finalists: int = 64,
) -> BatchNewton:
    """Successive halving over starts: every start gets ``round_iters`` iterations, then the better half (by current
    objective, converged starts included) goes on, until ``finalists`` remain; those run to convergence."""  # fmt: skip
    batch = BatchNewton(problem, starts, None, ftol)
    alive = np.arange(len(starts))
    while len(alive) > finalists:
        batch.run(round_iters, alive)
        order = alive[np.argsort(batch.f[alive], kind="stable")]
        alive = order[: max(finalists, int(len(order) * keep))]
    batch.run(max_iter, alive)
    return batch


def _distinct(theta: np.ndarray, f: np.ndarray, top: int, tol: float = 1e-3) -> list[int]:
    kept: list[int] = []
    for i in np.argsort(f):
        if not np.isfinite(f[i]):
            break
        if all(np.max(np.abs(theta[i] - theta[j])) > tol for j in kept):
            kept.append(int(i))
        if len(kept) >= top:
            break
    return kept


def _polish(problem: _Problem, x0: np.ndarray, weights=None) -> tuple[np.ndarray, float, bool]:
    res = minimize(
        problem.scalar(weights), x0, jac=True, method="L-BFGS-B",
        options={"ftol": 1e-13, "gtol": 1e-10, "maxiter": 200, "maxcor": 20},
    )  # fmt: skip
    return res.x, float(res.fun), bool(res.success)


def fit_law(
    n: np.ndarray, d: np.ndarray, loss: np.ndarray, settings: FitSettings | None = None, labels: list[str] | None = None
) -> LawFit:
    """Fit L = E + A/N^α + B/D^β (or the shared-exponent form) to runs; N, D in ``settings.units``."""
    settings = settings or FitSettings()
    settings.validate()
    form = forms.get_form(settings.form)
    n, d, loss = (np.asarray(x, dtype=float) for x in (n, d, loss))
    check_data(n, d, loss, form.k, labels)
    problem = _Problem(form, n, d, loss, settings.delta)

    starts = grid_starts(form, settings.grid)
    if settings.exhaustive:
        theta, f, conv = newton_batch(problem, starts, ftol=settings.ftol, max_iter=settings.max_iter)
    else:
        batch = race(problem, starts, ftol=settings.ftol, max_iter=settings.max_iter)
        theta, f, conv = batch.theta, batch.f, batch.converged
    candidates = _distinct(theta, f, settings.polish_top)
    results = []
    for i in candidates:
        x, fx, ok = _polish(problem, theta[i])
        if fx <= f[i]:
            results.append((fx, x, ok or bool(conv[i])))
        else:
            results.append((float(f[i]), theta[i], bool(conv[i])))
    results.sort(key=lambda t: t[0])
    best_f, best_x, best_ok = results[0]
    full = form.full(best_x)
    params = forms.natural_params(full)
    warnings = _warnings(params, best_ok, len(loss), form)
    fit = LawFit(
        form=form.name, units=settings.units, params=params, objective=best_f, converged=best_ok,
        n_runs=len(loss), warnings=warnings, settings=settings,
        local_minima=[(fx, forms.natural_params(form.full(x))) for fx, x, _ in results],
    )  # fmt: skip
    if settings.bootstrap:
        _bootstrap(fit, problem, [x for _, x, _ in results][: settings.bootstrap_starts])
    fit.unidentified = _unidentified(fit, loss)
    return fit


def _unidentified(fit: LawFit, loss: np.ndarray) -> list[str]:
    """Why the data do not pin the law down (empty when they do)."""
    out = []
    if "E" in fit.params and fit.params["E"] < 1e-4 * float(np.min(loss)):
        out.append(f"E = {fit.params['E']:.3g} collapsed onto its bound 0: the data cannot separate E from the "
                   "power-law terms")  # fmt: skip
    for name in ("alpha", "beta") if fit.form != "n_only" else ("alpha",):
        if fit.params[name] <= 0:
            out.append(f"{name} = {fit.params[name]:.3g} is at or below its bound 0: that term is not identified")
    for name, (lo, hi) in fit.intervals.items():
        value = fit.params.get(name)
        if value is not None and not lo <= value <= hi and not (fit.form == "n_only" and name in ("B", "beta")):
            out.append(f"{name} = {value:.4g} lies outside its own {fit.settings.ci:.0%} bootstrap interval "
                       f"[{lo:.4g}, {hi:.4g}]")  # fmt: skip
    return out


def _warnings(params: dict[str, float], converged: bool, n_runs: int, form: Form) -> list[str]:
    out, k = [], form.k
    if not converged:
        out.append("the best start did not converge (the optimiser stopped before its tolerance); treat with care")
    for name in ("alpha", "beta") if "beta" in form.params else ("alpha",):
        if not 0 < params[name] < 3:
            out.append(f"{name} = {params[name]:.3g} lies outside (0, 3): the data barely constrain this term")
    if n_runs < 3 * k:
        out.append(f"only {n_runs} runs for {k} parameters: expect wide intervals and poor extrapolation")
    return out


def _bootstrap(fit: LawFit, problem: _Problem, starts: list[np.ndarray]) -> None:
    s = fit.settings
    rng = np.random.default_rng(s.seed)
    n_runs = len(problem.log_l)
    counts = rng.multinomial(n_runs, np.full(n_runs, 1.0 / n_runs), size=s.bootstrap).astype(float)
    k0 = len(starts)
    theta0 = np.tile(np.array(starts), (s.bootstrap, 1))
    weights = np.repeat(counts, k0, axis=0)
    theta, f, conv = newton_batch(problem, theta0, weights, ftol=s.ftol, max_iter=s.max_iter)
    f = f.reshape(s.bootstrap, k0)
    best = np.argmin(f, axis=1)
    rows = np.arange(s.bootstrap) * k0 + best
    ok = conv[rows] & np.isfinite(f[np.arange(s.bootstrap), best])
    samples = np.array([[forms.natural_params(problem.form.full(theta[r]))[p] for p in SAMPLE_NAMES]
                        for r in rows[ok]]).reshape(-1, len(SAMPLE_NAMES))  # fmt: skip
    fit.bootstrap_converged = int(ok.sum())
    bad = s.bootstrap - fit.bootstrap_converged
    if bad:
        fit.warnings.append(f"{bad} of {s.bootstrap} bootstrap replicates did not converge and were left out: "
                            f"intervals from the {fit.bootstrap_converged} converged ones")  # fmt: skip
    if fit.bootstrap_converged < 2:
        fit.warnings.append("fewer than 2 bootstrap replicates converged: no intervals")
        return
    tail = (1 - s.ci) / 2 * 100
    lo, hi = np.percentile(samples, [tail, 100 - tail], axis=0)
    fit.samples = samples
    fit.intervals = {p: (float(lo[i]), float(hi[i])) for i, p in enumerate(SAMPLE_NAMES)}

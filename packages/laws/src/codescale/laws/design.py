"""Experiment design: how much a run is expected to shrink the uncertainty of one answer, and which runs to pick.

The model. A fitted law predicts log L(θ; x) at a run x = (N, D, p), and its fit has left θ uncertain. An *answer*
(the target) is a smooth function g(θ): a predicted loss, the predicted gain of an allocation over uniform, or one
parameter. Linearised around a parameter vector θ (the delta method), a design -- the runs already observed plus any
set S of new ones -- leaves g with the variance

    V(S) = ∇g(θ)ᵀ (M₀ + Σ_{obs ∈ runs ∪ S} j jᵀ / σ²)⁻¹ ∇g(θ),      j = ∂ log L(θ; x, domain) / ∂θ

where each observation is one evaluated domain of one run, σ is the noise of a log loss (estimated from the fit's
residuals) and M₀ = diag(1 / sd²) is a weak prior that only matters in directions the runs do not identify (sd: 30
for log-scale coefficients, 2 for exponents, 3 for log L∞; for mixture laws half the width of each parameter's fitting
bounds). Adding one run with observation rows J (m × k) changes V by the rank-m update (Woodbury)

    V(S + x) = V(S) − bᵀ (J Σ Jᵀ + σ² I)⁻¹ b,      b = J Σ ∇g,  Σ = the current posterior covariance,

so the expected reduction of every candidate is exact under the linearisation and cheap to evaluate.

Nonlinearity. J and ∇g depend on θ, which the seed runs know poorly. The criterion is therefore averaged over
parameter draws -- the point estimate and the fit's bootstrap replicates (a pseudo-Bayesian c-optimal design) -- on
a log scale:

    F(S) = mean_s log( V_s(S) / V_s(∅) ),      "variance left" = exp F (a geometric mean over draws)

Each draw is normalised by its own current variance and halving the variance is worth the same at any level, so no
single wild replicate dominates, and a design that has already pinned the target down under the linearisation still
spends its budget where it keeps shrinking the variance instead of stopping at a linearised zero.

The optimiser. Greedy by expected log-reduction per GPU-hour: at each step the affordable candidate with the largest
(F(S) − F(S + x)) / cost(x) is added; this stops when nothing affordable remains, the best candidate removes less
than ``min_gain`` of the current variance (among the candidates that remove more, the best ratio is taken), or
``max_runs`` are chosen. Ratio-greedy can lose to one expensive, very
informative run, so the greedy pass is repeated starting from each of the few candidates with the largest reduction on
their own (a partial enumeration in the manner of Krause & Guestrin's budgeted greedy), and the design that leaves
the least variance wins. Each candidate is taken at most once (a replicate of a point is a different seed, proposed
by listing seeds in a candidate spec).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

SIGMA_FLOOR = 1e-4  # a log-loss noise below this is treated as this (an exact fit is not infinitely informative)


@dataclass
class Points:
    """Where runs are: N (the law's parameter count), D (training tokens), proportions over the model's training
    domains, and which of the model's targets each run measures."""

    n: np.ndarray  # (R,)
    d: np.ndarray  # (R,)
    p: np.ndarray  # (R, T)
    measured: np.ndarray  # (R, V) bool
    unique: np.ndarray | None = None  # (R, T) distinct tokens behind each share (None: fresh data everywhere)

    def __len__(self) -> int:
        return len(self.n)

    def unique_tokens(self) -> np.ndarray:
        return np.full(self.p.shape, np.inf) if self.unique is None else self.unique

    def take(self, index: np.ndarray | list[int]) -> Points:
        index = np.asarray(index, dtype=int)
        return Points(self.n[index], self.d[index], self.p[index], self.measured[index], self.unique_tokens()[index])

    @staticmethod
    def concat(parts: list[Points], n_domains: int, n_targets: int) -> Points:
        if not parts:
            return Points(np.zeros(0), np.zeros(0), np.zeros((0, n_domains)), np.zeros((0, n_targets), dtype=bool))
        return Points(np.concatenate([x.n for x in parts]), np.concatenate([x.d for x in parts]),
                      np.concatenate([x.p for x in parts]), np.concatenate([x.measured for x in parts]),
                      np.concatenate([x.unique_tokens() for x in parts]))  # fmt: skip


class DesignModel(Protocol):
    """A fitted law seen as a design problem (see :mod:`.design_models`)."""

    names: list[str]
    """Parameter names, one per coordinate of θ."""
    domains: list[str]
    """Training domains: the columns of ``Points.p``."""
    targets: list[str]
    """What a run can measure (evaluated domains, or the mixture's loss): the columns of ``Points.measured``."""
    theta: np.ndarray
    """(k,) the point estimate."""
    draws: np.ndarray
    """(B, k) bootstrap replicates (all finite); (0, k) when the fit has none."""
    prior_sd: np.ndarray
    """(k,) the weak prior's standard deviations."""
    sigma: float
    """Noise of one observed log loss."""

    def predict(self, theta: np.ndarray, points: Points) -> tuple[np.ndarray, np.ndarray]:
        """log L (S, R, V) and its Jacobian (S, R, V, k) for parameter rows theta (S, k); NaN where not predicted."""
        ...


@dataclass
class Target:
    """An answer as a function of θ: a combination Σ c·L of predicted losses, or one (transformed) coordinate."""

    description: str
    points: Points | None = None  # where the combined losses are predicted
    weights: np.ndarray | None = None  # (R, V): c of each predicted loss
    coordinate: int | None = None
    exp: bool = False  # the coordinate is a log: the answer is exp(θ_j)
    unit: str = "nats"

    def value_and_gradient(self, model: DesignModel, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """g (S,) and ∇g (S, k) at parameter rows theta (S, k)."""
        theta = np.atleast_2d(theta)
        if self.coordinate is not None:
            grad = np.zeros_like(theta)
            value = theta[:, self.coordinate].copy()
            if self.exp:
                value = np.exp(value)
                grad[:, self.coordinate] = value
            else:
                grad[:, self.coordinate] = 1.0
            return value, grad
        assert self.points is not None and self.weights is not None
        log_l, jac = model.predict(theta, self.points)
        c = np.where(self.weights != 0, self.weights, 0.0)
        loss = np.where(c[None] != 0, np.exp(log_l), 0.0)  # (S, R, V); NaN only where weighted
        value = np.einsum("rv,srv->s", c, loss)
        grad = np.einsum("rv,srv,srvk->sk", c, loss, np.where(c[None, :, :, None] != 0, jac, 0.0))
        return value, grad


def observation_rows(model: DesignModel, theta: np.ndarray, points: Points) -> tuple[np.ndarray, np.ndarray]:
    """(S, R, m, k) Jacobian rows of what each run measures and its (R, m) mask, m = the most targets one run
    measures: a target is measured when the run evaluates it and the law predicts it there."""
    log_l, jac = model.predict(theta, points)
    measured = points.measured[None] & np.isfinite(log_l) & np.all(np.isfinite(jac), axis=-1)
    seen = measured.all(axis=0)  # measured under every draw
    m = max(1, int(seen.sum(axis=1).max(initial=0)))
    s, r, _, k = jac.shape
    rows = np.zeros((s, r, m, k))
    mask = np.zeros((r, m), dtype=bool)
    for i in range(r):
        cols = np.flatnonzero(seen[i])
        rows[:, i, : len(cols)] = jac[:, i, cols]
        mask[i, : len(cols)] = True
    return rows, mask


def _inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse of symmetric positive definite matrices (S, k, k), scaled to unit diagonal first for accuracy."""
    scale = 1.0 / np.sqrt(np.maximum(np.einsum("skk->sk", matrix), 1e-300))
    scaled = matrix * scale[:, :, None] * scale[:, None, :]
    inv = np.linalg.inv(scaled + 1e-12 * np.eye(matrix.shape[-1]))
    return inv * scale[:, :, None] * scale[:, None, :]


@dataclass
class Step:
    """One chosen run: its candidate index and the expected fraction of variance left before and after it."""

    index: int
    cost: float
    left_before: float
    left_after: float


@dataclass
class Design:
    """The posterior covariance of every draw, and the variance of the target under each."""

    model: DesignModel
    target: Target
    thetas: np.ndarray  # (S, k): the point estimate first, then the draws
    cov: np.ndarray  # (S, k, k)
    grad: np.ndarray  # (S, k)
    values: np.ndarray  # (S,) the target under each draw
    v0: np.ndarray  # (S,) the target's variance before any new run
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, model: DesignModel, target: Target, existing: Points, max_draws: int = 40) -> Design:
        """Information from the existing (and planned) runs under θ̂ and up to ``max_draws`` bootstrap draws."""
        draws = model.draws
        if len(draws) > max_draws:  # evenly spaced, deterministic
            draws = draws[np.linspace(0, len(draws) - 1, max_draws).round().astype(int)]
        thetas = np.vstack([model.theta[None], draws])
        values, grad = target.value_and_gradient(model, thetas)
        ok = np.isfinite(values) & np.all(np.isfinite(grad), axis=1)
        ok[0] = True  # the point estimate always counts
        thetas, values, grad = thetas[ok], values[ok], grad[ok]
        sigma = max(model.sigma, SIGMA_FLOOR)
        info = np.broadcast_to(np.diag(1.0 / model.prior_sd**2), (len(thetas),) + (len(model.theta),) * 2).copy()
        if len(existing):
            rows, mask = observation_rows(model, thetas, existing)
            rows = np.where(mask[None, :, :, None], rows, 0.0)
            info += np.einsum("srmk,srml->skl", rows, rows) / sigma**2
        cov = _inverse(info)
        v0 = np.einsum("sk,skl,sl->s", grad, cov, grad)
        notes = []
        if len(thetas) == 1:
            notes.append("the fit has no bootstrap draws: the design is local to the point estimate "
                         "(fit with --bootstrap for one that allows for the law's uncertainty)")  # fmt: skip
        return cls(model, target, thetas, cov, grad, values, v0, notes)

    @property
    def sigma(self) -> float:
        return max(self.model.sigma, SIGMA_FLOOR)

    def sd(self) -> float:
        """The target's delta-method standard deviation at the point estimate."""
        return float(np.sqrt(max(self.v0[0], 0.0)))

    def reductions(self, rows: np.ndarray, mask: np.ndarray, cov: np.ndarray) -> np.ndarray:
        """(S, C) variance removed by adding each candidate alone to the design with covariance ``cov``."""
        rows = np.where(mask[None, :, :, None], rows, 0.0)
        j_cov = rows @ cov[:, None]  # J Σ, (S, C, m, k): batched matrix products, not einsum loops
        inner = j_cov @ np.swapaxes(rows, -1, -2) + self.sigma**2 * np.eye(rows.shape[2])
        b = rows @ (cov @ self.grad[:, :, None])[:, None]  # J Σ ∇g, (S, C, m, 1)
        solved = np.linalg.solve(inner, b)
        return (b * solved).sum(axis=(-2, -1))

    def add(self, rows: np.ndarray, mask: np.ndarray, cov: np.ndarray) -> np.ndarray:
        """The covariance after adding one run (rows (S, m, k), mask (m,))."""
        rows = np.where(mask[None, :, None], rows, 0.0)
        j_cov = rows @ cov  # (S, m, k)
        inner = j_cov @ np.swapaxes(rows, -1, -2) + self.sigma**2 * np.eye(rows.shape[1])
        return cov - np.swapaxes(j_cov, -1, -2) @ np.linalg.solve(inner, j_cov)

    def variances(self, cov: np.ndarray) -> np.ndarray:
        return np.maximum(np.einsum("sk,skl,sl->s", self.grad, cov, self.grad), 1e-300)

    def left(self, cov: np.ndarray) -> float:
        """exp F: the geometric mean over draws of the fraction of the target's variance left."""
        return float(np.exp(np.mean(np.log(self.variances(cov) / np.maximum(self.v0, 1e-300)))))

    def log_gains(self, rows: np.ndarray, mask: np.ndarray, cov: np.ndarray) -> np.ndarray:
        """(C,) F(S) − F(S + x) for each candidate x: the mean over draws of −log(1 − reduction / variance)."""
        current = self.variances(cov)
        share = np.clip(self.reductions(rows, mask, cov) / current[:, None], 0.0, 1.0 - 1e-15)
        return -np.mean(np.log1p(-share), axis=0)

    def choose(self, rows: np.ndarray, mask: np.ndarray, costs: np.ndarray, budget: float,
               max_runs: int | None = None, min_gain: float = 1e-3, restarts: int = 3) -> list[Step]:  # fmt: skip
        """The greedy design (see the module docstring) over candidates with rows (S, C, m, k), mask (C, m) and
        costs (C,) in GPU-hours, within ``budget``."""
        costs = np.asarray(costs, float)
        affordable = np.flatnonzero(costs <= budget * (1 + 1e-9))
        if affordable.size == 0:
            return []
        floor = -np.log1p(-min_gain)
        alone = self.log_gains(rows[:, affordable], mask[affordable], self.cov)
        firsts: list[int | None] = [None]
        firsts += [int(affordable[i]) for i in np.argsort(-alone)[:restarts] if alone[i] >= floor]
        best: tuple[float, float, list[Step]] | None = None
        for first in firsts:
            steps = self._greedy(rows, mask, costs, budget, max_runs, floor, first)
            left = steps[-1].left_after if steps else 1.0
            spent = sum(s.cost for s in steps)
            if best is None or (left, spent) < (best[0] * (1 - 1e-9), best[1]):
                best = (left, spent, steps)
        assert best is not None
        return best[2]

    def _greedy(self, rows, mask, costs, budget, max_runs, floor, first) -> list[Step]:
        cov = self.cov
        left = 1.0
        spent = 0.0
        chosen: list[Step] = []
        available = np.ones(len(costs), dtype=bool)
        while max_runs is None or len(chosen) < max_runs:
            fits = np.flatnonzero(available & (costs <= budget - spent + 1e-9 * budget))
            if fits.size == 0:
                break
            if first is not None and not chosen:
                pick = first
            else:
                gain = self.log_gains(rows[:, fits], mask[fits], cov)
                worth = gain >= floor  # a cheap run that teaches nothing must not end the search
                if not worth.any():
                    break
                i = int(np.argmax(np.where(worth, gain / np.maximum(costs[fits], 1e-12), -np.inf)))
                pick = int(fits[i])
            cov = self.add(rows[:, pick], mask[pick], cov)
            after = self.left(cov)
            chosen.append(Step(pick, float(costs[pick]), left, after))
            left = after
            spent += float(costs[pick])
            available[pick] = False
        return chosen

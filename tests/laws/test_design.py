"""The design criterion and its optimiser: exact rank updates, the laws' Jacobians, and the budgeted greedy."""

from __future__ import annotations

import numpy as np
import pytest

from codescale.laws import presets, store
from codescale.laws.design import Design, Points, Target, observation_rows
from codescale.laws.design_models import PerLanguageModel, _sigma
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups, load_fit
from codescale.laws.simulate import grid_plan, simulate_plan


class LineLaw:
    """A law that is linear in its parameters (log L = θ0 + θ1·log N + θ2·log D): the delta method is exact for it,
    so the design's rank updates can be checked against plain matrix inverses. A test law, not a stand-in for one of
    codescale's (those are tested below)."""

    names = ["b0", "bN", "bD"]
    domains = ["python"]
    targets = ["python"]
    theta = np.array([1.0, -0.1, -0.05])
    draws = np.zeros((0, 3))
    prior_sd = np.array([10.0, 10.0, 10.0])
    sigma = 0.01

    def predict(self, theta, points):
        theta = np.atleast_2d(theta)
        x = np.stack([np.ones(len(points)), np.log(points.n), np.log(points.d)], axis=1)  # (R, 3)
        log_l = (theta @ x.T)[:, :, None]
        jac = np.broadcast_to(x[None, :, None, :], (len(theta), len(points), 1, 3)).copy()
        return log_l, jac


def points(pairs):
    n = np.array([p[0] for p in pairs], float)
    return Points(n, np.array([p[1] for p in pairs], float), np.ones((len(pairs), 1)), np.ones((len(pairs), 1), bool))


def direct_variance(law, g, runs):
    x = np.stack([np.ones(len(runs)), np.log(runs.n), np.log(runs.d)], axis=1)
    info = np.diag(1 / law.prior_sd**2) + x.T @ x / law.sigma**2
    return float(g @ np.linalg.inv(info) @ g)


EXISTING = points([(1e8, 2e9), (2e8, 2e9), (1e8, 8e9), (4e8, 4e9)])
CANDIDATES = points([(8e8, 2e9), (1e8, 3.2e10), (1.6e9, 1.6e10), (3e9, 6e10)])


def test_the_rank_update_equals_the_variance_from_the_inverted_information():
    law = LineLaw()
    target = Target("loss", points([(3e9, 6e10)]), np.ones((1, 1)))
    design = Design.build(law, target, EXISTING)
    g = design.grad[0]
    assert design.v0[0] == pytest.approx(direct_variance(law, g, EXISTING), rel=1e-9)
    rows, mask = observation_rows(law, design.thetas, CANDIDATES)
    reductions = design.reductions(rows, mask, design.cov)[0]
    for c in range(len(CANDIDATES)):
        both = Points.concat([EXISTING, CANDIDATES.take([c])], 1, 1)
        assert reductions[c] == pytest.approx(design.v0[0] - direct_variance(law, g, both), rel=1e-7)
    cov = design.add(rows[:, 2], mask[2], design.cov)
    assert design.variances(cov)[0] == pytest.approx(
        direct_variance(law, g, Points.concat([EXISTING, CANDIDATES.take([2])], 1, 1))
    )


def test_a_run_at_the_target_point_is_worth_most():
    law = LineLaw()
    target = Target("loss", points([(3e9, 6e10)]), np.ones((1, 1)))
    design = Design.build(law, target, EXISTING)
    rows, mask = observation_rows(law, design.thetas, CANDIDATES)
    assert int(np.argmax(design.log_gains(rows, mask, design.cov))) == 3


def test_the_greedy_stays_within_the_budget_and_takes_each_run_once():
    law = LineLaw()
    target = Target("slope", coordinate=1)
    design = Design.build(law, target, EXISTING)
    rows, mask = observation_rows(law, design.thetas, CANDIDATES)
    costs = np.array([1.0, 2.0, 3.0, 4.0])
    steps = design.choose(rows, mask, costs, budget=6.5)
    chosen = [s.index for s in steps]
    assert len(chosen) == len(set(chosen)) and sum(costs[chosen]) <= 6.5
    lefts = [s.left_after for s in steps]
    assert all(b < a for a, b in zip([1.0, *lefts], lefts))


def test_a_cheap_run_that_teaches_too_little_does_not_end_the_search():
    """The best ratio belongs to a nearly free repeat of an existing point whose gain is under ``min_gain``; the
    search must go on to the run that is worth its cost, not stop there."""
    law = LineLaw()
    target = Target("slope", coordinate=1)
    design = Design.build(law, target, EXISTING)
    candidates = Points.concat([points([(1e8, 2e9)]), CANDIDATES.take([3])], 1, 1)
    rows, mask = observation_rows(law, design.thetas, candidates)
    costs = np.array([1e-3, 5.0])
    gains = design.log_gains(rows, mask, design.cov)
    floor = -np.log1p(-0.2)
    assert gains[0] < floor < gains[1] and gains[0] / costs[0] > gains[1] / costs[1]
    steps = design.choose(rows, mask, costs, budget=10.0, min_gain=0.2)
    assert [s.index for s in steps] == [1]


def test_one_expensive_informative_run_beats_many_cheap_ones_when_it_is_better():
    """Ratio-greedy takes the cheap run first and can then no longer afford the big one; the restart from the best
    single run finds the better design."""
    law = LineLaw()
    target = Target("slope", coordinate=1)
    design = Design.build(law, target, EXISTING)
    cheap = points([(2.2e8, 2e9)])  # close to the existing sizes: little leverage on the slope, but nearly free
    big = points([(3e10, 4e9)])  # far out in N: pins the slope down
    rows, mask = observation_rows(law, design.thetas, Points.concat([cheap, big], 1, 1))
    costs = np.array([0.01, 10.0])
    alone = design.log_gains(rows, mask, design.cov)
    assert alone[0] / costs[0] > alone[1] / costs[1]  # the cheap one has the better ratio
    steps = design.choose(rows, mask, costs, budget=10.0)
    assert [s.index for s in steps] == [1]


def test_the_noise_estimate_leaves_out_the_runs_a_robust_fit_passes_through():
    rng = np.random.default_rng(0)
    residuals = list(0.005 * rng.standard_normal(200)) + [0.0] * 5  # five interpolated runs
    assert _sigma([(residuals, 5)]) == pytest.approx(0.005, rel=0.15)
    assert _sigma([(residuals + [0.5, -0.7], 5)]) == pytest.approx(0.005, rel=0.15)  # outliers do not inflate it


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("design") / "d.duckdb")
    simulate_plan(con, grid_plan("mono", [1e8, 2e8, 4e8, 8e8], [2e9, 4e9, 8e9], [{"go": 1}, {"rust": 1}]),
                  presets.paper_truth(), noise=0.003, seed=4)  # fmt: skip
    fits = fit_groups(con, kind="chinchilla", view="final_loss", where="true", group_expr="language",
                      group_key="language", label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
                      d_expr="tokens", settings=FitSettings(units="billions", grid="coarse", bootstrap=10),
                      batch="d", extra_settings={})  # fmt: skip
    yield con, {f.group_value: load_fit(con, f.fit_id) for f in fits}
    con.close()


def finite_differences(model, theta, pts, step=1e-6):
    base, _ = model.predict(theta[None], pts)
    out = np.zeros(base.shape[1:] + (len(theta),))
    for j in range(len(theta)):
        moved = theta.copy()
        moved[j] += step
        out[..., j] = (model.predict(moved[None], pts)[0][0] - base[0]) / step
    return out


def test_the_per_language_model_predicts_the_fit_and_its_jacobian_is_exact(fitted):
    _, fits = fitted
    model = PerLanguageModel(fits)
    pts = Points(np.array([3e8, 2e9, 1e8]), np.array([5e9, 4e10, 1e9]), np.array([[1, 0], [0, 1], [0.5, 0.5]]),
                 np.ones((3, 2), bool))  # fmt: skip
    log_l, jac = model.predict(model.theta[None], pts)
    go = fits["go"].params
    assert np.exp(log_l[0, 0, 0]) == pytest.approx(presets.mono_loss(go, 0.3, 5.0), rel=1e-12)
    assert np.exp(log_l[0, 2, 0]) == pytest.approx(presets.mono_loss(go, 0.1, 0.5), rel=1e-12)  # D·p tokens of go
    assert np.isnan(log_l[0, 0, 1])  # a go run says nothing about rust
    ok = np.isfinite(log_l[0])
    assert np.allclose(jac[0][ok], finite_differences(model, model.theta, pts)[ok], atol=1e-5)
    assert len(model.draws) >= 5 and model.names[:2] == ["go.log_A", "go.alpha"]


def test_the_mixture_model_jacobian_matches_finite_differences(tmp_path):
    from mixture_fixtures import code_store

    from codescale.laws.design_models import MixtureModel
    from codescale.laws.mixfit import FitOptions
    from codescale.laws.mixlaws import Inputs
    from codescale.laws.mixture import fit_and_store

    con = code_store(tmp_path / "m.duckdb", mixtures=8)
    for law in ("joint_additive", "synergy_factor"):  # an analytic Jacobian, and forward differences
        fit, stored = fit_and_store(con, law, "study = 'mix'", FitOptions(), per_domain="mono")
        model = MixtureModel(con, stored)
        p = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
        pts = Points(np.array([5e8, 2e9]), np.array([3e10, 1e11]), p, np.ones((2, len(model.targets)), bool))
        log_l, jac = model.predict(model.theta[None], pts)
        predicted = fit.predict(Inputs(pts.n, pts.d, p, np.full(p.shape, np.inf)))
        for v, target in enumerate(model.targets):
            ok = np.isfinite(log_l[0, :, v])
            assert np.allclose(np.exp(log_l[0, ok, v]), predicted[target][ok], rtol=1e-12)
        ok = np.isfinite(log_l[0])
        assert np.allclose(jac[0][ok], finite_differences(model, model.theta, pts, 1e-7)[ok], rtol=1e-3, atol=1e-6)
    con.close()

"""Per-language law fitting: recovery, agreement with a plain L-BFGS-B loop, bootstrap, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from codescale.core.errors import CodescaleError
from codescale.laws import forms
from codescale.laws.fit import FitSettings, _Problem, fit_law, grid_starts

TRUTH = {"A": 482.0, "B": 2085.0, "E": 1.82, "alpha": 0.35, "beta": 0.37}


def grid_runs(noise=0.0, seed=0, sizes=8, budgets=6):
    rng = np.random.default_rng(seed)
    n = np.repeat(np.geomspace(7e7, 3e9, sizes), budgets)
    d = np.tile(np.geomspace(2e9, 1e11, budgets), sizes)
    loss = forms.predict(TRUTH, n, d) * np.exp(noise * rng.standard_normal(len(n)))
    return n, d, loss


def test_noise_free_runs_give_back_the_law_to_several_digits():
    fit = fit_law(*grid_runs(), FitSettings(grid="full"))
    assert fit.converged and not fit.warnings
    for name, value in TRUTH.items():
        assert fit.params[name] == pytest.approx(value, rel=1e-5), name


def test_best_objective_is_no_worse_than_plain_lbfgsb_from_grid_starts():
    n, d, loss = grid_runs(noise=0.01, seed=3)
    fit = fit_law(n, d, loss, FitSettings(grid="coarse"))
    problem = _Problem(forms.CHINCHILLA, n, d, loss, 1e-3)

    def objective(x):
        return float(problem.evaluate(x[None, :], None, order=0)[0][0])

    starts = grid_starts(forms.CHINCHILLA, "coarse")
    sample = starts[np.random.default_rng(0).choice(len(starts), 20, replace=False)]
    plain = min(minimize(objective, x0, method="L-BFGS-B").fun for x0 in sample)
    assert fit.objective <= plain * (1 + 1e-7)
    ours = np.array(
        [
            np.log(fit.params["A"]),
            fit.params["alpha"],
            np.log(fit.params["B"]),
            fit.params["beta"],
            np.log(fit.params["E"]),
        ]
    )
    assert minimize(objective, ours, method="L-BFGS-B").fun >= fit.objective * (1 - 1e-9)  # a true local minimum


def test_successive_halving_reaches_the_exhaustive_optimum():
    n, d, loss = grid_runs(noise=0.01, seed=4)
    raced = fit_law(n, d, loss, FitSettings(grid="coarse"))
    exhaustive = fit_law(n, d, loss, FitSettings(grid="coarse", exhaustive=True))
    assert raced.objective == pytest.approx(exhaustive.objective, rel=1e-9)


def test_shared_exponent_form_fits_one_exponent():
    params = dict(TRUTH, beta=TRUTH["alpha"])
    n, d, _ = grid_runs()
    fit = fit_law(n, d, forms.predict(params, n, d), FitSettings(form="chinchilla_shared", grid="coarse"))
    assert fit.params["alpha"] == fit.params["beta"] == pytest.approx(0.35, rel=1e-5)
    assert fit.params["E"] == pytest.approx(1.82, rel=1e-5)


def test_bootstrap_intervals_cover_the_truth():
    fit = fit_law(*grid_runs(noise=0.005, seed=5), FitSettings(grid="coarse", bootstrap=100, seed=1))
    assert fit.samples.shape == (100, 5)
    for name, value in TRUTH.items():
        lo, hi = fit.intervals[name]
        assert lo <= value <= hi, (name, lo, hi)
        assert lo <= fit.params[name] <= hi


def test_units_in_billions_give_the_same_law():
    n, d, loss = grid_runs(noise=0.005, seed=6)
    raw = fit_law(n, d, loss, FitSettings(grid="coarse"))
    bil = fit_law(n / 1e9, d / 1e9, loss, FitSettings(grid="coarse", units="billions"))
    assert bil.objective == pytest.approx(raw.objective, rel=1e-6)
    assert bil.params["alpha"] == pytest.approx(raw.params["alpha"], rel=1e-4)
    assert forms.convert_params(bil.params, "billions", "raw")["A"] == pytest.approx(raw.params["A"], rel=1e-3)


def test_single_token_budget_needs_the_n_only_form():
    n, d, loss = grid_runs(budgets=1)
    with pytest.raises(CodescaleError, match="same token count"):
        fit_law(n, d, loss, FitSettings(grid="coarse"))
    fit = fit_law(n, d, loss, FitSettings(form="n_only", grid="coarse"))
    expected_e = TRUTH["E"] + TRUTH["B"] * d[0] ** -TRUTH["beta"]
    assert fit.params["E"] == pytest.approx(expected_e, rel=1e-5)
    assert fit.params["alpha"] == pytest.approx(0.35, rel=1e-5)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda n, d, l: (n[:0], d[:0], l[:0]), "empty selection"),
        (lambda n, d, l: (n, d, np.where(np.arange(len(l)) == 3, np.nan, l)), "NaN, infinite or non-positive loss"),
        (lambda n, d, l: (n, d, np.where(np.arange(len(l)) == 3, np.inf, l)), "NaN, infinite"),
        (lambda n, d, l: (n[:5], d[:5] * np.arange(1, 6), l[:5]), "same model size"),
        (lambda n, d, l: (n[::6][:5], d[:5], l[:5]), "too few runs"),
    ],
)
def test_bad_input_is_a_clear_error(mutate, message):
    with pytest.raises(CodescaleError, match=message):
        fit_law(*mutate(*grid_runs()), FitSettings(grid="coarse"), labels=None)


def test_few_runs_are_fitted_with_a_warning():
    n, d, loss = grid_runs(sizes=3, budgets=3)
    fit = fit_law(n, d, loss, FitSettings(grid="coarse"))
    assert any("runs for 5 parameters" in w for w in fit.warnings)


def test_twenty_runs_with_identical_losses_are_an_error_not_a_converged_fit():
    n, d, _ = grid_runs(sizes=5, budgets=4)
    with pytest.raises(CodescaleError, match="same loss .*no variation"):
        fit_law(n, d, np.full(20, 2.5), FitSettings(grid="coarse"))


def test_bootstrap_intervals_use_only_converged_replicates_and_say_how_many():
    n, d, loss = grid_runs(noise=0.01, seed=7)
    fit = fit_law(n, d, loss, FitSettings(grid="coarse", bootstrap=40, max_iter=20, seed=2))
    assert 2 <= fit.bootstrap_converged < 40  # twenty Newton steps are too few for some replicates
    assert fit.samples.shape == (fit.bootstrap_converged, 5)
    assert any(
        f"{40 - fit.bootstrap_converged} of 40 bootstrap replicates did not converge and were left out" in w
        for w in fit.warnings
    )
    lo, hi = np.percentile(fit.samples[:, 2], [2.5, 97.5])  # E's interval comes from the kept draws alone
    assert fit.intervals["E"] == pytest.approx((lo, hi))


def test_a_law_without_an_irreducible_term_is_flagged_unidentified():
    n, d, _ = grid_runs()
    loss = forms.predict(dict(TRUTH, E=0.0), n, d)  # E collapses onto its bound
    fit = fit_law(n, d, loss, FitSettings(grid="coarse"))
    assert any("E = " in reason and "bound 0" in reason for reason in fit.unidentified)
    assert not fit_law(*grid_runs(), FitSettings(grid="coarse")).unidentified

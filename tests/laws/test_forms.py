"""The law's forms: exact derivatives, stable log-sum-exp, unit conversion."""

from __future__ import annotations

import numpy as np

from codescale.laws import forms


def _data(rng, n=40):
    log_n = np.log(rng.uniform(1e8, 3e9, n))
    log_d = np.log(rng.uniform(2e9, 6e10, n))
    log_l = np.log(1.8 + 482 * np.exp(-0.35 * log_n) + 2085 * np.exp(-0.37 * log_d)) + rng.normal(0, 0.01, n)
    return log_n, log_d, log_l


def test_gradient_and_hessian_match_finite_differences_with_weights():
    rng = np.random.default_rng(0)
    log_n, log_d, log_l = _data(rng)
    weights = rng.integers(0, 3, len(log_l)).astype(float)
    theta = np.array([[6.0, 0.3, 7.5, 0.4, 0.5], [2.0, 0.1, 12.0, 0.6, 0.3]])
    _, grad, hess = forms.objective(theta, log_n, log_d, log_l, np.tile(weights, (2, 1)))
    eps = 1e-6
    for row in range(2):
        for i in range(5):
            step = np.zeros(5)
            step[i] = eps
            fp, gp, _ = forms.objective(theta[row] + step, log_n, log_d, log_l, weights)
            fm, gm, _ = forms.objective(theta[row] - step, log_n, log_d, log_l, weights)
            assert abs((fp - fm)[0] / (2 * eps) - grad[row, i]) < 1e-8
            np.testing.assert_allclose((gp - gm)[0] / (2 * eps), hess[row, i], atol=1e-6 * np.abs(hess[row]).max())


def test_objective_is_the_summed_huber_of_log_residuals():
    rng = np.random.default_rng(1)
    log_n, log_d, log_l = _data(rng)
    theta = np.array([6.0, 0.3, 7.5, 0.4, 0.5])
    pred = np.log(np.exp(6.0) * np.exp(-0.3 * log_n) + np.exp(7.5) * np.exp(-0.4 * log_d) + np.exp(0.5))
    f, _, _ = forms.objective(theta, log_n, log_d, log_l, order=0)
    assert np.isclose(f[0], forms.huber(log_l - pred, 1e-3).sum(), rtol=1e-12)


def test_extreme_grid_starts_give_finite_objective():
    rng = np.random.default_rng(2)
    log_n, log_d, log_l = _data(rng)
    theta = np.array([[25.0, 0.0, 25.0, 0.0, 1.0], [0.0, 2.0, 0.0, 2.0, -1.0], [900.0, 0.0, -900.0, 5.0, 0.0]])
    f, g, h = forms.objective(theta, log_n, log_d, log_l)
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(g)) and np.all(np.isfinite(h))


def test_converting_units_keeps_predictions():
    params = {"A": 482.0, "B": 2085.0, "E": 1.82, "alpha": 0.35, "beta": 0.37}
    billions = forms.convert_params(params, "raw", "billions")
    n, d = np.array([1e8, 7e9]), np.array([2e10, 1.4e12])
    np.testing.assert_allclose(forms.predict(billions, n / 1e9, d / 1e9), forms.predict(params, n, d), rtol=1e-12)
    back = forms.convert_params(billions, "billions", "raw")
    assert np.isclose(back["A"], 482.0) and np.isclose(back["B"], 2085.0)

"""Every parametric mixture law generates a rehearsal through `simulate`, and a fit of it recovers the truth within
its own bootstrap intervals; the paper's law is unit-free and its start grid and γ bounds hold for any sign of τ."""

from __future__ import annotations

import numpy as np
import pytest
from mixture_fixtures import dirichlet_mixtures

from codescale.laws import mixdata, presets, store
from codescale.laws.mixfit import FitOptions
from codescale.laws.mixlaws import AdditiveLaw, Inputs, PaperLaw, TransferLaw, YeExpLaw
from codescale.laws.mixture import fit_mixture
from codescale.laws.simulate import grid_plan, law_truth, simulate_plan

PILE = ["arxiv", "github", "pile-cc"]
CODE = ["go", "java", "python"]
SIZES, BUDGETS = [1e8, 3e8, 1e9], [3e9, 1e10, 3e10]


def simulated(tmp_path, law, params, sizes, budgets, mixtures, noise):
    con = store.connect(tmp_path / "truth.duckdb")
    report = simulate_plan(con, grid_plan("truth", sizes, budgets, mixtures), law_truth(law, params), noise=noise,
                           seed=3)  # fmt: skip
    assert report.runs == len(sizes) * len(budgets) * len(mixtures)
    data = mixdata.load(con, "true")
    con.close()
    return data


def assert_recovered(fit, params):
    """Every true parameter inside its 99% interval (with 10-30 parameters, 95% intervals would each miss by design
    about one time in three)."""
    assert fit.converged
    for unit, truth in params.items():
        u = fit.units[unit]
        assert u.bootstrap_converged >= 25
        for name, value in truth.items():
            lo, hi = u.intervals[name]
            assert lo <= value <= hi, (unit, name, value, lo, hi)


def domain_laws(domains):
    return {d: presets.paper_truth()["languages"][d] for d in domains}


def test_ye_exp_recovers_its_truth(tmp_path):
    law = YeExpLaw(PILE, PILE, PILE, "github", (7e7, 1e9))  # github has the largest mean share of these mixtures
    params = {"arxiv": {"log_c": np.log(1.5), "log_k": -0.5, "t:arxiv": -2.0, "t:pile-cc": 0.5},
              "github": {"log_c": np.log(0.8), "log_k": -2.8, "t:arxiv": 2.7, "t:pile-cc": 3.0},
              "pile-cc": {"log_c": np.log(2.5), "log_k": -0.6, "t:arxiv": 0.2, "t:pile-cc": -0.6}}  # fmt: skip
    data = simulated(tmp_path, law, params, [7e7], [1e9], dirichlet_mixtures(PILE, 30, 0), noise=0.003)
    fit = fit_mixture(data, "ye_exp", FitOptions(bootstrap=30, ci=0.99))
    assert fit.law.reference == "github"
    assert_recovered(fit, params)


@pytest.mark.parametrize("joint", [False, True])
def test_joint_additive_and_joint_recover_their_truth(tmp_path, joint):
    domains = PILE[:2]
    law = AdditiveLaw(domains, domains, domains, 3e8, 1e10, True, True, joint)
    scale = {"log_A:arxiv": np.log(0.4), "log_A:github": np.log(0.6), "alpha:arxiv": 0.3, "alpha:github": 0.4,
             "log_B:arxiv": np.log(0.5), "log_B:github": np.log(0.4), "beta:arxiv": 0.3, "beta:github": 0.35} \
        if joint else {"log_A": np.log(0.4), "alpha": 0.35, "log_B": np.log(0.5), "beta": 0.3}  # fmt: skip
    params = {d: {"log_E": np.log(1.5 + 0.3 * i), **{f"log_C:{j}": np.log(2.0 + 6 * (j == d)) for j in domains},
                  **{f"gamma:{j}": 0.6 for j in domains}, **scale} for i, d in enumerate(domains)}  # fmt: skip
    mixtures = dirichlet_mixtures(domains, 12, 1) + [{d: 1.0} for d in domains]
    data = simulated(tmp_path, law, params, [1e8, 3e8, 1e9, 3e9], [3e9, 1e10, 3e10, 1e11], mixtures, noise=0.0005)
    fit = fit_mixture(data, law.name, FitOptions(bootstrap=30, ci=0.99), reference=(3e8, 1e10))  # the truth's units
    assert_recovered(fit, params)


@pytest.mark.parametrize("name", ["effective_data", "synergy_factor"])
def test_transfer_laws_recover_kappa(tmp_path, name):
    tau = np.array([[0, 0.05, 0.03], [0.06, 0, 0.12], [0.01, -0.02, 0]])
    law = TransferLaw(name, CODE, CODE, domain_laws(CODE), tau)
    params = {"(shared)": {"kappa": 1.7}}
    data = simulated(tmp_path, law, params, SIZES, BUDGETS, dirichlet_mixtures(CODE, 6, 2), noise=0.002)
    fit = fit_mixture(data, name, FitOptions(bootstrap=30, ci=0.99), domain_laws=domain_laws(CODE), tau=tau)
    assert_recovered(fit, params)


def dirichlet_array(count):
    return np.random.default_rng(0).dirichlet(np.ones(3), count)


def paper_law(tau):
    return PaperLaw(CODE, domain_laws(CODE), tau, n0=3e8, d0=1e10)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_paper_law_recovers_a_b_gamma_exactly_from_noise_free_data_for_either_sign_of_tau(tmp_path, sign):
    tau = sign * np.array([[0, 0.2, 0.1], [0.3, 0, 0.25], [0.05, 0.15, 0]])
    params = {"(mixture)": {"log_A": np.log(0.3), "log_B": np.log(0.6), "gamma": 1.5}}
    data = simulated(tmp_path, paper_law(tau), params, SIZES, BUDGETS, dirichlet_mixtures(CODE, 5, 4), noise=0.0)
    fit = fit_mixture(data, "paper", FitOptions(), domain_laws=domain_laws(CODE), tau=tau, reference=(3e8, 1e10))
    simplex = np.vstack([np.eye(3), dirichlet_array(5000), [[0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]])
    transfer = np.einsum("ri,ij,rj->r", simplex, tau, simplex)
    for gamma in fit.law.gamma_bounds():  # the effective data stays positive at both bounds, everywhere
        assert np.all(1 + gamma * transfer > 0)
    predicted = fit.predict(Inputs.of(data))["(mixture)"]
    np.testing.assert_allclose(predicted, data.mixture_loss(), rtol=1e-7)
    for name, value in params["(mixture)"].items():
        assert fit.units["(mixture)"].params[name] == pytest.approx(value, rel=1e-5, abs=1e-7)


def test_the_paper_law_recovers_its_truth_within_intervals(tmp_path):
    tau = np.array([[0, 0.2, 0.1], [0.3, 0, 0.25], [0.05, 0.15, 0]])
    params = {"(mixture)": {"log_A": np.log(0.3), "log_B": np.log(0.6), "gamma": 1.5}}
    data = simulated(tmp_path, paper_law(tau), params, SIZES, BUDGETS, dirichlet_mixtures(CODE, 6, 5), noise=0.002)
    fit = fit_mixture(data, "paper", FitOptions(bootstrap=30, ci=0.99), domain_laws=domain_laws(CODE), tau=tau,
                      reference=(3e8, 1e10))  # fmt: skip
    assert_recovered(fit, params)


def test_multiplying_the_units_of_n_and_d_by_1000_changes_no_prediction(tmp_path):
    tau = np.array([[0, 0.2, 0.1], [0.3, 0, 0.25], [0.05, 0.15, 0]])
    params = {"(mixture)": {"log_A": np.log(0.3), "log_B": np.log(0.6), "gamma": 1.5}}
    data = simulated(tmp_path, paper_law(tau), params, SIZES, BUDGETS, dirichlet_mixtures(CODE, 5, 6), noise=0.003)
    fit = fit_mixture(data, "paper", FitOptions(), domain_laws=domain_laws(CODE), tau=tau)
    scaled = mixdata.MixtureData(data.run_ids, data.train_domains, data.eval_domains, data.n * 1000, data.d * 1000,
                                 data.p, data.unique * 1000, data.loss)  # fmt: skip
    fit_k = fit_mixture(scaled, "paper", FitOptions(), domain_laws=domain_laws(CODE), tau=tau)
    np.testing.assert_allclose(fit_k.predict(Inputs.of(scaled))["(mixture)"],
                               fit.predict(Inputs.of(data))["(mixture)"], rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(fit_k.units["(mixture)"].theta, fit.units["(mixture)"].theta, rtol=1e-5, atol=1e-7)

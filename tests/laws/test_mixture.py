"""Mixture laws in the store: fitted, stored with their settings and flags, reloaded to the same predictions,
compared on the same folds, validated per domain; errors that say what to do."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mixture_fixtures import LANGS, code_store, dirichlet_mixtures

from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.laws import mixdata, store
from codescale.laws.compare import compare_laws
from codescale.laws.fitstore import load_fit
from codescale.laws.mixfit import FitOptions
from codescale.laws.mixlaws import Inputs, YeExpLaw
from codescale.laws.mixture import fit_and_store, fit_mixture, load
from codescale.laws.simulate import grid_plan, law_truth, simulate_plan, truth_from_fit
from codescale.laws.validate import validate_fit


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = code_store(tmp_path_factory.mktemp("mix") / "mix.duckdb", mixtures=8)
    yield c
    c.close()


@pytest.mark.parametrize("law", ["paper", "ye_exp", "joint_additive", "joint", "effective_data", "synergy_factor",
                                 "regression"])  # fmt: skip
def test_every_law_is_stored_with_its_settings_and_reloads_to_the_same_predictions(con, law):
    fit, stored = fit_and_store(con, law, "study = 'mix'", FitOptions(bootstrap=5), per_domain="mono")
    reloaded, again = load(con, stored.fit_id)
    data = mixdata.load(con, "study = 'mix'")
    first, second = fit.predict(Inputs.of(data)), reloaded.predict(Inputs.of(data))
    for target in first:
        np.testing.assert_allclose(second[target], first[target], rtol=1e-10)
    assert again.settings["law"] == law and again.settings["options"]["bootstrap"] == 5
    assert again.provenance["run_ids"] == data.run_ids
    if law != "regression":
        assert set(again.settings["bootstrap_converged"]) == set(fit.units)
        assert all(0 <= c <= 5 for c in again.settings["bootstrap_converged"].values())


def test_the_paper_law_stores_its_reference_scales_and_inputs(con):
    _, stored = fit_and_store(con, "paper", "study = 'mix'", FitOptions(), per_domain="mono")
    n = np.array([r[0] for r in con.execute("SELECT DISTINCT run_id, params_non_embedding FROM final_loss "
                                            "WHERE study = 'mix' ORDER BY run_id").fetchall()], dtype=object)  # fmt: skip
    assert stored.settings["n0"] > 0 and stored.settings["d0"] > 0 and len(n)
    assert set(stored.settings["domain_laws"]) == set(LANGS)
    assert stored.settings["per_domain_fits"] and stored.settings["synergy_fit"]
    assert "(mixture).gamma" in stored.params


def test_compare_ranks_every_law_on_the_same_folds_and_the_generating_form_wins(con):
    result = compare_laws(con, "study = 'mix'", laws=["paper", "effective_data", "synergy_factor"], folds=4,
                          per_domain="mono")  # fmt: skip
    ranked = {s.law: s for s in result.ranked()}
    assert result.winner == "synergy_factor"  # the simulator's truth has this form
    assert ranked["synergy_factor"].overall.mean_rel_err < ranked["paper"].overall.mean_rel_err
    assert all(s.overall.n_heldout == ranked["effective_data"].overall.n_heldout for s in result.ranked()
               if s.law != "paper")  # the same held-out runs for every per-domain law  # fmt: skip
    rows = con.execute("SELECT law, domain, n_heldout FROM validations WHERE validation_id = ? ORDER BY law, domain",
                       [result.comparison_id]).fetchall()  # fmt: skip
    assert {r[0] for r in rows} == {"paper", "effective_data", "synergy_factor"}
    assert ("synergy_factor", None, 96) in rows  # the overall row: 32 runs x 3 languages
    assert "winner: synergy_factor" in result.render()


def test_validate_law_refits_without_the_held_out_runs_and_stores_a_row_per_domain(con):
    _, stored = fit_and_store(con, "effective_data", "study = 'mix'", FitOptions(), per_domain="mono")
    result = validate_fit(con, stored.fit_id, holdout="params_non_embedding > 1e9")
    assert {r[0] for r in result.rows} == {
        r
        for (r,) in con.execute(
            "SELECT DISTINCT run_id FROM final_loss WHERE study = 'mix' AND params_non_embedding > 1e9"
        ).fetchall()
    }
    rows = con.execute("SELECT domain, n_heldout, mae, spearman FROM validations WHERE validation_id = ? "
                       "ORDER BY domain NULLS LAST", [result.validation_id]).fetchall()  # fmt: skip
    assert [r[0] for r in rows] == [*LANGS, None] and rows[-1][1] == 3 * rows[0][1]
    assert all(r[2] > 0 for r in rows)
    text = result.render()
    assert "refit 1: (shared).kappa=" in text and "Spearman" in text
    folds = validate_fit(con, stored.fit_id, folds=4)
    assert len({r[0] for r in folds.rows}) == len(stored.provenance["run_ids"])  # each run held out once
    assert len(folds.refitted) == 4


def test_ye_exp_says_when_it_cannot_extrapolate_to_a_held_out_scale(con):
    _, stored = fit_and_store(con, "ye_exp", "study = 'mix'", FitOptions(), per_domain="mono")
    with pytest.raises(CodescaleError, match="ye_exp cannot predict at N=2e"):  # 2 runs per mixture and size
        validate_fit(con, stored.fit_id, holdout="params_non_embedding > 1e9")


def test_losses_with_no_variation_are_an_error(tmp_path):
    domains = ["a", "b"]
    p = np.array(dirichlet_mixtures(domains, 12, 0, 1.0)[0:12])
    data = mixdata.MixtureData([f"r{i}" for i in range(12)], domains, domains, np.full(12, 1e8), np.full(12, 1e9),
                               np.array([[m["a"], m["b"]] for m in p]), np.full((12, 2), np.inf), np.full((12, 2), 3.0))  # fmt: skip
    for law in ("ye_exp", "joint_additive", "regression"):
        with pytest.raises(CodescaleError, match="same loss on a .*no variation"):
            fit_mixture(data, law)


def test_a_fit_the_data_do_not_pin_down_is_flagged_and_the_flag_is_stored(con):
    # 3 languages, 8 mixtures x 4 scales for 11 parameters per domain: C and gamma land on their bounds
    fit, stored = fit_and_store(con, "joint_additive", "study = 'mix'", FitOptions(bootstrap=10), per_domain="mono")
    assert stored.unidentified and all(":" in u for u in stored.unidentified)
    assert any("bound" in u or "outside its own" in u for u in stored.unidentified)
    assert load_fit(con, stored.fit_id).unidentified == stored.unidentified


def test_ye_exp_extrapolates_across_scales_through_per_mixture_scale_laws(tmp_path):
    domains = ["arxiv", "github"]
    law = YeExpLaw(domains, domains, domains, "github", (1e8, 1e10))
    params = {"arxiv": {"log_c": np.log(1.5), "log_k": -0.5, "t:arxiv": -2.0},
              "github": {"log_c": np.log(0.8), "log_k": -1.0, "t:arxiv": 1.5}}  # fmt: skip
    mixtures = dirichlet_mixtures(domains, 8, 0)
    # a truth whose mixture effect holds at every scale, times a Chinchilla-like factor in N and D
    con = store.connect(tmp_path / "nested.duckdb")
    simulate_plan(
        con, grid_plan("nested", [5e7, 1e8, 2e8, 4e8], [5e9, 1e10, 2e10], mixtures), law_truth(law, params), noise=0.001
    )
    con.execute("UPDATE evals SET loss = loss * (1 + 0.3 * ((SELECT params_non_embedding FROM runs r "
                "WHERE r.run_id = evals.run_id) / 1e8) ^ -0.3 + 0.2 * (tokens / 1e10) ^ -0.4)")  # fmt: skip
    data = mixdata.load(con, "true")
    small = data.subset(data.n < 4e8)
    fit = fit_mixture(small, "ye_exp")
    assert fit.nested is not None
    big = data.subset(data.n == 4e8)
    predicted = fit.predict(Inputs.of(big))
    for j, target in enumerate(big.eval_domains):
        rel = np.abs(predicted[target] - big.loss[:, j]) / big.loss[:, j]
        assert rel.max() < 0.01, target  # 2x beyond the largest fitted size


def test_fit_mixture_on_a_fresh_store_says_what_to_fit_first(tmp_path, capsys):
    db = tmp_path / "fresh.duckdb"
    store.connect(db).close()
    assert main(["fit", "mixture", "--law", "paper", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "empty selection" in err and "Traceback" not in err and "Catalog" not in err
    con = store.connect(db)
    simulate_plan(
        con,
        grid_plan("m", [1e8, 1e9], [1e10], [{"go": 1, "java": 1}]),
        law_truth(
            YeExpLaw(["go", "java"], ["go", "java"], ["go", "java"], "java", (1e8, 1e10)),
            {"go": {"log_c": 0.0, "log_k": 0.0, "t:go": -1.0}, "java": {"log_c": 0.0, "log_k": 0.0, "t:go": 1.0}},
        ),
    )
    con.close()
    assert main(["fit", "multilingual", "--model", "paper", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "needs per-domain laws and the store has none" in err and "Traceback" not in err


def test_simulate_generates_a_rehearsal_from_a_stored_fit(con, tmp_path, capsys):
    _, stored = fit_and_store(con, "synergy_factor", "study = 'mix'", FitOptions(), per_domain="mono")
    plan = grid_plan("rehearsal", [5e8], [5e10], dirichlet_mixtures(LANGS, 4, 9))
    (tmp_path / "plan.json").write_text(plan.to_json())
    db = str(tmp_path / "rehearsal.duckdb")
    # `--truth fit:ID` reads the fit from the --db store; here the truth file it amounts to goes to a new store
    (tmp_path / "truth.json").write_text(json.dumps(truth_from_fit(con, stored.fit_id)))
    assert main(["simulate", str(tmp_path / "plan.json"), "--truth", str(tmp_path / "truth.json"), "--noise", "0",
                 "--db", db]) == 0  # fmt: skip
    assert "simulated 4 runs: 12 validation losses" in capsys.readouterr().out
    fit, _ = load(con, stored.fit_id)
    rehearsal = store.connect(db, read_only=True)
    data = mixdata.load(rehearsal, "true")
    rehearsal.close()
    predicted = fit.predict(Inputs.of(data))
    for j, target in enumerate(data.eval_domains):
        np.testing.assert_allclose(data.loss[:, j], predicted[target], rtol=1e-9)

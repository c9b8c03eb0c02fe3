"""Multilingual laws: the paper's Eqs. 6-7 and the alternatives, fitted, stored, reloaded and compared."""

from __future__ import annotations

import numpy as np
import pytest

from codescale.core.errors import CodescaleError
from codescale.laws import presets, store
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups, load_fit
from codescale.laws.multilingual import compare_models, fit_and_store, law_from_fit, load_runs
from codescale.laws.simulate import grid_plan, simulate_plan
from codescale.laws.synergy import fit_synergy

LANGS = ["go", "java", "python"]


def build_store(path):
    """Monolingual grid + synergy pairs + random mixtures for three languages, with the fits they need."""
    con = store.connect(path)
    truth = presets.paper_truth()
    simulate_plan(con, grid_plan("mono", [1e8, 3e8, 1e9, 3e9], [2e9, 8e9, 32e9, 128e9], [{x: 1} for x in LANGS]),
                  truth, noise=0.002)  # fmt: skip
    pairs = [{a: 1, b: 1} for i, a in enumerate(LANGS) for b in LANGS[i + 1 :]]
    simulate_plan(con, grid_plan("syn", [1.1e9], [128e9], pairs + [{x: 1} for x in LANGS]), truth, noise=0.0)
    rng = np.random.default_rng(0)
    mixes = [dict(zip(LANGS, rng.dirichlet(np.ones(3)).tolist())) for _ in range(6)]
    simulate_plan(con, grid_plan("mix", [3e8, 2e9], [2e10, 1e11], mixes), truth, noise=0.002)
    fit_groups(con, kind="chinchilla", view="final_loss", where="study = 'mono'", group_expr="language",
               group_key="language", label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
               d_expr="tokens", settings=FitSettings(units="billions", grid="coarse", bootstrap=20), batch="mono",
               extra_settings={})  # fmt: skip
    fit_synergy(con, "study = 'syn'")
    return con


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = build_store(tmp_path_factory.mktemp("ml") / "ml.duckdb")
    yield c
    c.close()


def test_mixture_runs_carry_proportions_and_per_language_losses(con):
    runs = load_runs(con, "study = 'mix'", LANGS)
    assert len(runs.run_ids) == 24
    np.testing.assert_allclose(runs.p.sum(axis=1), 1.0)
    assert np.all(np.isfinite(runs.loss))


@pytest.mark.parametrize("model", ["paper", "effective_data", "synergy_factor"])
def test_each_model_is_stored_and_reloads_to_the_same_predictions(con, model):
    stored = fit_and_store(con, model, "study = 'mix'", "mono", None)
    law = law_from_fit(load_fit(con, stored.fit_id))
    runs = load_runs(con, "study = 'mix'", LANGS)
    predicted = law.predict_mixture(runs.n, runs.d, runs.p)
    np.testing.assert_allclose(predicted, [p for _, _, _, p in stored.predictions], rtol=1e-12)
    assert stored.settings["transfer_sum"] == "ordered pairs i != j"
    assert "python.A" in stored.samples  # per-language bootstrap draws travel with the law


def test_the_generating_model_wins_the_held_out_comparison(con):
    result = compare_models(con, "study = 'mix'", "mono", None, holdout=None, folds=4)
    rows = {r["model"]: r for r in result.rows}
    assert result.winner == "synergy_factor"  # the simulator's truth has this form
    # kappa = 1 in the truth; the fitted per-language laws' own errors move it a little
    assert rows["synergy_factor"]["shared"]["kappa"] == pytest.approx(1.0, abs=0.2)
    assert rows["synergy_factor"]["mean_rel"] < rows["paper"]["mean_rel"]
    assert "winner: synergy_factor" in result.render()


def test_a_mixture_language_without_a_law_is_an_error(con):
    truth = presets.paper_truth()
    simulate_plan(con, grid_plan("rusty", [1e9], [1e10], [{"rust": 1, "go": 1}]), truth)
    with pytest.raises(CodescaleError, match="rust, which has no per-language fit"):
        fit_and_store(con, "paper", "study = 'rusty'", "mono", None)
    with pytest.raises(CodescaleError, match="unknown multilingual model"):
        fit_and_store(con, "magic", "study = 'mix'", "mono", None)

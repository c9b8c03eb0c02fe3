"""Synergy matrix: the paper's sign convention, seed uncertainty, storage."""

from __future__ import annotations

import pytest

from codescale.core.errors import CodescaleError
from codescale.laws import presets, store
from codescale.laws.fitstore import load_fit
from codescale.laws.simulate import grid_plan, simulate_plan
from codescale.laws.synergy import fit_synergy, transfer_matrix

MIXES = [{"java": 1, "csharp": 1}, {"python": 1, "go": 1}, {"java": 1}, {"csharp": 1}, {"python": 1}, {"go": 1}]


@pytest.fixture
def con(tmp_path):
    c = store.connect(tmp_path / "syn.duckdb")
    yield c
    c.close()


def test_positive_means_mixing_helps_and_matches_table_1(con):
    simulate_plan(con, grid_plan("syn", [1.1e9], [128e9], MIXES), presets.paper_truth(), noise=0.0)
    (fit,) = fit_synergy(con)
    assert fit.params["rel_gain:java:csharp"] == pytest.approx(0.2058, abs=1e-9)
    assert fit.params["delta:java:csharp"] > 0
    assert fit.params["rel_gain:python:go"] == pytest.approx(-0.0213, abs=1e-9)  # go hurts python
    assert any("single seed" in w for w in fit.warnings)
    assert transfer_matrix(load_fit(con, fit.fit_id))["go"]["python"] == pytest.approx(0.0477, abs=1e-9)


def test_repeated_seeds_give_intervals_around_the_mean(con):
    simulate_plan(con, grid_plan("syn", [1.1e9], [128e9], MIXES, seeds=(0, 1, 2, 3)), presets.paper_truth(),
                  noise=0.01)  # fmt: skip
    (fit,) = fit_synergy(con)
    lo, hi = fit.intervals["rel_gain:java:csharp"]
    assert lo < fit.params["rel_gain:java:csharp"] < hi
    assert lo < 0.2058 < hi
    assert fit.params["rel_gain_se:java:csharp"] > 0
    assert not any("single seed" in w for w in fit.warnings)


def test_no_pairs_is_an_error(con):
    simulate_plan(con, grid_plan("mono", [1e8, 2e8], [2e9], [{"go": 1}]), presets.paper_truth())
    with pytest.raises(CodescaleError, match="empty selection"):
        fit_synergy(con)

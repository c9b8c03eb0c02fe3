"""Simulated results: rows in the store, Table 1 reproduced, and a fit that recovers the truth."""

from __future__ import annotations

import json

import numpy as np
import pytest

from codescale.core.errors import CodescaleError
from codescale.laws import presets, store
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups
from codescale.laws.simulate import grid_plan, load_plan, mixture_loss, simulate_plan

SIZES = [1e8, 2e8, 4e8, 6e8, 1.1e9, 1.6e9, 2.4e9, 3.1e9]
BUDGETS = [2e9, 4e9, 8e9, 16e9, 32e9, 64e9]


@pytest.fixture
def con(tmp_path):
    c = store.connect(tmp_path / "sim.duckdb")
    yield c
    c.close()


def test_every_plan_run_lands_with_its_final_losses(con):
    plan = grid_plan("mono", SIZES[:2], BUDGETS[:3], [{"python": 1}, {"go": 1}])
    report = simulate_plan(con, plan, presets.paper_truth(), noise=0.0)
    assert report.runs == 12 and report.valid_rows == 12
    rows = con.execute("SELECT source, status, count(*) FROM runs GROUP BY ALL").fetchall()
    assert rows == [("simulate", "completed", 12)]
    n, d, loss = con.execute(
        "SELECT params_non_embedding, tokens, loss FROM final_loss WHERE language = 'go' ORDER BY loss LIMIT 1"
    ).fetchone()
    law = presets.paper_truth()["languages"]["go"]
    assert loss == pytest.approx(
        law["E"] + law["A"] * (n / 1e9) ** -law["alpha"] + law["B"] * (d / 1e9) ** -law["beta"]
    )


def test_simulating_again_replaces_the_runs(con):
    plan = grid_plan("mono", SIZES[:2], BUDGETS[:2], [{"java": 1}])
    simulate_plan(con, plan, presets.paper_truth(), noise=0.01, seed=1)
    first = con.execute("SELECT sum(loss) FROM evals").fetchone()[0]
    simulate_plan(con, plan, presets.paper_truth(), noise=0.01, seed=1)
    assert con.execute("SELECT count(*), sum(loss) FROM evals").fetchone() == (4, pytest.approx(first))


def test_the_paper_preset_reproduces_table_1(con):
    pairs = [{"java": 1, "csharp": 1}, {"python": 1, "java": 1}, {"java": 1}, {"python": 1}, {"csharp": 1}]
    plan = grid_plan("syn", [1.1e9], [128e9], pairs)
    simulate_plan(con, plan, presets.paper_truth(), noise=0.0)
    gains = dict(((t, a), g) for t, a, g in con.execute("SELECT target, aux, rel_gain FROM synergy_pairs").fetchall())
    assert gains[("java", "csharp")] == pytest.approx(0.2058, abs=1e-9)
    assert gains[("python", "java")] == pytest.approx(0.0136, abs=1e-9)
    assert gains[("java", "python")] == pytest.approx(0.0602, abs=1e-9)
    assert gains[("csharp", "java")] == pytest.approx(0.0193, abs=1e-9)


def test_a_fit_on_simulated_runs_recovers_the_truth_within_its_intervals(con):
    plan = grid_plan("mono", SIZES, BUDGETS, [{"rust": 1}, {"csharp": 1}])
    simulate_plan(con, plan, presets.paper_truth(), noise=0.005, seed=3)
    fits = fit_groups(
        con, kind="chinchilla", view="final_loss", where="true", group_expr="language", group_key="language",
        label_expr="language", n_expr=N_COLUMNS["params_non_embedding"], d_expr="tokens",
        settings=FitSettings(units="billions", grid="coarse", bootstrap=100), batch="t", extra_settings={},
    )  # fmt: skip
    truth = presets.paper_truth()["languages"]
    for fit in fits:
        for name in ("A", "B", "E", "alpha", "beta"):
            lo, hi = fit.intervals[name]
            assert lo <= truth[fit.group_value][name] <= hi, (fit.group_value, name, lo, hi)


def test_mixture_truth_needs_the_language_in_the_mixture():
    truth = presets.paper_truth()
    with pytest.raises(ValueError):
        mixture_loss(truth, "go", 1.0, 10.0, {"python": 1.0})
    solo = mixture_loss(truth, "go", 1.0, 10.0, {"go": 1.0})
    mixed = mixture_loss(truth, "go", 1.0, 20.0, {"go": 0.5, "python": 0.5})
    assert mixed < solo  # python helps go in Table 1


def test_plan_and_truth_files_are_checked(tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps({"format": "codescale.plan/9", "runs": []}))
    with pytest.raises(CodescaleError, match="a version this codescale cannot read"):
        load_plan(bad)
    truth = presets.paper_truth()
    truth["languages"]["???"] = truth["languages"]["go"]
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(truth))
    with pytest.raises(CodescaleError, match="'\\?\\?\\?' is not a usable domain name"):
        presets.load_truth(str(path))
    path.write_text(
        json.dumps(
            {
                "format": "codescale.truth/1",
                "mixture_law": {
                    "law": "ye_exp",
                    "settings": {
                        "train_domains": ["a", "b"],
                        "eval_domains": ["a"],
                        "active": ["a", "b"],
                        "reference": "b",
                        "scale": [1e8, 1e9],
                    },
                    "params": {"a": {"log_c": 0.0, "log_k": 0.0}},
                },
            }
        )
    )
    with pytest.raises(CodescaleError, match=r"mixture_law.params.a lacks t:a"):
        presets.load_truth(str(path))
    with pytest.raises(CodescaleError, match="noise"):
        simulate_plan(None, grid_plan("x", [1e8], [1e9], [{"go": 1}]), presets.paper_truth(), noise=float("nan"))


def test_paper_preset_keeps_losses_in_the_papers_range():
    truth = presets.paper_truth()
    for law in truth["languages"].values():
        small = presets.mono_loss(law, 0.1, 2.0)
        large = presets.mono_loss(law, 3.1, 64.0)
        assert small == pytest.approx(law["E"] + 1.0)
        assert law["E"] < large < small
        assert np.isfinite(large)

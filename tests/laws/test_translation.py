"""Translation laws by setting: the paper's Eqs. 3-5 recovered from simulated runs."""

from __future__ import annotations

import pytest

from codescale.laws import presets, store
from codescale.laws.fit import FitSettings
from codescale.laws.simulate import grid_plan, simulate_plan
from codescale.laws.translation import fit_translation_laws

LANGS = {"python": 1, "java": 1, "go": 1}
DIRECTIONS = [("python", "java", True), ("java", "python", True), ("java", "go", False), ("go", "java", False)]
SIZES = [2e8, 5e8, 1.5e9, 3e9, 7e9]


@pytest.fixture
def con(tmp_path):
    c = store.connect(tmp_path / "tr.duckdb")
    yield c
    c.close()


def test_seen_and_unseen_laws_are_recovered_per_setting(con):
    truth = presets.paper_truth()
    for mode in ("none", "parallel"):
        plan = grid_plan(f"pair-{mode}", SIZES, [1e11, 3e11, 9e11], [LANGS], translation=DIRECTIONS, pairing_mode=mode)
        simulate_plan(con, plan, truth, noise=0.0)
    fits = {f.group_value: f for f in fit_translation_laws(con, settings=FitSettings(units="billions", grid="coarse"))}
    assert set(fits) == {"none/seen", "none/unseen", "parallel/seen", "parallel/unseen"}
    for group, law in (("parallel/unseen", "parallel_unseen"), ("parallel/seen", "parallel_seen"),
                       ("none/unseen", "shuffled")):  # fmt: skip
        for name in ("A", "alpha", "E", "B", "beta"):
            assert fits[group].params[name] == pytest.approx(truth["translation"][law][name], rel=1e-3), (group, name)


def test_one_token_budget_falls_back_to_the_n_only_law_with_a_warning(con):
    plan = grid_plan("pair", SIZES, [9e11], [LANGS], translation=DIRECTIONS, pairing_mode="parallel")
    simulate_plan(con, plan, presets.paper_truth(), noise=0.0)
    fits = fit_translation_laws(con, settings=FitSettings(units="billions", grid="coarse"))
    assert {f.form for f in fits} == {"n_only"}
    assert all("cannot be fitted" in f.warnings[0] for f in fits)
    assert all("B" not in f.params for f in fits)


def test_the_papers_pairing_study_identifies_the_d_term_of_every_translation_law(con):
    from pathlib import Path

    from codescale.compiler.plan import plan_spec

    spec = Path(__file__).resolve().parents[2] / "specs/paper/pairing.yaml"
    plan = plan_spec(spec).to_file()
    assert len({(r.model.size_label, r.training.tokens) for r in plan.runs}) == 15  # 5 sizes x 3 budgets
    truth = presets.paper_truth()
    simulate_plan(con, plan, truth, noise=0.0)
    fits = {f.group_value: f for f in fit_translation_laws(con, settings=FitSettings(units="billions", grid="coarse"))}
    assert {"none/unseen", "parallel/seen", "parallel/unseen"} <= set(fits)
    for group, law in (("parallel/unseen", "parallel_unseen"), ("parallel/seen", "parallel_seen"),
                       ("none/unseen", "shuffled")):  # fmt: skip
        assert fits[group].form != "n_only" and not fits[group].warnings, group
        assert fits[group].params["beta"] == pytest.approx(truth["translation"][law]["beta"], rel=1e-3), group

"""validate-law: refit without held-out runs, report extrapolation error, store the result."""

from __future__ import annotations

import pytest

from codescale.core.errors import CodescaleError
from codescale.laws import presets, store
from codescale.laws.fit import FitSettings
from codescale.laws.fitstore import N_COLUMNS, fit_groups, load_fit
from codescale.laws.simulate import grid_plan, simulate_plan
from codescale.laws.validate import validate_fit

SIZES = [1e8, 2e8, 4e8, 8e8, 1.6e9, 3.2e9]
BUDGETS = [2e9, 8e9, 32e9, 128e9]


@pytest.fixture(scope="module")
def con_fit(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("val") / "v.duckdb")
    plan = grid_plan("mono", SIZES, BUDGETS, [{"java": 1}])
    simulate_plan(con, plan, presets.paper_truth(), noise=0.002)
    (fit,) = fit_groups(con, kind="chinchilla", view="final_loss", where="true", group_expr="language",
                        group_key="language", label_expr="language", n_expr=N_COLUMNS["params_non_embedding"],
                        d_expr="tokens", settings=FitSettings(units="billions", grid="coarse"), batch="b",
                        extra_settings={})  # fmt: skip
    yield con, fit.fit_id
    con.close()


def test_default_holds_out_the_largest_compute_runs(con_fit):
    con, fit_id = con_fit
    result = validate_fit(con, fit_id)
    assert len(result.rows) == 5  # 20% of 24 runs
    compute = dict(con.execute("SELECT run_id, params_non_embedding::DOUBLE * tokens FROM final_loss").fetchall())
    computes = sorted((n * d for n in SIZES for d in BUDGETS), reverse=True)
    assert sorted((compute[r[0]] for r in result.rows), reverse=True) == pytest.approx(computes[:5], rel=1e-9)
    assert result.relative.max() < 0.02  # extrapolates within 2% on near-noise-free data
    stored = load_fit(con, result.validation_id)
    assert stored.kind == "validation" and stored.settings["validated_fit"] == fit_id
    assert stored.params["max_rel"] == pytest.approx(result.relative.max())


def test_holdout_predicate_selects_the_runs(con_fit):
    con, fit_id = con_fit
    result = validate_fit(con, fit_id, holdout="params_non_embedding > 3e9")
    assert len(result.rows) == 4
    assert "MAE" in result.render()


def test_a_holdout_of_everything_is_an_error(con_fit):
    con, fit_id = con_fit
    with pytest.raises(CodescaleError, match="some runs out and some in"):
        validate_fit(con, fit_id, holdout="true")
    with pytest.raises(CodescaleError, match="--holdout"):
        validate_fit(con, fit_id, holdout="no_such_column > 1")


def test_a_law_of_runs_without_a_language_validates(tmp_path):
    # imports without a language column fit as one group whose language is NULL; "= 'None'" used to select nothing
    from codescale.laws.importer import import_table

    source = tmp_path / "chinchilla.csv"
    rows = [f"{n:.0f},{d:.0f},{1.8 + 400 * n**-0.34 + 2000 * d**-0.37:.5f}" for n in SIZES for d in BUDGETS]
    source.write_text("N,D,loss\n" + "\n".join(rows) + "\n")
    con = store.connect(tmp_path / "nolang.duckdb")
    import_table(con, source)
    (fit,) = fit_groups(con, kind="chinchilla", view="final_loss", where="true", group_expr="language",
                        group_key="language", label_expr="coalesce(language, '(all)')",
                        n_expr=N_COLUMNS["params_non_embedding"], d_expr="tokens", settings=FitSettings(grid="coarse"),
                        batch="b", extra_settings={})  # fmt: skip
    assert fit.group_value is None and "IS NULL" in fit.provenance["selection_where"]
    result = validate_fit(con, fit.fit_id)
    assert len(result.rows) == 5 and result.relative.max() < 0.02
    con.close()

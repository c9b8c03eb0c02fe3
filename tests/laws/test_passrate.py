"""The pass@1-vs-loss law: the logistic fit, its warnings, and `codescale fit pass-rate` / `report` on a store."""

from __future__ import annotations

import numpy as np
import pytest
from generation_fixtures import write_result
from store_fixtures import make_run_dir

from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.laws import store
from codescale.laws.ingest import ingest_run_dirs
from codescale.laws.passrate import fit_logistic, logistic


def test_the_logistic_is_recovered_from_noise_free_points():
    loss = np.linspace(1.0, 3.0, 9)
    score = logistic(loss, 0.8, 3.0, 2.0)
    fit = fit_logistic(loss, score)
    assert fit.params == pytest.approx({"c": 0.8, "s": 3.0, "L0": 2.0}, rel=1e-4)
    assert fit.converged and fit.warnings == []
    fixed = fit_logistic(loss, logistic(loss, 1.0, 2.0, 1.5), ceiling=1.0, bootstrap=20)
    assert fixed.params["c"] == 1.0 and fixed.params["s"] == pytest.approx(2.0, rel=1e-4)
    assert set(fixed.intervals) == {"s", "L0"}


def test_all_zero_pass_rates_fit_with_a_warning_and_too_few_points_are_refused():
    fit = fit_logistic(np.array([5.0, 5.5, 6.0, 6.2]), np.zeros(4))
    assert any("not identified" in w for w in fit.warnings)
    with pytest.raises(CodescaleError, match="cannot determine a 3-parameter logistic"):
        fit_logistic(np.array([5.0, 6.0]), np.array([0.1, 0.0]))


def _store_with_evaluations(tmp_path):
    for i, loss in enumerate([1.4, 1.8, 2.2, 2.6, 3.0]):
        run_dir = make_run_dir(tmp_path, f"r-{i}", languages=("python",), final_valid_loss={"python": loss})
        write_result(run_dir, f"r-{i}", 100, {"python": float(logistic(loss, 0.9, 4.0, 2.2))})
    db = tmp_path / "codescale.duckdb"
    ingest_run_dirs(db, [tmp_path / "runs"])
    return db


def test_fit_pass_rate_stores_a_logistic_per_language_and_report_draws_it(tmp_path, capsys):
    db = _store_with_evaluations(tmp_path)
    assert main(["fit", "pass-rate", "--db", str(db), "--suite", "builtin"]) == 0
    printed = capsys.readouterr().out
    assert "language=python" in printed and "L0" in printed
    con = store.connect(db)
    ((kind, value),) = con.execute(
        "SELECT f.kind, p.value FROM fits f JOIN fit_params p USING (fit_id) WHERE p.name = 'L0'"
    ).fetchall()
    con.close()
    assert kind == "pass_rate" and value == pytest.approx(2.2, rel=1e-3)
    assert main(["report", "--db", str(db), "-o", str(tmp_path / "report")]) == 0
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert "## pass@1 vs validation loss" in summary and (tmp_path / "report" / "pass_vs_loss.png").stat().st_size > 0


def test_fit_pass_rate_without_evaluations_names_the_fix(tmp_path, capsys):
    make_run_dir(tmp_path, "r-0", languages=("python",))
    db = tmp_path / "codescale.duckdb"
    ingest_run_dirs(db, [tmp_path / "runs"])
    assert main(["fit", "pass-rate", "--db", str(db)]) == 2
    assert "codescale eval" in capsys.readouterr().err

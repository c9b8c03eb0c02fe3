"""report: PNG figures and a Markdown summary that links them."""

from __future__ import annotations

import sys
from pathlib import Path

from codescale.laws.multilingual import compare_models, fit_and_store
from codescale.laws.report import write_report

sys.path.insert(0, str(Path(__file__).parent))
from test_multilingual import build_store  # noqa: E402


def test_report_writes_every_figure_and_links_it(tmp_path):
    con = build_store(tmp_path / "r.duckdb")
    fit_and_store(con, "synergy_factor", "study = 'mix'", "mono", None)
    compare_models(con, "study = 'mix'", "mono", None, holdout="params_non_embedding > 1e9")
    summary = write_report(con, tmp_path / "report")
    text = summary.read_text()
    for png in ("loss_vs_n.png", "loss_vs_d.png", "synergy.png", "allocation.png", "predicted_vs_actual.png"):
        path = tmp_path / "report" / png
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
        assert f"]({png})" in text
    assert "winner: **" in text and "chinchilla-python-" in text
    con.close()


def test_an_empty_store_gives_a_summary_that_says_what_to_run(tmp_path):
    from codescale.laws import store

    con = store.connect(tmp_path / "empty.duckdb")
    text = write_report(con, tmp_path / "r").read_text()
    assert "codescale fit chinchilla" in text
    con.close()

"""report: PNG figures, a Markdown summary that links them, and one HTML page that embeds them."""

from __future__ import annotations

import sys
from pathlib import Path

from codescale.laws.compare import compare_laws
from codescale.laws.mixfit import FitOptions
from codescale.laws.mixture import fit_and_store
from codescale.laws.report import write_report
from codescale.laws.validate import validate_fit

sys.path.insert(0, str(Path(__file__).parent))
from mixture_fixtures import code_store  # noqa: E402


def test_report_writes_every_figure_and_links_it(tmp_path):
    con = code_store(tmp_path / "r.duckdb")
    compare_laws(con, "study = 'mix'", laws=["paper", "synergy_factor"], per_domain="mono",
                 holdout="params_non_embedding > 1e9")  # fmt: skip
    _, stored = fit_and_store(con, "synergy_factor", "study = 'mix'", FitOptions(bootstrap=10), per_domain="mono")
    validate_fit(con, stored.fit_id, folds=3)
    summary = write_report(con, tmp_path / "report")
    text = summary.read_text()
    for png in (
        "loss_vs_n.png",
        "loss_vs_d.png",
        "loss_vs_compute.png",
        "synergy.png",
        "mixture_laws.png",
        "allocation.png",
        "predicted_vs_actual.png",
    ):
        path = tmp_path / "report" / png
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
        assert f"]({png})" in text
    assert "winner: **" in text and "chinchilla-python-" in text
    assert "## Newest mixture law" in text and "identified: yes" in text
    assert "Per domain, `validation-" in text and "| go |" in text
    assert text.index("## The paper's directions") < text.index("## Per-language laws")
    con.close()


def test_the_html_page_embeds_every_figure_the_summary_links(tmp_path):
    import re

    con = code_store(tmp_path / "r.duckdb")
    compare_laws(con, "study = 'mix'", laws=["paper", "synergy_factor"], per_domain="mono",
                 holdout="params_non_embedding > 1e9")  # fmt: skip
    summary = write_report(con, tmp_path / "report")
    linked = re.findall(r"\]\(([a-z_]+\.png)\)", summary.read_text())
    page = (tmp_path / "report" / "report.html").read_text()
    assert linked and page.count('src="data:image/png;base64,') == len(linked)
    assert "<table>" in page and "<h2>The paper&#x27;s directions in this study</h2>" not in page
    assert "<h2>The paper's directions in this study</h2>" in page
    con.close()


def test_the_report_shows_an_unidentified_fit_and_why(tmp_path):
    con = code_store(tmp_path / "u.duckdb")
    _, stored = fit_and_store(con, "joint_additive", "study = 'mix'", FitOptions(bootstrap=6), per_domain="mono")
    assert stored.unidentified
    text = write_report(con, tmp_path / "report").read_text()
    assert "identified: **no**: " + stored.unidentified[0] in text
    con.close()


def test_an_empty_store_gives_a_summary_that_says_what_to_run(tmp_path):
    from codescale.laws import store

    con = store.connect(tmp_path / "empty.duckdb")
    text = write_report(con, tmp_path / "r").read_text()
    assert "codescale fit chinchilla" in text
    con.close()

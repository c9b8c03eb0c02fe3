"""`codescale demo --quick`: the whole loop for real (generator, tokenizer, shards, compiler, torchtitan runs through
the local executor, DuckDB, fits, allocation, the closing-the-loop runs, pass@1 and the reference check, report), then
a rerun that reuses everything.

This is the CI-sized version of the README's main line: 30 tiny runs of 20-176 steps (a few minutes on 2 cores).
The assertions are the claims the quick design shows whatever the seed and the machine's load: the structure of what
it writes, losses falling with size and data, the allocation check with intervals on both sides, the report with its
directions table and embedded figures, and the rerun being a no-op. Which paper directions the quick study
reproduces is reported (the directions table), not asserted: at this scale they are within noise.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MAIN_RUNS = 30  # per_language 18, synergy 6, pairing 2, mixtures 4
LOOP_RUNS = 4  # the allocation and the uniform mixture, 2 seeds each
VERDICTS = ("reproduced", "not reproduced", "not testable at this scale")


def _demo(out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "demo", "--quick", "--out", str(out), "--timeout", "1500"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=1800,
    )


def _starts(out: Path) -> dict[str, int]:
    return {p.parent.name: len(json.loads(p.read_text())["starts"]) for p in out.glob("plans/*/runs/*/status.json")}


def _query(out: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(out / "codescale.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "work"
    first = _demo(out)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    return out, first


def test_every_planned_run_trained_and_landed_in_the_database(demo):
    out, _ = demo
    planned = {run["run_id"] for plan in out.glob("plans/*/plan.json") for run in json.loads(plan.read_text())["runs"]}
    assert len(planned) == MAIN_RUNS + LOOP_RUNS
    stored = dict(_query(out, "SELECT run_id, status FROM runs"))
    finals = _query(out, "SELECT count(DISTINCT run_id) FROM final_loss WHERE loss IS NOT NULL")[0][0]
    assert set(stored) == planned
    assert set(stored.values()) == {"completed"}
    assert finals == len(planned)


def test_the_corpus_is_built_for_small_steps(demo):
    out, _ = demo
    manifest = json.loads((out / "prepared" / "manifest.json").read_text())
    assert manifest["tokenizer"]["vocab_size"] == 1024
    assert _query(out, "SELECT DISTINCT seq_len, global_batch_tokens FROM runs") == [(1024, 1024)]
    # held-out parallel programs of the training distribution are the translation set, in every direction
    assert len(manifest["translation"]) == 42
    assert all("translation_eval" in facts["source"] for facts in manifest["translation"].values())


def test_losses_fall_with_model_size_and_with_data(demo):
    out, _ = demo
    rows = _query(
        out, "SELECT language, params_non_embedding, tokens, loss FROM final_loss WHERE study = 'demo_per_language'"
    )
    grid: dict[str, dict[tuple[int, int], float]] = {}
    for lang, n, d, loss in rows:
        grid.setdefault(lang, {})[(n, d)] = loss
    assert set(grid) == {"python", "java"}
    for lang, points in grid.items():
        sizes = sorted({n for n, _ in points})
        budgets = sorted({d for _, d in points})
        assert len(sizes) == 3 and len(budgets) == 3
        for n in sizes:
            assert points[(n, budgets[-1])] < points[(n, budgets[0])], (lang, n)
        assert points[(sizes[-1], budgets[-1])] < points[(sizes[0], budgets[-1])], lang


def test_per_language_laws_converge_and_synergy_has_intervals_from_two_seeds(demo):
    out, _ = demo
    laws = _query(out, "SELECT group_value, converged FROM fits WHERE kind = 'chinchilla'")
    assert sorted(set(laws)) == [("java", True), ("python", True)]
    from codescale.laws.fitstore import latest_fit, load_fit

    with duckdb.connect(str(out / "codescale.duckdb")) as con:
        fit_id = latest_fit(con, "synergy")
        assert fit_id is not None
        fit = load_fit(con, fit_id)
    params, intervals = fit.params, fit.intervals
    cells = {k: v for k, v in params.items() if k.startswith("rel_gain:")}
    assert set(cells) == {"rel_gain:python:java", "rel_gain:java:python"}
    for key in cells:
        low, high = intervals[key]
        assert low < cells[key] < high  # two mix seeds against two self seeds: a Welch interval in every cell
    self_runs = _query(
        out,
        "SELECT language, count(*), min(unique_tokens), max(unique_tokens) FROM run_languages "
        "JOIN runs USING (run_id) WHERE study = 'demo_synergy' AND len(languages) = 1 GROUP BY 1",
    )
    mix_pools = _query(
        out,
        "SELECT min(unique_tokens), max(unique_tokens) FROM run_languages JOIN runs USING (run_id) "
        "WHERE study = 'demo_synergy' AND len(languages) = 2",
    )[0]
    for _, seeds, lo, hi in self_runs:
        assert seeds == 2 and lo == hi == mix_pools[0] == mix_pools[1]  # the same pool: 16 passes against 8


def test_pairing_is_measured_on_seen_and_unseen_directions_against_shuffled(demo):
    out, _ = demo
    rows = _query(
        out,
        """
        WITH seen AS (SELECT DISTINCT direction FROM translation_final WHERE study = 'demo_pairing' AND seen)
        SELECT DISTINCT coalesce(pairing_template, 'shuffled'), direction IN (SELECT direction FROM seen)
        FROM translation_final WHERE study = 'demo_pairing'""",
    )
    assert {("shuffled", True), ("shuffled", False), ("direct", True), ("direct", False)} == set(rows)


def test_the_allocation_is_trained_against_uniform_and_checked_in_sql(demo):
    out, first = demo
    rows = _query(
        out,
        "SELECT n_allocated, n_uniform, predicted_gain, predicted_low, predicted_high, realised_gain, "
        "realised_low, realised_high, loss_allocated, loss_uniform FROM allocation_check",
    )
    assert len(rows) == 1
    n_alloc, n_uniform, pred, pred_lo, pred_hi, real, real_lo, real_hi, loss_alloc, loss_uniform = rows[0]
    assert (n_alloc, n_uniform) == (2, 2)
    assert pred_lo <= pred <= pred_hi
    assert real_lo < real < real_hi
    assert math.isclose(real, loss_uniform - loss_alloc)
    assert "Closing the loop (allocation_check, 2 + 2 runs trained)" in first.stdout
    spec = out / "next" / "allocation_spec.yaml"
    check = subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "validate", str(spec)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_pass_at_1_of_the_largest_models_and_the_reference_check(demo):
    out, first = demo
    from codescale.titan_runner.evals.harness import toolchain_problem

    scores = dict(_query(out, "SELECT language, value FROM generation_evals WHERE metric = 'pass@k' AND k = 1"))
    runnable = {lang for lang in ("python", "java") if not toolchain_problem(lang)}
    assert set(scores) == runnable
    assert all(0.0 <= v <= 1.0 for v in scores.values())
    check = json.loads((out / "evals" / "reference_check.json").read_text())
    for lang in runnable:
        assert check["by_language"][lang] == {"passed": 22, "total": 22}, check["failures"]
    assert "near zero is expected at this scale" in first.stdout


def test_the_report_has_the_directions_table_and_one_self_contained_html_page(demo):
    out, first = demo
    report = out / "report"
    summary = (report / "summary.md").read_text()
    linked = re.findall(r"\]\(([a-z_]+\.png)\)", summary)
    for png in (
        "loss_vs_n.png",
        "loss_vs_d.png",
        "loss_vs_compute.png",
        "synergy.png",
        "pairing.png",
        "mixture_laws.png",
        "allocation_check.png",
    ):
        assert png in linked
    assert all((report / png).stat().st_size > 5_000 for png in linked)
    table = summary[summary.index("## The paper's directions") : summary.index("## Per-language laws")]
    verdicts = [
        line.split(" | ")[2].strip("* ")
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| paper's finding")
    ]
    assert len(verdicts) == 10
    assert all(v.startswith(VERDICTS) for v in verdicts)
    html = (report / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(linked)
    assert 'src="' + linked[0] not in html  # nothing points at a file next to the page
    for heading in (
        "Per-language law",
        "Synergy",
        "Pairing effect",
        "Recommended allocation",
        "paper's directions",
        "Try:",
    ):
        assert heading in first.stdout


def test_a_second_demo_reuses_everything(demo):
    out, _ = demo
    starts = _starts(out)
    manifest = (out / "prepared" / "manifest.json").stat().st_mtime_ns
    allocations = _query(out, "SELECT allocation_id FROM allocations")
    second = _demo(out)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert f"{MAIN_RUNS} runs skipped" in second.stderr  # progress is logged; stdout holds the summary
    assert f"{LOOP_RUNS} runs skipped" in second.stderr
    assert _starts(out) == starts  # no run was started again
    assert (out / "prepared" / "manifest.json").stat().st_mtime_ns == manifest
    assert f"0 runs added, 0 replaced, {MAIN_RUNS} unchanged" in second.stderr
    assert f"0 runs added, 0 replaced, {LOOP_RUNS} unchanged" in second.stderr
    assert _query(out, "SELECT allocation_id FROM allocations") == allocations

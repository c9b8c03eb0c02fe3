"""`codescale demo --quick`: the whole loop for real (generator, tokenizer, shards, compiler, torchtitan runs through
the local executor, DuckDB, fits, allocation, report), then a rerun that reuses everything.

This is the CI-sized version of the README's main line: 23 tiny runs of 5-20 steps (a few minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _demo(out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "demo", "--quick", "--out", str(out), "--timeout", "1500"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=1800,
    )


def _starts(out: Path) -> dict[str, int]:
    return {p.parent.name: len(json.loads(p.read_text())["starts"]) for p in out.glob("plans/*/runs/*/status.json")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "work"
    first = _demo(out)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    return out, first


def test_every_planned_run_trained_and_landed_in_the_database(demo):
    out, _ = demo
    planned = {run["run_id"] for plan in out.glob("plans/*/plan.json") for run in json.loads(plan.read_text())["runs"]}
    assert len(planned) == 23
    with duckdb.connect(str(out / "codescale.duckdb"), read_only=True) as con:
        stored = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
        finals = con.execute("SELECT count(DISTINCT run_id) FROM final_loss WHERE loss IS NOT NULL").fetchone()[0]
    assert set(stored) == planned
    assert set(stored.values()) == {"completed"}
    assert finals == len(planned)


def test_losses_fall_with_model_size_and_with_data(demo):
    out, _ = demo
    with duckdb.connect(str(out / "codescale.duckdb"), read_only=True) as con:
        rows = con.execute("""
            SELECT language, params_non_embedding, tokens, loss FROM final_loss
            WHERE study = 'demo_per_language'""").fetchall()
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
        for d in budgets:
            assert points[(sizes[-1], d)] < points[(sizes[0], d)], (lang, d)


def test_fits_converged_and_the_report_and_next_spec_exist(demo):
    out, first = demo
    with duckdb.connect(str(out / "codescale.duckdb"), read_only=True) as con:
        laws = con.execute("SELECT group_value, converged FROM fits WHERE kind = 'chinchilla'").fetchall()
        kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM fits").fetchall()}
        pairing = con.execute("""
            SELECT DISTINCT coalesce(pairing_template, 'shuffled'), seen FROM translation_final
            WHERE study = 'demo_pairing'""").fetchall()
    assert sorted(laws) == [("java", True), ("python", True)]
    assert "synergy" in kinds
    assert {("shuffled", False), ("direct", True), ("direct", False)} <= set(pairing)
    summary = out / "report" / "summary.md"
    assert summary.is_file()
    pngs = list((out / "report").glob("*.png"))
    assert pngs and all(p.stat().st_size > 5_000 for p in pngs)
    spec = out / "next" / "allocation_spec.yaml"
    check = subprocess.run([sys.executable, "-m", "codescale.core.cli", "validate", str(spec)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for heading in ("Per-language law", "Synergy", "Pairing effect", "Recommended allocation", "Try:"):
        assert heading in first.stdout


def test_a_second_demo_reuses_everything(demo):
    out, _ = demo
    starts = _starts(out)
    manifest = (out / "prepared" / "manifest.json").stat().st_mtime_ns
    second = _demo(out)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert "23 runs skipped" in second.stderr  # progress is logged; stdout holds the summary
    assert _starts(out) == starts  # no run was started again
    assert (out / "prepared" / "manifest.json").stat().st_mtime_ns == manifest
    assert "0 runs added, 0 replaced, 23 unchanged" in second.stderr

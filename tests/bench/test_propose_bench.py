"""bench/propose_bench.py, reduced (2 repetitions of a per-language and a mixture scenario, one worker): every arm is
compiled, simulated, refitted and scored, and the proposals stay within their budgets. The bench's figures (30
repetitions of every scenario) are in bench/RESULTS.md."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_the_reduced_bench_scores_every_arm_within_its_budget(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench/propose_bench.py"), "--reps", "2", "--scenarios", "extrapolation,mixture",
         "--workers", "1", "--json", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summaries = {s["scenario"]: s for s in json.loads(out.read_text())}
    assert set(summaries) == {"extrapolation", "mixture"}
    for s in summaries.values():
        budget = s["budget_gpu_hours"]
        assert s["reps"] == 2 and len(s["repetitions"]) == 2 and s["candidates"] > 0
        assert s["mean_gpu_hours"]["grid"] == pytest.approx(budget)
        for rep in s["repetitions"]:
            assert rep["hours_proposed"] <= budget * (1 + 1e-9) and rep["hours_random"] <= budget * (1 + 1e-9)
            assert rep["hours_proposed_half"] <= budget / 2 * (1 + 1e-9) and rep["runs_proposed"] >= 1
            assert all(
                math.isfinite(rep[f"err_{arm}"]) for arm in ("seed", "grid", "random", "proposed", "proposed_half")
            )
        assert set(s["ratio_to_grid"]) == {"random", "proposed", "proposed_half"}
        low, mid, high = sorted(s["proposed_to_random"])
        assert 0 < low <= mid <= high and s["proposed_to_random"][0] == mid and math.isfinite(s["median_truth"])
    assert "goal (proposed at H/2 reaches the grid's error at H)" in proc.stdout

"""bench/gpu_bench.py on the CPU path (`--cpu --smoke`): the same code as on a GPU — corpus, compiled codescale runs,
torchtitan's own entry point with the reference config, one process per run, torchtitan's metrics recorded, the
memory estimate, the side-by-side table — at a tiny shape for a few steps. No GPU is needed; the GPU figures come
from running the script on a GPU machine (bench/RESULTS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codescale.compiler.memory import Layout
from codescale.compiler.shapes import Shape

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu_bench") / "work"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench/gpu_bench.py"), "--cpu", "--smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((out / "results.json").read_text()), proc.stdout


def test_all_four_runs_train_and_are_measured(smoke):
    report, _ = smoke
    runs = {(r["side"], r["precision"]): r for r in report["runs"]}
    assert set(runs) == {(s, p) for s in ("codescale", "torchtitan") for p in ("bf16", "float8")}
    steps = report["shape"]["steps"]
    for run in runs.values():
        assert run["returncode"] == 0 and run["logged_steps"][-1] == steps
        assert run["tokens_per_s"] > 0 and run["tflops"] > 0 and run["max_active_gib"] > 0


def test_both_sides_train_the_same_model(smoke):
    report, _ = smoke
    s = report["shape"]
    params = Shape(s["n_layers"], s["dim"], s["n_heads"], s["ffn_dim"]).params(s["vocab_size"])
    assert {r["params"] for r in report["runs"]} == {params}
    assert {(r["precision"], r["float8_active"]) for r in report["runs"]} == {("bf16", False), ("float8", True)}


def test_each_run_carries_the_memory_models_estimate(smoke):
    report, _ = smoke
    s = report["shape"]
    layout = Layout(
        Shape(s["n_layers"], s["dim"], s["n_heads"], s["ffn_dim"]),
        s["vocab_size"],
        s["seq_len"],
        dp_shard=1,
        activation_checkpointing="selective",
    )
    for run in report["runs"]:
        assert run["estimate_gib"] == layout.estimate(s["micro_batch"]).total / 2**30


def test_the_table_puts_the_sides_next_to_each_other(smoke):
    _, stdout = smoke
    lines = stdout.splitlines()
    assert any(line.startswith("codescale bf16 ") for line in lines)
    assert any(line.startswith("torchtitan float8 ") for line in lines)
    assert any(line.startswith("bf16: tokens/s codescale/torchtitan ") for line in lines)
    assert any(line.startswith("float8: tokens/s codescale/torchtitan ") for line in lines)

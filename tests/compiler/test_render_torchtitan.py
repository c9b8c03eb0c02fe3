"""Compiled jobs.py modules import and build real torchtitan ``Trainer.Config`` objects for every run.

The build runs in a subprocess (tests/compiler/scripts/build_jobs.py) because running torchtitan on this CPU
machine needs the runner's shims (codescale.titan_runner.cpu_compat), which patch torchtitan process-wide. Small
models are also materialised on the meta device, so the parameter counts in run.json are checked against the
modules torchtitan actually builds.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from codescale.compiler.plan import plan_spec
from codescale.compiler.render import write_plan

ROOT = Path(__file__).resolve().parents[2]
SPECS = [
    "specs/demo/per_language.yaml",
    "specs/demo/synergy.yaml",
    "specs/demo/pairing.yaml",
    "specs/demo/mixtures.yaml",
    "specs/paper/synergy.yaml",
    "specs/paper/pairing.yaml",
    "specs/paper/allocation.yaml",
]


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


pytestmark = [
    pytest.mark.skipif(
        _missing("torchtitan"), reason="torchtitan is not installed (pip install -r requirements-workspace.txt)"
    ),
    pytest.mark.skipif(
        _missing("codescale.titan_runner.dataloader"),
        reason="codescale.titan_runner.dataloader (MixtureDataLoader) is not there yet",
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{run_id: (run.json, what the built Trainer.Config says)} for every run of SPECS."""
    runs, outs = {}, []
    for spec in SPECS:
        out = tmp_path_factory.mktemp(Path(spec).stem)
        plan = plan_spec(ROOT / spec, out_dir=out)
        write_plan(plan, out)
        outs.append(str(out))
        runs.update({r.run_id: r for r in plan.runs})
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests/compiler/scripts/build_jobs.py"), *outs],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {row["run_id"]: (runs[row["run_id"]], row) for row in rows}, runs


def test_every_run_builds_a_trainer_config(built):
    rows, runs = built
    assert set(rows) == set(runs)
    assert len(runs) == 27 + 12 + 12 + 6 + 28 + 45 + 2


def test_built_config_matches_the_resolved_run(built):
    rows, _ = built
    for run, row in rows.values():
        t, m = run.training, run.model
        assert row["dump_folder"] == run.paths.run_dir
        assert row["manifest"] == run.paths.run_dir + "/mixture.json"
        assert row["dataloader"] == "MixtureDataLoader.Config"
        assert (row["steps"], row["seq_len"]) == (t.steps, t.seq_len)
        assert (row["local_batch_size"], row["global_batch_size"]) == (t.local_batch_size, t.global_batch_size)
        assert row["lr"] == t.lr and row["warmup_steps"] == t.warmup_steps and row["seed"] == t.seed
        assert row["decay_type"] == {"cosine": "cosine", "linear": "linear", "wsd": "linear"}[t.decay]
        assert row["decay_ratio"] == t.decay_ratio
        assert (row["dp_shard"], row["dp_replicate"]) == (run.parallelism.dp_shard, run.parallelism.dp_replicate)
        assert (row["n_layers"], row["dim"], row["vocab_size"]) == (m.n_layers, m.dim, m.vocab_size)
        assert row["checkpoint_enabled"] and row["checkpoint_folder"] == "checkpoints"
        expected_ac = {"none": "NoneType", "selective": "SelectiveAC.Config", "full": "FullAC.Config"}
        assert row["activation_checkpoint"] == expected_ac[run.activation_checkpointing]


def test_the_job_config_is_complete_validator_loss_and_recording_included(built):
    rows, _ = built
    for run, row in rows.values():
        assert row["loss"] == "LanguageCrossEntropy.Config" and row["validator"] == "LanguageValidator.Config"
        assert row["metrics"] == "RunMetrics.Config" and row["callbacks"] == [
            "MetricsFile.Config",
            "StatusFile.Config",
            "StopOnCancel.Config",
        ]
        assert (row["eval_freq"], row["eval_languages"]) == (run.eval.interval_steps, run.eval.languages)
        assert row["translation"] == [f"{t.src}->{t.tgt}" for t in run.eval.translation]
        assert (row["total_steps"], row["log_freq"]) == (run.training.steps, run.training.log_interval)
        assert row["disable_cuda_graphs"] is (not run.cuda_graphs)


def test_float8_runs_convert_exactly_the_layers_the_plan_does_not_exclude(built):
    from codescale.compiler.float8 import HEAD, LAYERS

    rows, _ = built
    float8_runs = [(run, row) for run, row in rows.values() if run.float8]
    assert float8_runs and any(not run.float8 for run, _ in rows.values())
    for run, row in rows.values():
        expected = sorted(name for name in (*LAYERS, HEAD) if run.float8 and name not in run.float8_exclude)
        assert row["float8_layers"] == expected, run.run_id
    assert {tuple(row["float8_layers"]) for _, row in float8_runs} >= {("attention.qkv_linear.wqkv",)}


def test_parameter_counts_match_the_modules_torchtitan_builds(built):
    rows, _ = built
    checked = [(run.model.params, row["params"]) for run, row in rows.values() if "params" in row]
    assert len(checked) >= 38  # every demo run at least
    assert all(ours == theirs for ours, theirs in checked)

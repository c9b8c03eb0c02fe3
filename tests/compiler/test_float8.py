"""float8 where it pays (codescale.compiler.float8) and the execution fields that stay out of run.json at their
defaults (cuda_graphs, tracking), so the ids of runs that never set them do not change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codescale.compiler.float8 import rowwise_float8_pays
from codescale.compiler.plan import plan_spec
from codescale.core.errors import CodescaleErrors

FIXTURES = Path(__file__).parent / "fixtures" / "float8"
WIDE = (FIXTURES / "wide.yaml").read_text()


def _run(tmp_path: Path, text: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    (run,) = plan_spec(spec, enforce_budget=False).runs
    return run


def test_torchao_rowwise_thresholds_decide_which_widths_gain():
    assert not rowwise_float8_pays(832, 3 * 832)  # K <= 1024
    assert not rowwise_float8_pays(1280, 3 * 1280)  # N <= 4096 and K <= 2048
    assert rowwise_float8_pays(1472, 3 * 1472)  # the fused q/k/v of a 1472-wide model: N = 4416
    assert not rowwise_float8_pays(4096, 2048)  # a narrow output
    assert rowwise_float8_pays(2304, 2304)


def test_a_wide_model_trains_every_block_layer_in_float8_and_keeps_the_head_in_bf16(tmp_path):
    run = _run(tmp_path, WIDE)
    assert run.float8 is True and run.float8_exclude == ["lm_head"]
    assert json.loads(run.to_json())["float8_exclude"] == ["lm_head"]


def test_at_1472_wide_only_the_fused_qkv_projection_gains(tmp_path):
    run = _run(tmp_path, WIDE.replace("dim: 2304, n_heads: 18", "dim: 1472, n_heads: 23"))
    assert run.float8 is True
    assert set(run.float8_exclude) == {
        "attention.wo",
        "feed_forward.w1",
        "feed_forward.w2",
        "feed_forward.w3",
        "lm_head",
    }


def test_float8_auto_is_bf16_where_no_layer_gains(tmp_path):
    run = _run(tmp_path, WIDE.replace("dim: 2304, n_heads: 18", "dim: 832, n_heads: 8"))
    assert run.float8 is False and run.float8_exclude is None
    assert "float8_exclude" not in json.loads(run.to_json())


def test_float8_true_on_a_narrow_model_is_refused_at_its_line_with_the_fix():
    with pytest.raises(CodescaleErrors) as caught:
        plan_spec(FIXTURES / "narrow_float8_true.yaml")
    (message,) = [err.render() for err in caught.value.errors]
    assert message.startswith(
        f"{FIXTURES / 'narrow_float8_true.yaml'}:10:9 float8: no linear layer of this model (dim 832"
    )
    assert "float8_layers.gate: none" in message


def test_the_spec_overrides_the_gate_and_the_excluded_layers(tmp_path):
    narrow = WIDE.replace("dim: 2304, n_heads: 18", "dim: 832, n_heads: 8")
    run = _run(tmp_path, narrow + "float8: true\nfloat8_layers: {gate: none, exclude: [lm_head, feed_forward.w2]}\n")
    assert run.float8 is True and run.float8_exclude == ["feed_forward.w2", "lm_head"]


def test_cuda_graphs_and_tracking_are_absent_from_run_json_at_their_defaults(tmp_path):
    text = json.loads(_run(tmp_path, WIDE).to_json())
    assert "cuda_graphs" not in text and "tracking" not in text


def test_switching_cuda_graphs_off_changes_the_run_id_but_tracking_does_not(tmp_path):
    base = _run(tmp_path, WIDE)
    no_graphs = _run(tmp_path, WIDE + "cuda_graphs: false\n")
    tracked = _run(tmp_path, WIDE + "tracking: {tensorboard: true, wandb: offline}\n")
    assert no_graphs.cuda_graphs is False and no_graphs.run_id != base.run_id
    assert tracked.tracking.tensorboard and tracked.tracking.wandb == "offline" and tracked.run_id == base.run_id


def test_the_compiled_job_carries_the_choices_to_torchtitan(tmp_path):
    from codescale.compiler.render import render_jobs

    spec = tmp_path / "spec.yaml"
    spec.write_text(WIDE + "cuda_graphs: false\ntracking: {tensorboard: true, wandb: offline}\n")
    text = render_jobs(plan_spec(spec, out_dir=tmp_path / "out", enforce_budget=False))
    assert "float8_exclude=['lm_head']" in text and "cuda_graphs=False" in text
    assert "tensorboard=True, wandb='offline'" in text and "disable_cuda_graphs=not cuda_graphs" in text

"""The GPU memory model (codescale.compiler.memory) and the compiler's micro-batch step that uses it.

The arithmetic is checked against its sources here (FSDP2 state bytes, Korthikanti et al.'s activation formula);
test_memory_activations.py checks the activation table against torchtitan's real blocks, and test_paper_dry_build.py
the verdicts for every paper run. Bad specs live in fixtures/memory/.
"""

from pathlib import Path

import pytest

from codescale.compiler.costing import ACCELERATORS
from codescale.compiler.memory import HEADROOM, Layout, estimate_run, saved_bytes_per_token_layer
from codescale.compiler.plan import plan_spec
from codescale.compiler.shapes import Shape
from codescale.compiler.table import plan_table
from codescale.core.cli import main
from codescale.core.errors import CodescaleError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "memory"
SHAPE_1B = Shape(n_layers=17, dim=2304, n_heads=18, ffn_dim=6144)
H800 = ACCELERATORS["H800"].memory


def _layout(**changes):
    fields = dict(
        shape=SHAPE_1B,
        vocab_size=32768,
        seq_len=2048,
        dp_shard=8,
        activation_checkpointing="selective",
        device_memory=H800,
    )
    return Layout(**{**fields, **changes})


def test_states_are_sixteen_bytes_per_parameter_over_the_shard_degree():
    params = SHAPE_1B.params(32768)
    for dp_shard in (1, 8, 64):
        estimate = _layout(dp_shard=dp_shard).estimate(1)
        shard = -(-params // dp_shard)
        assert (estimate.parameters, estimate.gradients, estimate.optimizer) == (4 * shard, 4 * shard, 8 * shard)


def test_checkpointing_modes_keep_less_and_less():
    d, f, heads = SHAPE_1B.dim, SHAPE_1B.ffn_dim, SHAPE_1B.n_heads
    none, selective, full = (saved_bytes_per_token_layer(SHAPE_1B, m) for m in ("none", "selective", "full"))
    assert none == 16 * d + 8 * f + 4 * heads + 8
    assert selective == 12 * d + 2 * f + 4 * heads
    assert full == 2 * d
    totals = [_layout(activation_checkpointing=m).estimate(8).total for m in ("none", "selective", "full")]
    assert totals == sorted(totals, reverse=True)


def test_the_activation_table_is_korthikantis_formula_for_this_architecture():
    # Korthikanti et al. 2022, Eq. 2: s·b·h·(34 + 5·a·s/h) bytes per layer, of which 2·s·b·h are dropout masks, 16·s·b·h
    # the GeLU MLP (two 4h-wide tensors) and 5·a·s²·b the materialised softmax. Without dropout, with flash
    # attention (a 4-byte log-sum-exp per head instead of the softmax) and SwiGLU's four f-wide tensors instead of
    # the GeLU MLP, what remains must be this model's table; full recomputation keeps 2·s·b·h in both.
    d, f, heads = SHAPE_1B.dim, SHAPE_1B.ffn_dim, SHAPE_1B.n_heads
    korthikanti_without_mlp_dropout_softmax = (34 - 2 - 16) * d
    rms_norm_rstd = 2 * 4
    assert saved_bytes_per_token_layer(SHAPE_1B, "none") == (
        korthikanti_without_mlp_dropout_softmax + 4 * 2 * f + 4 * heads + rms_norm_rstd
    )
    assert saved_bytes_per_token_layer(SHAPE_1B, "full") == 2 * d


def test_the_largest_paper_model_keeps_56_kb_per_token_and_layer_under_selective_checkpointing():
    shape_3b = Shape(n_layers=25, dim=3200, n_heads=25, ffn_dim=8704)  # per_language.yaml's 3.1B
    assert saved_bytes_per_token_layer(shape_3b, "selective") == pytest.approx(56_000, rel=0.01)


def test_the_estimate_grows_with_the_micro_batch_and_shrinks_with_sharding():
    totals = [_layout().estimate(m).total for m in (1, 2, 4, 8, 16)]
    assert totals == sorted(totals) and len(set(totals)) == 5
    assert _layout(dp_shard=64).estimate(4).total < _layout(dp_shard=8).estimate(4).total


def test_fitting_keeps_the_stated_headroom_free():
    estimate = _layout().estimate(4)
    assert estimate.usable == int(H800 * (1 - HEADROOM)) and HEADROOM == 0.15
    assert estimate.fits == (estimate.total <= estimate.usable)
    assert _layout(device_memory=None).estimate(4).fits is None


def test_an_open_micro_batch_is_the_largest_fitting_divisor_and_keeps_the_global_batch():
    (run,) = plan_spec(FIXTURES / "open_micro_batch.yaml").runs
    t, world = run.training, run.parallelism.world_size
    per_device = t.global_batch_size // world
    assert (t.global_batch_tokens, per_device) == (2**20, 64)
    assert t.local_batch_size == 32  # 64 sequences do not fit (fixed_micro_batch_too_large.yaml)
    assert estimate_run(run).fits and not Layout.of_run(run).estimate(64).fits


def test_a_fixed_micro_batch_that_does_not_fit_is_refused_at_its_line():
    with pytest.raises(CodescaleError) as info:
        plan_spec(FIXTURES / "fixed_micro_batch_too_large.yaml")
    (line,) = info.value.render().splitlines()
    assert line.startswith(
        f"{FIXTURES / 'fixed_micro_batch_too_large.yaml'}:13:21 training.micro_batch_size: "
        "micro_batch_size 64 needs an estimated 98.5 GiB (states 2.3, activations 95.4, gathered "
    )
    assert line.endswith(
        "over the 67.7 GiB usable of an H800's 79.6 GiB (15% kept free) (use micro_batch_size: 32 or "
        "leave it out to let the compiler choose; docs/memory.md explains the estimate)"
    )


def test_a_model_too_large_for_one_sequence_is_refused_at_its_size():
    with pytest.raises(CodescaleError) as info:
        plan_spec(FIXTURES / "model_too_large.yaml")
    (line,) = info.value.render().splitlines()
    assert ":6:9 model.size: even one sequence of 2048 tokens per GPU needs an estimated 229 GiB (states 217," in line
    assert line.endswith(
        "(try activation_checkpointing: full, a shorter training.seq_len or more GPUs per node so that "
        "dp_shard shards the states; docs/memory.md explains the estimate)"
    )


def test_validate_prints_the_memory_error_on_one_line_and_exits_2(capsys):
    assert main(["validate", str(FIXTURES / "fixed_micro_batch_too_large.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "needs an estimated 98.5 GiB" in err


def test_cpu_runs_keep_the_whole_share_and_are_not_checked():
    for run in plan_spec(ROOT / "specs/demo/quick/per_language.yaml").runs:
        assert run.training.local_batch_size == run.training.global_batch_size // run.parallelism.world_size
        assert estimate_run(run).fits is None


def test_the_plan_table_shows_the_micro_batch_and_memory_of_each_run():
    plan = plan_spec(FIXTURES / "open_micro_batch.yaml")
    table = plan_table(plan).splitlines()
    assert table[0].split()[7:9] == ["micro×acc", "GiB/GPU"]  # "shape L/d/h/ffn" is two words
    row = table[2].split()
    assert row[6] == "32×2" and float(row[7]) == pytest.approx(estimate_run(plan.runs[0]).total / 2**30, abs=0.05)
    assert table[-1] == f"peak GPU memory: {row[7]} GiB of 67.7 usable per GPU (15% of 79.6 kept free; docs/memory.md)"

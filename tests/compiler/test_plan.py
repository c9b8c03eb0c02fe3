"""Plans: run counts of the shipped specs, tokens and steps, run identity, budgets, diff."""

import copy
from pathlib import Path

import pytest

from codescale.compiler.plan import diff_plans, plan_spec, run_hash

ROOT = Path(__file__).resolve().parents[2]
GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()


@pytest.mark.parametrize(
    "spec, runs",
    [
        ("specs/paper/per_language.yaml", 420),
        ("specs/paper/synergy.yaml", 28),
        ("specs/paper/pairing.yaml", 45),
        ("specs/paper/allocation.yaml", 2),
        ("specs/demo/per_language.yaml", 27),
        ("specs/demo/synergy.yaml", 12),
        ("specs/demo/pairing.yaml", 12),
        ("specs/demo/mixtures.yaml", 6),
    ],
)
def test_shipped_specs_plan_to_their_run_counts(spec, runs):
    plan = plan_spec(ROOT / spec)
    assert len(plan.runs) == runs
    assert plan.totals.gpu_hours <= plan.gpu_hours_limit


def test_per_language_grid_covers_10_sizes_6_budgets_7_languages():
    runs = plan_spec(ROOT / "specs/paper/per_language.yaml").runs
    assert {r.model.size_label for r in runs} == {
        "0.1B",
        "0.2B",
        "0.4B",
        "0.6B",
        "1.1B",
        "1.3B",
        "1.6B",
        "2.0B",
        "2.4B",
        "3.1B",
    }
    assert {r.training.requested_tokens for r in runs} == {int(b * 1e9) for b in (2, 4, 8, 16, 32, 64)}
    assert {tuple(r.languages) for r in runs} == {
        (lang,) for lang in ("python", "java", "javascript", "typescript", "csharp", "go", "rust")
    }


def test_demo_studies_fit_a_cpu_budget():
    steps = [
        r.training.steps
        for s in ("per_language", "synergy", "pairing", "mixtures")
        for r in plan_spec(ROOT / f"specs/demo/{s}.yaml").runs
    ]
    # the full demo's design (bench/RESULTS.md): many small steps of 1,024 tokens, about 25 CPU-minutes on 2 cores
    assert 50 <= len(steps) <= 70 and 11_000 <= sum(steps) <= 14_000 and max(steps) <= 400
    run = plan_spec(ROOT / "specs/demo/synergy.yaml").runs[0]
    assert 1e5 <= run.model.params <= 2e6 and run.model.vocab_size == 1024
    assert run.training.global_batch_tokens == run.training.seq_len == 1024


def test_steps_round_up_and_actual_tokens_are_recorded(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("tokens: 400k", "tokens: 10000"))
    t = plan_spec(path).runs[0].training
    assert (t.requested_tokens, t.steps, t.tokens) == (10000, 3, 3 * 4096)


def test_budget_in_tokens_per_parameter_and_in_flops(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("tokens: 400k", "tokens: 20x"))
    run = plan_spec(path).runs[0]
    assert run.training.requested_tokens == 20 * run.model.params_non_embedding
    path.write_text(GOOD.replace("tokens: 400k", "compute: 1e13"))
    run = plan_spec(path).runs[0]
    assert abs(run.derived.flops - 1e13) <= run.derived.flops_per_token * 4096


def test_where_a_run_executes_does_not_change_its_id(tmp_path):
    a = plan_spec(ROOT / "specs/paper/synergy.yaml").runs[0].to_dict()
    moved = copy.deepcopy(a)
    moved["cluster"].update(partition="other", account="x", qos="high", time_limit_min=10, mfu=0.5, peak_flops=1.0)
    moved["paths"] = {"run_dir": "/elsewhere"}
    moved["corpus"] = {"catalog": "/c", "prepared": "/p"}
    assert run_hash(moved) == run_hash(a)
    for field, value in (("training", {**a["training"], "lr": 1e-4}), ("float8", not a["float8"])):
        assert run_hash({**a, field: value}) != run_hash(a)


def test_ids_are_stable_across_compiles_and_partitions(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    first = plan_spec(path).runs[0].run_id
    path.write_text(GOOD.replace("  gpus_per_node: 1", "  gpus_per_node: 1\n  partition: debug\n  account: me"))
    assert plan_spec(path).runs[0].run_id == first
    path.write_text(GOOD.replace("  global_batch_tokens: 4096", "  global_batch_tokens: 4096\n  seed: 7"))
    assert plan_spec(path).runs[0].run_id != first


def test_diff_reports_added_removed_and_changed_fields(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + "sweep:\n  product:\n    model.size: [100k, 200k]\n")
    a = plan_spec(path).to_file()
    path.write_text(
        GOOD.replace("  global_batch_tokens: 4096", "  global_batch_tokens: 4096\n  lr: 0.001")
        + "sweep:\n  product:\n    model.size: [200k, 400k]\n"
    )
    b = plan_spec(path).to_file()
    result = diff_plans(a, b)
    assert [r.split("-")[1] for r in result["removed"]] == ["100k"]
    assert [r.split("-")[1] for r in result["added"]] == ["400k"]
    (change,) = result["changed"]
    assert change["name"] == "minimal-200k" and change["fields"] == {"training.lr": [0.0003, 0.001]}

"""Sweeps: product, zip, include/exclude, several blocks, name templates and slugs."""

from pathlib import Path

import pytest

from codescale.compiler.plan import plan_spec
from codescale.compiler.sweep import slug, value_text
from codescale.core.errors import CodescaleError

GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()


def _plan(tmp_path, sweep: str):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + sweep)
    return plan_spec(path)


def test_product_crosses_every_axis_first_axis_slowest(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k, 1.2M]\n")
    assert [(r.sweep["model.size"], r.sweep["budget.tokens"]) for r in plan.runs] == [
        ("100k", "400k"),
        ("100k", "800k"),
        ("100k", "1.2M"),
        ("200k", "400k"),
        ("200k", "800k"),
        ("200k", "1.2M"),
    ]


def test_zip_advances_together_and_crosses_the_product(tmp_path):
    plan = _plan(
        tmp_path,
        "sweep:\n  zip:\n    model.size: [100k, 200k]\n    training.lr: [0.003, 0.002]\n"
        "  product:\n    training.seed: [0, 1]\n",
    )
    assert sorted((r.model.target_params, r.training.lr, r.training.seed) for r in plan.runs) == [
        (100000, 0.003, 0),
        (100000, 0.003, 1),
        (200000, 0.002, 0),
        (200000, 0.002, 1),
    ]


def test_include_keeps_and_exclude_drops_matching_points(tmp_path):
    plan = _plan(
        tmp_path,
        "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k]\n"
        "  exclude:\n    - {model.size: 200k, budget.tokens: 800k}\n",
    )
    assert len(plan.runs) == 3
    plan = _plan(
        tmp_path,
        "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k]\n"
        "  include:\n    - {model.size: 100k}\n",
    )
    assert {r.sweep["model.size"] for r in plan.runs} == {"100k"}


def test_blocks_concatenate_and_each_has_its_own_name_template(tmp_path):
    plan = _plan(
        tmp_path,
        "sweep:\n  - name: 'mix-{mixture.uniform}'\n    product:\n      mixture.uniform: [[python, java]]\n"
        "  - name: 'self-{mixture.uniform}'\n    product:\n      mixture.uniform: [[python]]\n",
    )
    assert [r.name for r in plan.runs] == ["mix-python-java", "self-python"]
    assert plan.runs[0].languages == ["python", "java"]


def test_default_name_is_the_study_plus_swept_values(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  product:\n    model.size: [0.1M]\n")
    assert plan.runs[0].name == "minimal-0p1m"
    assert plan.runs[0].run_id.startswith("minimal-0p1m-") and len(plan.runs[0].run_id) == len("minimal-0p1m-") + 8


def test_slugs_are_python_identifiers_once_dashes_become_underscores():
    assert slug("Python+C#-0.2B/64B") == "python-c-0p2b-64b"
    assert value_text(["python", "java"]) == "python+java"
    assert value_text({"python": 0.75}) == "python0.75"
    assert slug("python0.75") == "python0p75"
    assert ("job_" + slug("x y.z!").replace("-", "_")).isidentifier()


def test_swept_mapping_field_replaces_the_whole_section(tmp_path):
    plan = _plan(
        tmp_path, "sweep:\n  product:\n    mixture: [{uniform: [go]}, {proportions: {python: 0.25, rust: 0.75}}]\n"
    )
    assert [r.mixture.proportions for r in plan.runs] == [{"go": 1.0}, {"python": 0.25, "rust": 0.75}]


def _axis(name: str, n: int) -> str:
    return f"    {name}: [{', '.join(str(i + 1) for i in range(n))}]\n"


def test_the_size_of_a_sweep_is_counted_from_its_axis_lengths():
    from codescale.compiler.sweep import count

    document = {
        "sweep": [
            {"product": {"a": [1, 2, 3], "b": [1, 2]}, "zip": {"c": [1, 2], "d": [3, 4]}},
            {"product": {"a": [1]}},
        ]
    }
    assert count(document) == 3 * 2 * 2 + 1
    assert count({"study": "x"}) == 1


def test_a_sweep_over_the_run_limit_is_refused_before_any_point_is_made(tmp_path, monkeypatch):
    import codescale.compiler.sweep as sweep

    made = []
    real_points = sweep._block_points
    monkeypatch.setattr(sweep, "_block_points", lambda *a: made.append(a) or real_points(*a))
    sweep_text = "sweep:\n  product:\n" + _axis("training.seed", 100) + _axis("training.log_interval", 100)
    with pytest.raises(CodescaleError, match="expands into 10,000 points .* over the limit of 9,999 runs") as info:
        path = tmp_path / "s.yaml"
        path.write_text(GOOD + sweep_text)
        plan_spec(path, max_runs=9_999)
    assert info.value.line == 16 and info.value.field == "sweep"
    assert made == []


def test_the_run_limit_is_configurable(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + "sweep:\n  product:\n" + _axis("training.seed", 3))
    assert len(plan_spec(path, max_runs=3).runs) == 3
    with pytest.raises(CodescaleError, match="over the limit of 2 runs"):
        plan_spec(path, max_runs=2)


def test_a_plan_far_over_budget_stops_at_the_first_run_that_crosses_it(tmp_path):
    from codescale.compiler.plan import OverBudget

    path = tmp_path / "s.yaml"
    path.write_text(
        GOOD.replace("  tokens: 400k\n", "  tokens: 400k\n  gpu_hours: 0.01\n")
        + "sweep:\n  product:\n"
        + _axis("training.seed", 100)
        + _axis("training.log_interval", 100)
    )
    with pytest.raises(
        OverBudget,
        match=r"^\S+ budget.gpu_hours: 2 of up to 10,000 runs already need an estimated "
        r"0.0134 GPU-hours, over the budget of 0.01",
    ):
        plan_spec(path)


def test_include_and_exclude_filter_points_made_one_at_a_time(tmp_path):
    from codescale.compiler.sweep import expand
    from codescale.core.yaml_source import parse_yaml

    document, smap = parse_yaml(
        "study: x\nsweep:\n  product:\n    training.seed: [1, 2, 3]\n  exclude:\n    - {training.seed: 2}\n"
    )
    points = expand(document, smap)
    assert not isinstance(points, list)
    assert [p.axes for p in points] == [{"training.seed": 1}, {"training.seed": 3}]


def test_a_body_error_no_axis_touches_is_reported_without_making_a_point(tmp_path, monkeypatch):
    import codescale.compiler.sweep as sweep

    made = []
    monkeypatch.setattr(sweep, "_block_points", lambda *a: made.append(a) or iter(()))
    path = tmp_path / "s.yaml"
    path.write_text(
        GOOD.replace("seq_len: 128", "seq_len: long")
        + "sweep:\n  product:\n"
        + _axis("training.seed", 100)
        + _axis("training.log_interval", 100)
    )
    with pytest.raises(CodescaleError, match="training.seq_len: Input should be a valid integer"):
        plan_spec(path)
    assert made == []


def test_a_body_field_an_axis_supplies_may_be_missing_from_the_body(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("study: minimal\n", "") + "sweep:\n  product:\n    study: [a]\n")
    with pytest.raises(CodescaleError, match="'study' is not a field that can be swept"):
        plan_spec(path)
    path.write_text(GOOD.replace("  size: 100k\n", "") + "sweep:\n  product:\n    model.size: [100k, 200k]\n")
    assert len(plan_spec(path).runs) == 2

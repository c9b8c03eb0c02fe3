"""Sweeps: product, zip, include/exclude, several blocks, name templates and slugs."""

from pathlib import Path

from codescale.compiler.plan import plan_spec
from codescale.compiler.sweep import slug, value_text

GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()


def _plan(tmp_path, sweep: str):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + sweep)
    return plan_spec(path)


def test_product_crosses_every_axis_first_axis_slowest(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k, 1.2M]\n")
    assert [(r.sweep["model.size"], r.sweep["budget.tokens"]) for r in plan.runs] == [
        ("100k", "400k"), ("100k", "800k"), ("100k", "1.2M"), ("200k", "400k"), ("200k", "800k"), ("200k", "1.2M")]


def test_zip_advances_together_and_crosses_the_product(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  zip:\n    model.size: [100k, 200k]\n    training.lr: [0.003, 0.002]\n"
                           "  product:\n    training.seed: [0, 1]\n")
    assert sorted((r.model.target_params, r.training.lr, r.training.seed) for r in plan.runs) == [
        (100000, 0.003, 0), (100000, 0.003, 1), (200000, 0.002, 0), (200000, 0.002, 1)]


def test_include_keeps_and_exclude_drops_matching_points(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k]\n"
                           "  exclude:\n    - {model.size: 200k, budget.tokens: 800k}\n")
    assert len(plan.runs) == 3
    plan = _plan(tmp_path, "sweep:\n  product:\n    model.size: [100k, 200k]\n    budget.tokens: [400k, 800k]\n"
                           "  include:\n    - {model.size: 100k}\n")
    assert {r.sweep["model.size"] for r in plan.runs} == {"100k"}


def test_blocks_concatenate_and_each_has_its_own_name_template(tmp_path):
    plan = _plan(tmp_path, "sweep:\n  - name: 'mix-{mixture.uniform}'\n    product:\n      mixture.uniform: [[python, java]]\n"
                           "  - name: 'self-{mixture.uniform}'\n    product:\n      mixture.uniform: [[python]]\n")
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
    plan = _plan(tmp_path, "sweep:\n  product:\n    mixture: [{uniform: [go]}, {proportions: {python: 0.25, rust: 0.75}}]\n")
    assert [r.mixture.proportions for r in plan.runs] == [{"go": 1.0}, {"python": 0.25, "rust": 0.75}]

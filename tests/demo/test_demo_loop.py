"""The closing-the-loop pieces of the demo that need no training: the specs it writes next to the allocation, and
the allocation a rerun keeps."""

from __future__ import annotations

import json

import yaml

from codescale.demo.analysis import _same_as_before
from codescale.demo.study import LOOP_SEEDS, LOOP_STUDY, DemoConfig, loop_specs
from codescale.laws.allocate import Allocation


def _allocation(shares: dict[str, float], objective: float = 3.0) -> Allocation:
    return Allocation(
        fit_id="batch-1",
        model="effective_data",
        languages=list(shares),
        proportions=shares,
        tokens=120832.0,
        size=150976.0,
        objective=objective,
        uniform_objective=objective + 0.001,
        per_language={k: objective for k in shares},
        uniform_per_language={k: objective for k in shares},
        gain_interval=(-0.001, 0.002),
        draws=90,
        weights={k: 1.0 for k in shares},
    )


def test_loop_specs_are_the_allocation_and_the_uniform_mixture_with_two_seeds_each(tmp_path):
    spec = tmp_path / "next" / "allocation_spec.yaml"
    spec.parent.mkdir()
    spec.write_text(
        yaml.safe_dump(
            {
                "study": "allocation",
                "model": {"size": "151k"},
                "budget": {"tokens": "121k"},
                "mixture": {"from_allocation": "allocation_spec.allocation.json"},
            }
        )
    )
    written = loop_specs(DemoConfig(out=tmp_path, specs=[]), spec, ["go", "java", "python"])
    allocated, uniform = (yaml.safe_load(p.read_text()) for p in written)
    assert allocated["mixture"] == {"from_allocation": "allocation_spec.allocation.json"}
    assert uniform["mixture"] == {"uniform": ["go", "java", "python"]}
    for loop in (allocated, uniform):
        assert loop["study"] == LOOP_STUDY
        assert loop["model"] == {"size": "151k"} and loop["budget"] == {"tokens": "121k"}
        assert loop["sweep"]["product"] == {"training.seed": LOOP_SEEDS} and len(LOOP_SEEDS) >= 2
    before = [p.stat().st_mtime_ns for p in written]
    assert loop_specs(DemoConfig(out=tmp_path, specs=[]), spec, ["go", "java", "python"]) == written
    assert [p.stat().st_mtime_ns for p in written] == before  # a rerun rewrites nothing, so compiles nothing new


def test_a_refit_with_the_same_shares_keeps_the_recorded_allocation(tmp_path):
    path = tmp_path / "allocation_spec.allocation.json"
    first = _allocation({"java": 0.492, "python": 0.508})
    path.write_text(json.dumps(first.as_json()))
    refit = _allocation({"java": 0.492, "python": 0.508}, objective=3.0000001)
    kept = _same_as_before(refit, path)
    assert kept.allocation_id == first.allocation_id != refit.allocation_id
    moved = _allocation({"java": 0.5, "python": 0.5})
    assert _same_as_before(moved, path) is moved
    assert _same_as_before(refit, tmp_path / "missing.json") is refit

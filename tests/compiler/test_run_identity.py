"""Run ids are a contract: each hashes the canonical JSON of a resolved run, so any change to what run.json holds
for a shipped spec (a renamed field, an int written as a float, a new default) changes ids and orphans every run
directory and store row keyed by them. This pins the ids of every spec in specs/."""

from __future__ import annotations

from pathlib import Path

from codescale.compiler.plan import plan_spec

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "run_ids.txt"


def test_every_shipped_spec_keeps_its_run_ids():
    expected: dict[str, list[str]] = {}
    for line in GOLDEN.read_text().splitlines():
        spec, run_id = line.split()
        expected.setdefault(spec, []).append(run_id)
    for spec, ids in expected.items():
        plan = plan_spec(ROOT / spec, enforce_budget=False)
        assert [r.run_id for r in plan.runs] == ids, f"{spec}: run ids changed (bump the run format on purpose)"


def test_a_compiled_run_reads_back_to_the_same_text(tmp_path):
    from codescale.compiler.render import write_plan
    from codescale.core.contracts import MixtureManifest, PlanFile, Run

    plan = plan_spec(ROOT / "specs/demo/quick/pairing.yaml", out_dir=tmp_path)
    write_plan(plan, tmp_path)
    for run in plan.runs:
        run_json = tmp_path / "runs" / run.run_id / "run.json"
        mixture_json = run_json.with_name("mixture.json")
        assert Run.read(run_json).to_json() == run_json.read_text()
        assert MixtureManifest.read(mixture_json).to_json() == mixture_json.read_text()
    assert PlanFile.read(tmp_path / "plan.json").to_json() == (tmp_path / "plan.json").read_text()

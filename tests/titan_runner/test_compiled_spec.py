"""End to end from a spec: compiled by the compiler's Python API inside `submit`, trained by the local executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.status import wait
from codescale.titan_runner.submit import submit

pytestmark = pytest.mark.slow

SPEC = Path(__file__).parent / "specs" / "tiny.yaml"


def test_a_spec_is_compiled_submitted_and_trained_and_resubmitting_its_plan_starts_nothing(tmp_path, prepared_corpus):
    out = tmp_path / "out"
    records = submit(
        SPEC,
        executor="local",
        out=out,
        corpus=str(prepared_corpus.parent / "catalog.yaml"),
        prepared=str(prepared_corpus),
    )
    assert (out / "plan.json").is_file() and (out / "jobs.py").is_file()
    assert [r["action"] for r in records] == ["submitted"]

    rows = wait(out, timeout_s=300, poll_s=1)
    assert [r["state"] for r in rows] == ["completed"], rows
    run_dir = RunDir(records[0]["run_dir"])
    train = [r.model_dump() for r in run_dir.read_metrics() if r.kind == "train"]
    assert [r["step"] for r in train] == list(range(1, 9)) and train[-1]["loss"] < train[0]["loss"]
    final_eval = [r.model_dump() for r in run_dir.read_metrics() if r.kind == "eval"][-1]
    assert final_eval["step"] == 8
    assert set(final_eval["translation_loss"]) == {"python->java", "java->python"}
    assert set(final_eval["valid_loss"]) == {"python", "java"}

    again = submit(out / "plan.json", executor="local")
    assert [(r["action"], r["reason"]) for r in again] == [("skipped", "completed")]

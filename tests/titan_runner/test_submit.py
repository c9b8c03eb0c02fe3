"""codescale submit / status / cancel with submitit's LocalExecutor and DebugExecutor (real training processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from titan_testing import make_run

from codescale.core.contracts import PlanBudget, PlanFile, Run, totals_of
from codescale.titan_runner.cancel import cancel
from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.status import collect, wait
from codescale.titan_runner.submit import submit

pytestmark = pytest.mark.slow


def _write_plan(out, run_dirs):
    """A plan.json over runs compiled separately (a hand-assembled plan: the runner only reads its runs)."""
    runs = [Run.read(d / "run.json") for d in run_dirs]
    plan = PlanFile(
        spec="t.yaml",
        spec_sha256="",
        study="t",
        created="",
        codescale_version="test",
        runs=runs,
        totals=totals_of(runs),
        budget=PlanBudget(gpu_hours_limit=None),
    )
    (out / "plan.json").write_text(plan.to_json())


def test_local_submit_runs_fsdp_on_two_processes_and_never_starts_a_run_twice(tmp_path, prepared_corpus):
    single = make_run(tmp_path, prepared_corpus, run_id="single-00000001", steps=6, eval_interval=3)
    fsdp = make_run(tmp_path, prepared_corpus, run_id="fsdp-00000002", steps=6, eval_interval=3, world_size=2)
    _write_plan(tmp_path, [single, fsdp])

    started = time.monotonic()
    records = submit(tmp_path, executor="local", max_parallel=2)
    assert time.monotonic() - started < 10  # returns at once; training goes on in the background
    assert [r["action"] for r in records] == ["submitted", "submitted"]

    again = submit(tmp_path, executor="local", max_parallel=2)
    assert [r["action"] for r in again] == ["skipped", "skipped"]
    assert all("queued" in r["reason"] or "running" in r["reason"] for r in again)

    rows = wait(tmp_path, timeout_s=420, poll_s=1)
    assert [r["state"] for r in rows] == ["completed", "completed"], rows
    assert rows[1]["step"] == rows[1]["total_steps"] == 6 and rows[1]["loss"] > 0

    train = [r.model_dump() for r in RunDir(fsdp).read_metrics() if r.kind == "train"]
    assert [r["step"] for r in train] == list(range(1, 7)) and train[-1]["loss"] < train[0]["loss"]
    assert json.loads((fsdp / "local_job.json").read_text())["state"] == "started"
    assert sorted(p.name for p in (fsdp / "logs").glob("*_log.out")) == [
        f"{json.loads((fsdp / 'local_job.json').read_text())['job_id']}_{rank}_log.out" for rank in (0, 1)
    ]
    resolved = json.loads((fsdp / "resolved_config.json").read_text())
    assert resolved["parallelism"]["data_parallel_shard_degree"] == 2

    final = submit(tmp_path, executor="local")
    assert [(r["action"], r["reason"]) for r in final] == [("skipped", "completed"), ("skipped", "completed")]


def test_dry_run_starts_nothing(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, run_id="dry-00000001")
    records = submit([run_dir], executor="local", dry_run=True)
    assert [r["action"] for r in records] == ["would_submit"]
    assert not (run_dir / "local_job.json").exists() and RunDir(run_dir).read_status().state == "pending"


def test_debug_executor_trains_in_this_process(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, run_id="debug-00000001", steps=3, eval_interval=0)
    records = submit([run_dir], executor="debug")
    assert records[0]["action"] == "submitted" and records[0]["reason"] == "completed"
    assert collect([run_dir])[0]["state"] == "completed"


def test_cancel_interrupts_a_running_local_run_and_keeps_its_outputs(tmp_path, prepared_corpus):
    run_dir = make_run(
        tmp_path, prepared_corpus, run_id="long-00000001", steps=400, seq_len=64, eval_interval=0, checkpoint_interval=2
    )
    submit([run_dir], executor="local")
    deadline = time.monotonic() + 300
    while not any(r.step >= 3 for r in RunDir(run_dir).read_metrics()):
        assert time.monotonic() < deadline
        time.sleep(0.2)

    records = cancel([run_dir])
    assert records[0]["action"] == "cancelled" and "interrupted" in records[0]["reason"]
    status = RunDir(run_dir).read_status()
    assert status.state == "cancelled"
    # the run stopped itself at a step boundary: every step it started is complete in metrics.jsonl
    assert status.error.type == "RunStopped" and "SIGTERM at the step boundary after step" in status.error.message
    last_step = int(status.error.message.rsplit(" ", 1)[-1])
    assert [r.step for r in RunDir(run_dir).read_metrics() if r.kind == "train"] == list(range(1, last_step + 1))
    assert (run_dir / "checkpoints").is_dir()
    row = collect([run_dir])[0]
    assert row["state"] == "cancelled" and 3 <= row["step"] == last_step < 400

    out = subprocess.run(
        [sys.executable, "-m", "codescale.core.cli", "status", str(run_dir)], capture_output=True, text=True
    )
    assert out.returncode == 0 and "cancelled" in out.stdout and "long-00000001" in out.stdout

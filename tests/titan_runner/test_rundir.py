"""The run-directory protocol: atomic status, metrics truncation on resume, the lease."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from titan_testing import write_run_json

from codescale.core.errors import CodescaleError
from codescale.titan_runner.rundir import RunDir


@pytest.fixture
def run_dir(tmp_path):
    path = tmp_path / "runs" / "r-00000001"
    write_run_json(path, "r-00000001")
    return RunDir(path)


def test_a_run_that_never_started_reads_as_pending(run_dir):
    status = run_dir.read_status()
    assert status.state == "pending" and status.run_id == "r-00000001" and status.starts == []
    assert not run_dir.status_json.exists()


def test_status_updates_are_merged_and_leave_no_temp_file(run_dir):
    run_dir.update_status(state="running", step=3)
    run_dir.update_status(step=4)
    assert json.loads(run_dir.status_json.read_text())["state"] == "running"
    assert run_dir.read_status().step == 4
    assert [p.name for p in run_dir.path.iterdir() if p.name.endswith(".tmp")] == []


def test_progress_updates_do_not_hide_a_recorded_failure(run_dir):
    run_dir.update_status(state="failed", error={"type": "RuntimeError", "message": "boom", "traceback": ""})
    run_dir.update_status(keep_terminal=True, state="running", step=7)
    status = run_dir.read_status()
    assert status.state == "failed" and status.step == 7


def test_truncating_metrics_keeps_lines_up_to_the_checkpoint_and_drops_a_torn_line(run_dir):
    lines = [{"kind": "train", "step": s, "loss": 5.0} for s in (1, 2, 3, 4)]
    lines += [{"kind": "eval", "step": 2, "valid_loss": {"python": 5.5}}]
    text = "".join(json.dumps(x) + "\n" for x in lines) + '{"kind": "train", "st'
    run_dir.metrics_jsonl.write_text(text)
    dropped = run_dir.truncate_metrics_after(2)
    assert dropped == 3
    assert [(r.kind, r.step) for r in run_dir.read_metrics()] == [("train", 1), ("train", 2), ("eval", 2)]
    assert run_dir.metrics_jsonl.read_text().endswith("\n")

    assert run_dir.truncate_metrics_after(2, keep_eval_at_step=False) == 1  # the eval of step 2 is measured again
    assert [(r.kind, r.step) for r in run_dir.read_metrics()] == [("train", 1), ("train", 2)]


def test_a_second_job_is_refused_while_the_lease_is_live(run_dir):
    lease = run_dir.acquire_lease("job:1", "1", holder=True)
    try:
        with pytest.raises(CodescaleError, match="already running"):
            run_dir.acquire_lease("job:2", "2", holder=True)
        # processes of the same job join it
        run_dir.acquire_lease("job:1", "1", holder=False).release()
        assert run_dir.liveness() == "live"
    finally:
        lease.release()
    assert not run_dir.lease_json.exists()


def test_a_lease_whose_process_died_is_stale_and_taken_over(run_dir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run_dir.lease_json.write_text(
        json.dumps(
            {
                "pid": dead.pid,
                "host": socket.gethostname(),
                "job_id": None,
                "token": "job:old",
                "heartbeat": time.time(),
            }
        )
    )
    assert run_dir.liveness() == "stale"
    lease = run_dir.acquire_lease("job:new", None, holder=True)
    assert run_dir.read_lease().token == "job:new" and run_dir.read_lease().pid == os.getpid()
    lease.release()


def test_a_lease_without_heartbeat_for_long_is_stale_even_on_another_host(run_dir):
    run_dir.lease_json.write_text(
        json.dumps({"pid": 1, "host": "elsewhere", "job_id": "9", "token": "job:9", "heartbeat": time.time() - 3600})
    )
    assert run_dir.liveness() == "stale"


def test_a_directory_without_run_json_is_refused_with_a_hint(tmp_path):
    with pytest.raises(CodescaleError, match="run.json is missing"):
        RunDir(tmp_path).load_run()


def test_starting_a_run_another_job_holds_is_refused_and_leaves_its_status_alone(tmp_path, monkeypatch):
    from codescale.titan_runner.train import train_run

    path = tmp_path / "runs" / "busy-00000001"
    write_run_json(path, "busy-00000001")
    run_dir = RunDir(path)
    run_dir.update_status(state="running", step=12)
    holder = run_dir.acquire_lease("job:other", "other", holder=True)
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SUBMITIT_EXECUTOR", "SLURM_JOB_ID"):
        monkeypatch.delenv(key, raising=False)
    try:
        with pytest.raises(CodescaleError, match="already running"):
            train_run(path)
    finally:
        holder.release()
    status = run_dir.read_status()
    assert status.state == "running" and status.step == 12 and status.error is None
    assert "RANK" not in os.environ  # the single-process environment it set up was taken back

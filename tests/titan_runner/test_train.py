"""Real torchtitan Trainer runs on the CPU through codescale.titan_runner.train (tiny llama3, ~100k parameters)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from titan_testing import make_run

from codescale.core.errors import CodescaleError
from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.status import collect
from codescale.titan_runner.submit import submit
from codescale.titan_runner.train import train_run

pytestmark = pytest.mark.slow


def _lines(run_dir, kind):
    return [r.model_dump() for r in RunDir(run_dir).read_metrics() if r.kind == kind]


def test_a_tiny_model_trains_and_its_run_directory_records_everything(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, steps=8, eval_interval=4)
    status = train_run(run_dir)

    assert status.state == "completed" and status.step == 8 and status.error is None
    assert status.starts[0].resumed_from_step == 0 and status.wall_seconds > 0
    train = _lines(run_dir, "train")
    assert [r["step"] for r in train] == list(range(1, 9))
    assert train[-1]["loss"] < train[0]["loss"] - 0.3
    assert set(train[-1]["loss_per_language"]) == {"python", "java"}
    assert train[-1]["tokens"] == 8 * 4 * 64 == sum(train[-1]["tokens_per_language"].values())
    assert all(r["lr"] > 0 and r["grad_norm"] > 0 and r["tokens_per_second"] > 0 for r in train)
    evals = _lines(run_dir, "eval")
    assert [r["step"] for r in evals] == [4, 8]
    assert set(evals[-1]["valid_loss"]) == {"python", "java"}
    assert evals[-1]["valid_loss"]["python"] < evals[0]["valid_loss"]["python"]
    assert (
        evals[-1]["translation_seen"] == {"python->java": False} and evals[-1]["translation_loss"]["python->java"] > 0
    )
    resolved = (run_dir / "resolved_config.json").read_text()
    assert "ScaledDotProductAttention" in resolved and "FlexAttention" not in resolved  # the CPU swap
    assert (run_dir / "checkpoints" / "step-8").is_dir()
    assert not (run_dir / "lease.json").exists()


def test_a_completed_run_is_not_trained_again(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, steps=2, eval_interval=0)
    train_run(run_dir)
    before = (run_dir / "metrics.jsonl").read_text()
    status = train_run(run_dir)
    assert status.state == "completed" and len(status.starts) == 1
    assert (run_dir / "metrics.jsonl").read_text() == before


def test_float8_trains_in_emulation_on_the_cpu(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, steps=4, float8=True, eval_interval=0)
    status = train_run(run_dir)
    assert status.state == "completed"
    losses = [r["loss"] for r in _lines(run_dir, "train")]
    assert len(losses) == 4 and losses[-1] < losses[0]
    resolved = json.loads((run_dir / "resolved_config.json").read_text())
    text = json.dumps(resolved)
    assert "Float8Linear.Config" in text and '"emulate": true' in text and '"emulate": false' not in text


def test_a_failing_run_records_its_error_and_keeps_what_it_wrote(tmp_path, prepared_corpus):
    run_dir = make_run(tmp_path, prepared_corpus, steps=8, checkpoint_interval=2, eval_interval=0)
    mixture = json.loads((run_dir / "mixture.json").read_text())
    short = 5 * 4 * 64  # data for 5 of the 8 steps
    mixture.update(total_tokens=short, tokens_per_language={"python": short // 2, "java": short // 2})
    (run_dir / "mixture.json").write_text(json.dumps(mixture))

    with pytest.raises(CodescaleError, match="sequences"):
        train_run(run_dir)

    status = RunDir(run_dir).read_status()
    assert status.state == "failed" and status.finished_at
    assert status.error.type == "CodescaleError" and "sequences" in status.error.message
    assert "Traceback" in status.error.traceback
    assert [r["step"] for r in _lines(run_dir, "train")] == [1, 2, 3, 4, 5]
    assert (run_dir / "checkpoints" / "step-4").is_dir()
    assert RunDir(run_dir).liveness() == "none"


def _train_process(run_dir):
    return subprocess.Popen(
        [sys.executable, "-m", "codescale.titan_runner.train", str(run_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_sigkilled_run_resumes_with_the_same_data_and_ends_with_the_same_loss(tmp_path, prepared_corpus):
    whole = make_run(tmp_path, prepared_corpus, run_id="whole-00000001", steps=8, checkpoint_interval=2)
    killed = make_run(tmp_path, prepared_corpus, run_id="killed-00000002", steps=8, checkpoint_interval=2)
    assert _train_process(whole).wait(timeout=300) == 0

    process = _train_process(killed)
    deadline = time.monotonic() + 300
    while not any(r.kind == "train" and r.step >= 5 for r in RunDir(killed).read_metrics()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert RunDir(killed).read_status().state == "running" and RunDir(killed).liveness() == "stale"
    row = collect([killed])[0]
    assert row["state"] == "failed" and row["reason"].startswith("interrupted at step")
    assert [r["action"] for r in submit([killed], executor="local", dry_run=True)] == ["would_submit"]

    assert _train_process(killed).wait(timeout=300) == 0
    status = RunDir(killed).read_status()
    assert status.state == "completed" and len(status.starts) == 2
    assert 2 <= status.starts[1].resumed_from_step <= 6
    records = RunDir(killed).read_metrics()
    assert [(r.kind, r.step) for r in records] == [(r.kind, r.step) for r in RunDir(whole).read_metrics()]
    expected = [r["loss"] for r in _lines(whole, "train")]
    assert [r["loss"] for r in _lines(killed, "train")] == pytest.approx(expected, rel=1e-5)
    assert _lines(killed, "eval")[-1]["valid_loss"] == pytest.approx(_lines(whole, "eval")[-1]["valid_loss"], rel=1e-5)


def _slurm_task_env(monkeypatch, ntasks: int) -> None:
    """The variables a Slurm task of job 4242 sees (what submitit's JobEnvironment reads), rank 0 of ``ntasks``."""
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.setenv(key, "")  # recorded, so that what the function exports is undone after the test
        monkeypatch.delenv(key)
    env = {"SUBMITIT_EXECUTOR": "slurm", "SLURM_JOB_ID": "4242", "SLURM_NTASKS": str(ntasks), "SLURM_PROCID": "0",
           "SLURM_LOCALID": "0", "SLURM_NODEID": "0", "SLURM_JOB_NUM_NODES": "1", "SLURM_JOB_NODELIST": "vm",
           "SLURM_STEP_NODELIST": "vm"}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_a_one_task_slurm_job_takes_a_free_port_and_a_multi_task_job_the_shared_one(monkeypatch):
    import os

    import submitit

    from codescale.titan_runner.train import ensure_distributed_env

    _slurm_task_env(monkeypatch, ntasks=2)
    shared = submitit.helpers.TorchDistributedEnvironment().master_port  # what every rank derives from the job id
    ensure_distributed_env()
    assert (os.environ["WORLD_SIZE"], os.environ["MASTER_PORT"]) == ("2", str(shared))

    _slurm_task_env(monkeypatch, ntasks=1)
    ports = set()
    for _ in range(3):
        monkeypatch.delenv("MASTER_PORT", raising=False)
        ensure_distributed_env()
        ports.add(int(os.environ["MASTER_PORT"]))
    assert os.environ["WORLD_SIZE"] == "1" and ports != {shared}  # asked of the OS, not derived from the job id

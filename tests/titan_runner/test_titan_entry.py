"""A compiled job run by torchtitan's own entry point (``torchtitan.train.main``, here through
``codescale.titan_runner.titan_train``, which applies the CPU compatibility layer first), with nothing of codescale's
driver around it: the job's components record the run directory by themselves."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from titan_testing import make_run

from codescale.titan_runner.rundir import RunDir
from codescale.titan_runner.status import collect
from codescale.titan_runner.train import free_port

pytestmark = pytest.mark.slow


def test_torchtitans_entry_point_trains_a_compiled_job_and_records_it_with_the_final_step(tmp_path, prepared_corpus):
    run_dir = make_run(
        tmp_path,
        prepared_corpus,
        run_id="entry",
        steps=5,
        log_interval=2,
        eval_interval=2,
        checkpoint_interval=10,
        extra="tracking: {tensorboard: true, wandb: offline}\n",
    )
    run = RunDir(run_dir).load_run()
    env = {
        **os.environ,
        "PYTHONPATH": str(run_dir.parent.parent),
        "RANK": "0",
        "WORLD_SIZE": "1",
        "LOCAL_RANK": "0",
        "LOCAL_WORLD_SIZE": "1",
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(free_port()),
        "WANDB_SILENT": "true",
    }
    env.pop("WANDB_MODE", None)  # the spec's `wandb: offline` must be enough
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "codescale.titan_runner.titan_train",
            "--module",
            "jobs",
            "--config",
            run.paths.job_function,
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]

    lines = RunDir(run_dir).read_metrics()
    assert [r.step for r in lines if r.kind == "train"] == [1, 2, 4, 5]  # log steps and the final step (5)
    assert [r.step for r in lines if r.kind == "eval"] == [2, 4, 5]
    status = RunDir(run_dir).read_status()
    assert status.state == "completed" and (status.step, status.total_steps) == (5, 5)
    assert [s.resumed_from_step for s in status.starts] == [0] and status.tokens_seen == 5 * 4 * 64
    assert collect([run_dir])[0]["step"] == 5
    assert (run_dir / "checkpoints" / "step-5").is_dir()

    assert list(run_dir.glob("tb/*/events.out.tfevents.*"))  # TensorBoard
    wandb_runs = list(run_dir.glob("tb/*/wandb/offline-run-*"))  # W&B, offline
    assert wandb_runs and json.dumps(sorted(p.name for p in wandb_runs[0].iterdir()))

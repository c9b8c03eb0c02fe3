"""A tiny checkpointable training job that keeps the run-directory protocol, standing in for ``TrainJob``.

It "trains" ``training.steps`` steps of ``STEP_SECONDS`` each, writes ``status.json`` (with a ``starts`` entry per
start), appends one ``metrics.jsonl`` line per step and a checkpoint file after every step, and resumes from that
checkpoint when Slurm restarts it (requeue after preemption or timeout): exactly the behaviour the Slurm layer
relies on, without torch, so the scheduler tests stay fast.
"""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import submitit

STEP_SECONDS = 0.5


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(payload))
    os.replace(tmp, path)


class ToyTrainJob(submitit.helpers.Checkpointable):
    def __call__(self, run_dir: str) -> dict:
        run_dir = Path(run_dir)
        run = json.loads((run_dir / "run.json").read_text())
        total = run["training"]["steps"]
        env = submitit.JobEnvironment()
        ckpt = run_dir / "checkpoints" / "latest.json"
        step = json.loads(ckpt.read_text())["step"] if ckpt.exists() else 0
        status_path = run_dir / "status.json"
        status = (
            json.loads(status_path.read_text())
            if status_path.exists()
            else {"format": "codescale.status/1", "run_id": run["run_id"], "starts": [], "error": None}
        )
        if env.global_rank != 0:  # other ranks only "compute"
            time.sleep(STEP_SECONDS * (total - step))
            return {"rank": env.global_rank}
        status["starts"].append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "job_id": env.job_id,
                "resumed_from_step": step,
            }
        )
        status.update(state="running", step=step, total_steps=total, world_size=env.num_tasks)
        _write_json(status_path, status)
        metrics = run_dir / "metrics.jsonl"
        if metrics.exists():  # drop lines past the checkpoint, as the protocol asks
            kept = [l for l in metrics.read_text().splitlines() if json.loads(l)["step"] <= step]
            metrics.write_text("".join(l + "\n" for l in kept))
        ckpt.parent.mkdir(exist_ok=True)
        while step < total:
            time.sleep(STEP_SECONDS)
            step += 1
            if step == run["training"].get("fail_at_step"):
                raise FloatingPointError(f"loss is NaN at step {step}")
            with metrics.open("a") as f:
                f.write(json.dumps({"kind": "train", "step": step, "loss": 10.0 / step}) + "\n")
            _write_json(ckpt, {"step": step})
            status["step"] = step
            _write_json(status_path, status)
        status["state"] = "completed"
        _write_json(status_path, status)
        return {"rank": 0, "steps": step, "world_size": env.num_tasks}

    def checkpoint(self, run_dir: str) -> submitit.helpers.DelayedSubmission:
        return submitit.helpers.DelayedSubmission(ToyTrainJob(), run_dir)

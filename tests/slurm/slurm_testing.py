"""Helpers shared by the Slurm tests: fake compiled run directories and polling with a deadline."""

from __future__ import annotations

import json
import time
from pathlib import Path

from codescale.core.contracts import Run


def make_run(root: Path, name: str, *, steps: int = 4, world_size: int = 1, **cluster) -> Path:
    """A compiled run directory: a complete run.json whose cluster section is ``cluster`` (a toy model; the Slurm
    layer reads the cluster, parallelism, training steps and cost)."""
    run_dir = root / "runs" / name
    run_dir.mkdir(parents=True)
    run = {
        "format": "codescale.run/1",
        "run_id": name,
        "name": name,
        "study": "slurmtest",
        "spec": "slurmtest.yaml",
        "sweep": {},
        "languages": ["python"],
        "model": {
            "size_label": "1k",
            "target_params": 1000,
            "n_layers": 1,
            "dim": 8,
            "n_heads": 1,
            "ffn_dim": 32,
            "vocab_size": 256,
            "params": 5000,
            "params_non_embedding": 1000,
            "params_counted": "non_embedding",
        },
        "training": {
            "seq_len": 8,
            "global_batch_tokens": 8,
            "global_batch_size": 1,
            "local_batch_size": 1,
            "steps": steps,
            "tokens": 8 * steps,
            "requested_tokens": 8 * steps,
            "lr": 1e-3,
            "min_lr_ratio": 0.1,
            "warmup_steps": 0,
            "decay": "cosine",
            "decay_ratio": None,
            "weight_decay": 0.0,
            "seed": 0,
            "max_norm": 1.0,
            "checkpoint_interval": 2,
            "log_interval": 1,
        },
        "mixture": {
            "proportions": {"python": 1.0},
            "tokens_per_language": {"python": 8 * steps},
            "max_epochs": {"python": None},
            "kind": "uniform",
        },
        "pairing": {
            "mode": "none",
            "template": None,
            "pivot": None,
            "directions": [],
            "fraction": 0.0,
            "both_orders": False,
        },
        "eval": {"interval_steps": steps, "languages": ["python"], "translation": [], "max_sequences": 1},
        "cluster": {
            "gpu": "cpu",
            "peak_flops": 5e10,
            "gpus_per_node": 0,
            "nodes": 1,
            "partition": None,
            "account": None,
            "qos": None,
            "constraint": None,
            "time_limit_min": 5,
            "mfu": 0.3,
            "cpus_per_task": 1,
            "mem_gb": 0.5,
            "extra_sbatch": [],
            **cluster,
        },
        "parallelism": {"dp_shard": world_size, "dp_replicate": 1, "world_size": world_size},
        "float8": False,
        "compile": False,
        "activation_checkpointing": "none",
        "derived": {
            "tokens_per_step": 8,
            "flops_6nd": 6.0 * 1000 * 8 * steps,
            "flops": 6.0 * 1000 * 8 * steps,
            "gpu_hours": 0.001,
            "flops_per_token": 6000,
        },
        "corpus": {"catalog": None, "prepared": None},
        "paths": {"run_dir": str(run_dir), "job_module": None, "job_function": ""},
    }
    Run.model_validate(run)  # what the compiler would write
    (run_dir / "run.json").write_text(json.dumps(run))
    return run_dir


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def read_status(run_dir: Path) -> dict:
    path = run_dir / "status.json"
    return json.loads(path.read_text()) if path.exists() else {}

"""Helpers shared by the Slurm tests: fake compiled run directories and polling with a deadline."""

from __future__ import annotations

import json
import time
from pathlib import Path


def make_run(root: Path, name: str, *, steps: int = 4, world_size: int = 1, **cluster) -> Path:
    """A compiled run directory with what the Slurm layer reads (the compiler writes the full run.json)."""
    run_dir = root / "runs" / name
    run_dir.mkdir(parents=True)
    run = {
        "format": "codescale.run/1", "run_id": name, "name": name, "study": "slurmtest",
        "training": {"steps": steps},
        "cluster": {"gpu": "cpu", "gpus_per_node": 0, "nodes": 1, "partition": None, "account": None, "qos": None,
                    "constraint": None, "time_limit_min": 5, "cpus_per_task": 1, "mem_gb": 0.5, "extra_sbatch": [],
                    **cluster},
        "parallelism": {"dp_shard": world_size, "dp_replicate": 1, "world_size": world_size},
        "derived": {"gpu_hours": 0.001},
        "paths": {"run_dir": str(run_dir)},
    }
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

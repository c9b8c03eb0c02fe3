"""Slurm tests run against the real single-node cluster that ``.ci/slurm_local.sh up`` starts (``.ci/run`` does).

Without a reachable Slurm they skip with the reason; the unit tests of the state rules run everywhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import cloudpickle
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import toy_job  # noqa: E402

# The job processes cannot import tests/, so the toy job travels inside the pickle.
cloudpickle.register_pickle_by_value(toy_job)


def _slurm_unavailable() -> str | None:
    if shutil.which("sbatch") is None:
        return "no Slurm here: sbatch is not on PATH (start one with `.ci/slurm_local.sh up`)"
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "no Slurm here: `scontrol ping` did not answer in 30 s (start one with `.ci/slurm_local.sh up`)"
    if ping.returncode != 0 or "UP" not in ping.stdout:
        said = ((ping.stdout or ping.stderr).strip().splitlines() or ["nothing"])[0]
        return f"no Slurm here: `scontrol ping` says {said!r} (start one with `.ci/slurm_local.sh up`)"
    return None


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("slurm") is not None]
    reason = _slurm_unavailable() if marked else None
    for item in marked if reason else ():
        item.add_marker(pytest.mark.skip(reason=reason))

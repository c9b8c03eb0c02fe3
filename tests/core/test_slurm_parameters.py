"""codescale.core.slurm: cluster settings -> submitit SlurmExecutor parameters, checked by submitit itself."""

from __future__ import annotations

import pytest

from codescale.core.errors import CodescaleError
from codescale.core.slurm import executor_parameters, sbatch_options


def test_settings_become_submitit_parameters_and_unset_ones_are_left_to_the_cluster(tmp_path):
    params = executor_parameters(
        time_limit_min=90,
        cpus_per_task=4,
        mem_gb=2.5,
        partition=None,
        account="lab",
        extra_sbatch=["--exclusive", "#SBATCH --reservation=big", "--comment x y"],
        default_partition="debug",
    )
    assert params == {
        "nodes": 1,
        "ntasks_per_node": 1,
        "cpus_per_task": 4,
        "time": 90,
        "partition": "debug",
        "mem": "2560M",
        "account": "lab",
        "additional_parameters": {"exclusive": True, "reservation": "big", "comment": "x y"},
    }
    submitit = pytest.importorskip("submitit")
    executor = submitit.SlurmExecutor(folder=tmp_path)
    executor.update_parameters(**params)  # submitit accepts every key
    assert executor.parameters["mem"] == "2560M"


def test_an_extra_line_cannot_override_what_codescale_sets():
    with pytest.raises(CodescaleError, match="extra_sbatch sets --time, which codescale derives"):
        sbatch_options(["--time=10"], "catalog.yaml")
    with pytest.raises(CodescaleError, match="is not a long option"):
        sbatch_options(["-t 10"], "catalog.yaml")

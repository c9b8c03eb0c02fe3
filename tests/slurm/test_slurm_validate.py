"""`codescale validate` and the submit-time checks against the real local Slurm cluster: every problem at once, one
line per distinct problem, at the spec's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from codescale.compiler.plan import plan_spec
from codescale.compiler.render import write_plan
from codescale.core.cli import main
from codescale.core.errors import CodescaleError
from codescale.titan_runner.slurm_validate import validate_against_cluster

pytestmark = pytest.mark.slurm

SPEC = """study: slurmcheck
mixture: {uniform: [python]}
model: {size: 100k, vocab_size: 1024}
budget: {tokens: 400k}
training: {seq_len: 128, global_batch_tokens: 4096}
cluster:
  gpu: cpu
  gpus_per_node: 1
  partition: PARTITION
  account: ACCOUNT
  mem_gb: MEM
  time_limit_min: 30
sweep:
  product:
    training.seed: [1, 2, 3, 4]
"""


def _spec(tmp_path: Path, partition: str = "debug", account: str = "root", mem: str = "0.5") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.replace("PARTITION", partition).replace("ACCOUNT", account).replace("MEM", mem))
    return path


def test_validate_checks_a_spec_against_the_live_cluster_and_says_so(tmp_path, capsys):
    assert main(["validate", str(_spec(tmp_path))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("cluster: checked against the live Slurm cluster (partitions debug")


def test_validate_reports_every_live_problem_once_at_the_spec_line(tmp_path, capsys):
    spec = _spec(tmp_path, partition="h800", account="ghost-lab", mem="100000")
    assert main(["validate", str(spec)]) == 2
    lines = capsys.readouterr().err.removeprefix("error: ").splitlines()
    assert len(lines) == 2  # the partition and the account; node sizes need a partition that exists
    assert lines[0].startswith(f"{spec}:9:14 cluster.partition: 4 runs: partition 'h800' does not exist")
    assert lines[1].startswith(f"{spec}:10:12 cluster.account: 4 runs: account 'ghost-lab' is not known")


def test_submit_checks_point_at_the_spec_the_runs_were_compiled_from(tmp_path):
    spec = _spec(tmp_path, mem="100000")  # 100 TB per node: no node of this machine has that
    plan = plan_spec(spec, out_dir=tmp_path / "out")
    write_plan(plan, tmp_path / "out")
    with pytest.raises(CodescaleError) as info:
        validate_against_cluster([tmp_path / "out" / "runs" / run.run_id for run in plan.runs])
    (line,) = info.value.render().splitlines()
    assert line.startswith(
        f"{spec}:6:1 cluster: 4 runs: needs 1 node(s) with 1 CPUs, 0 GPUs, 102400000 MB memory in partition 'debug'"
    )

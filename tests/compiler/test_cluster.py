"""Cluster checks in the compiler: static ones in every plan of a spec with a cluster section, live ones against a
cluster snapshot; one located line per distinct problem."""

from pathlib import Path

import pytest

from codescale.compiler import cluster
from codescale.compiler.cluster import SlurmCluster, SlurmNode, SlurmPartition, live_problems, located
from codescale.compiler.plan import plan_spec
from codescale.core.cli import main
from codescale.core.errors import CodescaleError

GOOD = (Path(__file__).parent / "fixtures" / "good" / "minimal.yaml").read_text()

# A GPU cluster this CPU machine cannot have: the same facts SlurmCluster.read() takes from scontrol/sacctmgr.
H800 = SlurmCluster(
    max_array_size=1001,
    partitions={"gpu": SlurmPartition("gpu", 2880, "UP", True), "short": SlurmPartition("short", 60, "UP", False)},
    nodes=[SlurmNode(f"h{i}", 128, 1_000_000, 8, frozenset({"h800"}), ("gpu", "short"), "IDLE") for i in range(4)],
    accounts=frozenset({"codescale"}),
    qos=frozenset({"normal"}),
)


def _spec(tmp_path: Path, cluster_lines: str, sweep: str = "") -> Path:
    text = GOOD.replace("cluster:\n  gpu: cpu\n  gpus_per_node: 1\n", "cluster:\n" + cluster_lines) + sweep
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


SEEDS = "sweep:\n  product:\n    training.seed: [1, 2, 3]\n"


def test_a_time_limit_below_the_estimate_is_one_error_at_the_spec_line_for_all_runs(tmp_path):
    # a CPU of 1e6 FLOP/s at 10% MFU: each run needs far more than 5 minutes
    path = _spec(
        tmp_path, "  gpu: cpu\n  gpus_per_node: 1\n  peak_flops: 1.0e+6\n  mfu: 0.1\n  time_limit_min: 5\n", SEEDS
    )
    with pytest.raises(CodescaleError) as info:
        plan_spec(path)
    (line,) = info.value.render().splitlines()
    assert line.startswith(
        f"{path}:18:19 cluster.time_limit_min: 3 runs: time limit 5 min is shorter than the plan's estimate (up to "
    )
    assert "derived.gpu_hours over 1 devices" in line and "set cluster.time_limit_min to at least" in line


def test_a_swept_time_limit_is_reported_at_its_sweep_entry(tmp_path):
    path = _spec(
        tmp_path,
        "  gpu: cpu\n  gpus_per_node: 1\n  peak_flops: 1.0e+6\n  mfu: 0.1\n",
        "sweep:\n  product:\n    cluster.time_limit_min: [5, 600]\n",
    )
    with pytest.raises(CodescaleError) as info:
        plan_spec(path)
    assert info.value.render().startswith(f"{path}:20:30 cluster.time_limit_min: run minimal-5-")


def test_extra_sbatch_lines_are_checked_when_planning(tmp_path):
    path = _spec(tmp_path, "  gpu: cpu\n  gpus_per_node: 1\n  extra_sbatch: ['--time=600', '-N 2']\n")
    with pytest.raises(CodescaleError) as info:
        plan_spec(path)
    lines = info.value.render().splitlines()
    assert len(lines) == 2 and all(
        line.startswith(f"{path}:16:17 cluster.extra_sbatch: run minimal-") for line in lines
    )
    assert "sets --time, which codescale derives" in lines[0] + lines[1]
    assert "'-N 2' is not a long option" in lines[0] + lines[1]


def test_a_spec_without_a_cluster_section_gets_no_cluster_checks(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("cluster:\n  gpu: cpu\n  gpus_per_node: 1\n", ""))
    assert plan_spec(path).cluster_checks is None


def test_every_live_problem_of_every_run_is_one_line_each_at_its_spec_line(tmp_path):
    path = _spec(
        tmp_path, "  gpu: H800\n  gpus_per_node: 8\n  partition: h100\n  account: ghost\n  qos: urgent\n", SEEDS
    )
    plan = plan_spec(path)
    errors = located([p for run in plan.runs for p in live_problems(run, H800)], plan.sources)
    assert [e.render() for e in errors] == [
        f"{path}:16:14 cluster.partition: 3 runs: partition 'h100' does not exist on this cluster (e.g. run "
        f"{plan.runs[0].run_id}) (set cluster.partition to one of: gpu, short)",
        f"{path}:17:12 cluster.account: 3 runs: account 'ghost' is not known to Slurm accounting (e.g. run "
        f"{plan.runs[0].run_id}) (use one of: codescale (see `sacctmgr show assoc user=$USER`))",
        f"{path}:18:8 cluster.qos: 3 runs: QOS 'urgent' is not known to Slurm accounting (e.g. run "
        f"{plan.runs[0].run_id}) (use one of: normal)",
    ]


def test_validate_reports_static_and_live_problems_together(tmp_path, monkeypatch, capsys):
    # No GPU cluster can answer here: the live facts come from the hand-written H800 snapshot.
    monkeypatch.setattr(cluster, "slurm_unreachable", lambda: None)
    monkeypatch.setattr(cluster.SlurmCluster, "read", classmethod(lambda cls: H800))
    path = _spec(
        tmp_path,
        "  gpu: H800\n  gpus_per_node: 8\n  partition: short\n  account: ghost\n"
        "  time_limit_min: 120\n  peak_flops: 1.0e+6\n  mfu: 0.01\n",
        SEEDS,
    )
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.removeprefix("error: ").splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{path}:17:12 cluster.account: 3 runs: account 'ghost'")
    assert lines[1].startswith(
        f"{path}:18:19 cluster.time_limit_min: 3 runs: time limit 120 min exceeds partition 'short''s MaxTime of 60 min"
    )
    assert lines[2].startswith(f"{path}:18:19 cluster.time_limit_min: 3 runs: time limit 120 min is shorter than")


def test_validate_says_what_the_cluster_checks_covered(tmp_path, monkeypatch, capsys):
    path = _spec(tmp_path, "  gpu: cpu\n  gpus_per_node: 1\n")
    assert main(["validate", "--no-slurm", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "cluster: time limit and shape checked; partition, account, QOS and node sizes not (--no-slurm)"
    )
    monkeypatch.setattr(cluster, "slurm_unreachable", lambda: "`scontrol` is not on PATH")
    assert main(["plan", str(path)]) == 0
    assert (
        "cluster: time limit and shape checked; no Slurm cluster reachable (`scontrol` is not on PATH), so "
        "partition, account, QOS and node sizes not"
    ) in capsys.readouterr().err


def test_slurm_is_unreachable_without_its_client(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert cluster.slurm_unreachable() == "`scontrol` is not on PATH"

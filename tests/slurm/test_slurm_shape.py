"""Run shapes and the cluster checks on GPU clusters this CPU machine cannot start (a hand-written cluster snapshot,
the same facts SlurmCluster.read() takes from scontrol/sacctmgr)."""

import json

import pytest
from slurm_testing import make_run

from codescale.compiler.cluster import SlurmCluster, SlurmNode, SlurmPartition, gpu_count, run_shape, sbatch_options
from codescale.core.errors import CodescaleError
from codescale.titan_runner.slurm_validate import load_run, validate_against_cluster

H800 = SlurmCluster(
    max_array_size=1001,
    partitions={"gpu": SlurmPartition("gpu", 2880, "UP", True), "short": SlurmPartition("short", 60, "UP", False)},
    nodes=[
        SlurmNode(f"h{i}", 128, 1_000_000, 8, frozenset({"h800", "ib"}), ("gpu", "short"), "IDLE") for i in range(4)
    ],
    accounts=frozenset({"codescale"}),
    qos=frozenset({"normal", "high"}),
)


def _gpu_run(tmp_path, name, **cluster):
    world = cluster.pop("world_size", 8 * cluster.get("nodes", 1))
    base = {
        "gpu": "H800",
        "gpus_per_node": 8,
        "partition": "gpu",
        "account": "codescale",
        "time_limit_min": 600,
        "cpus_per_task": 8,
        "mem_gb": 512,
    }
    return make_run(tmp_path, name, world_size=world, **{**base, **cluster})


@pytest.mark.parametrize(
    "gres, gpus", [("gpu:8", 8), ("gpu:h800:8(S:0-1)", 8), ("gpu:a100:4,shard:8", 4), ("(null)", 0)]
)
def test_gpus_are_counted_from_the_node_gres(gres, gpus):
    assert gpu_count(gres) == gpus


def test_a_two_node_gpu_run_is_one_task_per_gpu(tmp_path):
    run_dir = _gpu_run(tmp_path, "big", nodes=2)
    shape = run_shape(load_run(run_dir))
    assert (shape.nodes, shape.tasks_per_node, shape.gpus_per_node) == (2, 8, 8)
    assert validate_against_cluster([run_dir], H800)[0] == shape


def test_a_world_size_that_is_not_one_rank_per_gpu_is_refused(tmp_path):
    run_dir = _gpu_run(tmp_path, "odd", nodes=2, world_size=12)
    with pytest.raises(CodescaleError, match="6 ranks per node, but gpus_per_node is 8") as err:
        validate_against_cluster([run_dir], H800)
    assert "set world_size to 16" in err.value.render()


def test_cpu_runs_request_no_gpus(tmp_path):
    run_dir = make_run(tmp_path, "cpu", world_size=2, gpu="cpu", gpus_per_node=2)
    shape = run_shape(load_run(run_dir))
    assert (shape.tasks_per_node, shape.gpus_per_node) == (2, 0)


def test_every_problem_of_every_run_is_reported_at_once(tmp_path):
    runs = [
        _gpu_run(tmp_path, "five-nodes", nodes=5),
        _gpu_run(tmp_path, "needs-a100", constraint="a100"),
        _gpu_run(tmp_path, "too-long", partition="short", time_limit_min=120),
        _gpu_run(tmp_path, "bad-qos", qos="urgent"),
    ]
    with pytest.raises(CodescaleError) as err:
        validate_against_cluster(runs, H800)
    lines = err.value.render().splitlines()
    assert len(lines) == 4
    assert "needs 5 node(s)" in lines[0] and "which has 4 such node(s)" in lines[0]
    assert "features ['a100']" in lines[1]
    assert "exceeds partition 'short''s MaxTime of 60 min" in lines[2]
    assert "QOS 'urgent' is not known" in lines[3] and "high, normal" in lines[3]


def test_the_time_estimate_is_gpu_hours_over_the_runs_gpus(tmp_path):
    run_dir = _gpu_run(tmp_path, "slow", nodes=2, time_limit_min=600)
    run = json.loads((run_dir / "run.json").read_text())
    run["derived"]["gpu_hours"] = 16 * 12.0  # 12 h on 16 GPUs
    (run_dir / "run.json").write_text(json.dumps(run))
    with pytest.raises(
        CodescaleError, match=r"shorter than the plan's estimate \(720 min: derived.gpu_hours over 16 devices\)"
    ) as err:
        validate_against_cluster([run_dir], H800)
    assert err.value.field == "cluster.time_limit_min" and "at least 720" in err.value.render()


def test_extra_sbatch_lines_become_sbatch_options():
    assert sbatch_options(("--exclusive", "#SBATCH --reservation=big", "--comment hello")) == {
        "exclusive": True,
        "reservation": "big",
        "comment": "hello",
    }
    with pytest.raises(CodescaleError, match="not a long option"):
        sbatch_options(("-N 2",))
    with pytest.raises(CodescaleError, match="sets --partition"):
        sbatch_options(("--partition=other",))


def test_a_broken_run_json_is_a_clear_error(tmp_path):
    run_dir = make_run(tmp_path, "broken")
    (run_dir / "run.json").write_text('{"format": "codescale.run/1",')
    with pytest.raises(CodescaleError, match="not valid JSON") as err:
        validate_against_cluster([run_dir], H800)
    assert err.value.source == str(run_dir / "run.json")

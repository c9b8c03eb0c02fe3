"""Submitting runs through submitit's real SlurmExecutor to the local Slurm cluster (toy checkpointable job)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from slurm_testing import make_run, read_status, wait_for
from toy_job import ToyTrainJob

from codescale.compiler.cluster import SlurmCluster
from codescale.core.errors import CodescaleError
from codescale.titan_runner.slurm import cancel, poll, read_submission, run_state, submit_runs
from codescale.titan_runner.slurm_states import query

pytestmark = [pytest.mark.slurm, pytest.mark.slow]


def _queue() -> list[str]:
    return subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True, check=True).stdout.split()


def _done(run_dirs):
    return all(read_status(d).get("state") == "completed" for d in run_dirs)


def test_bad_runs_are_refused_with_every_reason_before_anything_is_queued(tmp_path):
    runs = [
        make_run(tmp_path, "nopart", partition="h800"),
        make_run(tmp_path, "noaccount", account="ghost-lab"),
        make_run(tmp_path, "huge", cpus_per_task=512, mem_gb=4096),
        make_run(tmp_path, "short", time_limit_min=10),
        make_run(tmp_path, "ok"),
    ]
    slow = json.loads((runs[3] / "run.json").read_text())
    slow["derived"]["gpu_hours"] = 2.0
    (runs[3] / "run.json").write_text(json.dumps(slow))
    before = _queue()
    with pytest.raises(CodescaleError) as err:
        submit_runs(runs, tmp_path / "submitit", job=ToyTrainJob())
    text = err.value.render()
    assert "partition 'h800' does not exist" in text and "debug" in text
    assert "account 'ghost-lab' is not known" in text
    assert "512 CPUs" in text and "largest node has" in text
    assert "shorter than the plan's estimate (120 min" in text and "at least 120" in text
    assert set(_queue()) - set(before) == set()  # nothing new queued (jobs of earlier tests may end meanwhile)
    assert not (tmp_path / "submitit").exists()
    assert not any((d / "submission.json").exists() for d in runs)


def test_dry_run_shows_the_arrays_and_queues_nothing(tmp_path):
    runs = [make_run(tmp_path, f"r{i}", world_size=2) for i in range(2)]
    records = submit_runs(runs, tmp_path / "submitit", dry_run=True, job=ToyTrainJob())
    assert [r["action"] for r in records] == ["would_submit"] * 2
    assert records[0]["parameters"]["ntasks_per_node"] == 2 and records[0]["parameters"]["nodes"] == 1
    assert not any((d / "submission.json").exists() for d in runs)


def test_runs_go_into_arrays_by_shape_split_at_max_array_size_and_all_complete(tmp_path):
    max_array = SlurmCluster.read().max_array_size
    small = [make_run(tmp_path, f"small{i}", steps=2) for i in range(max_array + 1)]
    wide = [make_run(tmp_path, "wide", steps=2, cpus_per_task=2)]
    records = submit_runs(small + wide, tmp_path / "submitit", job=ToyTrainJob(), array_parallelism=2)

    assert all(r["action"] == "submitted" for r in records)
    per_array = Counter(r["array_id"] for r in records)
    assert sorted(per_array.values()) == sorted([max_array, 1, 1])
    array_id = records[0]["array_id"]
    script = (Path(records[0]["folder"]) / array_id / f"{array_id}_submission.sh").read_text()
    assert f"#SBATCH --array=0-{max_array - 1}%2" in script  # the parallelism cap
    assert records[-1]["array_id"] not in {r["array_id"] for r in records[:-1]}  # a different shape, its own job
    assert read_submission(small[0])["job_id"] == records[0]["job_id"]
    # one sacct call knows every task, including the pending ones it lists as a range (12_[2-3%2])
    ids = [r["job_id"] for r in records]
    wait_for(lambda: "UNKNOWN" not in poll(ids).values(), 15, "sacct to list every task")

    wait_for(lambda: _done(small + wide), 120, "every run to complete")
    assert "Job completed successfully" in Path(records[0]["stdout"]).read_text()  # rank 0's submitit log
    states = poll([r["job_id"] for r in records])
    wait_for(lambda: set(poll([r["job_id"] for r in records]).values()) == {"COMPLETED"}, 30, "sacct to agree")
    assert set(states) == {r["job_id"] for r in records}

    again = submit_runs(small + wide, tmp_path / "submitit", job=ToyTrainJob())
    assert [r["action"] for r in again] == ["skipped"] * len(again)
    assert {r["reason"] for r in again} == {"completed"}


def test_queued_runs_are_not_submitted_twice_and_cancel_shows_cancelled(tmp_path):
    run = make_run(tmp_path, "long", steps=200)
    first = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    second = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    assert second["action"] == "skipped" and second["job_id"] == first["job_id"]
    assert "already queued" in second["reason"]

    # a recorded job id that now belongs to someone else's job (ids restart after a controller reset) is not ours
    stranger = make_run(tmp_path, "stranger", steps=1)
    (stranger / "submission.json").write_text(json.dumps({**first, "job_name": "codescale-0ther0ne"}))
    assert submit_runs([stranger], tmp_path / "submitit", job=ToyTrainJob())[0]["action"] == "submitted"

    wait_for(lambda: read_status(run).get("step", 0) >= 1, 60, "the run to start training")
    cancel([first["job_id"]])
    wait_for(lambda: poll([first["job_id"]])[first["job_id"]] == "CANCELLED", 30, "the job to show CANCELLED")
    assert read_status(run)["state"] == "running"  # the killed process never said otherwise...
    assert run_state(run, "CANCELLED")[0] == "cancelled"  # ...but the merged state does
    assert run_state(run, "UNKNOWN")[0] == "failed"  # and with Slurm's record gone it is not left "running"

    # while the killed step is still COMPLETING its process may write to the run dir: no second job until it is gone
    wait_for(lambda: query([first["job_id"]], live=True)[first["job_id"]][0] == "CANCELLED", 30, "the step to end")
    third = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    assert third["action"] == "submitted" and third["job_id"] != first["job_id"]
    assert third["folder"] != first["folder"]  # each array has its own submitit folder: no stale pickles, ever
    assert read_submission(run)["history"][0]["job_id"] == first["job_id"]
    cancel([third["job_id"]])


def test_an_admin_requeue_kills_the_run_and_it_resumes_from_its_last_checkpoint(tmp_path):
    # `scontrol requeue` (like a node failure) gives the job no chance to checkpoint: submitit ignores SIGTERM and
    # Slurm kills the step, so the rerun must start from what is on disk. (The real TrainJob's preemption path,
    # where submitit calls checkpoint(), is in test_slurm_train_e2e.py.)
    run = make_run(tmp_path, "requeued", steps=14)
    record = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    wait_for(lambda: read_status(run).get("step", 0) >= 3, 60, "a few steps")
    subprocess.run(["scontrol", "requeue", record["job_id"]], check=True)
    state = wait_for(lambda: {"REQUEUED", "PENDING"} & {poll([record["job_id"]])[record["job_id"]]}, 30, "requeue")
    assert run_state(run, state.pop()) == ("pending", "queued (requeued; resumes from its last checkpoint)")

    status = wait_for(lambda: _done([run]) and read_status(run), 120, "the requeued run to complete")
    assert len(status["starts"]) == 2
    assert status["starts"][1]["resumed_from_step"] >= 3
    assert {s["job_id"] for s in status["starts"]} == {record["job_id"]}  # the same job, requeued
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 15))


def test_a_run_with_two_ranks_gets_two_tasks(tmp_path):
    run = make_run(tmp_path, "two-ranks", steps=2, world_size=2)
    submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())
    status = wait_for(lambda: _done([run]) and read_status(run), 60, "the run to complete")
    assert status["world_size"] == 2


def test_extra_sbatch_lines_reach_sbatch_and_clashing_ones_are_refused(tmp_path):
    run = make_run(tmp_path, "commented", steps=1, extra_sbatch=["--comment=codescale-test", "#SBATCH --requeue"])
    record = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    script = (Path(record["folder"]) / record["job_id"] / f"{record['job_id']}_submission.sh").read_text()
    assert "#SBATCH --comment=codescale-test" in script and "#SBATCH --requeue" in script

    bad = make_run(tmp_path, "clash", extra_sbatch=["--time=600", "-N 2"])
    with pytest.raises(CodescaleError) as err:
        submit_runs([bad], tmp_path / "submitit2", job=ToyTrainJob())
    assert "extra_sbatch sets --time" in err.value.render()

    refused = make_run(tmp_path, "refused", extra_sbatch=["--reservation=nosuch"])
    with pytest.raises(CodescaleError, match="sbatch refused the array of 1 run.*[Rr]eservation"):
        submit_runs([refused], tmp_path / "submitit3", job=ToyTrainJob())
    assert not (refused / "submission.json").exists()


def test_two_submitters_at_once_queue_each_run_once(tmp_path):
    runs = [make_run(tmp_path, f"race{i}", steps=1) for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: submit_runs(runs, tmp_path / "submitit", job=ToyTrainJob()), range(2)))
    actions = Counter(r["action"] for records in results for r in records)
    assert actions == {"submitted": 2, "skipped": 2}
    wait_for(lambda: _done(runs), 60, "both runs to complete")


def test_a_run_another_process_is_training_is_not_queued(tmp_path):
    run = make_run(tmp_path, "busy-here")
    (run / "lease.json").write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "job_id": None,
                "token": "process:here",
                "heartbeat": time.time(),
            }
        )
    )
    (record,) = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())
    assert record["action"] == "skipped" and f"pid {os.getpid()}" in record["reason"]
    assert not (run / "submission.json").exists()


def test_a_run_that_crashes_shows_failed_with_its_log(tmp_path):
    run = make_run(tmp_path, "nan", steps=5)
    run_json = json.loads((run / "run.json").read_text())
    run_json["training"]["fail_at_step"] = 2
    (run / "run.json").write_text(json.dumps(run_json))
    record = submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]
    wait_for(lambda: poll([record["job_id"]])[record["job_id"]] == "FAILED", 60, "the job to fail")
    state, reason = run_state(run, "FAILED")
    assert state == "failed" and record["stderr"] in reason
    assert "FloatingPointError: loss is NaN at step 2" in Path(record["stderr"]).read_text()
    assert submit_runs([run], tmp_path / "submitit", job=ToyTrainJob())[0]["action"] == "submitted"  # retry allowed


def test_a_pending_task_cancelled_with_scancel_shows_cancelled_at_once_and_its_running_sibling_stays_running(
    tmp_path, capsys
):
    from codescale.core.cli import main

    runs = [make_run(tmp_path, f"queued{i}", steps=200) for i in range(2)]
    first, second = (
        r["job_id"] for r in submit_runs(runs, tmp_path / "submitit", job=ToyTrainJob(), array_parallelism=1)
    )
    wait_for(lambda: read_status(runs[0]).get("step", 0) >= 1, 60, "the first task to train")
    # accounting may still cover the running task with the array's pending range line: the queue decides
    assert poll([first, second]) == {first: "RUNNING", second: "PENDING"}
    subprocess.run(["scancel", second], check=True)  # a raw scancel, not `codescale cancel`
    assert poll([second]) == {second: "CANCELLED"}  # no accounting lag: the queue dropped it
    assert run_state(runs[1], poll([second])[second]) == ("cancelled", "job cancelled")
    assert main(["status", str(runs[0]), str(runs[1])]) == 0  # nothing failed
    rows = capsys.readouterr().out
    assert "queued1" in rows and "cancelled" in rows and "missing" not in rows
    cancel([first])

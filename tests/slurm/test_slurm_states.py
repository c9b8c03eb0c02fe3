"""How scheduler states are normalised and merged with the run directory (pure rules, no cluster needed)."""

import pytest

from codescale.compiler.cluster import parse_slurm_minutes
from codescale.core.contracts import Status
from codescale.core.errors import CodescaleError
from codescale.titan_runner.slurm_states import _expand_ids, explain_state, merge_state, normalise_state

RUNNING_IN_RUN_DIR = Status(
    run_id="r",
    state="running",
    step=3,
    starts=[{"time": "2026-01-01T00:00:00+00:00", "host": "n1", "pid": 1, "job_id": "7_1", "resumed_from_step": 0}],
)


def _status(state: str, **fields) -> Status:
    return Status(run_id="r", state=state, **fields)


@pytest.mark.parametrize(
    "raw, state",
    [
        ("CANCELLED by 0", "CANCELLED"),
        ("COMPLETING", "RUNNING"),
        ("OUT_OF_MEMORY", "FAILED"),
        ("BOOT_FAIL", "NODE_FAIL"),
        ("REQUEUE_HOLD", "REQUEUED"),
        ("DEADLINE", "TIMEOUT"),
        ("PENDING", "PENDING"),
        ("SOMETHING_NEW", "UNKNOWN"),
    ],
)
def test_slurm_states_normalise_to_the_ten_codescale_states(raw, state):
    assert normalise_state(raw) == state


def test_pending_array_ranges_expand_to_one_id_per_task():
    assert _expand_ids("12_[0-2,5%2]") == ["12_0", "12_1", "12_2", "12_5"]
    assert _expand_ids("12_3") == ["12_3"]


@pytest.mark.parametrize(
    "scheduler, expected",
    [
        ("CANCELLED", "cancelled"),
        ("FAILED", "failed"),
        ("TIMEOUT", "failed"),
        ("NODE_FAIL", "failed"),
        ("PREEMPTED", "failed"),
        ("COMPLETED", "failed"),
        ("UNKNOWN", "failed"),
    ],
)
def test_run_dir_says_running_but_job_is_over_or_gone(scheduler, expected):
    state, reason = explain_state(RUNNING_IN_RUN_DIR, scheduler)
    assert state == expected and reason


def test_a_requeued_job_is_pending_even_though_the_run_dir_still_says_running():
    state, reason = explain_state(RUNNING_IN_RUN_DIR, "REQUEUED")
    assert state == "pending" and "checkpoint" in reason


def test_completed_in_the_run_dir_wins_over_any_scheduler_state():
    assert merge_state(_status("completed"), "UNKNOWN") == "completed"
    assert merge_state(_status("completed"), "CANCELLED") == "completed"


def test_a_cancel_codescale_requested_survives_the_scheduler_forgetting_the_job():
    assert explain_state(RUNNING_IN_RUN_DIR, "UNKNOWN", cancel_requested=True)[0] == "cancelled"


def test_never_submitted_runs_keep_their_own_state():
    assert merge_state(None, None) == "pending"
    assert merge_state(_status("running"), None) == "running"


def test_a_failed_run_keeps_its_own_error_message():
    status = _status("failed", error={"type": "ValueError", "message": "loss is NaN at step 7", "traceback": ""})
    assert explain_state(status, "FAILED") == ("failed", "loss is NaN at step 7")


def test_an_unknown_scheduler_state_is_a_clear_error():
    with pytest.raises(CodescaleError, match="unknown scheduler state 'DONE'"):
        merge_state(None, "DONE")


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("UNLIMITED", None),
        ("30", 30),
        ("1:30:00", 90),
        ("2-00:00:00", 2880),
        ("1-12", 2160),
        ("10:30", 11),
    ],
)
def test_slurm_time_limits_parse_to_minutes(text, minutes):
    assert parse_slurm_minutes(text) == minutes


def _merge(ids, queue, accounting):
    from codescale.titan_runner.slurm_states import merge_records

    return {job_id: state for job_id, (state, _) in merge_records(ids, queue, accounting).items()}


def test_a_running_task_stays_running_while_accounting_still_lists_it_in_a_pending_range():
    # what sacct and squeue said on the local cluster a second after task 1 of a %1 array started
    queue = "23_1|codescale-a|RUNNING\n23_2|codescale-a|PENDING\n"
    accounting = "23_0|codescale-a|COMPLETED\n23_[1-2%1]|codescale-a|PENDING\n"
    assert _merge(["23_0", "23_1", "23_2"], queue, accounting) == {
        "23_0": "COMPLETED",
        "23_1": "RUNNING",
        "23_2": "PENDING",
    }


def test_a_tasks_own_accounting_line_wins_over_the_range_that_still_covers_it():
    accounting = "23_1|codescale-a|RUNNING\n23_[1-2%1]|codescale-a|PENDING\n"
    assert _merge(["23_1", "23_2"], "", accounting) == {"23_1": "RUNNING", "23_2": "PENDING"}


def test_a_pending_task_cancelled_with_scancel_is_cancelled_at_once():
    # scancel 23_2 while pending: the queue drops it at once; accounting keeps the old range for a few seconds
    queue = "23_1|codescale-a|RUNNING\n"
    accounting = "23_[1-2%1]|codescale-a|PENDING\n"
    assert _merge(["23_1", "23_2"], queue, accounting) == {"23_1": "RUNNING", "23_2": "CANCELLED"}


def test_a_task_cancelled_while_pending_stays_cancelled_after_the_array_has_ended():
    accounting = "84_0|codescale-a|CANCELLED by 0\n84_[1%1]|codescale-a|CANCELLED by 0\n"
    assert _merge(["84_0", "84_1", "84_2"], "", accounting) == {
        "84_0": "CANCELLED",
        "84_1": "CANCELLED",
        "84_2": "CANCELLED",
    }


def test_a_job_neither_the_queue_nor_accounting_knows_is_left_out():
    assert _merge(["99_0", "98"], "", "23_0|codescale-a|COMPLETED\n") == {}


def test_a_run_that_never_started_and_failed_points_at_no_missing_log(tmp_path):
    import json

    from codescale.titan_runner.slurm import run_state

    (tmp_path / "submission.json").write_text(
        json.dumps(
            {"job_id": "7_1", "submitted_at": "2026-01-01T00:00:00+00:00", "stderr": str(tmp_path / "missing.err")}
        )
    )
    state, reason = run_state(tmp_path, "NODE_FAIL")
    assert state == "failed" and "log:" not in reason

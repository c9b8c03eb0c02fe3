"""`codescale eval` as jobs: targets, skipping, the store, `codescale status`, and the local executor (real
submitit processes)."""

from __future__ import annotations

import json

import duckdb
import pytest
from titan_testing import make_run

from codescale.core.cli import main
from codescale.core.contracts.evals import EvalStatus

pytestmark = pytest.mark.slow
SMALL = [
    "--suite",
    "builtin",
    "--languages",
    "python",
    "--limit",
    "2",
    "--n",
    "2",
    "--k",
    "1,2",
    "--max-new-tokens",
    "8",
    "--workers",
    "2",
    "--batch-size",
    "4",
]


def _score_rows(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT run_id, step, k, language FROM generation_evals ORDER BY step, k").fetchall()
    finally:
        con.close()


def test_eval_evaluates_completed_runs_stores_the_scores_and_skips_what_is_done(
    trained_run, prepared_corpus, tmp_path, capsys
):
    untrained = make_run(tmp_path, prepared_corpus, run_id="untrained", steps=2)
    db = tmp_path / "store.duckdb"
    plan_dir = trained_run.parent.parent
    assert main(["eval", str(plan_dir), str(untrained), *SMALL, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"evaluated      {trained_run.name} step 4" in out
    assert "skipped        untrained" in out and "not completed" in out
    assert "pass@1" in out and "pass@2" in out
    assert _score_rows(db) == [(trained_run.name, 4, 1, "python"), (trained_run.name, 4, 2, "python")]
    assert main(["eval", str(plan_dir), *SMALL, "--db", str(db)]) == 0
    assert f"skipped        {trained_run.name} step 4  completed" in capsys.readouterr().out
    assert len(_score_rows(db)) == 2  # stored again, replaced, not duplicated


def test_status_shows_evaluations_and_an_interrupted_one_as_failed(trained_run, tmp_path, capsys):
    assert main(["eval", str(trained_run), *SMALL, "--no-store"]) == 0
    capsys.readouterr()
    assert main(["status", str(trained_run)]) == 0
    text = capsys.readouterr().out
    assert "evaluations (" in text and "completed" in text and "gen 4/4 run 4/4" in text
    assert main(["status", str(trained_run), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert any(e["state"] == "completed" and e["step"] == 4 for e in row["evaluations"])
    ghost = trained_run / "evals" / "builtin-deadbeef" / "step-4"  # a process that died mid-way, without a lock
    ghost.mkdir(parents=True)
    EvalStatus(
        run_id=trained_run.name,
        step=4,
        eval_id="builtin-deadbeef",
        suite="builtin",
        state="running",
        pid=999999,
        host="here",
    ).write(ghost / "status.json")
    try:
        assert main(["status", str(trained_run)]) == 1
        assert "interrupted (process gone); evaluate again to resume" in capsys.readouterr().out
    finally:
        for path in sorted(ghost.parent.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        ghost.parent.rmdir()


def test_the_local_executor_runs_one_submitit_job_per_checkpoint(trained_run, capsys):
    settings = [
        "--suite",
        "builtin",
        "--languages",
        "rust",
        "--limit",
        "1",
        "--n",
        "1",
        "--k",
        "1",
        "--max-new-tokens",
        "6",
        "--workers",
        "1",
        "--batch-size",
        "2",
    ]
    assert (
        main(
            [
                "eval",
                str(trained_run),
                *settings,
                "--step",
                "all",
                "--executor",
                "local",
                "--max-parallel",
                "2",
                "--no-store",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"evaluated      {trained_run.name} step 2" in out and f"evaluated      {trained_run.name} step 4" in out
    statuses = [EvalStatus.read(p) for p in trained_run.glob("evals/builtin-*/step-*/status.json")]
    local = [s for s in statuses if s.executor == "local"]
    assert sorted(s.step for s in local) == [2, 4]
    assert all(s.state == "completed" and s.job_id and s.job_id.isdigit() for s in local)


def test_a_dry_run_and_bad_settings_change_nothing(trained_run, capsys):
    before = sorted(p.name for p in (trained_run / "evals").iterdir()) if (trained_run / "evals").exists() else []
    assert main(["eval", str(trained_run), "--suite", "translation", "--n", "1", "--k", "1", "--dry-run"]) == 0
    assert "would_evaluate" in capsys.readouterr().out
    assert main(["eval", str(trained_run), "--n", "5", "--k", "1,10"]) == 2
    assert "raise --n to 10" in capsys.readouterr().err
    assert main(["eval", str(trained_run), "--suite", "humaneval"]) == 2
    after = sorted(p.name for p in (trained_run / "evals").iterdir()) if (trained_run / "evals").exists() else []
    assert after == before

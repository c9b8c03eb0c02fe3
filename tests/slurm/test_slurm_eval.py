"""Generation evals as a Slurm job array on the real local cluster: one task per checkpoint, followed by
`codescale status`, stored by `codescale ingest`, and not submitted twice."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from slurm_testing import wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "titan_runner"))
from titan_testing import build_corpus, make_run  # noqa: E402

from codescale.core.cli import main  # noqa: E402
from codescale.core.contracts.evals import EvalStatus  # noqa: E402

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
SETTINGS = [
    "--suite",
    "builtin",
    "--languages",
    "python,go",
    "--limit",
    "1",
    "--n",
    "2",
    "--k",
    "1",
    "--max-new-tokens",
    "8",
    "--workers",
    "1",
    "--batch-size",
    "2",
    "--step",
    "all",
    "--executor",
    "slurm",
    "--cpus",
    "1",
    "--mem-gb",
    "3",
    "--time-min",
    "20",
]


def _statuses(run_dir: Path) -> list[EvalStatus]:
    return [EvalStatus.read(p) for p in sorted(run_dir.glob("evals/*/step-*/status.json"))]


def test_evaluations_run_as_a_slurm_array_one_task_per_checkpoint(tmp_path, capsys):
    from codescale.titan_runner.train import train_run

    (tmp_path / "corpus").mkdir()
    prepared = build_corpus(tmp_path / "corpus")
    run_dir = make_run(tmp_path / "out", prepared, run_id="slurmeval", steps=4, checkpoint_interval=2, eval_interval=2)
    assert train_run(run_dir).state == "completed"

    db = tmp_path / "store.duckdb"
    assert main(["eval", str(run_dir), *SETTINGS, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.count("submitted") == 2 and "codescale status" in out
    jobs = {s.step: s.job_id for s in _statuses(run_dir)}
    assert sorted(jobs) == [2, 4] and all(s.executor == "slurm" for s in _statuses(run_dir))
    assert len({job.split("_")[0] for job in jobs.values()}) == 1  # one array

    assert main(["eval", str(run_dir), *SETTINGS, "--db", str(db)]) == 0  # queued or running: not submitted again
    assert "submitted" not in capsys.readouterr().out

    wait_for(
        lambda: all((p.parent / "result.json").is_file() for p in run_dir.glob("evals/*/step-*/status.json")),
        timeout=600,
        what="both evaluation jobs to finish",
        interval=2,
    )
    assert main(["status", str(run_dir), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert sorted((e["step"], e["state"]) for e in row["evaluations"]) == [(2, "completed"), (4, "completed")]
    assert all(e["job_id"] == jobs[e["step"]] for e in row["evaluations"])

    assert main(["ingest", str(run_dir), "--db", str(db)]) == 0
    assert "4 generation-eval rows" in capsys.readouterr().out  # 2 steps x 2 languages x pass@1
    assert main(["eval", str(run_dir), *SETTINGS, "--db", str(db)]) == 0
    assert capsys.readouterr().out.count("completed") == 2

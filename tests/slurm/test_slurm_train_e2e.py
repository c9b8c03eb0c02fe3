"""The whole path on the real Slurm cluster with the real TrainJob: compile a tiny spec, prepare a corpus, submit
an array of CPU runs through submitit's SlurmExecutor, preempt one mid-training, cancel one, resubmit, ingest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import submitit
from slurm_testing import read_status, wait_for

from codescale.titan_runner.slurm import poll, read_submission, run_state, submit_runs
from codescale.titan_runner.slurm_states import query

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
CODESCALE = [sys.executable, "-m", "codescale.core.cli"]
SPEC = """\
study: slurm-e2e
corpus: {{catalog: {root}/catalog.yaml, prepared: {root}/prepared}}
mixture: {{uniform: [python, java]}}
model: {{shape: {{n_layers: 2, dim: 64, n_heads: 4}}}}
budget: {{tokens: 2048}}
training:
  {{seq_len: 64, global_batch_tokens: 256, lr: 3.0e-3, warmup: 0.1, checkpoint_interval: 2, log_interval: 1}}
cluster: {{gpu: cpu, gpus_per_node: {ranks}, time_limit_min: 10, cpus_per_task: 1, mem_gb: 2}}
eval: {{interval_steps: 4, max_sequences: 4}}
sweep:
  name: "{prefix}-{{budget.tokens}}-{{training.seed}}"
  zip: {{budget.tokens: {tokens}, training.seed: {seeds}}}
"""
TEMPLATES = {
    "python": "def f{i}(xs):\n    total = {n}\n    for x in xs:\n        if x % {m} == 0:\n            total += x * {k}\n"
    "    return total\n",
    "java": "static int f{i}(int[] xs) {{\n    int total = {n};\n    for (int x : xs) {{\n"
    "        if (x % {m} == 0) {{ total += x * {k}; }}\n    }}\n    return total;\n}}\n",
}


def _codescale(*args: str) -> str:
    proc = subprocess.run([*CODESCALE, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Two languages of code-like documents, prepared with `codescale data prepare`."""
    root = tmp_path_factory.mktemp("slurm-corpus")
    (root / "raw").mkdir()
    docs = {
        lang: [t.format(i=i, n=i % 97, m=2 + i % 7, k=1 + i % 5) for i in range(300)] for lang, t in TEMPLATES.items()
    }
    for lang, texts in docs.items():
        (root / "raw" / f"{lang}.jsonl").write_text("".join(json.dumps({"content": t}) + "\n" for t in texts))
    (root / "raw" / "translation.jsonl").write_text(
        "".join(
            json.dumps({"id": str(i), "python": docs["python"][i], "java": docs["java"][i]}) + "\n" for i in range(8)
        )
    )
    (root / "catalog.yaml").write_text(
        textwrap.dedent("""\
        name: slurm-e2e
        languages:
          python: {sources: [{path: raw/python.jsonl}]}
          java: {sources: [{path: raw/java.jsonl}]}
        tokenizer: {vocab_size: 512, sample_documents_per_language: 300}
        validation: {fraction: 0.1}
        translation_eval: {path: raw/translation.jsonl}
        """)
    )
    _codescale("data", "prepare", str(root / "catalog.yaml"), "-o", str(root / "prepared"), "--quiet")
    return root


def _compile(corpus: Path, out: Path, prefix: str, tokens: list[int], ranks: int = 1) -> list[Path]:
    spec = out.parent / f"{prefix}.yaml"
    spec.write_text(SPEC.format(root=corpus, prefix=prefix, tokens=tokens, seeds=list(range(len(tokens))), ranks=ranks))
    _codescale("compile", str(spec), "-o", str(out))
    return sorted((out / "runs").iterdir())


def _train_steps(run_dir: Path) -> list[int]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line)["step"] for line in lines if json.loads(line)["kind"] == "train"]


def _last_logged_step(run_dir: Path) -> int:
    """While the run appends: the last complete train line's step (0 before the first)."""
    path = run_dir / "metrics.jsonl"
    text = path.read_text() if path.exists() else ""
    complete = text[: text.rfind("\n") + 1].splitlines()
    return max((json.loads(line)["step"] for line in complete if '"kind":"train"' in line.replace(" ", "")), default=0)


def test_an_array_of_compiled_runs_trains_resumes_after_preemption_and_is_not_resubmitted(corpus, tmp_path):
    runs = _compile(corpus, tmp_path / "out", "tiny", tokens=[2048, 2048, 6144])  # 8, 8 and 24 steps
    long_run = runs[-1]
    assert json.loads((long_run / "run.json").read_text())["training"]["steps"] == 24
    records = submit_runs(runs, tmp_path / "submitit")
    assert {r["action"] for r in records} == {"submitted"} and len({r["array_id"] for r in records}) == 1

    long_job = next(r for r in records if r["run_dir"] == str(long_run))
    # step 5 is logged only once the step-4 checkpoint is saved (a half-written one has its directory already)
    wait_for(lambda: _last_logged_step(long_run) >= 5, 150, "the long run past its step-4 checkpoint")
    submitit.SlurmJob(folder=Path(long_job["folder"]) / "%j", job_id=long_job["job_id"])._interrupt()  # preemption
    wait_for(lambda: all(read_status(d).get("state") == "completed" for d in runs), 240, "every run to complete")

    starts = read_status(long_run)["starts"]
    assert len(starts) == 2 and {s["job_id"] for s in starts} == {long_job["job_id"]}
    assert starts[1]["resumed_from_step"] >= 4
    assert _train_steps(long_run) == list(range(1, 25))  # continuous: nothing lost, nothing twice
    assert all(len(read_status(d)["starts"]) == 1 and _train_steps(d) == list(range(1, 9)) for d in runs[:2])
    wait_for(lambda: set(poll([r["job_id"] for r in records]).values()) == {"COMPLETED"}, 30, "sacct: COMPLETED")

    again = submit_runs(runs, tmp_path / "submitit")
    assert [r["action"] for r in again] == ["skipped"] * 3 and {r["reason"] for r in again} == {"completed"}
    assert [read_submission(d)["job_id"] for d in runs] == [r["job_id"] for r in records]  # no new job anywhere

    db = tmp_path / "results.duckdb"
    _codescale("ingest", str(tmp_path / "out"), "--db", str(db), "--quiet")
    rows = json.loads(_codescale("sql", "--db", str(db), "--format", "json", "select run_id from runs"))
    assert sorted(r["run_id"] for r in rows) == [d.name for d in runs]


def test_codescale_submit_status_and_cancel_drive_a_slurm_run(corpus, tmp_path):
    out = tmp_path / "out"
    (run,) = _compile(corpus, out, "cancelled", tokens=[256 * 400])
    (record,) = json.loads(_codescale("submit", str(out), "--executor", "slurm", "--json"))
    assert record["action"] == "submitted" and record["executor"] == "slurm"
    (again,) = json.loads(_codescale("submit", str(out), "--executor", "slurm", "--json"))
    assert again["action"] == "skipped" and again["job_id"] == record["job_id"]

    wait_for(lambda: (run / "metrics.jsonl").exists(), 150, "training to start")
    (row,) = json.loads(_codescale("status", str(out), "--json"))
    assert row["state"] == "running" and row["job_id"] == record["job_id"]

    _codescale("cancel", str(run))
    wait_for(lambda: query([record["job_id"]], live=True)[record["job_id"]][0] == "CANCELLED", 60, "the job to end")
    assert poll([record["job_id"]])[record["job_id"]] == "CANCELLED"
    (row,) = json.loads(_codescale("status", str(out), "--json"))
    assert row["state"] == "cancelled"
    assert run_state(run, "UNKNOWN")[0] == "cancelled"  # still cancelled once Slurm forgets the job
    # scancel's SIGTERM stopped training at the next step boundary (submitit alone would ignore it until KillWait)
    wait_for(lambda: not (run / "lease.json").exists(), 60, "the run to release its lease")
    error = read_status(run)["error"]
    assert error["type"] == "RunStopped" and "SIGTERM at the step boundary after step" in error["message"]
    assert _train_steps(run) == list(range(1, int(error["message"].rsplit(" ", 1)[-1]) + 1))


def test_a_two_rank_run_trains_with_fsdp_over_two_slurm_tasks(corpus, tmp_path):
    (run,) = _compile(corpus, tmp_path / "out", "fsdp", tokens=[1024], ranks=2)
    assert json.loads((run / "run.json").read_text())["parallelism"]["world_size"] == 2
    record = submit_runs([run], tmp_path / "submitit")[0]
    wait_for(lambda: read_status(run).get("state") in ("completed", "failed"), 200, "the 2-rank run to end")
    assert read_status(run)["state"] == "completed", read_status(run).get("error")
    job = submitit.SlurmJob(folder=Path(record["folder"]) / "%j", job_id=record["job_id"], tasks=[0, 1])
    results = job.results()
    assert len(results) == 2  # both Slurm tasks ran the TrainJob
    assert _train_steps(run) == list(range(1, 5))

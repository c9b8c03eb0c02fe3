"""One checkpoint's evaluation on a real tiny model: files, scores, reuse, resumption and the one-process rule."""

from __future__ import annotations

import fcntl
import json

import pytest

from codescale.core.contracts.evals import EvalStatus
from codescale.core.errors import CodescaleError
from codescale.titan_runner.evals.pipeline import ExecutionOptions, eval_dir, evaluate_checkpoint, make_settings

pytestmark = pytest.mark.slow
OPTIONS = ExecutionOptions(workers=2, batch_size=4)


def _lines(path):
    return {(d["key"], d["sample"]): d for d in map(json.loads, path.read_text().splitlines())}


def test_an_evaluation_writes_scores_per_language_and_is_reused(trained_run):
    settings = make_settings(
        "builtin", languages=["python", "go"], limit=2, n=3, ks=[1, 2], max_new_tokens=12, temperature=0.8
    )
    result = evaluate_checkpoint(trained_run, None, settings, OPTIONS)
    directory = eval_dir(trained_run, settings, 4)
    assert result.step == 4 and result.eval_id == directory.parent.name and result.eval_id.startswith("builtin-")
    assert {(s.language, s.k) for s in result.scores} == {("python", 1), ("python", 2), ("go", 1), ("go", 2)}
    assert all(s.metric == "pass@k" and s.n == 3 and s.tasks == 2 and 0 <= s.value <= 1 for s in result.scores)
    assert len(result.tasks) == 4 and all(sum(t.outcomes.values()) == 3 for t in result.tasks)
    assert all(set(t.pass_at_k) == {"1", "2"} and t.pass_at_k["1"] == t.passed / 3 for t in result.tasks)
    assert result.isolation in ("namespaces", "rlimits") and result.generated_tokens > 0
    assert len(_lines(directory / "samples.jsonl")) == len(_lines(directory / "verdicts.jsonl")) == 12
    assert EvalStatus.read(directory / "status.json").state == "completed"
    samples_before = (directory / "samples.jsonl").read_text()
    again = evaluate_checkpoint(trained_run, None, settings, OPTIONS)
    assert again == result and (directory / "samples.jsonl").read_text() == samples_before


def test_an_interrupted_evaluation_resumes_with_the_same_samples(trained_run):
    settings = make_settings(
        "builtin", languages=["python"], limit=4, n=2, ks=[1], max_new_tokens=10, temperature=0.8, seed=3
    )
    evaluate_checkpoint(trained_run, 2, settings, OPTIONS)
    directory = eval_dir(trained_run, settings, 2)
    complete = _lines(directory / "samples.jsonl")
    # what a process killed after its first generation chunk leaves behind
    (directory / "samples.jsonl").write_text("".join(json.dumps(d) + "\n" for d in list(complete.values())[:4]))
    (directory / "verdicts.jsonl").unlink()
    (directory / "result.json").unlink()
    resumed = evaluate_checkpoint(trained_run, 2, settings, OPTIONS)
    assert _lines(directory / "samples.jsonl") == complete
    assert resumed.step == 2 and len(resumed.tasks) == 4


def test_a_second_process_is_refused_while_one_holds_the_evaluation(trained_run):
    settings = make_settings("builtin", languages=["python"], limit=1, n=1, ks=[1], max_new_tokens=4)
    directory = eval_dir(trained_run, settings, 4)
    directory.mkdir(parents=True)
    EvalStatus(
        run_id=trained_run.name,
        step=4,
        eval_id=directory.parent.name,
        suite="builtin",
        state="running",
        pid=4242,
        host="elsewhere",
    ).write(directory / "status.json")
    with open(directory / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(CodescaleError, match="being evaluated by another process .pid 4242 on elsewhere"):
            evaluate_checkpoint(trained_run, 4, settings, OPTIONS)


def test_a_translation_evaluation_scores_bleu_and_execution_per_direction(trained_run):
    settings = make_settings(
        "translation",
        directions=["python->java", "java->python"],
        limit=2,
        n=1,
        ks=[1],
        max_new_tokens=16,
        temperature=0,
    )
    result = evaluate_checkpoint(trained_run, None, settings, OPTIONS)
    bleu = {s.direction: s for s in result.scores if s.metric == "bleu"}
    passing = {s.direction: s for s in result.scores if s.metric == "pass@k"}
    assert set(bleu) == set(passing) == {"python->java", "java->python"}
    assert all("tok:13a" in s.signature and s.tasks == 2 and 0 <= s.value <= 100 for s in bleu.values())
    assert passing["python->java"].language == "java" and passing["python->java"].src == "python"

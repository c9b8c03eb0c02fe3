"""Generation-eval results in the store: ``result.json`` files -> ``generation_evals`` and ``generation_tasks``.

Identity: an evaluation is (run_id, step, eval_id) (``eval_id`` = suite + hash of its settings). Writing one replaces
every row of that identity in one transaction, so storing the same result twice (``codescale eval`` writes it,
``codescale ingest`` finds it again in the run directory) leaves one copy, and a re-run with ``--force`` replaces the
old numbers. Evaluations of other steps or settings of the same run are kept.

Sources: :func:`store_result` (one :class:`~codescale.core.contracts.evals.EvalResult`), :func:`ingest_results` (every
``RUN_DIR/evals/*/step-*/result.json`` of some run directories; ``codescale ingest`` calls it after loading the runs).
A damaged result file is reported and skipped; the others land.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import duckdb

from codescale.core.contracts.evals import EvalResult
from codescale.core.errors import CodescaleError
from codescale.laws import store


def result_files(run_dirs: Iterable[str | Path]) -> list[Path]:
    """Every evaluation result of these run directories, sorted."""
    return sorted(p for d in run_dirs for p in Path(d).glob("evals/*/step-*/result.json"))


def score_rows(result: EvalResult, result_file: str | None = None) -> tuple[list[dict], list[dict]]:
    """The ``generation_evals`` and ``generation_tasks`` rows of one result."""
    import datetime as dt

    key = {"run_id": result.run_id, "step": result.step, "eval_id": result.eval_id, "suite": result.suite}
    settings = result.settings
    evaluated = dt.datetime.fromisoformat(result.finished_at).replace(tzinfo=None)
    scores = [
        {
            **key,
            "metric": s.metric,
            "k": s.k,
            "language": s.language,
            "src": s.src,
            "direction": s.direction,
            "value": s.value,
            "n": s.n,
            "tasks": s.tasks,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "max_new_tokens": settings.max_new_tokens,
            "backend": settings.backend,
            "bleu_signature": s.signature,
            "isolation": result.isolation,
            "evaluated_at": evaluated,
            "result_file": result_file,
        }
        for s in result.scores
    ]
    tasks = [
        {
            **key,
            "task": t.task,
            "language": t.language,
            "direction": t.direction,
            "n": t.n,
            "passed": t.passed,
            "outcomes": json.dumps(t.outcomes),
            "pass_at_k": json.dumps(t.pass_at_k),
        }
        for t in result.tasks
    ]
    return scores, tasks


def _replace(con: duckdb.DuckDBPyConnection, result: EvalResult, result_file: str | None) -> int:
    scores, tasks = score_rows(result, result_file)
    for table in ("generation_evals", "generation_tasks"):
        con.execute(
            f"DELETE FROM {table} WHERE run_id = ? AND step = ? AND eval_id = ?",
            [result.run_id, result.step, result.eval_id],
        )
    store.insert_rows(con, "generation_evals", scores)
    store.insert_rows(con, "generation_tasks", tasks)
    return len(scores)


def store_result(con: duckdb.DuckDBPyConnection, result: EvalResult, result_file: str | Path | None = None) -> int:
    """Write (or replace) one evaluation's rows; returns the number of score rows."""
    with store.transaction(con):
        return _replace(con, result, str(result_file) if result_file else None)


def ingest_results(con: duckdb.DuckDBPyConnection, run_dirs: Iterable[str | Path]) -> tuple[int, list[CodescaleError]]:
    """Store every evaluation result of ``run_dirs`` (one transaction); returns (score rows, problems)."""
    rows, problems, results = 0, [], []
    for path in result_files(run_dirs):
        try:
            results.append((EvalResult.read(path), path))
        except CodescaleError as err:
            problems.append(err)
    if results:
        with store.transaction(con):
            for result, path in results:
                rows += _replace(con, result, str(path))
    return rows, problems

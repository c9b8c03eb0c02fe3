"""The generation stage of ``codescale demo``: pass@1 of the largest demo model and the harness's reference check.

For every language of the per-language grid, the largest model trained on the largest budget is exported and
evaluated on its language's part of the built-in suite (22 tasks), greedy (temperature 0, one sample, pass@1), by
the same pipeline ``codescale eval`` runs; the scores go into the demo's DuckDB file (``generation_evals``). Models
of a few hundred thousand parameters trained on a few hundred thousand tokens of synthetic code are expected to pass
nothing: the number is there to show the path end to end, not a capability.

The reference check runs the suite's own reference solutions of the same languages through the same sandboxed
harness: every one must pass, or the harness (or a toolchain) is broken and a zero pass@1 says nothing. Its verdicts
are kept in ``DIR/evals/reference_check.json`` and reused by a rerun.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from codescale.core.contracts.evals import EvalResult
from codescale.core.errors import CodescaleError

log = logging.getLogger(__name__)

PER_LANGUAGE_STUDY = "demo_per_language"
MAX_NEW_TOKENS = 128


def largest_runs(con) -> dict[str, str]:
    """language -> run_id of the largest model on the largest budget of the per-language grid."""
    rows = con.execute(f"""
        SELECT language, arg_max(run_id, params_non_embedding * 1e12 + tokens) FROM final_loss
        WHERE study = '{PER_LANGUAGE_STUDY}' AND n_languages = 1 GROUP BY language ORDER BY language
    """).fetchall()
    return {lang: run_id for lang, run_id in rows}


def reference_check(work: Path, languages: list[str]) -> dict[str, Any]:
    """Judge the built-in suite's reference solutions of ``languages``; reuses an earlier check of the same set."""
    from codescale.core.io import write_json_atomic
    from codescale.titan_runner.evals.harness import Harness, Program, toolchain_problem
    from codescale.titan_runner.evals.suites import builtin_suite

    path = work / "evals" / "reference_check.json"
    if path.is_file():
        cached = json.loads(path.read_text())
        if cached.get("languages") == sorted(languages):
            return cached
    missing = {lang: why for lang in languages if (why := toolchain_problem(lang))}
    problems = [p for p in builtin_suite().problems if p.language in languages and p.language not in missing]
    programs = [Program(p.key, p.language, p.program(p.truncate((p.reference or "") + p.tests))) for p in problems]
    (work / "evals" / "harness").mkdir(parents=True, exist_ok=True)
    with Harness(workers=2, work_dir=work / "evals" / "harness") as harness:
        verdicts = harness.check(programs)
        isolation = harness.isolation
    by_language: dict[str, dict[str, int]] = {}
    failures = []
    for verdict in verdicts:
        cell = by_language.setdefault(verdict.language, {"passed": 0, "total": 0})
        cell["total"] += 1
        cell["passed"] += int(verdict.passed)
        if not verdict.passed:
            failures.append({"key": verdict.key, "outcome": verdict.outcome, "detail": verdict.detail[:400]})
    result = {
        "languages": sorted(languages),
        "isolation": isolation,
        "by_language": by_language,
        "failures": failures,
        "missing_toolchains": missing,
    }
    write_json_atomic(path, result)
    return result


def pass_at_1(db: Path, run_dirs: dict[str, Path]) -> list[dict[str, Any]]:
    """Evaluate the largest model of each language on that language's built-in tasks; store and return the scores."""
    from codescale.laws import generation, store
    from codescale.titan_runner.evals.harness import toolchain_problem
    from codescale.titan_runner.evals.jobs import plan_tasks, run_tasks
    from codescale.titan_runner.evals.pipeline import ExecutionOptions, make_settings

    con = store.connect(db)
    try:
        largest = largest_runs(con)
        rows = []
        for language, run_id in largest.items():
            if run_id not in run_dirs:
                continue
            if toolchain_problem(language):
                log.warning("    %s: no toolchain (%s), pass@1 not measured", language, toolchain_problem(language))
                continue
            settings = make_settings(
                "builtin", languages=[language], n=1, ks=[1], temperature=0.0, max_new_tokens=MAX_NEW_TOKENS
            )
            tasks, _ = plan_tasks([run_dirs[run_id]], settings, ExecutionOptions(workers=2, batch_size=22))
            records = run_tasks(tasks, executor="inline")
            for record in records:
                if record["action"] == "failed":
                    raise CodescaleError(
                        f"the evaluation of {run_id} failed: {record.get('reason', '')}",
                        source=record.get("eval_dir") or run_dirs[run_id],
                    )
                result_file = Path(record["eval_dir"]) / "result.json" if record.get("eval_dir") else None
                if result_file is None or not result_file.is_file():
                    continue
                result = EvalResult.read(result_file)
                generation.store_result(con, result, result_file)
            score = con.execute(
                """
                SELECT avg(value), max(tasks) FROM generation_evals
                WHERE run_id = ? AND metric = 'pass@k' AND k = 1 AND language = ? AND direction IS NULL
            """,
                [run_id, language],
            ).fetchone()
            rows.append(
                {
                    "language": language,
                    "run_id": run_id,
                    "pass_at_1": score[0] if score else None,
                    "tasks": score[1] if score else None,
                }
            )
        return rows
    finally:
        con.close()

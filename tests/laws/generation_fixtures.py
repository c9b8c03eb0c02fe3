"""Writes generation-eval results into run directories as ``codescale eval`` lays them out (for store tests)."""

from __future__ import annotations

from pathlib import Path

from codescale.core.contracts.evals import EvalResult, EvalScore, EvalSettingsRecord, EvalTaskScore


def write_result(
    run_dir: Path,
    run_id: str,
    step: int,
    pass_at_1: dict[str, float],
    *,
    eval_id: str = "builtin-0000abcd",
    suite: str = "builtin",
    bleu: dict[str, float] | None = None,
) -> Path:
    """``RUN_DIR/evals/<eval_id>/step-<step>/result.json`` with pass@1 per language (and BLEU per direction)."""
    settings = EvalSettingsRecord(
        suite=suite,
        n=4,
        ks=[1],
        temperature=0.2,
        top_p=0.95,
        max_new_tokens=64,
        seed=0,
        backend="transformers",
        bleu_tokenize="13a",
    )
    scores = [
        EvalScore(metric="pass@k", k=1, language=lang, value=value, n=4, tasks=22) for lang, value in pass_at_1.items()
    ]
    for direction, value in (bleu or {}).items():
        src, tgt = direction.split("->")
        scores.append(
            EvalScore(
                metric="bleu",
                language=tgt,
                src=src,
                direction=direction,
                value=value,
                n=1,
                tasks=22,
                signature="nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0",
            )
        )
    tasks = [
        EvalTaskScore(
            task="two_sum",
            language=lang,
            n=4,
            passed=round(4 * value),
            outcomes={"passed": round(4 * value), "failed": 4 - round(4 * value)},
        )
        for lang, value in pass_at_1.items()
    ]
    result = EvalResult(
        run_id=run_id,
        run_dir=str(run_dir),
        step=step,
        eval_id=eval_id,
        suite=suite,
        suite_source="codescale.mixtures.evalsets",
        settings=settings,
        isolation="namespaces",
        scores=scores,
        tasks=tasks,
        generated_tokens=1000,
        timings={"total_s": 1.0},
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:01:00+00:00",
        codescale_version="test",
    )
    path = Path(run_dir) / "evals" / eval_id / f"step-{step}" / "result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    result.write(path)
    return path

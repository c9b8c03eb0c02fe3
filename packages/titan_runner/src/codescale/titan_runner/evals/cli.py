"""The ``export`` and ``eval`` commands (registered lazily by ``codescale.core.cli``): parse, call, print.

``codescale export RUN_DIR [--step N] [-o DIR]`` writes a Hugging Face model directory (:mod:`.export`).
``codescale eval TARGET... --suite NAME`` evaluates every completed run of the targets (:mod:`.jobs`), prints the
scores and stores them in the results store (``--db``; ``--no-store`` skips it). Exit status 1 when an evaluation
failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from codescale.core.errors import CodescaleError

log = logging.getLogger(__name__)


def register(command: str, parser: argparse.ArgumentParser) -> None:
    if command == "export":
        parser.add_argument("run_dir", help="OUT/runs/<run_id> with checkpoints")
        parser.add_argument("--step", type=int, default=None, help="checkpoint step (default: the latest)")
        parser.add_argument("-o", "--output", default=None, help="model directory (default RUN_DIR/hf/step-N)")
        parser.add_argument("--force", action="store_true", help="export again even if the directory is current")
        parser.set_defaults(func=_export)
    elif command == "eval":
        _register_eval(parser)
    else:  # pragma: no cover - COMMANDS and this module disagree
        raise ValueError(f"codescale.titan_runner.evals.cli does not implement {command!r}")


def _list(text: str | None) -> list[str] | None:
    return [item.strip() for item in text.split(",") if item.strip()] if text else None


def _register_eval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        nargs="+",
        help="run directories, compiled output directories or plan.json files (every completed run is evaluated)",
    )
    what = parser.add_argument_group("what to evaluate")
    what.add_argument(
        "--suite",
        default="builtin",
        help="builtin (22 tasks x 7 languages), translation (42 directions), or a MultiPL-E / "
        "translation .jsonl file (default builtin)",
    )
    what.add_argument("--languages", default=None, help="comma list of languages to keep (e.g. python,java)")
    what.add_argument("--tasks", default=None, help="comma list of task names to keep")
    what.add_argument("--directions", default=None, help="translation: comma list such as python->java,go->rust")
    what.add_argument("--limit", type=int, default=None, help="at most N tasks per language or direction")
    what.add_argument("--step", default="latest", help="checkpoint: latest (default), all, or a step number")
    sampling = parser.add_argument_group("sampling")
    sampling.add_argument("--n", type=int, default=20, help="samples per problem (default 20)")
    sampling.add_argument("--k", default="1,10", help="pass@k values, comma list, each <= n (default 1,10)")
    sampling.add_argument("--temperature", type=float, default=0.2, help="0 = greedy (default 0.2)")
    sampling.add_argument("--top-p", type=float, default=0.95, help="nucleus sampling (default 0.95)")
    sampling.add_argument("--max-new-tokens", type=int, default=512, help="default 512")
    sampling.add_argument("--seed", type=int, default=0)
    sampling.add_argument(
        "--backend",
        choices=("transformers", "vllm"),
        default="transformers",
        help="transformers (CPU or GPU, default) or vllm (GPU, optional extra)",
    )
    sampling.add_argument("--bleu-tokenize", default="13a", help="sacrebleu tokeniser for translation BLEU (13a)")
    running = parser.add_argument_group("how it runs (never changes the numbers)")
    running.add_argument(
        "--executor",
        choices=("inline", "local", "slurm"),
        default="inline",
        help="inline: in this process (default); local: submitit processes; slurm: job arrays",
    )
    running.add_argument(
        "--max-parallel",
        type=int,
        default=None,
        metavar="K",
        help="local: tasks at once (default 1); slurm: array parallelism",
    )
    running.add_argument("--device", default="auto", help="generation device: auto, cpu, cuda, cuda:1 ...")
    running.add_argument(
        "--dtype",
        choices=("auto", "float32", "bfloat16", "float16"),
        default="auto",
        help="auto: float32 on CPU, bfloat16 on GPU",
    )
    running.add_argument("--batch-size", type=int, default=16, help="sequences per generation batch (default 16)")
    running.add_argument("--workers", type=int, default=None, help="harness workers (default: the CPU count)")
    running.add_argument(
        "--sandbox",
        choices=("auto", "namespaces", "rlimits"),
        default="auto",
        help="isolation of executed code (default: namespaces where bubblewrap works)",
    )
    running.add_argument(
        "--java-classpath", default=None, help="extra Java class path, e.g. javatuples-1.2.jar for MultiPL-E's Java"
    )
    running.add_argument("--force", action="store_true", help="evaluate again from scratch, even if completed")
    running.add_argument("--dry-run", action="store_true", help="say what would be evaluated; run nothing")
    slurm = parser.add_argument_group("slurm (with --executor slurm; default: the run's cluster section)")
    slurm.add_argument("--partition", default=None)
    slurm.add_argument("--account", default=None)
    slurm.add_argument("--qos", default=None)
    slurm.add_argument("--gpus", type=int, default=None, help="GPUs per evaluation (default 1 on a GPU cluster)")
    slurm.add_argument("--cpus", type=int, default=None, help="CPUs per evaluation (the harness uses them)")
    slurm.add_argument("--mem-gb", type=float, default=None)
    slurm.add_argument("--time-min", type=int, default=None, help="time limit per evaluation (default 60)")
    output = parser.add_argument_group("output")
    output.add_argument("--db", default=None, help="results store (default: $CODESCALE_DB or ./codescale.duckdb)")
    output.add_argument("--no-store", action="store_true", help="do not write the scores to the results store")
    output.add_argument("--json", action="store_true", help="print the records and scores as JSON")
    parser.set_defaults(func=_eval)


def _export(args: argparse.Namespace) -> int:
    from codescale.titan_runner.evals.export import export_checkpoint

    exported = export_checkpoint(args.run_dir, args.output, step=args.step, force=args.force)
    verb = "reused" if exported.reused else "wrote"
    print(f"{verb} {exported.path} ({exported.run_id} step {exported.step})")
    return 0


def _parse_ks(text: str) -> list[int]:
    try:
        return [int(k) for k in text.split(",") if k.strip()]
    except ValueError:
        raise CodescaleError(f"--k must be a comma list of integers, got {text!r}") from None


def _eval(args: argparse.Namespace) -> int:
    from codescale.core.logging import setup
    from codescale.titan_runner.evals.jobs import plan_tasks, run_tasks
    from codescale.titan_runner.evals.pipeline import ExecutionOptions, make_settings, select_suite

    setup()
    if args.step not in ("latest", "all") and not str(args.step).isdigit():
        raise CodescaleError(f"--step must be latest, all or a step number, got {args.step!r}")
    settings = make_settings(
        args.suite,
        languages=_list(args.languages),
        tasks=_list(args.tasks),
        directions=_list(args.directions),
        limit=args.limit,
        n=args.n,
        ks=_parse_ks(args.k),
        temperature=args.temperature,
        top_p=args.top_p,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
        backend=args.backend,
        bleu_tokenize=args.bleu_tokenize,
    )
    suite = select_suite(settings)  # a bad suite or filter is reported before anything runs
    options = ExecutionOptions(
        workers=args.workers,
        isolation=args.sandbox,
        batch_size=args.batch_size,
        device=args.device,
        dtype=args.dtype,
        java_classpath=_list(args.java_classpath),
    )
    tasks, skipped = plan_tasks(args.target, settings, options, step=args.step, force=args.force)
    if not tasks and not skipped:
        raise CodescaleError("the targets name no run", source=args.target[0])
    log.info(
        "%s: %d problem(s) x %d sample(s) for %d checkpoint(s)", suite.name, len(suite.problems), args.n, len(tasks)
    )
    slurm = {
        "partition": args.partition,
        "account": args.account,
        "qos": args.qos,
        "gpus_per_node": args.gpus,
        "cpus_per_task": args.cpus,
        "mem_gb": args.mem_gb,
        "time": args.time_min,
    }
    records = skipped + run_tasks(
        tasks,
        executor=args.executor,
        max_parallel=args.max_parallel,
        slurm=slurm,
        dry_run=args.dry_run,
        report=log.info,
    )
    results = _results(records)
    if results and not args.no_store and not args.dry_run:
        _store(args.db, results)
    if args.json:
        print(json.dumps({"records": records, "results": [r.to_dict() for _, r in results]}, indent=2))
    else:
        for record in records:
            detail = record.get("reason") or ""
            print(f"{record['action']:<14} {record['run_id']} step {record['step']}  {detail}".rstrip())
        if results:
            print()
            print(score_table([r for _, r in results]))
        if args.executor == "slurm" and not args.dry_run:
            print("\nfollow them with `codescale status TARGET`; store their scores with `codescale ingest TARGET`")
    return 1 if any(r["action"] == "failed" for r in records) else 0


def _results(records: list[dict]) -> list:
    from pathlib import Path

    from codescale.core.contracts.evals import EvalResult

    found = []
    for record in records:
        if record.get("eval_dir") and record["action"] in ("evaluated", "skipped"):
            path = Path(record["eval_dir"]) / "result.json"
            if path.is_file():
                found.append((path, EvalResult.read(path)))
    return found


def _store(db: str | None, results: list) -> None:
    try:
        from codescale.laws import generation, store
    except ImportError:
        log.warning(
            "codescale-laws is not installed: the scores stay in the run directories (codescale ingest "
            "stores them later)"
        )
        return
    con = store.connect(db)
    try:
        rows = sum(generation.store_result(con, result, path) for path, result in results)
    finally:
        con.close()
    log.info("stored %d score row(s) in %s", rows, db or store.default_db_path())


def score_table(results: list) -> str:
    """One line per score: run, step, suite, what (language or direction), metric, value."""
    lines = [("run", "step", "suite", "language", "metric", "value", "n", "tasks")]
    for result in results:
        for score in result.scores:
            metric = f"pass@{score.k}" if score.metric == "pass@k" else "BLEU"
            value = f"{score.value:.3f}" if score.metric == "pass@k" else f"{score.value:.2f}"
            lines.append(
                (
                    result.run_id,
                    str(result.step),
                    result.suite,
                    score.direction or score.language,
                    metric,
                    value,
                    str(score.n),
                    str(score.tasks),
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `codescale export` or `codescale eval`")

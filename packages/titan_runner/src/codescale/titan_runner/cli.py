"""The ``submit``, ``status``, ``cancel`` and ``train`` commands (registered lazily by ``codescale.core.cli``).

Only ``train`` (and ``submit --executor debug``) import torch; ``status`` and ``cancel`` read run directories.
"""

from __future__ import annotations

import argparse
import json

from codescale.core import fmt


def register(command: str, parser: argparse.ArgumentParser) -> None:
    if command == "submit":
        parser.add_argument(
            "target",
            nargs="+",
            help="a spec (.yaml, compiled first), a compiled output directory, its plan.json, or run directories",
        )
        parser.add_argument(
            "--executor",
            choices=("local", "debug", "slurm"),
            default="local",
            help="local: submitit LocalExecutor, one process per rank (default); debug: in this "
            "process, one run after another; slurm: job arrays",
        )
        parser.add_argument(
            "--max-parallel",
            type=int,
            default=None,
            metavar="K",
            help="at most K runs at once (local: default 1; slurm: array parallelism)",
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be submitted; start nothing")
        parser.add_argument("--out", default=None, help="where a spec is compiled (default runs/<study>)")
        parser.add_argument("--corpus", default=None, help="corpus catalog for compiling a spec")
        parser.add_argument("--prepared", default=None, help="prepared corpus directory for compiling a spec")
        parser.add_argument("--json", action="store_true", help="print the records as JSON")
        parser.set_defaults(func=_submit)
    elif command == "status":
        parser.add_argument("target", nargs="+", help="a compiled output directory, its plan.json, or run directories")
        parser.add_argument("--json", action="store_true", help="print the rows as JSON")
        parser.add_argument("--wait", action="store_true", help="return only when every run has ended")
        parser.set_defaults(func=_status)
    elif command == "cancel":
        parser.add_argument("target", nargs="+", help="run directories, or a compiled output directory with --all")
        parser.add_argument("--all", action="store_true", help="cancel every unfinished run of the plan")
        parser.set_defaults(func=_cancel)
    elif command == "train":
        parser.add_argument("run_dir", help="OUT/runs/<run_id> of `codescale compile`")
        parser.set_defaults(func=_train)
    else:  # pragma: no cover - COMMANDS and this module disagree
        raise ValueError(f"codescale.titan_runner.cli does not implement {command!r}")


def _submit(args: argparse.Namespace) -> int:
    from codescale.titan_runner.submit import submit

    records = submit(
        args.target,
        executor=args.executor,
        max_parallel=args.max_parallel,
        dry_run=args.dry_run,
        out=args.out,
        corpus=args.corpus,
        prepared=args.prepared,
    )
    if args.json:
        print(json.dumps(records, indent=2))
    elif records:
        rows = [
            (r["action"], r["run_id"], r.get("reason") or (f"job {r['job_id']}" if r.get("job_id") else ""))
            for r in records
        ]
        print(fmt.table(("action", "run", "detail"), rows))
    return 0


def _status(args: argparse.Namespace) -> int:
    from pathlib import Path

    from codescale.titan_runner.evals.jobs import format_rows, status_rows
    from codescale.titan_runner.status import collect, format_table, wait

    rows = wait(args.target) if args.wait else collect(args.target)
    evaluations = status_rows([Path(row["run_dir"]) for row in rows])
    if args.json:
        for row in rows:
            row["evaluations"] = [e for e in evaluations if e["run_id"] == Path(row["run_dir"]).name]
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows))
        if evaluations:
            print(f"\nevaluations ({len(evaluations)})")
            print(format_rows(evaluations))
    failed = any(row["state"] == "failed" for row in rows) or any(e["state"] == "failed" for e in evaluations)
    return 1 if failed else 0


def _cancel(args: argparse.Namespace) -> int:
    from codescale.titan_runner.cancel import cancel

    records = cancel(args.target, all_runs=args.all)
    if records:
        print(fmt.table(("action", "run", "reason"), [(r["action"], r["run_id"], r["reason"]) for r in records]))
    return 0


def _train(args: argparse.Namespace) -> int:
    from codescale.titan_runner.train import train_run

    status = train_run(args.run_dir)
    print(f"{status.run_id}: {status.state} at step {status.step}/{status.total_steps}")
    return 0 if status.state == "completed" else 1

"""The compiler's commands: ``validate``, ``plan``, ``compile``, ``schema``, ``diff``.

Each is a thin face over :mod:`codescale.compiler.plan` and :mod:`codescale.compiler.render`: parse arguments,
call, print. Errors are CodescaleErrors, printed by the top-level CLI as one line each (exit 2); a plan over its
GPU-hour budget exits 1 with the estimate shown. For a spec with a ``cluster`` section, ``validate`` and ``plan`` also
check it against the Slurm cluster reachable from here (unless ``--no-slurm``) and say which they did
(:mod:`codescale.compiler.cluster`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(command: str, parser: argparse.ArgumentParser) -> None:
    if command in ("validate", "plan", "compile"):
        parser.add_argument("spec", help="spec YAML file")
        parser.add_argument(
            "--corpus", metavar="CATALOG", help="use this corpus catalog instead of the spec's corpus.catalog"
        )
        parser.add_argument(
            "--prepared", metavar="DIR", help="use this prepared corpus instead of the spec's corpus.prepared"
        )
        parser.add_argument(
            "--max-runs",
            type=_positive_int,
            default=None,
            metavar="N",
            help="refuse a sweep of more than N points, counted before include/exclude (default 100,000)",
        )
    if command in ("validate", "plan"):
        parser.add_argument(
            "--no-slurm",
            action="store_true",
            help="do not check partition, account, QOS and node sizes against a reachable Slurm "
            "cluster (the time-limit and shape checks still run)",
        )
    if command == "validate":
        parser.add_argument(
            "--check-data",
            action="store_true",
            help="also check that the corpus catalog, its source files and the prepared corpus exist",
        )
        parser.set_defaults(func=_validate)
    elif command == "plan":
        parser.add_argument("--json", action="store_true", help="print the plan as JSON (the plan.json object)")
        parser.set_defaults(func=_plan)
    elif command == "compile":
        parser.add_argument("-o", "--out", required=True, metavar="DIR", help="output directory (created if needed)")
        parser.add_argument("--check-data", action="store_true", help="check corpus files exist before writing")
        parser.set_defaults(func=_compile)
    elif command == "schema":
        parser.add_argument("-o", "--out", metavar="FILE", help="write the JSON Schema here instead of stdout")
        parser.set_defaults(func=_schema)
    elif command == "diff":
        parser.add_argument("plan_a", help="the older plan.json (or a compiled directory)")
        parser.add_argument("plan_b", help="the newer plan.json (or a compiled directory)")
        parser.add_argument("--json", action="store_true", help="print the differences as JSON")
        parser.set_defaults(func=_diff)
    else:  # pragma: no cover - COMMANDS and this module disagree
        raise ValueError(f"codescale.compiler.cli does not implement {command!r}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _plan_from(args: argparse.Namespace, **kwargs: Any) -> Any:
    from codescale.compiler.plan import plan_spec

    if args.max_runs is not None:
        kwargs["max_runs"] = args.max_runs
    if "no_slurm" in args:
        kwargs["live_cluster"] = not args.no_slurm
    return plan_spec(args.spec, catalog=args.corpus, prepared=args.prepared, **kwargs)


def _over_budget(err: Exception) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 1


def _validate(args: argparse.Namespace) -> int:
    from codescale.compiler.datacheck import check_data
    from codescale.compiler.plan import OverBudget

    try:
        plan = _plan_from(args)
    except OverBudget as err:
        return _over_budget(err)
    if args.check_data:
        check_data(plan)
    from codescale.core.fmt import hours

    print(f"{args.spec}: ok, {len(plan.runs)} runs, {hours(plan.totals.gpu_hours)} GPU-hours")
    if plan.cluster_checks:
        print(f"cluster: {plan.cluster_checks}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from codescale.compiler.plan import OverBudget
    from codescale.compiler.table import plan_table

    try:
        plan = _plan_from(args)
    except OverBudget as err:
        return _over_budget(err)
    if plan.cluster_checks:
        print(f"cluster: {plan.cluster_checks}", file=sys.stderr)
    if args.json:
        sys.stdout.write(plan.to_file().to_json())
    else:
        print(plan_table(plan))
    return 0


def _compile(args: argparse.Namespace) -> int:
    from codescale.compiler.datacheck import check_data
    from codescale.compiler.plan import OverBudget
    from codescale.compiler.render import write_plan

    try:
        plan = _plan_from(args, out_dir=args.out)
    except OverBudget as err:
        return _over_budget(err)
    if args.check_data:
        check_data(plan)
    written = write_plan(plan, args.out)
    print(
        f"compiled {len(plan.runs)} runs of {plan.study} into {args.out} ({written} files written); "
        f"train one with: codescale train {args.out}/runs/<run_id>"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from codescale.compiler.spec import json_schema
    from codescale.core.io import atomic_write_text

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def _diff(args: argparse.Namespace) -> int:
    from codescale.compiler.plan import diff_plans, load_plan

    result = diff_plans(load_plan(args.plan_a), load_plan(args.plan_b))
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
        return 0
    for run_id in result["added"]:
        print(f"+ {run_id}")
    for run_id in result["removed"]:
        print(f"- {run_id}")
    for change in result["changed"]:
        print(f"~ {change['name']}: {change['from']} -> {change['to']}")
        for field, (old, new) in change["fields"].items():
            print(f"    {field}: {json.dumps(old)} -> {json.dumps(new)}")
    print(
        f"{len(result['added'])} added, {len(result['removed'])} removed, {len(result['changed'])} changed, "
        f"{result['unchanged']} unchanged"
    )
    return 0

"""``codescale propose``: parse the arguments, call :func:`codescale.laws.propose.propose`, print the table (or
JSON) and write the spec. Exit status 0 with runs proposed, 1 when nothing fits the budget or helps, 2 bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(command: str, parser: argparse.ArgumentParser) -> None:
    from codescale.laws.propose import TARGET_SYNTAX

    parser.description = (
        "Choose the next runs -- model size, tokens and mixture where the law has one -- that fit a GPU-hour budget "
        "(costed by the compiler) and are expected to shrink the uncertainty of one target most, and write them as "
        "a spec with a comment per run saying why it was chosen. Runs already in the store or in --planned plans "
        "are not proposed again."
    )
    parser.add_argument("--db", default=None, help="results store (default: $CODESCALE_DB or ./codescale.duckdb)")
    parser.add_argument(
        "--fit",
        required=True,
        metavar="BATCH_OR_FIT",
        help="a batch of per-language fits (`fit chinchilla`), per-language fit ids, or a mixture fit",
    )
    parser.add_argument("--target", required=True, metavar="TARGET",
                        help=f"what to pin down: {TARGET_SYNTAX}; e.g. loss:python@N=3.1B,D=64B, gain@N=1.5B,D=350B, "
                             "param:go.alpha, param:python.E")  # fmt: skip
    parser.add_argument("--gpu-hours", required=True, type=float, metavar="H", help="budget for the proposed runs")
    parser.add_argument(
        "--candidates",
        default=None,
        metavar="SPEC",
        help="choose among this spec's runs (default: a grid around the existing runs)",
    )
    parser.add_argument("--base-spec", default=None, metavar="SPEC",
                        help="recipe (training, cluster, corpus) of the default grid's runs (default: the spec the "
                             "fitted runs were compiled from)")  # fmt: skip
    parser.add_argument(
        "--planned",
        action="append",
        default=[],
        metavar="PLAN_JSON",
        help="compiled plans not yet ingested: their runs count as done and are not proposed",
    )
    parser.add_argument("--max-runs", type=int, default=None, help="propose at most this many runs")
    parser.add_argument(
        "--draws",
        type=int,
        default=40,
        help="bootstrap draws the criterion averages over (default 40; more: slower, smoother)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the default grid's random mixtures")
    parser.add_argument("--study", default=None, help="study name of the written spec (default: the base spec's)")
    parser.add_argument("-o", "--output", default=None, metavar="SPEC", help="write the proposed runs as a spec here")
    parser.add_argument("--json", action="store_true", help="print the proposal as JSON instead of a table")
    parser.set_defaults(func=_propose)


def _propose(args: argparse.Namespace) -> int:
    from codescale.core.errors import CodescaleError
    from codescale.laws import store
    from codescale.laws.propose import parse_target, propose, write_spec
    from codescale.laws.simulate import load_plan

    target = parse_target(args.target)
    planned = [load_plan(p) for p in args.planned]
    path = Path(args.db) if args.db else store.default_db_path()
    if not path.exists():
        raise CodescaleError("no results store here", source=path,
                             hint="run `codescale ingest`, `import` or `simulate` and `codescale fit` first")  # fmt: skip
    con = store.connect(path)  # writable: reading fits creates their tables in a store that has none yet
    try:
        proposal = propose(con, args.fit, target, args.gpu_hours, candidates=args.candidates,
                           base_spec=args.base_spec, planned=planned, max_runs=args.max_runs, draws=args.draws,
                           seed=args.seed)  # fmt: skip
    finally:
        con.close()
    if args.output and proposal.runs:
        write_spec(proposal, args.output, args.study)
    if args.json:
        print(json.dumps(proposal.as_json(), indent=2))
    else:
        print(proposal.render())
    return 0 if proposal.runs else 1

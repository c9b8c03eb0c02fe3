"""The results-store commands of the ``codescale`` CLI: ``ingest``, ``import`` and ``sql``.

Each takes ``--db PATH`` (default ``$CODESCALE_DB``, else ``./codescale.duckdb``) and ``--wait SECONDS``, how long
to wait for another process that holds the store. Exit statuses follow :mod:`codescale.core.cli`: 0 done, 1 done but
something was skipped (a bad run.json, a corrupt metrics line), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys

from codescale.laws import store


def register(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", default=None, help=f"results store file (default: ${store.DB_ENV} or ./{store.DEFAULT_DB})"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=store.LOCK_WAIT_S,
        metavar="SECONDS",
        help="how long to wait while another codescale process uses the store (default %(default)s)",
    )
    if command == "ingest":
        parser.description = (
            "Load run directories into the results store. Unchanged directories are skipped; "
            "changed ones are replaced. Corrupt lines are reported and skipped."
        )
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="RUN_DIR",
            help="run directories, compiled output directories (their runs/*), or globs",
        )
        parser.add_argument("--force", action="store_true", help="re-read directories even if unchanged")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="take a run the store holds from another directory from this one (by default a "
            "second directory with the same run id is refused)",
        )
        parser.add_argument("--quiet", "-q", action="store_true", help="print errors only, no warnings")
        parser.set_defaults(func=_ingest)
    elif command == "import":
        from codescale.laws.importer import MAP_SYNTAX

        parser.description = (
            "Load external scaling results (one row per model: size, tokens, loss; or one row "
            "per mixture run with --proportions/--losses) as runs. Importing into a study again "
            "replaces its earlier import."
        )
        parser.add_argument("file", help="a .csv, .tsv or .parquet file")
        parser.add_argument(
            "--map",
            action="append",
            metavar="FIELD=COLUMN,...",
            help=f"which column holds what ({MAP_SYNTAX}); fields: size, tokens, loss, language, "
            "languages, proportions, params_non_embedding, seed, flops, name, run",
        )
        parser.add_argument("--study", help="study name for these runs (default: the file name without extension)")
        parser.add_argument("--language", help="the evaluated domain of every row, when the file has no column")
        parser.add_argument(
            "--proportions",
            metavar="GLOB",
            help="mixture experiments: columns of training proportions, * = the domain "
            "(e.g. 'p:*' or 'train_the_pile_*'); each row must sum to 1 up to rounding",
        )
        parser.add_argument(
            "--losses",
            metavar="GLOB",
            help="columns of final validation loss per evaluated domain (e.g. 'loss:*' or "
            "'metric/the_pile_*_val_loss')",
        )
        parser.add_argument(
            "--unique",
            metavar="GLOB",
            help="columns of distinct tokens behind each domain's share (for the repetition term)",
        )
        parser.add_argument(
            "--set",
            action="append",
            metavar="FIELD=VALUE,...",
            dest="constants",
            help="constants for fields the file lacks, e.g. size=1e6,tokens=1e9 "
            "(size, tokens, params_non_embedding, flops, seed)",
        )
        parser.add_argument(
            "--tokens-from-flops",
            action="store_true",
            help="derive D = C/(6N) from the flops column (or --set flops=...)",
        )
        parser.set_defaults(func=_import)
    elif command == "sql":
        from codescale.laws.sqlshell import FORMATS

        parser.description = (
            "Query the results store (tables runs, run_languages, metrics, evals, ingest_log, "
            "generation_evals, generation_tasks; views final_loss, translation_final, "
            "synergy_pairs, run_progress, pass_vs_loss). "
            "Without a query: interactive (statements end with ';', .tables, .schema NAME, .quit)."
        )
        parser.add_argument("query", nargs="?", help="SQL to run; omit for the interactive mode")
        parser.add_argument("--format", "-f", choices=FORMATS, default="table", help="output format (default table)")
        parser.add_argument(
            "--write",
            action="store_true",
            help="open the store writable, with file access (default: read-only, and no statement "
            "may read or write any other file)",
        )
        parser.set_defaults(func=_sql)


def _ingest(args: argparse.Namespace) -> int:
    from codescale.laws.ingest import ingest_run_dirs

    report = ingest_run_dirs(args.db, args.paths, force=args.force, wait_s=args.wait, replace=args.replace)
    for problem in report.problems:
        if problem.level == "error" or not args.quiet:
            print(problem.render(), file=sys.stderr)
    print(report.summary())
    return 1 if report.failed else 0


def _import(args: argparse.Namespace) -> int:
    from codescale.laws.importer import import_table, parse_map, parse_set

    report = import_table(args.db, args.file, parse_map(args.map), study=args.study, language=args.language,
                          proportions=args.proportions, losses=args.losses, unique=args.unique,
                          constants=parse_set(args.constants), tokens_from_flops=args.tokens_from_flops,
                          wait_s=args.wait)  # fmt: skip
    for warning in report.warnings:
        print(f"warning: {warning.render()}", file=sys.stderr)
    print(report.summary())
    return 0


def _sql(args: argparse.Namespace) -> int:
    from codescale.laws.sqlshell import execute_and_print, interactive, open_store

    con = open_store(args.db, write=args.write, wait_s=args.wait)
    try:
        if args.query is None:
            return interactive(con, args.format, sys.stdin, sys.stdout, sys.stderr)
        if args.query.strip().startswith("."):
            from io import StringIO

            return interactive(con, args.format, StringIO(args.query + "\n"), sys.stdout, sys.stderr)
        execute_and_print(con, args.query, args.format, sys.stdout)
        return 0
    finally:
        con.close()

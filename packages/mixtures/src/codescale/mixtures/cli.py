"""``codescale data``: generate a parallel corpus, train a tokenizer, scan a catalog, prepare token shards.

``scan`` and ``prepare`` share their options (workers, executor, bad rows) and print the same per-language report
(``report.py``); the library functions do the work, this module only parses and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from codescale.core.errors import CodescaleError


def register(command: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")

    generate = sub.add_parser(
        "generate", help="write a synthetic parallel corpus in all seven languages + catalog.yaml"
    )
    generate.add_argument("-o", "--out", required=True, type=Path, help="output directory")
    generate.add_argument("--programs", type=int, default=1000, help="parallel programs (default 1000)")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--languages", nargs="+", default=None, help="language ids (default: all seven)")
    generate.add_argument(
        "--functions",
        default="2-5",
        metavar="LO-HI",
        help="functions per program besides main (default 2-5; 1-1 makes short programs)",
    )
    generate.add_argument("--vocab-size", type=int, default=4096, help="the catalog's BPE vocabulary (default 4096)")
    generate.add_argument("--translation-programs", type=int, default=0, metavar="N",
                          help="N held-out parallel programs as the translation eval set (default 0: the built-in "
                          "hand-written tasks)")  # fmt: skip
    generate.set_defaults(func=_generate)

    tokenizer = sub.add_parser("tokenizer", help="train (or copy) the catalog's tokenizer into a directory")
    tokenizer.add_argument("catalog", type=Path)
    tokenizer.add_argument("-o", "--out", required=True, type=Path, help="directory for tokenizer.json + config")
    tokenizer.set_defaults(func=_tokenizer)

    scan = sub.add_parser(
        "scan",
        help="what prepare would keep and drop per language (bad rows, filters, "
        "decontamination, duplicates), without tokenising",
    )
    scan.add_argument("catalog", type=Path)
    scan.add_argument("--json", action="store_true", help="print JSON instead of the report")
    scan.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the temporary work directory goes (default: $TMPDIR; beside the catalog with slurm)",
    )
    _work_options(scan)
    scan.set_defaults(func=_scan)

    prepare = sub.add_parser(
        "prepare", help="clean, deduplicate and tokenise a catalog into token shards, eval sets and a manifest"
    )
    prepare.add_argument("catalog", type=Path)
    prepare.add_argument("-o", "--out", required=True, type=Path, help="prepared corpus directory")
    prepare.add_argument("--quiet", action="store_true", help="no progress bar")
    _work_options(prepare)
    prepare.set_defaults(func=_prepare)


def _work_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"worker processes for the local executor (default: the CPUs here, {_cpus()})",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "slurm"),
        default="local",
        help="local: worker processes on this machine (default); slurm: a job array through "
        "submitit with the catalog's `cluster` settings (the work directory must be shared)",
    )
    parser.add_argument(
        "--on-bad-row",
        choices=("fail", "skip"),
        default="fail",
        help="a row that is not a text: stop with its file and row (default), or skip it into quarantine.jsonl",
    )
    parser.add_argument(
        "--unit-mb",
        type=float,
        default=64.0,
        metavar="MB",
        help="input per work unit (default 64): the grain of parallelism, resumption and array tasks",
    )


def _generate(args: argparse.Namespace) -> int:
    try:
        from codescale.mixtures.synthetic import write_corpus
    except ImportError:
        raise CodescaleError(
            "the synthetic corpus generator (codescale.mixtures.synthetic) is not installed",
            hint="write a catalog for your own corpus instead (docs/data.md)",
        ) from None
    if args.programs < 1:
        raise CodescaleError(f"--programs must be at least 1, got {args.programs}", field="--programs")
    low, sep, high = args.functions.partition("-")
    try:
        functions = (int(low), int(high if sep else low))
    except ValueError:
        raise CodescaleError(f"--functions {args.functions!r} is not LO-HI", field="--functions",
                             hint="e.g. --functions 1-2") from None  # fmt: skip
    kwargs: dict = {"seed": args.seed, "functions": functions, "vocab_size": args.vocab_size,
                    "translation_programs": args.translation_programs}  # fmt: skip
    if args.languages:
        from codescale.core.domains import canonical

        kwargs["languages"] = [canonical(lang) for lang in args.languages]
    catalog = write_corpus(args.out, args.programs, **kwargs)
    print(f"wrote {args.programs} parallel programs; catalog: {catalog}")
    return 0


def _tokenizer(args: argparse.Namespace) -> int:
    from codescale.core.catalog import load_catalog
    from codescale.mixtures.prepare import build_tokenizer

    catalog = load_catalog(args.catalog)
    info = build_tokenizer(catalog, args.out.resolve())
    print(f"tokenizer: {info.dir} (vocab {info.vocab_size}, sha256 {info.sha256[:16]}...)")
    return 0


def _cpus() -> int:
    """The CPUs this process may use (what ``executors.default_workers`` says, without importing numpy)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _workers(args: argparse.Namespace) -> int | None:
    if args.workers is not None and args.workers < 1:
        raise CodescaleError(f"--workers must be at least 1, got {args.workers}", field="--workers")
    if args.unit_mb <= 0:
        raise CodescaleError(f"--unit-mb must be positive, got {args.unit_mb}", field="--unit-mb")
    return args.workers


def _unit_bytes(args: argparse.Namespace) -> int:
    return max(1, int(args.unit_mb * (1 << 20)))


def _scan(args: argparse.Namespace) -> int:
    from codescale.core.catalog import load_catalog
    from codescale.mixtures.report import render
    from codescale.mixtures.scan import scan_catalog

    report = scan_catalog(
        args.catalog,
        workers=_workers(args),
        executor=args.executor,
        progress=not args.json,
        unit_bytes=_unit_bytes(args),
        work_dir=args.work_dir,
    )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(
            render(
                load_catalog(args.catalog),
                report.cleaning,
                tokens=False,
                translation=report.translation,
                parallel=report.parallel,
            )
        )
        for row in report.bad_rows:
            where = f"line {row['line']}" if "line" in row else f"row {row['row']}"
            print(
                f"bad row: {row['file']} {where}: {row['reason']}" + (f" ({row['excerpt']})" if row["excerpt"] else "")
            )
    if report.first_error is not None and args.on_bad_row == "fail":
        print(f"prepare --on-bad-row fail would stop at: {report.first_error.render()}", file=sys.stderr)
        return 1
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from codescale.core.catalog import load_catalog
    from codescale.core.contracts import PreparedManifest
    from codescale.mixtures.prepare import prepare
    from codescale.mixtures.report import render

    start = time.perf_counter()
    existing = args.out / "manifest.json"
    try:
        before = PreparedManifest.read_dir(args.out).content_hash if existing.is_file() else None
    except CodescaleError:  # damaged: prepare rebuilds it
        before = None
    manifest = PreparedManifest.from_dict(
        prepare(
            args.catalog,
            args.out,
            progress=not args.quiet,
            workers=_workers(args),
            executor=args.executor,
            on_bad_row=args.on_bad_row,
            unit_bytes=_unit_bytes(args),
            log_warnings=False,
        )
    )  # the report below shows them
    if before == manifest.content_hash:
        print(f"{args.out}: up to date (content hash {manifest.content_hash[:16]})")
        return 0
    tokens = sum(split.tokens for splits in manifest.languages.values() for split in splits.values())
    elapsed = time.perf_counter() - start
    print(
        f"{args.out}: {len(manifest.languages)} languages, {tokens:,} tokens, "
        f"{len(manifest.translation)} translation directions in {elapsed:.1f}s"
    )
    if manifest.cleaning is not None:
        translation = {key: (t.examples, t.source) for key, t in manifest.translation.items()}
        parallel = None
        if manifest.parallel is not None:
            parallel = (
                manifest.parallel.groups,
                manifest.cleaning.parallel_groups_decontaminated,
                manifest.parallel.train_groups,
            )
        print(
            render(
                load_catalog(args.catalog), manifest.cleaning, tokens=True, translation=translation, parallel=parallel
            )
        )
    return 0

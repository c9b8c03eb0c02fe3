"""``codescale data``: generate a parallel corpus, train a tokenizer, scan a catalog, prepare token shards."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from codescale.core.errors import CodescaleError


def register(command: str, parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")

    generate = sub.add_parser("generate", help="write a synthetic parallel corpus in all seven languages + catalog.yaml")
    generate.add_argument("-o", "--out", required=True, type=Path, help="output directory")
    generate.add_argument("--programs", type=int, default=1000, help="parallel programs (default 1000)")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--languages", nargs="+", default=None, help="language ids (default: all seven)")
    generate.set_defaults(func=_generate)

    tokenizer = sub.add_parser("tokenizer", help="train (or copy) the catalog's tokenizer into a directory")
    tokenizer.add_argument("catalog", type=Path)
    tokenizer.add_argument("-o", "--out", required=True, type=Path, help="directory for tokenizer.json + config")
    tokenizer.set_defaults(func=_tokenizer)

    scan = sub.add_parser("scan", help="count documents, bytes and duplicates per language with DuckDB")
    scan.add_argument("catalog", type=Path)
    scan.add_argument("--json", action="store_true", help="print JSON instead of a table")
    scan.set_defaults(func=_scan)

    prepare = sub.add_parser("prepare", help="tokenise a catalog into token shards, eval sets and a manifest")
    prepare.add_argument("catalog", type=Path)
    prepare.add_argument("-o", "--out", required=True, type=Path, help="prepared corpus directory")
    prepare.add_argument("--quiet", action="store_true", help="no progress bar")
    prepare.set_defaults(func=_prepare)


def _generate(args: argparse.Namespace) -> int:
    try:
        from codescale.mixtures.synthetic import write_corpus
    except ImportError:
        raise CodescaleError("the synthetic corpus generator (codescale.mixtures.synthetic) is not installed",
                             hint="write a catalog for your own corpus instead (docs/contracts.md §1)") from None
    if args.programs < 1:
        raise CodescaleError(f"--programs must be at least 1, got {args.programs}", field="--programs")
    kwargs = {"seed": args.seed}
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


def _scan(args: argparse.Namespace) -> int:
    from codescale.mixtures.scan import render_table, scan_catalog

    rows = scan_catalog(args.catalog)
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        print(render_table(rows))
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from codescale.mixtures.prepare import prepare

    start = time.perf_counter()
    existing = args.out / "manifest.json"
    before = existing.read_text() if existing.is_file() else None
    manifest = prepare(args.catalog, args.out, progress=not args.quiet)
    tokens = sum(split["tokens"] for splits in manifest["languages"].values() for split in splits.values())
    if before is not None and json.loads(before).get("content_hash") == manifest["content_hash"]:
        print(f"{args.out}: up to date (content hash {manifest['content_hash'][:16]})")
        return 0
    elapsed = time.perf_counter() - start
    print(f"{args.out}: {len(manifest['languages'])} languages, {tokens:,} tokens, "
          f"{len(manifest['translation'])} translation directions in {elapsed:.1f}s", file=sys.stdout)
    return 0

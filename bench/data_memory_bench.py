"""Peak memory of ``codescale data prepare`` as the corpus and its documents grow.

Each case runs ``codescale data prepare --workers W`` in a fresh process and reads the peak RSS of the driver and of
its largest worker (``getrusage``: the driver's own, and the largest among its children). The baseline, measured in
the same run, is a process that only imports what a worker imports (numpy, pyarrow, tokenizers,
codescale.mixtures) and loads the tokenizer: the floor every worker pays.

Cases:

1. corpus size: the synthetic corpus at 1x, 4x and 16x (``--programs``) — the peak must not grow with it;
2. the issue's case: a 20 MB file of huge single-line documents (five 4 MB minified lines) among ordinary ones,
   with the default filters (they are dropped unread by the tokenizer) and with the filters opened up
   (``max_file_bytes`` 8 MB, no line limits: they are tokenised, and the peak grows with ``max_file_bytes``, the
   stated bound, not with the file).

Usage: ``.venv/bin/python bench/data_memory_bench.py [--programs 300] [--workers 2] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import yaml

FLOOR = textwrap.dedent("""
    import resource, sys
    import numpy, pyarrow, pyarrow.parquet, tokenizers
    import codescale.mixtures.work, codescale.mixtures.executors
    from tokenizers import Tokenizer
    Tokenizer.from_file(sys.argv[1])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")
PEAK = textwrap.dedent("""
    import json, resource, sys
    from codescale.core.cli import main
    status = main(sys.argv[1:])
    print(json.dumps({"status": status, "driver_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "worker_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""")


def run_prepare(catalog: Path, out: Path, workers: int) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            PEAK,
            "data",
            "prepare",
            str(catalog),
            "-o",
            str(out),
            "--quiet",
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"prepare failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def synthetic(workdir: Path, programs: int, tokenizer: Path | None) -> Path:
    from codescale.mixtures.synthetic import write_corpus

    catalog = write_corpus(workdir / f"synthetic-{programs}", programs, seed=0)
    if tokenizer is not None:
        body = yaml.safe_load(catalog.read_text())
        body["tokenizer"] = {"path": str(tokenizer)}
        catalog.write_text(yaml.safe_dump(body, sort_keys=False))
    return catalog


def huge_lines(workdir: Path, tokenizer: Path, open_filters: bool) -> Path:
    root = workdir / ("huge-open" if open_filters else "huge-default")
    (root / "raw").mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    words = ["var", "function", "return", "if", "else", "x", "y", "total", "=", "+", "(", ")", "{", "}", ";"]
    rows = [{"content": f"def f{i}(x):\n    return x * {i}\n"} for i in range(2000)]
    for _ in range(5):  # one 4 MB minified line each: 20 MB of huge single-line documents
        rows.append({"content": " ".join(rng.choice(words) for _ in range(1_000_000))})
    (root / "raw/js.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    body = {
        "languages": {"javascript": {"sources": [{"path": "raw/js.jsonl"}]}},
        "tokenizer": {"path": str(tokenizer)},
        "decontamination": {"enabled": False},
    }
    if open_filters:
        body["filters"] = {"max_file_bytes": 8 << 20, "max_line_length": None, "max_avg_line_length": None}
    (root / "catalog.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    return root / "catalog.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=300, help="synthetic programs per language at 1x")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="codescale-memory-bench-"))
    first = synthetic(workdir, args.programs, None)
    reference = run_prepare(first, workdir / "prepared-first", 1)
    tokenizer = workdir / "prepared-first" / "tokenizer" / "tokenizer.json"
    floor_kb = int(
        subprocess.run(
            [sys.executable, "-c", FLOOR, str(tokenizer)], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    print(f"baseline: a process with a worker's imports and the tokenizer loaded: {floor_kb / 1024:.0f} MB")
    print(f"(first prepare, tokenizer training included, 1 worker in-process: {reference['driver_kb'] / 1024:.0f} MB)")
    print(f"\n{'case':44s} {'input MB':>9s} {'driver MB':>10s} {'worker MB':>10s} {'worker/baseline':>16s}")
    cases = [
        (f"synthetic {m}x ({args.programs * m} programs/language)", synthetic(workdir, args.programs * m, tokenizer))
        for m in (1, 4, 16)
    ]
    cases += [
        ("20 MB of 4 MB single-line docs, default filters", huge_lines(workdir, tokenizer, False)),
        ("the same, max_file_bytes 8 MB, no line limits", huge_lines(workdir, tokenizer, True)),
    ]
    for name, catalog in cases:
        size = sum(p.stat().st_size for p in catalog.parent.rglob("*.jsonl")) / 1e6
        peak = run_prepare(catalog, catalog.parent / "prepared", args.workers)
        worker = peak["worker_kb"] or peak["driver_kb"]
        print(
            f"{name:44s} {size:9.1f} {peak['driver_kb'] / 1024:10.0f} {worker / 1024:10.0f} {worker / floor_kb:16.2f}"
        )
    print(f"\nmachine: {resource.getpagesize()}-byte pages; workdir {workdir}")


if __name__ == "__main__":
    main()

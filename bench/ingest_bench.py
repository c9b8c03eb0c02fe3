"""Ingest throughput: run directories with ~10M long-format metric rows into a fresh results store.

    .venv/bin/python bench/ingest_bench.py [--runs 10] [--steps 50000] [--keep DIR]

Each run logs 7 languages, so a train line holds 20 values (6 scalars + 7 per-language losses + 7 per-language token
counts): 10 runs x 50,000 steps = 10M metric rows. Goal: >= 1M long rows/s on the 2-core dev machine. The baseline,
timed in the same process on the first >= 1M rows, is the plain approach: ``json.loads`` per line, Python tuples,
one Arrow insert. ``make_run_dirs`` is importable for other benchmarks (``sys.path.insert(0, "bench")``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from codescale.laws import store
from codescale.laws.ingest import ingest_run_dirs

LANGUAGES = ("python", "java", "javascript", "typescript", "csharp", "go", "rust")


def make_run_dirs(root: Path, runs: int, steps: int, eval_every: int = 100, batch_tokens: int = 262_144) -> list[Path]:
    """Write ``runs`` completed run directories (run.json, status.json, metrics.jsonl) under ``root/runs``."""
    share = 1 / len(LANGUAGES)
    dirs = []
    for r in range(runs):
        run_id = f"bench{r:03d}-{r:08x}"
        run_dir = root / "runs" / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        run = {
            "format": "codescale.run/1",
            "run_id": run_id,
            "name": f"bench{r:03d}",
            "study": "bench",
            "spec": "bench",
            "sweep": {"model.size": f"{r}"},
            "languages": list(LANGUAGES),
            "model": {
                "params": 100_000_000 * (r + 1),
                "params_non_embedding": 90_000_000 * (r + 1),
                "n_layers": 12,
                "dim": 768,
                "size_label": f"{0.1 * (r + 1):.1f}B",
            },
            "training": {
                "steps": steps,
                "tokens": steps * batch_tokens,
                "seed": 0,
                "global_batch_tokens": batch_tokens,
            },
            "mixture": {
                "proportions": {lang: share for lang in LANGUAGES},
                "tokens_per_language": {lang: round(steps * batch_tokens * share) for lang in LANGUAGES},
                "kind": "uniform",
            },
            "pairing": {"mode": "none", "template": None},
            "eval": {"translation": [{"src": "python", "tgt": lang, "seen": False} for lang in LANGUAGES[1:]]},
        }
        (run_dir / "run.json").write_text(json.dumps(run))
        with (run_dir / "metrics.jsonl").open("w") as f:
            for step in range(1, steps + 1):
                tokens = step * batch_tokens
                loss = 2.0 + 3.0 / step**0.3
                per_tokens = ", ".join(f'"{lang}": {tokens // 7}' for lang in LANGUAGES)
                per_loss = ", ".join(f'"{lang}": {loss + 0.01 * i:.6f}' for i, lang in enumerate(LANGUAGES))
                f.write(
                    f'{{"kind": "train", "step": {step}, "time": {1.7e9 + step}, "tokens": {tokens}, '
                    f'"tokens_per_language": {{{per_tokens}}}, "loss": {loss:.6f}, "loss_per_language": {{{per_loss}}}, '
                    f'"lr": 0.0003, "tokens_per_second": 123456.0, "grad_norm": 0.5}}\n'
                )
                if step % eval_every == 0 or step == steps:
                    valid = ", ".join(f'"{lang}": {loss + 0.1:.6f}' for lang in LANGUAGES)
                    trans = ", ".join(f'"python->{lang}": {loss:.6f}' for lang in LANGUAGES[1:])
                    f.write(
                        f'{{"kind": "eval", "step": {step}, "tokens": {tokens}, "valid_loss": {{{valid}}}, '
                        f'"translation_loss": {{{trans}}}}}\n'
                    )
        (run_dir / "status.json").write_text(
            json.dumps(
                {
                    "format": "codescale.status/1",
                    "run_id": run_id,
                    "state": "completed",
                    "step": steps,
                    "tokens_seen": steps * batch_tokens,
                    "wall_seconds": 1.0,
                }
            )
        )
        dirs.append(run_dir)
    return dirs


def baseline_rows_per_second(metrics_files: list[Path], db: Path, enough_rows: int = 1_000_000) -> float:
    """json.loads per line -> long tuples -> one Arrow insert (the plain approach), over files until enough rows."""
    started = time.perf_counter()
    columns: dict[str, list] = {"run_id": [], "step": [], "kind": [], "name": [], "language": [], "value": []}
    for metrics_file in metrics_files:
        with metrics_file.open() as f:
            for raw in f:
                line = json.loads(raw)
                if line["kind"] != "train":
                    continue
                items = [(k, None, line[k]) for k in ("time", "tokens", "loss", "lr", "tokens_per_second", "grad_norm")]
                items += [("tokens", lang, v) for lang, v in line["tokens_per_language"].items()]
                items += [("loss", lang, v) for lang, v in line["loss_per_language"].items()]
                for name, language, value in items:
                    columns["run_id"].append(metrics_file.parent.name)
                    columns["step"].append(line["step"])
                    columns["kind"].append("train")
                    columns["name"].append(name)
                    columns["language"].append(language)
                    columns["value"].append(float(value))
        if len(columns["value"]) >= enough_rows:
            break
    con = store.connect(db)
    con.register("_baseline", pa.table(columns))
    con.execute("INSERT INTO metrics SELECT * FROM _baseline")
    con.close()
    return len(columns["value"]) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="write the run directories here and keep them")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        t = time.perf_counter()
        dirs = make_run_dirs(root, args.runs, args.steps)
        size = sum((d / "metrics.jsonl").stat().st_size for d in dirs)
        print(f"wrote {args.runs} runs, {size / 1e6:.0f} MB of metrics.jsonl in {time.perf_counter() - t:.1f} s")

        report = ingest_run_dirs(root / "bench.duckdb", [root])
        ours = report.metric_rows / report.seconds
        print(
            f"ingest: {report.metric_rows:,} metric rows + {report.eval_rows:,} eval rows in {report.seconds:.2f} s "
            f"= {ours / 1e6:.2f}M metric rows/s (goal >= 1M/s)"
        )
        again = ingest_run_dirs(root / "bench.duckdb", [root])
        print(f"re-ingest of unchanged directories: {again.seconds * 1000:.0f} ms")
        replaced = ingest_run_dirs(root / "bench.duckdb", [root], force=True)
        print(f"forced replace of all runs: {replaced.metric_rows / replaced.seconds / 1e6:.2f}M metric rows/s")

        base = baseline_rows_per_second([d / "metrics.jsonl" for d in dirs], root / "baseline.duckdb")
        print(f"baseline (json.loads per line, >= 1M rows): {base / 1e6:.2f}M rows/s; ours is {ours / base:.1f}x")
        print(f"machine: {os.cpu_count()} CPUs, duckdb {duckdb.__version__}, python {sys.version.split()[0]}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

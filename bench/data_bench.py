"""Data pipeline benchmark: prepare's workers vs the bare tokenizer, scaling, near-dedup, the sampler, torchtitan.

One run, one corpus (the synthetic parallel generator's), one tokenizer trained beforehand (training not counted):

1. ``prepare`` with 1 and with 2 local workers (``--unit-mb`` small enough to give both work), wall time, best of
   ``--repeats``; outputs are byte-compared. Goal: >= 1.7x faster with 2 workers on this 2-core machine.
2. One worker's CPU time per document against the bare ``tokenizers`` ``encode_batch_fast`` on the same documents,
   both single-threaded (a worker is one core): the units are run in this process and timed with their own per-stage
   CPU accounting, three ways — the catalog's defaults, near-dedup off, and all cleaning off (filters, dedup and
   decontamination: what is left is reading, hashing, tokenising and writing). Goal: each worker >= 0.9x bare.
3. Near-dedup throughput: MB of text per CPU second for the MinHash signatures and LSH band keys (the worker side),
   and for the DuckDB duplicate search over every unit's metadata (the driver side).
4. A projection of the wall time to prepare 1T tokens on K nodes of ``--cores-per-node`` cores from the measured
   per-worker rate (tokens per CPU second with the default cleaning), with the driver's duplicate search, which runs
   on one node, extrapolated from its measured rate.
5. ``MixtureSampler`` throughput — seven languages, prompt pairing on 20% of tokens, both orders — in tokens per
   second per core (tokens / process CPU seconds; the sampler is single-threaded numpy). Goal: >= 50M tokens/s/core.
6. torchtitan's ``HuggingFaceTextDataset`` reading the same documents from ``{"text": ...}`` jsonl with the same
   tokenizer (dataset loading excluded, only iteration timed), and the ratio (5)/(6). Goal: >= 200x.

Usage: ``.venv/bin/python bench/data_bench.py [--programs 1000] [--repeats 3] [--unit-mb 1] [--workdir DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import yaml


def build_corpus(workdir: Path, programs: int) -> Path:
    from codescale.mixtures.synthetic import write_corpus

    return write_corpus(workdir / "corpus", programs, seed=0)


def with_existing_tokenizer(catalog_path: Path, workdir: Path) -> Path:
    from codescale.core.catalog import load_catalog
    from codescale.mixtures.prepare import build_tokenizer

    start = time.perf_counter()
    info = build_tokenizer(load_catalog(catalog_path), workdir / "tokenizer")
    print(f"tokenizer: trained vocab {info.vocab_size} in {time.perf_counter() - start:.1f}s (not counted below)")
    catalog = yaml.safe_load(catalog_path.read_text())
    catalog["tokenizer"] = {"path": str(info.dir / "tokenizer.json")}
    path = catalog_path.with_name("catalog_tok.yaml")
    path.write_text(yaml.safe_dump(catalog, sort_keys=False))
    return path


def variant(catalog_path: Path, name: str, **sections) -> Path:
    body = yaml.safe_load(catalog_path.read_text())
    for key, value in sections.items():
        body[key] = {**body.get(key, {}), **value}
    path = catalog_path.with_name(f"catalog_{name}.yaml")
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def _files(prepared: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(prepared)): p.read_bytes()
        for p in sorted(prepared.rglob("*"))
        if p.is_file() and p.name != "manifest.duckdb"
    }


def bench_workers(catalog_path: Path, workdir: Path, unit_bytes: int, repeats: int) -> dict:
    """Wall time of prepare with 1 and 2 workers, best of ``repeats`` alternating runs; identical bytes checked.

    Also the CPU seconds of each run — this process (the driver, and with one worker the units too) and its worker
    processes — from which the wall time on an idle machine follows: with one worker everything is serial; with two,
    the driver's share is serial and the workers' share is split between two cores (units are small and dealt one at
    a time, so the split is even). On a shared machine that projection is steadier than the wall clock."""
    import resource

    from codescale.mixtures.prepare import prepare

    best: dict[int, float] = {}
    cpu: dict[int, tuple[float, float]] = {}
    outputs = {}
    for _ in range(repeats):
        for workers in (1, 2):
            out = workdir / f"prepared-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            start, driver = time.perf_counter(), time.process_time()
            manifest = prepare(catalog_path, out, progress=False, workers=workers, unit_bytes=unit_bytes)
            wall, driver = time.perf_counter() - start, time.process_time() - driver
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
            if wall < best.get(workers, float("inf")):
                best[workers], cpu[workers] = wall, (driver, worker_cpu)
            outputs[workers] = _files(out)
    tokens = sum(s["tokens"] for splits in manifest["languages"].values() for s in splits.values())
    idle = {1: sum(cpu[1]), 2: cpu[2][0] + cpu[2][1] / 2}
    return {"wall": best, "cpu": cpu, "idle": idle, "identical": outputs[1] == outputs[2], "tokens": tokens}


def run_units_here(catalog_path: Path, workdir: Path, unit_bytes: int) -> dict:
    """Every unit of the catalog in this process, single-threaded; CPU seconds per stage, documents and bytes."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from codescale.core.catalog import load_catalog
    from codescale.mixtures import tokenizer as tok
    from codescale.mixtures.decontam import evaluation_texts, translation_tasks
    from codescale.mixtures.prepare import work_settings
    from codescale.mixtures.units import plan_units
    from codescale.mixtures.work import run_unit

    catalog = load_catalog(catalog_path)
    work = workdir / "units-here"
    shutil.rmtree(work, ignore_errors=True)
    info = tok.copy_tokenizer(catalog.file_path(("tokenizer", "path"), catalog.tokenizer.path), work / "tokenizer")
    settings = work_settings(catalog, work, evaluation_texts(catalog, *translation_tasks(catalog)), info, "fail")
    stages: dict[str, float] = {}
    documents = size = 0
    wall = time.perf_counter()
    for unit in plan_units(catalog, unit_bytes).units:
        if unit.kind != "documents":  # the bare side encodes the monolingual documents only
            continue
        summary = run_unit(unit.with_key(settings.key(unit.kind)), settings, work / "units")
        for stage, seconds in summary.get("cpu", {}).items():
            stages[stage] = stages.get(stage, 0.0) + seconds
        for target in summary.get("targets", []):
            documents += target["candidates"] + sum(n for n, _ in target["filtered"].values())
            size += target["bytes"] + sum(b for _, b in target["filtered"].values())
    return {
        "stages": stages,
        "cpu": sum(stages.values()),
        "documents": documents,
        "bytes": size,
        "wall": time.perf_counter() - wall,
        "work": work,
        "settings": settings,
        "catalog": catalog,
    }


def corpus_documents(catalog_path: Path) -> list[str]:
    """The monolingual documents exactly as the workers read them."""
    from codescale.core.catalog import load_catalog
    from codescale.mixtures.documents import LabelMap, Piece, read_piece

    catalog = load_catalog(catalog_path)
    texts = []
    for lang in catalog.languages:
        for source, paths in catalog.source_files(lang):
            for path in paths:
                piece = Piece(path, source.text_column, source.language_column, (lang,))
                texts += [t for batch in read_piece(piece, LabelMap(catalog.label_map()), 1 << 30) for t in batch.texts]
    return texts


def bare_encode_cpu(texts: list[str], tokenizer_json: str, repeats: int) -> tuple[float, int]:
    """Best CPU seconds of single-threaded ``encode_batch_fast`` over ``texts`` in 1 MiB batches, and its tokens."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from tokenizers import Tokenizer

    from codescale.mixtures.documents import BATCH_BYTES

    tokenizer = Tokenizer.from_file(tokenizer_json)
    batches, batch, size = [], [], 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= BATCH_BYTES:
            batches.append(batch)
            batch, size = [], 0
    batches.append(batch)
    best, tokens = float("inf"), 0
    for _ in range(repeats):
        start = time.process_time()
        tokens = sum(len(e) for b in batches for e in tokenizer.encode_batch_fast(b))
        best = min(best, time.process_time() - start)
    return best, tokens


def bench_dedup_search(run: dict) -> float:
    """CPU seconds of the driver's duplicate search (DuckDB) over the units' metadata, all verdicts read."""
    from codescale.mixtures.dedup import DuplicateFinder
    from codescale.mixtures.units import plan_units

    catalog, settings, work = run["catalog"], run["settings"], run["work"]
    layout = plan_units(catalog, UNIT_BYTES_USED[0])
    languages = list(catalog.languages)
    meta = [
        (
            work / "units" / u.with_key(settings.key(u.kind)).key / f"t{k}.parquet",
            seg,
            languages.index(layout.segments[seg].language),
        )
        for u in layout.units
        if u.kind == "documents"
        for k, seg in enumerate(u.segments)
    ]
    start, wall = time.process_time(), time.perf_counter()
    finder = DuplicateFinder(
        meta,
        exact=True,
        near=True,
        bands=settings.near.bands,
        across_languages=True,
        memory_gb=1.0,
        temp_dir=work / "duckdb.tmp",
        threads=1,
    )
    dropped = sum(len(pos) for pos, _ in finder.verdicts())
    finder.close()
    del dropped
    return max(time.process_time() - start, time.perf_counter() - wall)


UNIT_BYTES_USED = [1 << 20]


def bench_sampler(prepared: Path, seq_len: int = 2048, local_batch: int = 16, steps: int = 200) -> dict:
    from codescale.core.domains import LANGUAGE_IDS
    from codescale.mixtures import MixtureSampler, PreparedCorpus

    corpus = PreparedCorpus(prepared)
    total = steps * local_batch * seq_len
    share = total // len(LANGUAGE_IDS)
    quotas = {lang: share for lang in LANGUAGE_IDS}
    quotas["python"] += total - share * len(LANGUAGE_IDS)
    manifest = {
        "format": "codescale.mixture/1",
        "run_id": "bench",
        "languages": list(LANGUAGE_IDS),
        "proportions": {lang: q / total for lang, q in quotas.items()},
        "tokens_per_language": quotas,
        "total_tokens": total,
        "seq_len": seq_len,
        "global_batch_size": local_batch,
        "seed": 0,
        "max_epochs": {lang: None for lang in LANGUAGE_IDS},
        "pairing": {
            "mode": "parallel",
            "template": "prompt",
            "pivot": "python",
            "fraction": 0.2,
            "both_orders": True,
            "directions": [["python", lang] for lang in LANGUAGE_IDS if lang != "python"],
        },
        "prepared": str(prepared),
    }
    start = time.perf_counter()
    sampler = MixtureSampler(manifest, corpus)
    setup = time.perf_counter() - start
    sampler.next_batch(local_batch)  # touch the memmaps once
    wall, cpu = time.perf_counter(), time.process_time()
    tokens = 0
    while sampler.sequences_left >= local_batch:
        batch = sampler.next_batch(local_batch)
        tokens += batch.labels.size
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    seen = sampler.tokens_seen()
    worst = max(abs(seen[lang] - quotas[lang]) for lang in LANGUAGE_IDS)
    return {
        "tokens_per_second": tokens / wall,
        "tokens_per_cpu_second": tokens / cpu,
        "setup_seconds": setup,
        "tokens": tokens,
        "worst_quota_error_tokens": worst,
        "epochs": sampler.epochs_seen(),
    }


def bench_torchtitan(
    mono: list[str], tokenizer_dir: Path, workdir: Path, seq_len: int = 2048, max_tokens: int = 3_000_000
) -> dict:
    os.environ.setdefault("HF_DATASETS_CACHE", str(workdir / "hf_cache"))
    from datasets import load_dataset
    from torchtitan.components.tokenizer import HuggingFaceTokenizer
    from torchtitan.hf_datasets import DatasetConfig, text_datasets

    jsonl = workdir / "titan" / "train.jsonl"
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    jsonl.write_text("".join(json.dumps({"text": text}) + "\n" for text in mono))
    text_datasets.DATASETS["codescale_bench"] = DatasetConfig(
        path=str(jsonl.parent),
        loader=lambda path: load_dataset("json", data_files=str(Path(path) / "train.jsonl"), split="train"),
        sample_processor=lambda sample: sample["text"],
    )
    tokenizer = HuggingFaceTokenizer(tokenizer_path=str(tokenizer_dir))
    dataset = text_datasets.HuggingFaceTextDataset("codescale_bench", None, tokenizer, seq_len=seq_len)
    iterator = iter(dataset)
    next(iterator)  # dataset opened, first sample tokenised: not timed
    tokens = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for inputs, _labels in iterator:
        tokens += inputs["input"].numel()
        if tokens >= max_tokens:
            break
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"tokens_per_second": tokens / wall, "tokens_per_cpu_second": tokens / cpu, "tokens": tokens}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=1000, help="synthetic programs per language")
    parser.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each measurement")
    parser.add_argument("--unit-mb", type=float, default=1.0, help="work unit size for (1) and (2)")
    parser.add_argument("--cores-per-node", type=int, default=64, help="for the projection (4)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="codescale-data-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    unit_bytes = UNIT_BYTES_USED[0] = int(args.unit_mb * (1 << 20))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; workdir {workdir}")
    catalog = with_existing_tokenizer(build_corpus(workdir, args.programs), workdir)

    scaling = bench_workers(catalog, workdir, unit_bytes, args.repeats)
    one, two = scaling["wall"][1], scaling["wall"][2]
    print(f"\n(1) prepare, {scaling['tokens']:,} tokens, units of {args.unit_mb:g} MB, best of {args.repeats}:")
    print(
        f"    wall:  1 worker {one:6.2f}s   2 workers {two:6.2f}s   speed-up {one / two:.2f}x (goal >= 1.7x); "
        f"outputs byte-identical: {scaling['identical']}"
    )
    (d1, w1), (d2, w2) = scaling["cpu"][1], scaling["cpu"][2]
    print(f"    CPU:   1 worker: {d1 + w1:.2f}s in-process   2 workers: driver {d2:.2f}s + workers {w2:.2f}s")
    print(
        f"    idle-machine projection from CPU: {scaling['idle'][1]:.2f}s vs {scaling['idle'][2]:.2f}s, speed-up "
        f"{scaling['idle'][1] / scaling['idle'][2]:.2f}x"
    )

    texts = corpus_documents(catalog)
    tokenizer_json = yaml.safe_load(catalog.read_text())["tokenizer"]["path"]
    bare, bare_tokens = bare_encode_cpu(texts, tokenizer_json, args.repeats)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(
        f"\n(2) one worker vs bare encode_batch_fast, single-threaded, {len(texts):,} documents, {megabytes:.1f} MB "
        f"(monolingual units; CPU seconds, best of {args.repeats} for the bare side)"
    )
    print(f"    bare encode_batch_fast        {bare:6.2f}s   {bare_tokens / bare / 1e6:5.2f} M tokens/s")
    runs = {}
    for name, sections in (
        ("defaults", {}),
        ("no-near-dedup", {"dedup": {"near": False}}),
        (
            "no-cleaning",
            {
                "dedup": {"near": False, "exact": False},
                "decontamination": {"enabled": False},
                "filters": {
                    "max_lines": None,
                    "max_line_length": None,
                    "max_avg_line_length": None,
                    "min_alphanumeric_fraction": None,
                    "autogenerated_markers": [],
                    "max_encoded_fraction": None,
                    "max_encoded_run": None,
                },
            },
        ),
    ):
        best = None
        for _ in range(args.repeats):
            run = run_units_here(variant(catalog, name, **sections), workdir, unit_bytes)
            if best is None or run["cpu"] < best["cpu"]:
                best = run
        runs[name] = best
        stages = ", ".join(f"{k} {v:.2f}" for k, v in sorted(best["stages"].items()))
        print(
            f"    worker, {name:15s} {best['cpu']:6.2f}s   ratio bare/worker {bare / best['cpu']:.2f}x "
            f"(goal >= 0.9x)   [{stages}]"
        )

    run = runs["defaults"]
    signing = run["stages"].get("minhash", 0.0)
    search = bench_dedup_search(run)
    total_mb = run["bytes"] / 1e6
    print(
        f"\n(3) near-dedup: MinHash {run['settings'].near.num_perm} permutations + "
        f"{run['settings'].near.bands} band keys per document: {total_mb / signing:.1f} MB/s per core "
        f"({signing:.2f}s CPU for {total_mb:.1f} MB); duplicate search in DuckDB over every document's keys: "
        f"{total_mb / search:.1f} MB/s ({search:.2f}s)"
    )

    tokens_per_cpu = bare_tokens / run["cpu"]  # tokens the default worker writes per CPU second
    bytes_per_token = megabytes * 1e6 / bare_tokens
    print(
        f"\n(4) projection for 1T tokens ({bytes_per_token:.2f} bytes of text per token here, "
        f"{args.cores_per_node} workers per node, default cleaning; rates of this machine):"
    )
    search_hours = 1e12 * bytes_per_token / 1e6 / (total_mb / search) / 3600
    for nodes in (1, 8, 64, 256):
        hours = 1e12 / (tokens_per_cpu * args.cores_per_node * nodes) / 3600
        print(
            f"    {nodes:4d} nodes: workers {hours:8.1f} h   + duplicate search on one node {search_hours:6.1f} h "
            f"(if its rate held at that size; it spills to disk beyond dedup.memory_gb)"
        )

    sampler = bench_sampler(workdir / "prepared-1")
    print(f"\n(5) sampler + pairing + packing: {sampler['tokens']:,} tokens, setup {sampler['setup_seconds']:.2f}s")
    print(
        f"    {sampler['tokens_per_second'] / 1e6:8.1f} M tokens/s wall, "
        f"{sampler['tokens_per_cpu_second'] / 1e6:.1f} M tokens/s per core (goal >= 50M)"
    )
    print(f"    worst quota error: {sampler['worst_quota_error_tokens']} tokens (one sequence = 2048)")

    titan = bench_torchtitan(texts, workdir / "prepared-1" / "tokenizer", workdir)
    print(f"\n(6) torchtitan HuggingFaceTextDataset: {titan['tokens']:,} tokens")
    print(
        f"    {titan['tokens_per_second'] / 1e6:8.3f} M tokens/s wall, "
        f"{titan['tokens_per_cpu_second'] / 1e6:.3f} M tokens/s per core"
    )
    print(
        f"    ratio (5)/(6): {sampler['tokens_per_second'] / titan['tokens_per_second']:.0f}x wall, "
        f"{sampler['tokens_per_cpu_second'] / titan['tokens_per_cpu_second']:.0f}x per core (goal >= 200x)"
    )


if __name__ == "__main__":
    main()

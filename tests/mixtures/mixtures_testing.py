"""Small real corpora on disk: jsonl, jsonl.gz and parquet sources, a parallel corpus, eval tasks and a catalog."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

_TEMPLATES = {
    "python": "def {f}(xs):\n    total = {n}\n    for x in xs:\n        if x % {m} == 0:\n            total += x * {k}\n    return total\n",
    "java": "static int {f}(int[] xs) {{\n    int total = {n};\n    for (int x : xs) {{\n        if (x % {m} == 0) {{\n            total += x * {k};\n        }}\n    }}\n    return total;\n}}\n",
    "go": "func {f}(xs []int) int {{\n\ttotal := {n}\n\tfor _, x := range xs {{\n\t\tif x%{m} == 0 {{\n\t\t\ttotal += x * {k}\n\t\t}}\n\t}}\n\treturn total\n}}\n",
    "rust": "fn {f}(xs: &[i64]) -> i64 {{\n    let mut total = {n};\n    for x in xs {{\n        if x % {m} == 0 {{\n            total += x * {k};\n        }}\n    }}\n    total\n}}\n",
}
_WORDS = ["sum", "count", "scale", "filter", "merge", "score", "weight", "index", "total", "value", "parse", "emit"]


def program(lang: str, i: int, repeat: int = 1) -> str:
    rng = random.Random(i)
    body = []
    for part in range(repeat):
        name = f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}_{i}_{part}"
        body.append(_TEMPLATES[lang].format(f=name, n=rng.randint(0, 99), m=rng.randint(2, 9), k=rng.randint(1, 9)))
    return "\n".join(body)


def write_jsonl(path: Path, rows: list[dict], gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(row) + "\n" for row in rows).encode()
    path.write_bytes(gzip.compress(text) if gz else text)
    return path


def write_catalog(root: Path, body: dict) -> Path:
    path = root / "catalog.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def make_corpus(root: Path, documents: int = 120, languages=("python", "java", "go", "rust"), parallel_groups: int = 60,
                vocab_size: int = 400, fraction: float = 0.1, repeat: int = 2, decontaminate: bool = False) -> Path:
    """A four-language corpus in all three file formats; returns the catalog path.

    Its documents, parallel groups and eval tasks all come from one template per language, so many documents share
    13-word runs with the eval tasks: decontamination is off unless asked for (tests/mixtures/test_cleaning.py
    covers it on purpose-made corpora)."""
    langs: dict[str, dict] = {}
    for lang in languages:
        rows = [{"content": program(lang, 1000 * len(lang) + i, repeat), "id": i} for i in range(documents)]
        if lang == "python":  # two jsonl files through a glob
            write_jsonl(root / "raw/python/a.jsonl", rows[: documents // 2])
            write_jsonl(root / "raw/python/b.jsonl", rows[documents // 2 :])
            langs[lang] = {"sources": [{"path": "raw/python/*.jsonl"}]}
        elif lang == "java":
            write_jsonl(root / "raw/java.jsonl.gz", rows, gz=True)
            langs[lang] = {"sources": [{"path": "raw/java.jsonl.gz"}]}
        else:  # a Stack-v2-like parquet with a language column shared by go and rust
            langs[lang] = {"sources": [{"path": "raw/mixed.parquet", "text_column": "content",
                                        "language_column": "lang"}]}
    mixed = [("Go" if lang == "go" else "Rust", program(lang, 5000 + i, repeat)) for lang in languages
             if lang in ("go", "rust") for i in range(documents)]
    if mixed:
        (root / "raw").mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"lang": [m[0] for m in mixed], "content": [m[1] for m in mixed]}),
                       root / "raw/mixed.parquet")
    groups = [{"id": f"g{i}", **{lang: program(lang, 9000 + i) for lang in languages}} for i in range(parallel_groups)]
    write_jsonl(root / "raw/parallel.jsonl", groups)
    tasks = [{"id": f"t{i}", "description": "x", **{lang: program(lang, 20000 + i) for lang in languages}}
             for i in range(5)]
    write_jsonl(root / "eval/tasks.jsonl", tasks)
    return write_catalog(root, {
        "name": "test",
        "languages": langs,
        "parallel": {"path": "raw/parallel.jsonl", "pivot": "python"},
        "translation_eval": {"path": "eval/tasks.jsonl"},
        "tokenizer": {"vocab_size": vocab_size, "sample_documents_per_language": 50},
        "validation": {"fraction": fraction},
        "decontamination": {"enabled": decontaminate},
    })


def mixture(languages, tokens_per_language, seq_len=64, global_batch_size=8, seed=0, max_epochs=None, pairing=None):
    total = sum(tokens_per_language.values())
    return {
        "format": "codescale.mixture/1", "run_id": "test-00000000", "languages": list(languages),
        "proportions": {lang: tokens_per_language[lang] / total for lang in languages},
        "tokens_per_language": dict(tokens_per_language), "total_tokens": total, "seq_len": seq_len,
        "global_batch_size": global_batch_size, "seed": seed,
        "max_epochs": max_epochs or {lang: None for lang in languages},
        "pairing": pairing or {"mode": "none", "template": None, "pivot": "python", "directions": [], "fraction": 0.0,
                               "both_orders": False},
        "prepared": None,
    }

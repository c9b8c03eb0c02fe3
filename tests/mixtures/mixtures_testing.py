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


def make_corpus(
    root: Path,
    documents: int = 120,
    languages=("python", "java", "go", "rust"),
    parallel_groups: int = 60,
    vocab_size: int = 400,
    fraction: float = 0.1,
    repeat: int = 2,
    decontaminate: bool = False,
) -> Path:
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
            langs[lang] = {
                "sources": [{"path": "raw/mixed.parquet", "text_column": "content", "language_column": "lang"}]
            }
    mixed = [
        ("Go" if lang == "go" else "Rust", program(lang, 5000 + i, repeat))
        for lang in languages
        if lang in ("go", "rust")
        for i in range(documents)
    ]
    if mixed:
        (root / "raw").mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table({"lang": [m[0] for m in mixed], "content": [m[1] for m in mixed]}), root / "raw/mixed.parquet"
        )
    groups = [{"id": f"g{i}", **{lang: program(lang, 9000 + i) for lang in languages}} for i in range(parallel_groups)]
    write_jsonl(root / "raw/parallel.jsonl", groups)
    tasks = [
        {"id": f"t{i}", "description": "x", **{lang: program(lang, 20000 + i) for lang in languages}} for i in range(5)
    ]
    write_jsonl(root / "eval/tasks.jsonl", tasks)
    return write_catalog(
        root,
        {
            "name": "test",
            "languages": langs,
            "parallel": {"path": "raw/parallel.jsonl", "pivot": "python"},
            "translation_eval": {"path": "eval/tasks.jsonl"},
            "tokenizer": {"vocab_size": vocab_size, "sample_documents_per_language": 50},
            "validation": {"fraction": fraction},
            "decontamination": {"enabled": decontaminate},
        },
    )


def mixture(languages, tokens_per_language, seq_len=64, global_batch_size=8, seed=0, max_epochs=None, pairing=None):
    total = sum(tokens_per_language.values())
    return {
        "format": "codescale.mixture/1",
        "run_id": "test-00000000",
        "languages": list(languages),
        "proportions": {lang: tokens_per_language[lang] / total for lang in languages},
        "tokens_per_language": dict(tokens_per_language),
        "total_tokens": total,
        "seq_len": seq_len,
        "global_batch_size": global_batch_size,
        "seed": seed,
        "max_epochs": max_epochs or {lang: None for lang in languages},
        "pairing": pairing
        or {
            "mode": "none",
            "template": None,
            "pivot": "python",
            "directions": [],
            "fraction": 0.0,
            "both_orders": False,
        },
        "prepared": None,
    }


_FIZZBUZZ = """def fizzbuzz(n: int) -> list[str]:
    words = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            words.append("FizzBuzz")
        elif i % 3 == 0:
            words.append("Fizz")
"""
"""The first lines of the built-in fizzbuzz task's Python solution (codescale.mixtures.evalsets)."""
SUITE_PROGRAM = (
    "def private_benchmark_answer(grid):\n    return sum(row[k] * weight for k, row in enumerate(grid) if row)\n"
)
"""The program of the user evaluation suite the dirty corpus protects."""


def near_copy(text: str) -> str:
    """A near-duplicate: the same program with one constant changed in its last line."""
    head, _, last = text.rstrip("\n").rpartition("\n")
    return head + "\n" + last.replace("total", "total + 1") + "\n"


def make_dirty_corpus(root: Path) -> tuple[Path, dict]:
    """A corpus with one of every kind of dirt, and what cleaning must find in it (python, javascript, typescript).

    python (jsonl, 40 clean programs): 2 exact copies, 2 near copies, 1 empty text, one document for each filter
    (too big, too many lines, a long line, long average lines, few letters or digits, a generated marker, base64
    data), 1 holding the built-in fizzbuzz task, 1 holding the user suite's program. javascript and typescript come
    from one Stack-like parquet with a language column: 12 documents each, TSX/JSX rows mapped, one text under both
    labels (a cross-language duplicate, kept in javascript, the first language), Markdown/Vue rows unmapped.
    """
    clean = [program("python", 7000 + i, repeat=6) for i in range(40)]
    dirty = {
        "max_file_bytes": "x = 1\n" * 400,  # 2,400 bytes with max_file_bytes 2,000
        "max_lines": "pass\n" * 120,
        "max_line_length": "x = 1\n" * 30 + "value = [" + ", ".join(str(i) for i in range(300)) + "]\n",
        "max_avg_line_length": "\n".join("# " + "word " * 24 for _ in range(3)) + "\n",
        "min_alphanumeric_fraction": "{[()]}\n" * 50 + "x = 1\n",
        "autogenerated": "# Code generated by protoc. DO NOT EDIT.\n" + program("python", 7100, repeat=2),
        "data_like": "BLOB = '" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 4 + "'\n" + program("python", 7101),
    }
    rows = [{"content": text} for text in clean]
    rows += [
        {"content": clean[3]},
        {"content": clean[10]},
        {"content": near_copy(clean[5])},
        {"content": near_copy(clean[20])},
        {"content": ""},
    ]
    rows += [{"content": text} for text in dirty.values()]
    rows += [
        {"content": program("python", 7200) + "\n" + _FIZZBUZZ},
        {"content": "# mine\n" + SUITE_PROGRAM + program("python", 7201)},
    ]
    write_jsonl(root / "raw/python.jsonl", rows)
    js = [program("java", 8000 + i).replace("static int", "function") for i in range(12)]
    ts = [program("java", 8100 + i).replace("static int", "export function") for i in range(12)]
    labels = (
        ["JavaScript"] * 10 + ["JSX"] * 2 + ["TypeScript"] * 10 + ["TSX"] * 2 + ["Markdown", "Vue", "Vue", "TypeScript"]
    )
    texts = js + ts + ["# Title\n", "<template/>", "<div/>", js[4]]
    (root / "raw").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"lang": labels, "content": texts}), root / "raw/stack.parquet", row_group_size=8)
    (root / "eval").mkdir(parents=True, exist_ok=True)
    (root / "eval/suite.jsonl").write_text(json.dumps({"task": "private", "solution": SUITE_PROGRAM}) + "\n")
    groups = [{"id": f"g{i}", "python": program("python", 9000 + i), "javascript": js[i % 12]} for i in range(8)]
    groups.append({"id": "leak", "python": program("python", 9100) + "\n" + _FIZZBUZZ, "javascript": js[0]})
    write_jsonl(root / "raw/parallel.jsonl", groups)
    stack = {"path": "raw/stack.parquet", "language_column": "lang"}
    catalog = write_catalog(
        root,
        {
            "name": "dirty",
            "languages": {
                "python": {"sources": [{"path": "raw/python.jsonl"}]},
                "javascript": {"sources": [stack]},
                "typescript": {"sources": [stack]},
            },
            "parallel": {"path": "raw/parallel.jsonl", "pivot": "python"},
            "tokenizer": {"vocab_size": 400, "sample_documents_per_language": 30},
            "validation": {"fraction": 0.1},
            "filters": {"max_file_bytes": 2000, "max_lines": 100},
            "decontamination": {"suites": ["eval/suite.jsonl"]},
        },
    )
    expected = {
        "python": {
            "rows": 40 + 5 + len(dirty) + 2,
            "empty": 1,
            "exact": 2,
            "near": 2,
            "decontaminated": 2,
            "filtered": {name: 1 for name in dirty},
            "kept": 40,
        },
        "javascript": {"rows": 12, "exact": 0, "kept": 12},
        "typescript": {"rows": 13, "exact": 1, "kept": 12},
        "unmapped": {"Markdown": 1, "Vue": 2},
        "parallel": {"groups": 8, "decontaminated": 1},
    }
    return catalog, expected

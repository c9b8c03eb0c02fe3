"""A synthetic corpus on disk, described by a catalog (contracts §1).

Layout written by :func:`write_corpus`::

    OUT/
      catalog.yaml          languages -> raw/<lang>.jsonl, parallel -> raw/parallel.jsonl (pivot: python),
                            translation_eval.path: null (the hand-written set) or raw/translation_eval.jsonl,
                            tokenizer, validation
      raw/<lang>.jsonl      monolingual documents {"id": "<lang>-000017", "content": code}
      raw/parallel.jsonl    parallel groups {"id": "prog-000017", "python": code, "java": code, ...}
      raw/translation_eval.jsonl  with ``translation_programs``: held-out parallel groups {"id": "heldout-000003",
                            "python": code, ...}, the translation evaluation set
      synthetic.json        what was asked for and the sha256 of every file written

Monolingual documents, parallel groups and held-out translation programs come from different program streams (see
``generate.py``), so the monolingual data is not the parallel data again, two languages' monolingual documents are
not translations of each other, and the translation set is in the training distribution without being in training.
Each language gets ``n_programs`` monolingual documents; the parallel file holds ``n_programs`` groups.
``functions`` bounds the functions per program (default 2 to 5: about 630 tokens of a 1,024-token BPE); fewer make
short programs, so that a program and its translation fit one training sequence.

Writing is atomic from a reader's point of view: ``catalog.yaml`` and ``synthetic.json`` are removed first and written
last, every file goes to a temporary name and is renamed into place, so a directory with a catalog is complete.
Calling again with the same arguments finds ``synthetic.json`` matching and the files intact, and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from codescale.core.domains import LANGUAGE_IDS
from codescale.core.errors import CodescaleError
from codescale.core.io import atomic_write_lines
from codescale.mixtures.synthetic.compose import DEFAULT_FUNCTIONS
from codescale.mixtures.synthetic.generate import (
    PARALLEL_STREAM,
    TRANSLATION_STREAM,
    canonical_languages,
    generate_programs,
    program_at,
)
from codescale.mixtures.synthetic.render import render

FORMAT = "codescale.synthetic/1"
GENERATOR_VERSION = 1
"""Bump when the generator's output for a given seed changes, so existing corpora are rebuilt."""
PIVOT = "python"
DEFAULT_VOCAB_SIZE = 4096
DEFAULT_VALIDATION_FRACTION = 0.02
HELD_OUT_NGRAM = 30


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _monolingual_lines(n: int, seed: int, lang: str, functions: tuple[int, int]) -> Iterable[str]:
    for index in range(n):
        code = render(program_at(seed, lang, index, functions), lang)
        yield json.dumps({"id": f"{lang}-{index:06d}", "content": code}, ensure_ascii=False) + "\n"


def _parallel_lines(n: int, seed: int, languages: Sequence[str], functions: tuple[int, int],
                    stream: str = PARALLEL_STREAM, prefix: str = "prog") -> Iterable[str]:  # fmt: skip
    for group in generate_programs(n, seed=seed, languages=languages, stream=stream, functions=functions,
                                   prefix=prefix):  # fmt: skip
        yield json.dumps(group, ensure_ascii=False) + "\n"


def catalog_document(name: str, languages: Sequence[str], vocab_size: int = DEFAULT_VOCAB_SIZE,
                     translation_eval: str | None = None) -> dict:  # fmt: skip
    """The catalog (contracts §1) for a corpus written by :func:`write_corpus`, as plain data.

    With a generated ``translation_eval`` file, decontamination compares 30-word n-grams instead of 13: the held-out
    programs come from the same templates as the training ones, whose 13-word phrases (docstrings, loop headers)
    would drop half the corpus, while 30 words still catch a function the two share (about 1% of documents)."""
    decontamination = {"decontamination": {"ngram": HELD_OUT_NGRAM}} if translation_eval else {}
    return {
        "name": name,
        "languages": {
            lang: {"sources": [{"path": f"raw/{lang}.jsonl", "text_column": "content"}]} for lang in languages
        },
        "parallel": {"path": "raw/parallel.jsonl", "pivot": PIVOT},
        "translation_eval": {"path": translation_eval},
        "tokenizer": {"vocab_size": vocab_size, "sample_documents_per_language": 2000},
        "validation": {"fraction": DEFAULT_VALIDATION_FRACTION},
        **decontamination,
    }


_OPTIONAL = {"functions": list(DEFAULT_FUNCTIONS), "vocab_size": DEFAULT_VOCAB_SIZE, "translation_programs": 0}
"""Request fields recorded only when they differ from these defaults (corpora written before them stay current)."""


def _is_current(out_dir: Path, request: dict) -> bool:
    try:
        recorded = json.loads((out_dir / "synthetic.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {**_OPTIONAL, **request}
    if {k: recorded.get(k, _OPTIONAL.get(k)) for k in wanted} != wanted or not (out_dir / "catalog.yaml").is_file():
        return False
    files = recorded.get("files", {})
    return all((out_dir / rel).is_file() and _sha256(out_dir / rel) == digest for rel, digest in files.items())


def write_corpus(out_dir: Path, n_programs: int, seed: int = 0, languages: Sequence[str] = LANGUAGE_IDS, *,
                 functions: tuple[int, int] = DEFAULT_FUNCTIONS, vocab_size: int = DEFAULT_VOCAB_SIZE,
                 translation_programs: int = 0) -> Path:  # fmt: skip
    """Write a synthetic corpus (monolingual documents per language + parallel groups) and return its catalog path.

    ``functions``: functions per program besides ``main`` (at least, at most); ``vocab_size``: the catalog's BPE
    size; ``translation_programs``: held-out parallel groups written as the catalog's translation evaluation set
    (0: the catalog keeps the built-in hand-written set).

    Raises CodescaleError when ``languages`` lacks the pivot (python), ``n_programs`` is not positive, or
    ``functions`` or ``translation_programs`` are out of range.
    """
    langs = canonical_languages(languages)
    if PIVOT not in langs:
        raise CodescaleError(
            f"languages {list(langs)} lack the parallel pivot {PIVOT!r}",
            field="languages",
            hint=f"add {PIVOT}: every parallel group is keyed on it",
        )
    if n_programs < 1:
        raise CodescaleError(f"n_programs is {n_programs}", field="n_programs", hint="ask for at least one program")
    functions = (int(functions[0]), int(functions[1]))
    if not 1 <= functions[0] <= functions[1]:
        raise CodescaleError(f"functions is {functions[0]}-{functions[1]}", field="functions",
                             hint="give at least 1 and at most a number no smaller than the least, e.g. 1-2")  # fmt: skip
    if translation_programs < 0:
        raise CodescaleError(f"translation_programs is {translation_programs}", field="translation_programs",
                             hint="ask for 0 (the built-in set) or more held-out programs")  # fmt: skip
    out_dir = Path(out_dir)
    request: dict = {"format": FORMAT, "generator_version": GENERATOR_VERSION, "seed": seed, "n_programs": n_programs,
                     "languages": list(langs)}  # fmt: skip
    options = {"functions": list(functions), "vocab_size": vocab_size, "translation_programs": translation_programs}
    request.update({k: v for k, v in options.items() if v != _OPTIONAL[k]})
    catalog_path = out_dir / "catalog.yaml"
    if _is_current(out_dir, request):
        return catalog_path

    out_dir.mkdir(parents=True, exist_ok=True)
    for marker in ("catalog.yaml", "synthetic.json"):
        (out_dir / marker).unlink(missing_ok=True)
    for stale in (out_dir / "raw" / f"{lang}.jsonl" for lang in LANGUAGE_IDS if lang not in langs):
        stale.unlink(missing_ok=True)

    files: dict[str, str] = {}
    for lang in langs:
        path = out_dir / "raw" / f"{lang}.jsonl"
        atomic_write_lines(path, _monolingual_lines(n_programs, seed, lang, functions))
        files[f"raw/{lang}.jsonl"] = _sha256(path)
    parallel = out_dir / "raw" / "parallel.jsonl"
    atomic_write_lines(parallel, _parallel_lines(n_programs, seed, langs, functions))
    files["raw/parallel.jsonl"] = _sha256(parallel)
    translation_eval = out_dir / "raw" / "translation_eval.jsonl"
    if translation_programs:
        atomic_write_lines(translation_eval, _parallel_lines(translation_programs, seed, langs, functions,
                                                             TRANSLATION_STREAM, "heldout"))  # fmt: skip
        files["raw/translation_eval.jsonl"] = _sha256(translation_eval)
    else:
        translation_eval.unlink(missing_ok=True)

    atomic_write_lines(out_dir / "synthetic.json", [json.dumps({**request, "files": files}, indent=2) + "\n"])
    catalog = catalog_document(f"synthetic-seed{seed}-n{n_programs}", langs, vocab_size,
                               "raw/translation_eval.jsonl" if translation_programs else None)  # fmt: skip
    header = (
        f"# Synthetic corpus written by codescale.mixtures.synthetic.write_corpus(n_programs={n_programs}, "
        f"seed={seed}).\n# Monolingual documents (stream <lang>) and parallel groups (stream "
        f"{PARALLEL_STREAM!r}) are disjoint programs.\n"
    )
    atomic_write_lines(catalog_path, [header, yaml.safe_dump(catalog, sort_keys=False)])
    return catalog_path

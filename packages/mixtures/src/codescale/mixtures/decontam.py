"""Decontamination: training documents must not share a long word n-gram with an evaluation task.

The evaluation texts are everything a model built from this corpus is measured on: the hand-written tasks shipped
in ``codescale.mixtures.evalsets`` (``decontamination.builtin_tasks``), the translation evaluation set the prepared
corpus holds (the catalog's ``translation_eval.path``, when it names one) and any ``decontamination.suites`` files
(``.jsonl``/``.jsonl.gz``: every string value of every row; other files: their whole text). Their word n-grams
(``decontamination.ngram`` words, 13 by default as GPT-3 did; words as in ``shingles.py``, so formatting and
punctuation do not hide an overlap) form one sorted array of 64-bit hashes, built once per prepare and handed to the
workers as a file. A monolingual document sharing one n-gram with it is dropped (counted per language); so is a
parallel group any of whose programs shares one. An evaluation text shorter than ``ngram`` words cannot match.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from codescale.core.catalog import Catalog
from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError
from codescale.mixtures.documents import read_json_rows
from codescale.mixtures.shingles import text_ngrams

BUILTIN = "codescale.mixtures.evalsets"


def task_languages(row: dict, source: str | Path, number: int) -> dict[str, str]:
    """A task or parallel group keyed by canonical language id (other keys such as id/description dropped)."""
    result = {}
    for key, value in row.items():
        try:
            lang = canonical(key)
        except CodescaleError:
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            raise CodescaleError(
                f"{key!r} is {type(value).__name__}, expected the program's text",
                source=source,
                line=number,
                field=key,
                hint="each language key must hold a string of code",
            )
        result[lang] = value
    return result


def translation_tasks(catalog: Catalog) -> tuple[list[dict[str, str]], str]:
    """The translation eval tasks and where they came from: the catalog's file, or the built-in hand-written set."""
    if catalog.translation_eval.path is not None:
        path = catalog.file_path(("translation_eval", "path"), catalog.translation_eval.path)
        return [task_languages(row, path, number) for number, row in read_json_rows(path)], str(path)
    try:
        from codescale.mixtures.evalsets import translation_tasks as builtin
    except ImportError:
        raise catalog.error(
            ("translation_eval",),
            "no translation eval set: translation_eval.path is null and codescale.mixtures.evalsets is not installed",
            hint="set translation_eval.path to a JSONL of tasks keyed by language",
        ) from None
    return [task_languages(task, BUILTIN, i + 1) for i, task in enumerate(builtin())], BUILTIN


def _suite_texts(path: Path) -> list[str]:
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        texts: list[str] = []
        for _, row in read_json_rows(path):
            texts.extend(_strings(row))
        return texts
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        return [handle.read().decode("utf-8", "replace")]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass
class EvalTexts:
    texts: list[str]
    sources: list[str]
    """One entry per origin: the built-in tasks, the translation file, each suite file (relative to the catalog)."""
    digest: str
    """sha256 of every text, in order: part of the prepared corpus's identity."""


def evaluation_texts(catalog: Catalog, tasks: list[dict[str, str]], tasks_source: str) -> EvalTexts:
    """Every evaluation text decontamination protects (empty when decontamination is off)."""
    settings = catalog.decontamination
    texts: list[str] = []
    sources: list[str] = []
    if not settings.enabled:
        return EvalTexts([], [], hashlib.sha256(b"off").hexdigest())
    if settings.builtin_tasks:
        try:
            from codescale.mixtures.evalsets import translation_tasks as builtin
        except ImportError:
            pass
        else:
            texts.extend(text for task in builtin() for key, text in task.items() if key not in ("id", "description"))
            sources.append(f"{BUILTIN} (built-in tasks)")
    if tasks_source != BUILTIN:
        texts.extend(text for task in tasks for text in task.values())
        sources.append(_relative(catalog, Path(tasks_source)) + " (translation_eval)")
    for i, pattern in enumerate(settings.suites):
        import glob

        matches = sorted(
            Path(p).resolve() for p in glob.glob(str(catalog.base_dir / pattern), recursive=True) if Path(p).is_file()
        )
        if not matches:
            raise catalog.error(
                ("decontamination", "suites", i),
                f"no file matches {pattern!r}",
                hint="fix the glob (relative to the catalog) or remove it",
            )
        for path in matches:
            texts.extend(_suite_texts(path))
            sources.append(_relative(catalog, path))
    digest = hashlib.sha256(json.dumps(texts).encode()).hexdigest()
    return EvalTexts(texts, sources, digest)


def _relative(catalog: Catalog, path: Path) -> str:
    return str(path.relative_to(catalog.base_dir)) if path.is_relative_to(catalog.base_dir) else str(path)


def build_ngrams(texts: EvalTexts, n: int, out: Path) -> np.ndarray:
    """Write the sorted n-gram hashes of the evaluation texts to ``out`` (``.npy``) and return them."""
    hashes = text_ngrams(texts.texts, n)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.save(out, hashes)
    return hashes


def contaminated(ngram_hashes: np.ndarray, document: np.ndarray, documents: int, evaluation: np.ndarray) -> np.ndarray:
    """Per document: does one of its n-grams (``ngram_hashes``, owned by ``document``) occur in ``evaluation``?"""
    hit = np.zeros(documents, dtype=bool)
    if len(evaluation) == 0 or len(ngram_hashes) == 0:
        return hit
    index = np.minimum(np.searchsorted(evaluation, ngram_hashes), len(evaluation) - 1)
    hit[document[evaluation[index] == ngram_hashes]] = True
    return hit

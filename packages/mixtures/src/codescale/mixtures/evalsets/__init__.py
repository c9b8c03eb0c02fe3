"""The hand-written translation evaluation set (the paper's human-translated set, in small).

Each task is a small classic problem (fizzbuzz, binary search, run-length encoding, two-sum...) implemented by hand
in all seven languages, in each language's own idiom: Python comprehensions and ``Counter``, Java streams and
``Optional``, JavaScript regex replacers, TypeScript generics, C# LINQ and ``Try...(out ...)``, Go ``switch`` and
multiple returns, Rust iterators, ``Option`` and ``match``. Nothing here comes from ``codescale.mixtures.synthetic``:
the generator's programs are about business records, these are about algorithms, so a model's translation loss on
this set measures transfer rather than memorised templates.

Layout (shipped inside the package, so it is in the wheel)::

    tasks/index.yaml              the task ids, in order, with one-line descriptions and the expected output
    tasks/<task_id>/solution.py   one file per language, told apart by extension
                   /<Pascal>.java (Java and C# files are named after their class)
                   /solution.js, solution.ts, <Pascal>.cs, solution.go, solution.rs
    tasks/<task_id>/completion/program.<ext>   the task as a code-completion problem, one file per language

Every program is complete (an entry point that prints a few results) and prints the same lines in every language:
the task's ``output`` in the index, available from :func:`expected_outputs`.

The ``completion/`` files make the built-in generation suite (``codescale eval --suite builtin``): each is a complete
program cut in three by two marker lines (``# codescale: completion`` or ``// codescale: completion``, then
``... tests``): the prompt (imports, helpers, the doc comment and signature of the function to write), the
reference body, and tests that close the function and check it with assertions (exit status 0 = pass).
``codescale.titan_runner.evals.suites`` reads them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from codescale.core.domains import LANGUAGES
from codescale.core.errors import CodescaleError

FORMAT = "codescale.evalset/1"


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[tuple[str, str], ...], ...]:
    tasks_dir = resources.files(__package__) / "tasks"
    index_file = tasks_dir / "index.yaml"
    index = yaml.safe_load(index_file.read_text(encoding="utf-8"))
    if index.get("format") != FORMAT:
        raise CodescaleError(
            f"unknown evaluation-set format {index.get('format')!r}",
            source=str(index_file),
            hint=f"this codescale reads {FORMAT}",
        )
    loaded = []
    for entry in index["tasks"]:
        task_dir = tasks_dir / entry["id"]
        files = {item.name: item for item in task_dir.iterdir() if item.is_file()} if task_dir.is_dir() else {}
        task = [("id", entry["id"]), ("description", entry["description"]), ("output", entry["output"])]
        for lang in LANGUAGES:
            matches = sorted(name for name in files if name.endswith(lang.extension))
            if len(matches) != 1:
                raise CodescaleError(
                    f"task {entry['id']!r} has {len(matches)} {lang.display} files ({lang.extension})",
                    source=str(task_dir),
                    hint="each task needs exactly one file per language",
                )
            task.append((lang.id, files[matches[0]].read_text(encoding="utf-8")))
        loaded.append(tuple(task))
    return tuple(loaded)


def translation_tasks() -> list[dict[str, str]]:
    """Every task as ``{"id", "description", "python": code, "java": code, ...}`` (all seven), in index order."""
    return [{key: value for key, value in task if key != "output"} for task in _load()]


def translation_task_ids() -> list[str]:
    return [dict(task)["id"] for task in _load()]


def expected_outputs() -> dict[str, str]:
    """What each task's programs print, by task id (the same text in every language)."""
    return {dict(task)["id"]: dict(task)["output"] for task in _load()}


__all__ = ["expected_outputs", "translation_task_ids", "translation_tasks"]

"""Evaluation suites: what a model is asked to write, and how the result is checked.

A suite is a list of :class:`Problem`. Three kinds of source:

``builtin`` (completion, 22 tasks x 7 languages)
    The hand-written tasks of :mod:`codescale.mixtures.evalsets`, as code completion in the MultiPL-E style. Each
    task has, per language, one file ``tasks/<id>/completion/program.<ext>`` shipped in the wheel: a complete program
    cut in three by two marker lines (``# codescale: completion`` / ``// codescale: completion`` and ``...: tests``)::

        prompt       imports, helpers, the doc comment and the signature of the function to write
        completion   the reference body (what a perfect model writes; the harness's self-check runs it)
        tests        closes the function and checks it with assertions; exit status 0 means pass

    A model's completion is cut at the language's first stop sequence (:data:`STOP_SEQUENCES`, MultiPL-E's), and
    ``prompt + completion + "\n" + tests`` is compiled and run (MultiPL-E's assembly).
``translation`` (the 42 directions of the same tasks)
    The prompt is the source program followed by the instruction codescale's ``prompt`` pairing template uses
    (``// Translate the above Java code to Python:``), exactly as the translation evaluation sets of a prepared
    corpus hold it; the model writes the whole target program, which ends at the end-of-document token. It is scored
    with BLEU against the hand-written target program and, since every task states what its programs print, by
    running it (pass when it prints the task's expected output). A JSONL file of tasks keyed by language (the
    catalog's ``translation_eval`` format; an ``output`` field adds execution) works the same way.
MultiPL-E JSONL (``--suite path/to/humaneval-java.jsonl``)
    One problem per line with ``name``, ``language``, ``prompt``, ``tests`` and ``stop_tokens`` (the fields of the
    ``nuprl/MultiPL-E`` dataset), in any of the seven languages (MultiPL-E's ``py``, ``js``, ``ts``, ``cs``,
    ``go_test.go``, ``rs`` or canonical names).

Nothing here imports torch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from codescale.core.domains import BY_ID, LANGUAGE_IDS, canonical, direction_key, display
from codescale.core.errors import CodescaleError

STOP_SEQUENCES: dict[str, tuple[str, ...]] = {
    "python": ("\ndef", "\n#", "\nif", "\nclass", "\nprint"),
    "javascript": ("\nfunction ", "\n/*", "\n//", "\nconsole.log"),
    "typescript": ("\nfunction ", "\n/*", "\n//", "\nconsole.log"),
    "java": ("\n    }\n",),
    "csharp": ("\n    }\n",),
    "go": ("\nfunc ", "\n// ", "\ntype "),
    "rust": ("\n}",),
}
"""Where a completion of the built-in suite ends (MultiPL-E's stop tokens; Go's without ``struct``, which would cut
a body that declares an anonymous struct)."""

MULTIPL_E_LANGUAGES = {
    "py": "python",
    "python": "python",
    "js": "javascript",
    "javascript": "javascript",
    "ts": "typescript",
    "typescript": "typescript",
    "java": "java",
    "cs": "csharp",
    "csharp": "csharp",
    "go": "go",
    "go_test.go": "go",
    "rs": "rust",
    "rust": "rust",
}
SUITES = ("builtin", "translation")
_MARKER = re.compile(r"^(?:#|//) codescale: (completion|tests)\n", re.M)


@dataclass(frozen=True)
class Problem:
    """One thing to generate and check."""

    suite: str
    task: str
    language: str
    """The language the model writes."""
    prompt: str
    tests: str = ""
    """Appended after the completion (completion suites); empty for translation."""
    stop: tuple[str, ...] = ()
    expected_stdout: str | None = None
    """What the assembled program must print to pass (translation); None: its exit status decides."""
    reference: str | None = None
    """The reference completion (completion suites) or target program (translation)."""
    source_language: str | None = None
    """Translation only: the language of the program in the prompt."""

    @property
    def kind(self) -> str:
        return "translation" if self.source_language else "completion"

    @property
    def direction(self) -> str | None:
        return direction_key(self.source_language, self.language) if self.source_language else None

    @property
    def key(self) -> str:
        """Unique within a suite: ``two_sum/java`` or ``two_sum/python->java``."""
        return f"{self.task}/{self.direction or self.language}"

    @property
    def executable(self) -> bool:
        """Whether running the result says something (completion: always; translation: with an expected output)."""
        return self.kind == "completion" or self.expected_stdout is not None

    def truncate(self, completion: str) -> str:
        """The completion up to its first stop sequence (what is kept of a model's output)."""
        cut = min((i for i in (completion.find(s) for s in self.stop) if i >= 0), default=len(completion))
        return completion[:cut]

    def program(self, completion: str) -> str:
        """The program the harness judges for a (truncated) completion: MultiPL-E's ``prompt + completion + "\n" +
        tests`` (translation: the completion itself)."""
        return completion if self.kind == "translation" else self.prompt + completion + "\n" + self.tests


@dataclass(frozen=True)
class Suite:
    """A named list of problems (``name`` goes into the results and the store)."""

    name: str
    problems: tuple[Problem, ...]
    source: str

    @property
    def languages(self) -> list[str]:
        return [lang for lang in LANGUAGE_IDS if any(p.language == lang for p in self.problems)]

    def select(
        self,
        *,
        languages: Sequence[str] | None = None,
        tasks: Sequence[str] | None = None,
        directions: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> Suite:
        """The problems matching every filter given (``limit``: the first N tasks of each language/direction)."""
        problems = list(self.problems)
        if languages:
            wanted = {canonical(lang) for lang in languages}
            problems = [p for p in problems if p.language in wanted]
        if tasks:
            unknown = set(tasks) - {p.task for p in self.problems}
            if unknown:
                raise CodescaleError(
                    f"suite {self.name!r} has no task(s) {', '.join(sorted(unknown))}",
                    hint=f"tasks: {', '.join(sorted({p.task for p in self.problems})[:30])}",
                )
            problems = [p for p in problems if p.task in set(tasks)]
        if directions:
            wanted_dirs = {_direction(d) for d in directions}
            problems = [p for p in problems if p.direction in wanted_dirs]
        if limit is not None:
            seen: dict[str, int] = {}
            kept = []
            for problem in problems:
                group = problem.direction or problem.language
                if seen.get(group, 0) < limit:
                    kept.append(problem)
                    seen[group] = seen.get(group, 0) + 1
            problems = kept
        if not problems:
            raise CodescaleError(
                f"nothing of suite {self.name!r} is left after the filters",
                hint="check --languages / --tasks / --directions",
            )
        return replace(self, problems=tuple(problems))


def _direction(text: str) -> str:
    src, sep, tgt = text.replace(" ", "").partition("->")
    if not sep:
        raise CodescaleError(f"not a direction: {text!r}", hint="write directions as python->java")
    return direction_key(canonical(src), canonical(tgt))


# --- the built-in completion suite ----------------------------------------------------------------------------------


def split_marked(text: str, source: str) -> tuple[str, str, str]:
    """(prompt, completion, tests) of a marked program file."""
    parts = _MARKER.split(text)
    if len(parts) != 5 or parts[1] != "completion" or parts[3] != "tests":
        raise CodescaleError(
            "a completion file needs a 'codescale: completion' line, then a 'codescale: tests' line", source=source
        )
    return parts[0], parts[2], parts[4]


@lru_cache(maxsize=1)
def builtin_suite() -> Suite:
    """The hand-written tasks as completion problems, 22 tasks x 7 languages, in index order."""
    from codescale.mixtures import evalsets

    tasks_dir = resources.files(evalsets.__name__) / "tasks"
    problems = []
    for task in evalsets.translation_task_ids():
        folder = tasks_dir / task / "completion"
        for lang in LANGUAGE_IDS:
            path = folder / f"program{BY_ID[lang].extension}"
            if not path.is_file():
                raise CodescaleError(
                    f"task {task!r} has no {display(lang)} completion file",
                    source=str(path),
                    hint="every built-in task needs completion/program.<ext> in all seven languages",
                )
            prompt, completion, tests = split_marked(path.read_text(encoding="utf-8"), str(path))
            problems.append(Problem("builtin", task, lang, prompt, tests, STOP_SEQUENCES[lang], reference=completion))
    return Suite("builtin", tuple(problems), "codescale.mixtures.evalsets")


# --- translation ---------------------------------------------------------------------------------------------------


def translation_prompt(source_program: str, src: str, tgt: str) -> str:
    """The source program and the ``prompt`` template's instruction (what prepared translation sets hold)."""
    from codescale.mixtures.pairing import separator_text

    return source_program + separator_text("prompt", src, tgt)


def translation_suite(
    rows: Iterable[dict] | None = None, *, name: str = "translation", source: str = "codescale.mixtures.evalsets"
) -> Suite:
    """Every ordered pair of languages of every task (default: the hand-written tasks, which all have outputs)."""
    if rows is None:
        from codescale.mixtures.evalsets import expected_outputs, translation_tasks

        outputs = expected_outputs()
        rows = [{**task, "output": outputs[task["id"]]} for task in translation_tasks()]
    problems = []
    for number, row in enumerate(rows, 1):
        task = str(row.get("id") or row.get("name") or number)
        programs = {}
        for key, value in row.items():
            try:
                lang = canonical(key)
            except CodescaleError:
                continue
            if isinstance(value, str) and value.strip():
                programs[lang] = value
        output = row.get("output")
        for src in LANGUAGE_IDS:
            for tgt in LANGUAGE_IDS:
                if src != tgt and src in programs and tgt in programs:
                    problems.append(
                        Problem(
                            name,
                            task,
                            tgt,
                            translation_prompt(programs[src], src, tgt),
                            expected_stdout=output if isinstance(output, str) else None,
                            reference=programs[tgt],
                            source_language=src,
                        )
                    )
    if not problems:
        raise CodescaleError(
            "no translation problems: no row has programs in two languages",
            source=source,
            hint='each line is an object keyed by language, e.g. {"python": ..., "java": ...}',
        )
    return Suite(name, tuple(problems), source)


# --- MultiPL-E -----------------------------------------------------------------------------------------------------


def read_jsonl_suite(path: str | Path) -> Suite:
    """A MultiPL-E problem file, or a translation-task file (objects keyed by language), told apart by its fields."""
    path = Path(path)
    rows = list(_jsonl_rows(path))
    if not rows:
        raise CodescaleError("the suite file has no problems", source=path)
    first = rows[0][1]
    if "prompt" in first and "tests" in first:
        return _multipl_e(path, rows)
    return translation_suite([row for _, row in rows], name=path.stem, source=str(path))


def _jsonl_rows(path: Path) -> Iterable[tuple[int, dict]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CodescaleError(
            "suite file not found",
            source=path,
            hint=f"use a built-in suite ({', '.join(SUITES)}) or a MultiPL-E .jsonl file",
        ) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise CodescaleError(f"not valid JSON: {err.msg}", source=path, line=number, column=err.colno) from None
        if not isinstance(row, dict):
            raise CodescaleError("expected a JSON object per line", source=path, line=number)
        yield number, row


def _multipl_e(path: Path, rows: list[tuple[int, dict]]) -> Suite:
    problems, names = [], set()
    for number, row in rows:
        for field in ("name", "language", "prompt", "tests"):
            if not isinstance(row.get(field), str):
                raise CodescaleError(
                    f"a MultiPL-E problem needs a string {field!r}",
                    source=path,
                    line=number,
                    field=field,
                    hint="fields: name, language, prompt, tests, stop_tokens",
                )
        language = MULTIPL_E_LANGUAGES.get(row["language"].lower())
        if language is None:
            raise CodescaleError(
                f"language {row['language']!r} is not one codescale evaluates",
                source=path,
                line=number,
                field="language",
                hint=f"one of {', '.join(sorted(MULTIPL_E_LANGUAGES))}",
            )
        stop = row.get("stop_tokens") or list(STOP_SEQUENCES[language])
        if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
            raise CodescaleError(
                "stop_tokens must be a list of non-empty strings", source=path, line=number, field="stop_tokens"
            )
        if row["name"] in names:
            raise CodescaleError(f"problem {row['name']!r} appears twice", source=path, line=number, field="name")
        names.add(row["name"])
        problems.append(Problem(path.stem, row["name"], language, row["prompt"], row["tests"], tuple(stop)))
    return Suite(path.stem, tuple(problems), str(path))


def load_suite(name: str) -> Suite:
    """``builtin``, ``translation`` or a path to a ``.jsonl`` file."""
    if name == "builtin":
        return builtin_suite()
    if name == "translation":
        return translation_suite()
    if name.endswith(".jsonl") or Path(name).is_file():
        return read_jsonl_suite(name)
    raise CodescaleError(
        f"unknown suite {name!r}", hint=f"use {' or '.join(SUITES)}, or a MultiPL-E / translation .jsonl file"
    )

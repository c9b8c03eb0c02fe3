"""The files of one generation evaluation: ``RUN_DIR/evals/<eval_id>/step-<N>/`` (``codescale.evalresult/1``).

Written by ``codescale eval`` (``codescale.titan_runner.evals``), read by ``codescale status`` and by the laws'
store (``codescale ingest``, ``codescale eval``'s own store write). ``eval_id`` is ``<suite>-<hash8>``; the hash
covers the settings that change the numbers (suite selection, sampling, backend, BLEU tokenisation), not the ones that
only change speed (workers, batch size, device). One evaluation directory holds:

- ``status.json`` (:class:`EvalStatus`): pending -> running -> completed | failed, with progress counts, rewritten
  atomically;
- ``samples.jsonl`` (:class:`SampleLine`) and ``verdicts.jsonl`` (:class:`VerdictLine`): append-only, one line per
  generated sample and per judged sample, so an interrupted evaluation resumes where it stopped;
- ``result.json`` (:class:`EvalResult`): the scores, written last and atomically; its presence means completed.

The format ids live here (not in :data:`~codescale.core.contracts.base.FORMATS`) because these files belong to the
evaluation subsystem alone; the version rule is the same (:func:`~codescale.core.contracts.base.check_format`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from codescale.core.contracts.base import Contract, check_format
from codescale.core.io import read_json_object, write_json_atomic

EVAL_FORMATS = {"evalresult": "codescale.evalresult/1", "evalstatus": "codescale.evalstatus/1"}
EvalState = Literal["pending", "running", "completed", "failed", "cancelled"]


class EvalSettingsRecord(Contract):
    """What identifies an evaluation besides its run and step."""

    suite: str
    """``builtin``, ``translation`` or the path of a JSONL suite."""
    languages: list[str] | None = None
    tasks: list[str] | None = None
    directions: list[str] | None = None
    limit: int | None = None
    n: int
    ks: list[int]
    temperature: float
    top_p: float
    max_new_tokens: int
    seed: int
    backend: str
    bleu_tokenize: str


class EvalScore(Contract):
    """One number: pass@k of a language (completion) or direction (translation), or BLEU of a direction."""

    metric: Literal["pass@k", "bleu"]
    k: int | None = None
    language: str
    """The language written (the target, for translation)."""
    src: str | None = None
    direction: str | None = None
    value: float
    n: int
    """Samples per task."""
    tasks: int
    signature: str | None = None
    """sacrebleu's signature (BLEU only): the tokenisation and settings behind the number."""


class EvalTaskScore(Contract):
    """How one task went in one language (or direction)."""

    task: str
    language: str
    direction: str | None = None
    n: int
    passed: int | None = None
    """None when the task is not executed (translation without an expected output)."""
    outcomes: dict[str, int] = {}
    pass_at_k: dict[str, float] = {}
    """The task's own pass@k estimate, ``{"1": 0.15, "10": 0.89}`` (keys are k as text, as in JSON)."""


class EvalResult(Contract):
    """``result.json``: the scores of one evaluation of one checkpoint."""

    format: str = EVAL_FORMATS["evalresult"]
    run_id: str
    run_dir: str
    step: int
    eval_id: str
    suite: str
    """The suite's name (as stored: ``builtin``, ``translation``, or a JSONL file's stem)."""
    suite_source: str
    settings: EvalSettingsRecord
    isolation: str
    """The sandbox's isolation level when it ran (``namespaces`` or ``rlimits``)."""
    scores: list[EvalScore]
    tasks: list[EvalTaskScore]
    generated_tokens: int
    timings: dict[str, float]
    started_at: str
    finished_at: str
    codescale_version: str

    @classmethod
    def read(cls, path: str | Path, *, hint: str | None = None) -> EvalResult:
        data = read_json_object(path, what="evaluation result", hint=hint)
        check_format(data.get("format"), EVAL_FORMATS["evalresult"], path)
        return cls.from_dict(data, source=path)

    def write(self, path: str | Path) -> None:
        write_json_atomic(path, self.to_dict(), durable=True)


class EvalStatus(Contract):
    """``status.json`` of an evaluation: its state and progress."""

    format: str = EVAL_FORMATS["evalstatus"]
    run_id: str
    step: int
    eval_id: str
    suite: str
    state: EvalState = "pending"
    problems: int = 0
    samples_total: int = 0
    generated: int = 0
    """Samples generated so far (of ``samples_total``)."""
    judged: int = 0
    """Samples executed so far."""
    pid: int | None = None
    host: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    executor: str | None = None
    job_id: str | None = None

    @classmethod
    def read(cls, path: str | Path, *, hint: str | None = None) -> EvalStatus:
        data = read_json_object(path, what="evaluation status", hint=hint)
        check_format(data.get("format"), EVAL_FORMATS["evalstatus"], path)
        return cls.from_dict(data, source=path)

    def write(self, path: str | Path, *, durable: bool = True) -> None:
        write_json_atomic(path, self.to_dict(), durable=durable)


class SampleLine(Contract):
    """One line of ``samples.jsonl``: a generated completion."""

    key: str
    """The problem (``task/language`` or ``task/src->tgt``)."""
    sample: int
    text: str
    tokens: int
    finish: str


class VerdictLine(Contract):
    """One line of ``verdicts.jsonl``: how a sample's program did in the harness."""

    key: str
    sample: int
    outcome: str
    detail: str = ""
    compile_s: float = 0.0
    run_s: float = 0.0


def read_lines(path: str | Path, model: type[Contract]) -> list[Any]:
    """The complete, valid lines of an append-only JSONL file (a torn last line is skipped)."""
    import json

    path = Path(path)
    if not path.is_file():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(model.model_validate(json.loads(raw)))
        except ValueError:
            continue
    return lines


__all__ = [
    "EVAL_FORMATS",
    "EvalResult",
    "EvalScore",
    "EvalSettingsRecord",
    "EvalStatus",
    "EvalTaskScore",
    "SampleLine",
    "VerdictLine",
    "read_lines",
]

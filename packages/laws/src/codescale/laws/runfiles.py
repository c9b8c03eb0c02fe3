"""Reading one run directory (contracts §3-§4) into rows of the results store, without torch or titan_runner.

``run.json`` (written by the compiler, never modified) gives the run's identity and plan: N, D, the mixture, the
pairing. ``status.json`` (rewritten atomically by the runner) gives its state. Both are small and parsed here in
Python; ``metrics.jsonl`` is large and is read in bulk by :mod:`codescale.laws.ingest` -- this module only holds the
slow, exact line-by-line check that runs when the bulk reader saw something wrong, to say *which* lines.

A problem is a :class:`Problem`: a CodescaleError (file, line, field, what to do) plus a level. ``warning`` means the
data landed with a known gap (a torn last line from a killed writer); ``error`` means something was skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.core.contracts import Run, Status, parse_metric_line
from codescale.core.contracts.rundir import finite_or_none
from codescale.core.errors import CodescaleError


@dataclass(frozen=True)
class Problem:
    level: str  # "warning" | "error"
    error: CodescaleError

    def render(self) -> str:
        return f"{self.level}: {self.error.render()}"


@dataclass(frozen=True)
class BadLine:
    """A metrics.jsonl line the bulk load must not keep; ``kind``/``step`` identify it when they could be read."""

    line: int
    kind: str | None
    step: int | None
    problem: Problem


def read_run_json(path: Path) -> Run:
    """The run of ``run.json`` (the core contract's reader); a CodescaleError names the file, line or field."""
    if not path.is_file():
        raise CodescaleError(
            "run.json is missing", source=path, hint="a run directory is OUT/runs/<run_id>/ of `codescale compile`"
        )
    return Run.read(path, hint="re-run `codescale compile` to rewrite it")


def read_status(path: Path, run_id: str) -> tuple[Status | None, list[Problem]]:
    """Parse ``status.json``; a missing file is fine (the run has not started), a corrupt one is a warning."""
    if not path.is_file():
        return None, []
    try:
        status = Status.read(path)
    except CodescaleError as err:
        errors = getattr(err, "errors", [err])
        return None, [
            Problem(
                "warning",
                CodescaleError(
                    f"unreadable, run state left unknown: {e.message}", source=path, field=e.field, hint=e.hint
                ),
            )
            for e in errors
        ]
    problems = []
    if status.run_id != run_id:
        problems.append(
            Problem(
                "warning",
                CodescaleError(
                    f"run_id {status.run_id!r} differs from run.json's {run_id!r}",
                    source=path,
                    field="run_id",
                    hint="a status file was copied between run directories",
                ),
            )
        )
    return status, problems


def run_record(run: Run, status: Status | None, run_dir: Path, fingerprint: str) -> dict[str, Any]:
    """The ``runs`` row for a run (+ its status)."""
    model, training, mixture, pairing, derived = run.model, run.training, run.mixture, run.pairing, run.derived
    return {
        "run_id": run.run_id,
        "study": run.study,
        "name": run.name,
        "spec": run.spec,
        "source": "rundir",
        "run_dir": str(run_dir),
        "status": status.state if status is not None else None,
        "sweep": json.dumps(run.sweep),
        "languages": list(run.languages),
        "params": model.params,
        "params_non_embedding": model.params_non_embedding,
        "n_layers": model.n_layers,
        "dim": model.dim,
        "size_label": model.size_label,
        "tokens": training.tokens,
        "steps": training.steps,
        "seed": training.seed,
        "seq_len": training.seq_len,
        "global_batch_tokens": training.global_batch_tokens,
        "lr": float(training.lr),
        "tokens_per_language": json.dumps(mixture.tokens_per_language),
        "proportions": json.dumps(mixture.proportions),
        "mixture_kind": mixture.kind,
        "pairing_mode": pairing.mode,
        "pairing_template": pairing.template,
        "flops": float(derived.flops),
        "gpu_hours": float(derived.gpu_hours),
        "wall_seconds": finite_or_none(status.wall_seconds) if status is not None else None,
        "step": status.step if status is not None else None,
        "tokens_seen": status.tokens_seen if status is not None else None,
        "fingerprint": fingerprint,
        "run_json": run.to_json().rstrip("\n"),
    }


def language_rows(run: Run, unique_tokens: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """``run_languages`` rows: one per mixture language, in mixture order; ``unique_tokens`` is the pool size of
    each language the run repeats (mixture.json's ``unique_tokens_per_language``), NULL for fresh data."""
    proportions, tokens = run.mixture.proportions, run.mixture.tokens_per_language
    unique_tokens = unique_tokens or {}
    return [
        {
            "run_id": run.run_id,
            "language": lang,
            "position": i,
            "proportion": finite_or_none(proportions.get(lang)),
            "tokens": tokens.get(lang),
            "unique_tokens": unique_tokens.get(lang),
        }
        for i, lang in enumerate(run.languages)
    ]


def read_unique_tokens(run_dir: Path) -> dict[str, int]:
    """Pool sizes of forced repetition from the run's ``mixture.json`` (empty when absent or unreadable: the
    repetition term then treats the run's data as fresh, which is what it was before mixture.json carried them)."""
    from codescale.core.contracts import MixtureManifest

    path = run_dir / "mixture.json"
    if not path.is_file():
        return {}
    try:
        return dict(MixtureManifest.read(path).unique_tokens_per_language)
    except CodescaleError:
        return {}


def seen_directions(run: Run) -> dict[str, bool]:
    """``{"python->java": seen}`` from run.json's eval plan, the fallback when an eval line omits translation_seen."""
    return run.seen_directions()


def torn_last_line(path: Path) -> int | None:
    """The 1-based number of the last line if it lacks its newline and is not a complete JSON object, else None.

    A writer killed mid-line leaves exactly this; it is normal for a running or killed run.
    """
    with path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        if size == 0:
            return None
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return None
        f.seek(0)
        newlines, tail = 0, b""
        while chunk := f.read(1 << 22):
            newlines += chunk.count(b"\n")
            tail = (tail + chunk)[-(1 << 16) :]
    last = tail.rsplit(b"\n", 1)[-1]
    try:
        json.loads(last)
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return newlines + 1


def scan_metrics(path: Path) -> list[BadLine]:
    """Every metrics.jsonl line the store must not keep, with why; the slow exact pass behind the bulk reader."""
    bad: list[BadLine] = []
    seen: dict[tuple[str, int], int] = {}
    with path.open("rb") as f:
        lines = f.read().split(b"\n")
    ends_with_newline = lines[-1] == b""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        torn = number == len(lines) and not ends_with_newline
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            if torn:
                bad.append(
                    BadLine(
                        number,
                        None,
                        None,
                        Problem(
                            "warning",
                            CodescaleError(
                                "incomplete last line (the writer was stopped mid-line); skipped",
                                source=path,
                                line=number,
                                hint="normal for a running or killed run; ingest again once it has written more",
                            ),
                        ),
                    )
                )
            else:
                msg = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
                bad.append(
                    BadLine(
                        number, None, None, _line_error(path, number, None, f"not valid JSON ({msg}); line skipped")
                    )
                )
            continue
        try:
            line = parse_metric_line(obj)
        except ValueError as err:  # breaks the metric-line contract
            field, message = err.args
            kind, step = (obj.get("kind"), obj.get("step")) if isinstance(obj, dict) else (None, None)
            bad.append(
                BadLine(
                    number,
                    kind if isinstance(kind, str) else None,
                    step if isinstance(step, int) else None,
                    _line_error(path, number, field, f"{message}; line skipped"),
                )
            )
            continue
        key = (line.kind, line.step)
        if key in seen:
            bad.append(
                BadLine(
                    seen[key],
                    line.kind,
                    line.step,
                    Problem(
                        "warning",
                        CodescaleError(
                            f"{line.kind} step {line.step} appears again on line {number}; the later line is kept",
                            source=path,
                            line=seen[key],
                            field="step",
                            hint="steps must strictly increase per kind (contracts §4)",
                        ),
                    ),
                )
            )
        seen[key] = number
    return bad


def _line_error(path: Path, line: int, field: str | None, message: str) -> Problem:
    return Problem(
        "error",
        CodescaleError(
            message,
            source=path,
            line=line,
            field=field,
            hint="the rest of the file was ingested; fix or delete the line and ingest again",
        ),
    )

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
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

RUN_FORMAT = "codescale.run/1"
STATUS_FORMAT = "codescale.status/1"
STATES = ("pending", "running", "completed", "failed", "cancelled")

# Numeric scalar and {language: number} fields of metrics.jsonl lines, as the bulk reader types them.
TRAIN_SCALARS = ("tokens", "loss", "lr", "tokens_per_second", "grad_norm")
TRAIN_MAPS = ("tokens_per_language", "loss_per_language")
EVAL_MAPS = ("valid_loss", "translation_loss")


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


def read_run_json(path: Path) -> dict[str, Any]:
    """Parse and check ``run.json``; raise a CodescaleError naming the file (and line, for bad JSON)."""
    if not path.is_file():
        raise CodescaleError("run.json is missing", source=path, hint="a run directory is OUT/runs/<run_id>/ of `codescale compile`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise CodescaleError(f"not valid JSON: {err.msg}", source=path, line=err.lineno, column=err.colno,
                             hint="re-run `codescale compile` to rewrite it") from None
    except (OSError, UnicodeDecodeError) as err:
        raise CodescaleError(f"cannot read: {err}", source=path) from None
    if not isinstance(data, dict):
        raise CodescaleError("expected a JSON object", source=path)
    _check_format(data.get("format"), RUN_FORMAT, path)
    if not isinstance(data.get("run_id"), str) or not data["run_id"]:
        raise CodescaleError("missing or empty", source=path, field="run_id", hint="run.json must name its run")
    languages = data.get("languages")
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise CodescaleError("expected a list of language ids", source=path, field="languages")
    return data


def read_status(path: Path, run_id: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse ``status.json``; a missing file is fine (the run has not started), a corrupt one is a warning."""
    if not path.is_file():
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
    except (json.JSONDecodeError, ValueError, OSError, UnicodeDecodeError) as err:
        return None, [Problem("warning", CodescaleError(f"unreadable, run state left unknown: {err}", source=path))]
    problems = []
    try:
        _check_format(data.get("format"), STATUS_FORMAT, path)
    except CodescaleError as err:
        return None, [Problem("warning", err)]
    if data.get("run_id") not in (None, run_id):
        problems.append(Problem("warning", CodescaleError(
            f"run_id {data.get('run_id')!r} differs from run.json's {run_id!r}", source=path, field="run_id",
            hint="a status file was copied between run directories")))
    if data.get("state") not in STATES:
        problems.append(Problem("warning", CodescaleError(
            f"unknown state {data.get('state')!r}", source=path, field="state", hint=f"one of {', '.join(STATES)}")))
        data = {**data, "state": None}
    return data, problems


def run_record(run: dict[str, Any], status: dict[str, Any] | None, run_dir: Path, fingerprint: str) -> dict[str, Any]:
    """The ``runs`` row for a run.json (+ status.json); wrong-typed fields raise with their dotted path."""
    src = run_dir / "run.json"
    model, training, mixture = _obj(run, "model", src), _obj(run, "training", src), _obj(run, "mixture", src)
    pairing, derived = _obj(run, "pairing", src), _obj(run, "derived", src)
    status = status or {}
    return {
        "run_id": run["run_id"],
        "study": _typed(run, "study", str, src),
        "name": _typed(run, "name", str, src),
        "spec": _typed(run, "spec", str, src),
        "source": "rundir",
        "run_dir": str(run_dir),
        "status": status.get("state"),
        "sweep": json.dumps(run.get("sweep") or {}),
        "languages": list(run["languages"]),
        "params": _typed(model, "params", int, src, "model"),
        "params_non_embedding": _typed(model, "params_non_embedding", int, src, "model"),
        "n_layers": _typed(model, "n_layers", int, src, "model", bits=31),
        "dim": _typed(model, "dim", int, src, "model", bits=31),
        "size_label": _typed(model, "size_label", str, src, "model"),
        "tokens": _typed(training, "tokens", int, src, "training"),
        "steps": _typed(training, "steps", int, src, "training", bits=31),
        "seed": _typed(training, "seed", int, src, "training", bits=31),
        "seq_len": _typed(training, "seq_len", int, src, "training", bits=31),
        "global_batch_tokens": _typed(training, "global_batch_tokens", int, src, "training"),
        "lr": _typed(training, "lr", float, src, "training"),
        "tokens_per_language": json.dumps(mixture.get("tokens_per_language") or {}),
        "proportions": json.dumps(mixture.get("proportions") or {}),
        "mixture_kind": _typed(mixture, "kind", str, src, "mixture"),
        "pairing_mode": _typed(pairing, "mode", str, src, "pairing"),
        "pairing_template": _typed(pairing, "template", str, src, "pairing"),
        "flops": _typed(derived, "flops", float, src, "derived"),
        "gpu_hours": _typed(derived, "gpu_hours", float, src, "derived"),
        "wall_seconds": _number_or_none(status.get("wall_seconds")),
        "step": status.get("step") if isinstance(status.get("step"), int) else None,
        "tokens_seen": status.get("tokens_seen") if isinstance(status.get("tokens_seen"), int) else None,
        "fingerprint": fingerprint,
        "run_json": json.dumps(run),
    }


def language_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """``run_languages`` rows: one per mixture language, in mixture order."""
    mixture = run.get("mixture") or {}
    proportions = mixture.get("proportions") or {}
    tokens = mixture.get("tokens_per_language") or {}
    return [
        {"run_id": run["run_id"], "language": lang, "position": i,
         "proportion": _number_or_none(proportions.get(lang)), "tokens": tokens.get(lang)}
        for i, lang in enumerate(run["languages"])
    ]


def seen_directions(run: dict[str, Any]) -> dict[str, bool]:
    """``{"python->java": seen}`` from run.json's eval plan, the fallback when an eval line omits translation_seen."""
    out = {}
    for item in (run.get("eval") or {}).get("translation") or []:
        if isinstance(item, dict) and isinstance(item.get("src"), str) and isinstance(item.get("tgt"), str):
            out[f"{item['src']}->{item['tgt']}"] = bool(item.get("seen"))
    return out


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
            tail = (tail + chunk)[-(1 << 16):]
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
                bad.append(BadLine(number, None, None, Problem("warning", CodescaleError(
                    "incomplete last line (the writer was stopped mid-line); skipped", source=path, line=number,
                    hint="normal for a running or killed run; ingest again once it has written more"))))
            else:
                msg = err.msg if isinstance(err, json.JSONDecodeError) else "not UTF-8"
                bad.append(BadLine(number, None, None, _line_error(path, number, None, f"not valid JSON ({msg}); line skipped")))
            continue
        kind, step = (obj.get("kind"), obj.get("step")) if isinstance(obj, dict) else (None, None)
        field_problem = _check_line(obj)
        if field_problem is not None:
            field, message = field_problem
            bad.append(BadLine(number, kind if isinstance(kind, str) else None, step if isinstance(step, int) else None,
                               _line_error(path, number, field, message)))
            continue
        key = (kind, step)
        if key in seen:
            bad.append(BadLine(seen[key], kind, step, Problem("warning", CodescaleError(
                f"{kind} step {step} appears again on line {number}; the later line is kept", source=path,
                line=seen[key], field="step", hint="steps must strictly increase per kind (contracts §4)"))))
        seen[key] = number
    return bad


def _check_line(obj: Any) -> tuple[str | None, str] | None:
    if not isinstance(obj, dict):
        return None, "expected a JSON object; line skipped"
    kind, step = obj.get("kind"), obj.get("step")
    if kind not in ("train", "eval"):
        return "kind", f"expected 'train' or 'eval', got {kind!r}; line skipped"
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < 2**31:
        return "step", f"expected a non-negative integer, got {step!r}; line skipped"
    if kind == "train":
        if not _is_number(obj.get("loss")):
            return "loss", f"expected a number, got {obj.get('loss')!r}; line skipped"
        for name in TRAIN_SCALARS:
            if obj.get(name) is not None and not _is_number(obj[name]):
                return name, f"expected a number, got {obj[name]!r}; line skipped"
        maps = TRAIN_MAPS
    else:
        if obj.get("valid_loss") is None and obj.get("translation_loss") is None:
            return "valid_loss", "an eval line needs valid_loss or translation_loss; line skipped"
        maps = EVAL_MAPS
    for name in maps:
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(_is_number(v) for v in value.values()):
            return name, f"expected {{language: number}}, got {json.dumps(value)[:60]}; line skipped"
    seen = obj.get("translation_seen")
    if seen is not None and (not isinstance(seen, dict) or not all(isinstance(v, bool) for v in seen.values())):
        return "translation_seen", "expected {direction: true|false}; line skipped"
    return None


def _line_error(path: Path, line: int, field: str | None, message: str) -> Problem:
    return Problem("error", CodescaleError(message, source=path, line=line, field=field,
                                           hint="the rest of the file was ingested; fix or delete the line and ingest again"))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_or_none(value: Any) -> float | None:
    return float(value) if _is_number(value) and math.isfinite(value) else None


def _check_format(value: Any, expected: str, path: Path) -> None:
    name, _, major = expected.partition("/")
    if value is None:
        return  # older writers; the fields speak for themselves
    if not isinstance(value, str) or value.partition("/")[0] != name:
        raise CodescaleError(f"format is {value!r}, expected {expected!r}", source=path, field="format")
    if value.partition("/")[2].split(".")[0] != major:
        raise CodescaleError(f"format {value!r} is a version this codescale cannot read (it reads {expected})",
                             source=path, field="format", hint="upgrade codescale")


def _obj(parent: dict[str, Any], key: str, src: Path) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CodescaleError(f"expected an object, got {type(value).__name__}", source=src, field=key)
    return value


def _typed(obj: dict[str, Any], key: str, kind: type, src: Path, prefix: str | None = None, bits: int = 63) -> Any:
    """``obj[key]`` checked against ``kind`` (ints also against the store column's ``bits``); None if absent."""
    value = obj.get(key)
    if value is None:
        return None
    field = f"{prefix}.{key}" if prefix else key
    if kind is float and _is_number(value):
        return float(value)
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CodescaleError(f"expected {kind.__name__}, got {value!r}", source=src, field=field,
                             hint="re-run `codescale compile` to rewrite run.json")
    if kind is int and not -(2**bits) <= value < 2**bits:
        raise CodescaleError(f"{value} is out of range", source=src, field=field)
    return value

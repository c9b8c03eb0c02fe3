"""The run directory's files (``codescale.rundir/1``): the one contract between the runner and the laws.

``OUT/runs/<run_id>/`` holds the compiler's ``run.json`` and ``mixture.json`` and, once the run starts, what the
runner writes (docs/run-directory.md has the whole protocol):

- ``status.json`` (:class:`Status`): the run's state machine, rewritten atomically by global rank 0;
- ``metrics.jsonl``: append-only, one :class:`TrainLine` or :class:`EvalLine` per line, flushed at every log step;
  after a resume from the checkpoint of step k the lines past k are dropped before anything is appended, so steps
  strictly increase per kind;
- ``lease.json`` (:class:`Lease`): who runs the run now.

The runner writes these files through the models; ``codescale status`` and ingest read them through the same
models (ingest's bulk DuckDB reader takes its column types from :data:`METRIC_COLUMNS`, derived from the models).
Metric lines are validated strictly: a number is a JSON number, never a string or a boolean.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from codescale.core.contracts.base import FORMATS, Contract, friendly_message, validation_errors
from codescale.core.errors import CodescaleError
from codescale.core.io import read_json_object, write_json_atomic

State = Literal["pending", "running", "completed", "failed", "cancelled"]
STATES: tuple[str, ...] = ("pending", "running", "completed", "failed", "cancelled")
TERMINAL_STATES: tuple[str, ...] = ("completed", "failed", "cancelled")


class StartRecord(Contract):
    """One start of the run (a first start, a resume after preemption, a resubmission)."""

    time: str
    host: str
    pid: int
    job_id: str | None
    resumed_from_step: int | None
    """The checkpoint step this start continued from (0 = from scratch); set once training begins."""


class ErrorRecord(Contract):
    type: str
    message: str
    traceback: str


class Status(Contract):
    """``status.json``: pending -> running -> completed | failed | cancelled."""

    ARTIFACT = "status"

    format: str = FORMATS["status"]
    run_id: str
    state: State = "pending"
    step: int = 0
    """The last step whose metrics are recorded (the final step once completed)."""
    total_steps: int | None = None
    tokens_seen: int = 0
    starts: list[StartRecord] = []
    started_at: str | None = None
    finished_at: str | None = None
    wall_seconds: float | None = None
    error: ErrorRecord | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    def to_json(self, *, compact: bool = False, indent: int = 2) -> str:
        return super().to_json(compact=compact, indent=indent)

    @classmethod
    def read_or_pending(cls, path: str | Path, run_id: str) -> Status:
        """The status on disk, or a fresh ``pending`` one when the run never started (no file)."""
        path = Path(path)
        if not path.is_file():
            return cls(run_id=run_id)
        return cls.read(path)

    def write(self, path: str | Path, *, durable: bool = True) -> None:
        """Atomically replace ``path`` (``durable``: fsync first, for state changes)."""
        write_json_atomic(path, self.to_dict(), durable=durable)


class Lease(Contract):
    """``lease.json``: the job running the run; stale without a heartbeat for a while or when its pid is dead."""

    pid: int
    host: str
    job_id: str | None
    token: str
    """Shared by every process of one job (the scheduler's job id), different between jobs."""
    heartbeat: float
    """Unix time of the holder's last heartbeat."""


class _Line(Contract):
    model_config = ConfigDict(extra="allow", strict=True, protected_namespaces=())

    kind: str
    step: int = Field(ge=0, lt=2**31)
    time: float | None = None
    """Unix seconds."""
    tokens: int | float | None = None
    """Training tokens seen so far, all ranks."""


class TrainLine(_Line):
    kind: Literal["train"] = "train"
    tokens_per_language: dict[str, int | float] | None = None
    loss: float
    """Mean next-token cross-entropy (nats) of the step, as torchtitan logs it."""
    loss_per_language: dict[str, float] | None = None
    lr: float | None = None
    tokens_per_second: float | None = None
    grad_norm: float | None = None


class EvalLine(_Line):
    kind: Literal["eval"] = "eval"
    valid_loss: dict[str, float] | None = None
    """Held-out next-token loss per language."""
    translation_loss: dict[str, float] | None = None
    """Loss on target tokens only, per ``"src->tgt"`` direction."""
    translation_seen: dict[str, bool] | None = None

    @model_validator(mode="after")
    def _measures_something(self) -> EvalLine:
        if self.valid_loss is None and self.translation_loss is None:
            raise ValueError("an eval line needs valid_loss or translation_loss")
        return self


MetricLine = TrainLine | EvalLine
LINE_MODELS: dict[str, type[_Line]] = {"train": TrainLine, "eval": EvalLine}

METRIC_COLUMNS: dict[str, str] = {
    "kind": "VARCHAR",
    "step": "BIGINT",
    "time": "DOUBLE",
    "tokens": "DOUBLE",
    "loss": "DOUBLE",
    "lr": "DOUBLE",
    "tokens_per_second": "DOUBLE",
    "grad_norm": "DOUBLE",
    "valid_loss": "MAP(VARCHAR, DOUBLE)",
    "translation_loss": "MAP(VARCHAR, DOUBLE)",
    "translation_seen": "MAP(VARCHAR, BOOLEAN)",
}
"""DuckDB types of the metric-line fields ingest reads in bulk (per-language train maps are read separately)."""
TRAIN_SCALARS: tuple[str, ...] = ("tokens", "loss", "lr", "tokens_per_second", "grad_norm")
TRAIN_MAPS: tuple[str, ...] = ("tokens_per_language", "loss_per_language")
EVAL_MAPS: tuple[str, ...] = ("valid_loss", "translation_loss")


def parse_metric_line(obj: Any) -> MetricLine:
    """Validate one parsed ``metrics.jsonl`` line; ValueError with ``(field, message)`` in its args if it is bad."""
    if not isinstance(obj, dict):
        raise ValueError(None, "expected a JSON object")
    model = LINE_MODELS.get(obj.get("kind"))  # type: ignore[arg-type]
    if model is None:
        raise ValueError("kind", f"expected 'train' or 'eval', got {obj.get('kind')!r}")
    try:
        return model.model_validate(obj)  # type: ignore[return-value]
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise ValueError(field, friendly_message(first)) from None


def metric_line_json(line: MetricLine) -> str:
    """One ``metrics.jsonl`` line (compact, newline-terminated), every field written."""
    return json.dumps(line.model_dump(mode="python"), separators=(",", ":")) + "\n"


def read_metric_lines(path: str | Path) -> list[MetricLine]:
    """Every complete, valid line of a ``metrics.jsonl`` (a torn or invalid line is skipped)."""
    path = Path(path)
    if not path.is_file():
        return []
    lines: list[MetricLine] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(parse_metric_line(json.loads(raw)))
        except (ValueError, json.JSONDecodeError):
            continue
    return lines


def finite_or_none(value: Any) -> float | None:
    """A finite float, or None (for store columns that must not hold NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def read_lease(path: str | Path) -> Lease | None:
    """The lease, or None when there is none or it is unreadable (a holder never leaves half a file)."""
    try:
        return Lease.model_validate(read_json_object(path))
    except (CodescaleError, ValidationError):
        return None


__all__ = [
    "STATES",
    "TERMINAL_STATES",
    "State",
    "StartRecord",
    "ErrorRecord",
    "Status",
    "Lease",
    "TrainLine",
    "EvalLine",
    "MetricLine",
    "METRIC_COLUMNS",
    "TRAIN_SCALARS",
    "TRAIN_MAPS",
    "EVAL_MAPS",
    "parse_metric_line",
    "metric_line_json",
    "read_metric_lines",
    "read_lease",
    "finite_or_none",
    "validation_errors",
]

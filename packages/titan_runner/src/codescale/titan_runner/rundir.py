"""The run directory on disk (``codescale.rundir/1``, documented in docs/run-directory.md and contracts §4).

A run directory is ``OUT/runs/<run_id>/``: the compiler wrote ``run.json`` and ``mixture.json`` (never modified
here); the runner adds everything else. The model is "everything laws needs is on disk, and every file is either
rewritten atomically or only appended":

- ``status.json`` is the run's state machine (pending -> running -> completed | failed | cancelled), rewritten
  atomically (temp file + rename), so a reader never sees half a file. A run killed with SIGKILL stays "running" on
  disk; its lease tells readers it is not alive any more (:meth:`RunDir.liveness`).
- ``metrics.jsonl`` is append-only and flushed at every log step. After a resume from the checkpoint of step k, the
  lines with ``step > k`` (written after that checkpoint by the killed process, and about to be recomputed) are
  dropped by rewriting the file atomically before anything is appended, so the file never has a duplicate or a gap;
  so is the eval line of step k when that evaluation is measured again (``codescale.titan_runner.recording``).
  A torn last line (killed mid-write) is dropped at the same time.
- ``lease.json`` says who runs the run now: ``{"pid", "host", "job_id", "token", "heartbeat"}``. All processes of
  one job share a token (the scheduler's job id), so the ranks of a multi-process run join one lease while a second
  job is refused. A lease is stale when its heartbeat is older than ``STALE_AFTER_S`` or when its pid is dead on this
  host; a stale lease is taken over. Acquisition is serialised with ``flock`` on ``lease.lock``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codescale.core.contracts import (
    STATES,
    TERMINAL_STATES,
    Lease,
    MetricLine,
    Run,
    Status,
    metric_line_json,
    read_lease,
    read_metric_lines,
)
from codescale.core.errors import CodescaleError
from codescale.core.io import atomic_write_lines, write_json_atomic

__all__ = ["RunDir", "MetricsWriter", "LeaseHolder", "STATES", "TERMINAL_STATES", "now_iso"]

HEARTBEAT_EVERY_S = 10.0
STALE_AFTER_S = 90.0


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunDir:
    """One run directory: paths, ``run.json``, status, metrics and lease."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()

    # --- paths -------------------------------------------------------------------------------------------------
    @property
    def run_json(self) -> Path:
        return self.path / "run.json"

    @property
    def mixture_json(self) -> Path:
        return self.path / "mixture.json"

    @property
    def status_json(self) -> Path:
        return self.path / "status.json"

    @property
    def metrics_jsonl(self) -> Path:
        return self.path / "metrics.jsonl"

    @property
    def resolved_config_json(self) -> Path:
        return self.path / "resolved_config.json"

    @property
    def lease_json(self) -> Path:
        return self.path / "lease.json"

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    @property
    def jobs_json(self) -> Path:
        """Submissions made for this run (executor, job id, time), appended by ``codescale submit``."""
        return self.path / "jobs.json"

    # --- run.json ----------------------------------------------------------------------------------------------
    def load_run(self) -> Run:
        if not self.run_json.is_file():
            raise CodescaleError(
                "not a run directory: run.json is missing",
                source=self.path,
                hint="a run directory is OUT/runs/<run_id>/ written by `codescale compile`",
            )
        return Run.read(self.run_json, hint="recompile the spec: codescale compile SPEC -o OUT")

    # --- status.json -------------------------------------------------------------------------------------------
    def read_status(self) -> Status:
        """The status on disk, or a fresh "pending" status when the run never started."""
        run_id = self.path.name
        if not self.status_json.is_file():
            with contextlib.suppress(CodescaleError):
                run_id = self.load_run().run_id
        return Status.read_or_pending(self.status_json, run_id)

    def update_status(self, *, keep_terminal: bool = False, durable: bool = True, **fields: Any) -> Status:
        """Read-modify-write ``status.json`` atomically. ``keep_terminal`` leaves a failed/cancelled state alone
        (progress updates must not hide a failure another rank already recorded); ``durable=False`` skips the fsync
        (progress). Fields are checked against the Status contract before anything is written."""
        status = self.read_status()
        if keep_terminal and status.state in ("failed", "cancelled"):
            fields.pop("state", None)
        if fields.get("state") is not None and fields["state"] not in STATES:
            raise ValueError(f"unknown run state {fields['state']!r}")
        updated = Status.model_validate({**status.to_dict(), **_plain(fields)})
        updated.write(self.status_json, durable=durable)
        return updated

    # --- metrics.jsonl -----------------------------------------------------------------------------------------
    def read_metrics(self) -> list[MetricLine]:
        """Every complete, valid line of metrics.jsonl (a torn last line is skipped)."""
        return read_metric_lines(self.metrics_jsonl)

    def truncate_metrics_after(self, step: int, *, keep_eval_at_step: bool = True) -> int:
        """Keep only lines with ``step <= step`` (and no torn line); atomic. Returns how many lines were dropped.
        ``keep_eval_at_step=False`` also drops the eval line of ``step`` itself (it is about to be measured again)."""
        if not self.metrics_jsonl.is_file():
            return 0
        kept, dropped = [], 0
        for line in self.metrics_jsonl.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                dropped += 1
                continue
            line_step = int(record.get("step", 0))
            if line_step < step or (line_step == step and (keep_eval_at_step or record.get("kind") != "eval")):
                kept.append(line)
            else:
                dropped += 1
        if dropped:
            atomic_write_lines(self.metrics_jsonl, (f"{line}\n" for line in kept), durable=True)
        return dropped

    @contextlib.contextmanager
    def metrics_writer(self) -> Iterator[MetricsWriter]:
        writer = MetricsWriter(self.metrics_jsonl)
        try:
            yield writer
        finally:
            writer.close()

    # --- lease.json ----------------------------------------------------------------------------------------------
    def read_lease(self) -> Lease | None:
        return read_lease(self.lease_json)

    @staticmethod
    def lease_is_live(lease: Lease | None, *, stale_after_s: float = STALE_AFTER_S) -> bool:
        if lease is None:
            return False
        if time.time() - lease.heartbeat > stale_after_s:
            return False
        if lease.host == socket.gethostname() and not _pid_alive(lease.pid):
            return False
        return True

    def liveness(self) -> str:
        """``"live"`` if a process holds a fresh lease, ``"stale"`` if one died holding it, ``"none"`` otherwise."""
        lease = self.read_lease()
        if lease is None:
            return "none"
        return "live" if self.lease_is_live(lease) else "stale"

    @contextlib.contextmanager
    def _lease_lock(self) -> Iterator[None]:
        with open(self.path / "lease.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def acquire_lease(self, token: str, job_id: str | None, *, holder: bool) -> LeaseHolder:
        """Take or join the lease for ``token``; raise a CodescaleError if another live job holds it.

        ``holder`` marks the process that keeps the heartbeat (global rank 0); the others only join."""
        with self._lease_lock():
            lease = self.read_lease()
            if lease is not None and self.lease_is_live(lease) and lease.token != token:
                raise CodescaleError(
                    f"run is already running (job {lease.job_id or '?'}, pid {lease.pid} on {lease.host}, "
                    f"heartbeat {time.time() - lease.heartbeat:.0f} s ago)",
                    source=self.path,
                    hint="wait for it, or `codescale cancel` it first",
                )
            if holder or lease is None or lease.token != token:
                mine = Lease(
                    pid=os.getpid(), host=socket.gethostname(), job_id=job_id, token=token, heartbeat=time.time()
                )
                write_json_atomic(self.lease_json, mine.to_dict(), durable=True)
        return LeaseHolder(self, token, holder=holder)


class MetricsWriter:
    """Appends one JSON object per line and flushes it, so a killed run loses at most the line being written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "a", encoding="utf-8")

    def write(self, line: MetricLine) -> None:
        self._file.write(metric_line_json(line))
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class LeaseHolder:
    """A held lease: the holder refreshes its heartbeat in a daemon thread until :meth:`release`."""

    def __init__(self, run_dir: RunDir, token: str, *, holder: bool) -> None:
        self.run_dir = run_dir
        self.token = token
        self.holder = holder
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if holder:
            self._thread = threading.Thread(target=self._beat, name="codescale-lease-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_EVERY_S):
            with contextlib.suppress(OSError), self.run_dir._lease_lock():
                lease = self.run_dir.read_lease()
                if lease is None or lease.token != self.token:
                    return  # taken over (we were considered dead) or released
                lease.heartbeat = time.time()
                write_json_atomic(self.run_dir.lease_json, lease.to_dict())

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.holder:
            return
        with contextlib.suppress(OSError), self.run_dir._lease_lock():
            lease = self.run_dir.read_lease()
            if lease is not None and lease.token == self.token:
                self.run_dir.lease_json.unlink()


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Contract models inside ``fields`` as plain values, so one validation checks the whole status."""
    return {
        k: (
            v.to_dict()
            if hasattr(v, "to_dict")
            else [x.to_dict() if hasattr(x, "to_dict") else x for x in v]
            if isinstance(v, list)
            else v
        )
        for k, v in fields.items()
    }

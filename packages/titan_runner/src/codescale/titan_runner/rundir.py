"""The run directory on disk (``codescale.rundir/1``, documented in docs/run-directory.md and contracts §4).

A run directory is ``OUT/runs/<run_id>/``: the compiler wrote ``run.json`` and ``mixture.json`` (never modified
here); the runner adds everything else. The model is "everything laws needs is on disk, and every file is either
rewritten atomically or only appended":

- ``status.json`` is the run's state machine (pending -> running -> completed | failed | cancelled), rewritten
  atomically (temp file + rename), so a reader never sees half a file. A run killed with SIGKILL stays "running" on
  disk; its lease tells readers it is not alive any more (:meth:`RunDir.liveness`).
- ``metrics.jsonl`` is append-only and flushed at every log step. After a resume from the checkpoint of step k, the
  lines with ``step > k`` (written after that checkpoint by the killed process, and about to be recomputed) are
  dropped by rewriting the file atomically before anything is appended, so the file never has a duplicate or a gap.
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

from codescale.core.errors import CodescaleError

RUN_FORMAT = "codescale.run/1"
STATUS_FORMAT = "codescale.status/1"
STATES = ("pending", "running", "completed", "failed", "cancelled")
TERMINAL_STATES = ("completed", "failed", "cancelled")
HEARTBEAT_EVERY_S = 10.0
STALE_AFTER_S = 90.0


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any, *, durable: bool = True) -> None:
    """Write JSON to ``path`` so readers see the old or the new file, never a mix. ``durable`` also fsyncs it
    before the rename (state changes); progress updates skip that, the rename alone is atomic for readers."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.write("\n")
        f.flush()
        if durable:
            os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodescaleError("file not found", source=path) from None
    except json.JSONDecodeError as err:
        raise CodescaleError(f"not valid JSON: {err.msg}", source=path, line=err.lineno, column=err.colno) from None
    if not isinstance(data, dict):
        raise CodescaleError("expected a JSON object", source=path)
    return data


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
    def load_run(self) -> dict[str, Any]:
        if not self.run_json.is_file():
            raise CodescaleError(
                "not a run directory: run.json is missing",
                source=self.path,
                hint="a run directory is OUT/runs/<run_id>/ written by `codescale compile`",
            )
        run = read_json(self.run_json)
        fmt = run.get("format", "")
        if fmt != RUN_FORMAT and not str(fmt).startswith(RUN_FORMAT + "."):
            raise CodescaleError(
                f"unsupported run format {fmt!r}; this runner reads {RUN_FORMAT}", source=self.run_json, field="format"
            )
        return run

    # --- status.json -------------------------------------------------------------------------------------------
    def read_status(self) -> dict[str, Any]:
        """The status on disk, or a fresh "pending" status when the run never started."""
        if not self.status_json.is_file():
            run_id = self.path.name
            with contextlib.suppress(CodescaleError):
                run_id = self.load_run().get("run_id", run_id)
            return {
                "format": STATUS_FORMAT,
                "run_id": run_id,
                "state": "pending",
                "step": 0,
                "total_steps": None,
                "tokens_seen": 0,
                "starts": [],
                "started_at": None,
                "finished_at": None,
                "wall_seconds": None,
                "error": None,
            }
        return read_json(self.status_json)

    def update_status(self, *, keep_terminal: bool = False, durable: bool = True, **fields: Any) -> dict[str, Any]:
        """Read-modify-write ``status.json`` atomically. ``keep_terminal`` leaves a failed/cancelled state alone
        (progress updates must not hide a failure another rank already recorded); ``durable=False`` skips the fsync
        (progress)."""
        status = self.read_status()
        if keep_terminal and status.get("state") in ("failed", "cancelled"):
            fields.pop("state", None)
        state = fields.get("state")
        if state is not None and state not in STATES:
            raise ValueError(f"unknown run state {state!r}")
        status.update(fields)
        write_json_atomic(self.status_json, status, durable=durable)
        return status

    # --- metrics.jsonl -----------------------------------------------------------------------------------------
    def read_metrics(self) -> list[dict[str, Any]]:
        """Every complete line of metrics.jsonl (a torn last line is skipped)."""
        if not self.metrics_jsonl.is_file():
            return []
        records = []
        for line in self.metrics_jsonl.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records

    def truncate_metrics_after(self, step: int) -> int:
        """Keep only lines with ``step <= step`` (and no torn line); atomic. Returns how many lines were dropped."""
        if not self.metrics_jsonl.is_file():
            return 0
        kept, dropped = [], 0
        for line in self.metrics_jsonl.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                dropped += 1
                continue
            if int(record.get("step", 0)) <= step:
                kept.append(line)
            else:
                dropped += 1
        if dropped:
            tmp = self.metrics_jsonl.with_name(f".metrics.jsonl.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("".join(f"{line}\n" for line in kept))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.metrics_jsonl)
        return dropped

    @contextlib.contextmanager
    def metrics_writer(self) -> Iterator[MetricsWriter]:
        writer = MetricsWriter(self.metrics_jsonl)
        try:
            yield writer
        finally:
            writer.close()

    # --- lease.json ----------------------------------------------------------------------------------------------
    def read_lease(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.lease_json.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    @staticmethod
    def lease_is_live(lease: dict[str, Any] | None, *, stale_after_s: float = STALE_AFTER_S) -> bool:
        if not lease:
            return False
        if time.time() - float(lease.get("heartbeat", 0)) > stale_after_s:
            return False
        if lease.get("host") == socket.gethostname() and not _pid_alive(int(lease.get("pid", -1))):
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

    def acquire_lease(self, token: str, job_id: str | None, *, holder: bool) -> Lease:
        """Take or join the lease for ``token``; raise a CodescaleError if another live job holds it.

        ``holder`` marks the process that keeps the heartbeat (global rank 0); the others only join."""
        with self._lease_lock():
            lease = self.read_lease()
            if lease and self.lease_is_live(lease) and lease.get("token") != token:
                raise CodescaleError(
                    f"run is already running (job {lease.get('job_id') or '?'}, pid {lease.get('pid')} on "
                    f"{lease.get('host')}, heartbeat {time.time() - float(lease.get('heartbeat', 0)):.0f} s ago)",
                    source=self.path,
                    hint="wait for it, or `codescale cancel` it first",
                )
            if holder or not lease or lease.get("token") != token:
                write_json_atomic(
                    self.lease_json,
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "job_id": job_id,
                        "token": token,
                        "heartbeat": time.time(),
                    },
                )
        return Lease(self, token, holder=holder)


class MetricsWriter:
    """Appends one JSON object per line and flushes it, so a killed run loses at most the line being written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class Lease:
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
                if not lease or lease.get("token") != self.token:
                    return  # taken over (we were considered dead) or released
                lease["heartbeat"] = time.time()
                write_json_atomic(self.run_dir.lease_json, lease, durable=False)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if not self.holder:
            return
        with contextlib.suppress(OSError), self.run_dir._lease_lock():
            lease = self.run_dir.read_lease()
            if lease and lease.get("token") == self.token:
                self.run_dir.lease_json.unlink()

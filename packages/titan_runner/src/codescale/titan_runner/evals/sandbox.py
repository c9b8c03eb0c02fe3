"""Run one untrusted command in a sandbox: its own directory, resource limits, a wall clock, no network.

Model completions are untrusted programs. Every compile or run step of a sample goes through :meth:`Sandbox.run`,
which applies, in the child process:

- **rlimits**, set by ``prlimit`` in the command's own process right before it execs: CPU seconds, address space,
  largest file written, open files, no core dumps, and (inside the namespaces, where it counts the sample's
  processes only) the number of processes and threads (``RLIMIT_NPROC``);
- a **wall clock**: past ``wall_s`` the whole process tree is killed (``SIGKILL`` to the process group; with
  namespaces the PID namespace dies with it, so a child that called ``setsid`` is killed too);
- **captured output**: stdout and stderr are read through pipes and kept up to ``output_bytes`` each; the rest is
  read and dropped, so a program that prints forever cannot fill the memory or the disk.

Two isolation levels, chosen once per process by probing (:func:`isolation_available`):

``namespaces`` (bubblewrap, ``bwrap``, is installed and may create namespaces)
    The command sees a new root: the system directories (``/usr``, ``/etc``, ``/bin``, ``/lib*``) and the
    toolchains it needs, read-only; its own work directory (read-write for a compile step, read-only for a run);
    a size-limited ``/tmp`` (tmpfs, ``tmp_mb``); a fresh ``/dev`` and ``/proc``. Nothing else of the machine exists
    for it: not your home, not the run directories, not other samples. New network (only a loopback, so no socket
    reaches anything), PID, IPC and UTS namespaces. When codescale runs as root, the command runs as an unprivileged
    user id of its own (``setpriv``: no capabilities, a uid per worker slot), so ``RLIMIT_NPROC`` applies — root is
    exempt from it — and a fork bomb stops at ``processes``.
``rlimits`` (no usable ``bwrap``)
    Only the rlimits, the wall clock and the process-group kill. The command can read and write whatever the
    calling user can, open sockets, and a fork bomb is bounded only by the CPU limit and the wall clock (and not at
    all as root). codescale logs a warning and records the level with every result; install bubblewrap
    (``apt-get install bubblewrap``) to evaluate untrusted models.

Verdict of the sandbox itself: :class:`Execution` says how the command ended (exit code, signal, timed out) or that
the sandbox could not start it (``sandbox_error``, e.g. bwrap refused a mount or the program does not exist).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from codescale.core.errors import CodescaleError

log = logging.getLogger(__name__)

ISOLATION_LEVELS = ("auto", "namespaces", "rlimits")
SYSTEM_ROOTS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
"""Top-level directories every sandbox sees read-only (or as the symlinks they are on merged-/usr systems)."""
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Limits:
    """What one step (a compile or a run) may use."""

    cpu_s: int = 10
    """CPU seconds per process (``RLIMIT_CPU``; SIGXCPU, then SIGKILL one second later)."""
    wall_s: float = 30.0
    """Wall-clock seconds for the whole process tree."""
    memory_mb: int = 1024
    """Address space per process (``RLIMIT_AS``). JVMs, V8 and Go reserve far more than they touch: see the
    per-language values in :mod:`codescale.titan_runner.evals.harness`."""
    file_mb: int = 16
    """Largest file a process may write (``RLIMIT_FSIZE``; SIGXFSZ beyond it)."""
    processes: int = 64
    """Processes and threads of the sandbox's user (``RLIMIT_NPROC``; enforced in ``namespaces`` isolation)."""
    open_files: int = 256
    tmp_mb: int = 64
    """Size of the sandbox's private ``/tmp`` (``namespaces`` isolation)."""
    output_bytes: int = 32 * 1024
    """Bytes of stdout and of stderr kept; the rest is discarded."""

    def replace(self, **changes) -> Limits:
        return replace(self, **changes)


@dataclass(frozen=True)
class Execution:
    """How one sandboxed command ended."""

    exit_code: int | None
    """The command's exit status; None when it was killed by a signal, timed out or never started."""
    signal: int | None = None
    """The signal that ended it (SIGKILL after a timeout is reported as ``timed_out`` instead)."""
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    """Some output was discarded (more than ``output_bytes`` on a stream)."""
    wall_s: float = 0.0
    sandbox_error: str | None = None
    """The sandbox could not run the command (it never started); the text says why."""
    isolation: str = "rlimits"

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and self.sandbox_error is None

    @property
    def limit_hit(self) -> str | None:
        """The resource limit that ended the command, when a signal says so."""
        return _LIMIT_SIGNALS.get(self.signal) if self.signal is not None else None

    def describe(self) -> str:
        """One short line: how it ended."""
        if self.sandbox_error:
            return f"sandbox error: {self.sandbox_error}"
        if self.timed_out:
            return f"timed out after {self.wall_s:.1f} s"
        if self.signal is not None:
            try:
                name = signal.Signals(self.signal).name
            except ValueError:
                name = f"signal {self.signal}"
            return f"killed by {name}" + (f" ({self.limit_hit} limit)" if self.limit_hit else "")
        return f"exit status {self.exit_code}"


_LIMIT_SIGNALS: dict[int, str] = {signal.SIGXCPU: "cpu time", signal.SIGXFSZ: "file size"}
"""The signals the kernel sends when an rlimit is exceeded, by the limit's name."""


def _prlimit(limits: Limits, nproc: bool) -> list[str]:
    """The rlimits as a ``prlimit`` prefix: set in the command's own process right before it execs (no
    ``preexec_fn``, which is unsafe in a threaded parent)."""
    cpu = max(1, int(limits.cpu_s))
    args = [
        "prlimit",
        f"--cpu={cpu}:{cpu + 1}",
        f"--as={limits.memory_mb << 20}",
        f"--fsize={limits.file_mb << 20}",
        f"--nofile={limits.open_files}",
        "--core=0",
    ]
    if nproc:
        args.append(f"--nproc={limits.processes}")
    return [*args, "--"]


class _Capture(threading.Thread):
    """Drains one pipe, keeping the first ``keep`` bytes."""

    def __init__(self, stream, keep: int) -> None:
        super().__init__(daemon=True)
        self.stream, self.keep = stream, keep
        self.data = bytearray()
        self.dropped = 0

    def run(self) -> None:
        try:
            while chunk := self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536):
                room = self.keep - len(self.data)
                if room > 0:
                    self.data += chunk[:room]
                self.dropped += max(0, len(chunk) - max(room, 0))
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


# --- probing -------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _bwrap_has(option: str) -> bool:
    """Whether this bwrap knows ``option`` (``--size`` came with bubblewrap 0.7)."""
    try:
        return option in subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False


@functools.lru_cache(maxsize=1)
def _bwrap_probe() -> str | None:
    """None when bwrap can build our sandbox here; otherwise why not."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed"
    if os.geteuid() == 0 and (shutil.which("setpriv") is None):
        return "setpriv (util-linux) is not installed"
    if shutil.which("prlimit") is None:
        return "prlimit (util-linux) is not installed"
    if not _bwrap_has("--json-status-fd"):
        return "this bwrap is too old (no --json-status-fd; bubblewrap 0.4 or newer is needed)"
    argv = [
        bwrap,
        *_root_arguments(()),
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--die-with-parent",
        "true",
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap did not start: {err}"
    if done.returncode != 0:
        return f"bwrap cannot create namespaces here: {(done.stderr or done.stdout).strip()[:200]}"
    return None


def isolation_available() -> tuple[str, str | None]:
    """The strongest isolation this machine allows and, when it is ``rlimits``, why namespaces are not available."""
    reason = _bwrap_probe()
    return ("rlimits", reason) if reason else ("namespaces", None)


def resolve_isolation(requested: str = "auto") -> str:
    """``auto`` -> the strongest available; ``namespaces`` when unavailable is a CodescaleError naming the fix."""
    if requested not in ISOLATION_LEVELS:
        raise CodescaleError(
            f"unknown sandbox isolation {requested!r}", hint=f"use one of {', '.join(ISOLATION_LEVELS)}"
        )
    level, reason = isolation_available()
    if requested == "namespaces" and level != "namespaces":
        raise CodescaleError(
            f"namespace isolation is not available: {reason}",
            hint="install bubblewrap (apt-get install bubblewrap) or pass --sandbox rlimits",
        )
    if requested == "rlimits":
        return "rlimits"
    return level


# --- the bwrap command line ----------------------------------------------------------------------------------------


def _root_arguments(readonly: Sequence[Path], made: set[Path] | None = None) -> list[str]:
    """The sandbox's root file system: system directories and ``readonly`` paths, read-only."""
    args: list[str] = []
    for name in SYSTEM_ROOTS:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--dev", "/dev", "--proc", "/proc"]
    made = set() if made is None else made
    for path in _outermost(readonly):
        args += _parents(path, made)
        args += ["--ro-bind", str(path), str(path)]
    return args


def _outermost(paths: Sequence[Path]) -> list[Path]:
    """The given paths minus those inside another one or inside a system root (already visible)."""
    roots = [Path("/") / name for name in SYSTEM_ROOTS]
    resolved = sorted({Path(p).resolve() for p in paths}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in resolved:
        if any(path == r or path.is_relative_to(r) for r in [*roots, *kept]):
            continue
        kept.append(path)
    return kept


def _parents(path: Path, made: set[Path]) -> list[str]:
    """Create the ancestors of a mount point world-traversable (bwrap would copy e.g. /root's 0700)."""
    args = []
    for parent in reversed(path.parents):
        if parent == Path("/") or parent in made or parent == Path("/tmp"):
            continue
        made.add(parent)
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


@dataclass
class Sandbox:
    """Runs commands under one isolation level (see the module docstring); thread-safe.

    ``toolchain_paths`` are extra read-only directories every command sees (toolchains installed outside the
    system directories, e.g. ``~/.rustup/toolchains/...``).
    """

    isolation: str = "auto"
    toolchain_paths: Sequence[Path] = ()
    uid_base: int = field(default_factory=lambda: 1_000_000 + (os.getpid() % 10_000) * 128)
    """First sandbox user id (root only): worker slot ``s`` runs as ``uid_base + s``, so the process limit of one
    slot never counts another's processes."""

    def __post_init__(self) -> None:
        if shutil.which("prlimit") is None:
            raise CodescaleError(
                "the sandbox needs prlimit (util-linux) to set the limits of executed code",
                hint="install util-linux (it is part of every mainstream Linux distribution)",
            )
        self.isolation = resolve_isolation(self.isolation)
        if self.isolation == "rlimits" and isolation_available()[1]:
            log.warning(
                "sandbox: only rlimits isolation (%s): completions can read your files and use the "
                "network; install bubblewrap to isolate them",
                isolation_available()[1],
            )

    @property
    def drops_privileges(self) -> bool:
        return self.isolation == "namespaces" and os.geteuid() == 0

    def user_id(self, slot: int) -> int:
        """The uid a command of this worker slot runs as (the caller's uid when not root)."""
        return self.uid_base + slot if self.drops_privileges else os.geteuid()

    def run(
        self,
        argv: Sequence[str | Path],
        *,
        cwd: Path,
        limits: Limits,
        env: Mapping[str, str] | None = None,
        writable: Sequence[Path] = (),
        readonly: Sequence[Path] = (),
        slot: int = 0,
    ) -> Execution:
        """Run ``argv`` in ``cwd``; the command may write to ``cwd`` only if it is in ``writable``."""
        env = {"PATH": SANDBOX_PATH, "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp", **(env or {})}
        command = [str(a) for a in argv]
        started = time.monotonic()
        status_read = status_write = None
        if self.isolation == "namespaces":
            status_read, status_write = os.pipe()
            full = self._bwrap_argv(command, Path(cwd), limits, env, writable, readonly, slot, status_write)
            popen_env, pass_fds = {"PATH": os.environ.get("PATH", SANDBOX_PATH)}, (status_write,)
        else:  # no process limit here: it would count every process of the calling user
            full, popen_env, pass_fds = [*_prlimit(limits, nproc=False), *command], dict(env), ()
        try:
            process = subprocess.Popen(
                full,
                cwd=cwd,
                env=popen_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        except OSError as err:
            if status_read is not None:
                os.close(status_read)
            return Execution(None, sandbox_error=f"cannot start {full[0]}: {err.strerror}", isolation=self.isolation)
        finally:
            if status_write is not None:
                os.close(status_write)
        captures = [_Capture(process.stdout, limits.output_bytes), _Capture(process.stderr, limits.output_bytes)]
        for capture in captures:
            capture.start()
        timed_out = False
        try:
            process.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            process.wait()
        if self.drops_privileges:
            _reap(self.user_id(slot))
        for capture in captures:
            capture.join(timeout=5)
        out, err = captures
        # what every outcome shares; each return below says how the command ended
        ended = Execution(
            None,
            stdout=out.text(),
            stderr=err.text(),
            truncated=bool(out.dropped or err.dropped),
            wall_s=time.monotonic() - started,
            isolation=self.isolation,
        )
        if timed_out:
            if status_read is not None:
                os.close(status_read)
            return replace(ended, timed_out=True)
        if status_read is not None:
            child_code, child_started = _read_status(status_read)
            if not child_started or child_code is None:
                said = err.text().strip().splitlines() or [f"bwrap exited with status {process.returncode}"]
                return replace(ended, sandbox_error=said[-1][:300])
            if _exec_failed(child_code, err.text()):
                return replace(ended, sandbox_error=err.text().strip().splitlines()[0][:300])
            # bwrap reports a child killed by signal s as 128 + s
            return replace(ended, signal=child_code - 128) if child_code > 128 else replace(ended, exit_code=child_code)
        code = process.returncode
        if _exec_failed(code, err.text()):
            return replace(ended, sandbox_error=err.text().strip().splitlines()[0][:300])
        return replace(ended, signal=-code) if code < 0 else replace(ended, exit_code=code)

    def _bwrap_argv(
        self,
        argv: list[str],
        cwd: Path,
        limits: Limits,
        env: Mapping[str, str],
        writable: Sequence[Path],
        readonly: Sequence[Path],
        slot: int,
        status_fd: int,
    ) -> list[str]:
        cwd = cwd.resolve()
        made: set[Path] = set()
        args = ["bwrap", *_root_arguments(self.toolchain_paths, made)]
        if _bwrap_has("--size"):
            args += ["--size", str(limits.tmp_mb << 20)]
        args += ["--perms", "1777", "--tmpfs", "/tmp"]
        binds = [(Path(p).resolve(), "--bind") for p in writable] + [(Path(p).resolve(), "--ro-bind") for p in readonly]
        if not any(path == cwd or cwd.is_relative_to(path) for path, _ in binds):
            binds.append((cwd, "--ro-bind"))
        # a directory before what is inside it: a later mount of a parent would hide the child's
        for path, how in sorted(binds, key=lambda bind: len(bind[0].parts)):
            args += _parents(path, made)
            args += [how, str(path), str(path)]
        args += [
            "--chdir",
            str(cwd),
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--json-status-fd",
            str(status_fd),
        ]
        for key, value in env.items():
            args += ["--setenv", key, value]
        args.append("--")
        if self.drops_privileges:
            uid = str(self.user_id(slot))
            args += [
                "setpriv",
                "--reuid",
                uid,
                "--regid",
                uid,
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--",
            ]
        return args + _prlimit(limits, nproc=True) + argv


def _exec_failed(code: int, stderr: str) -> bool:
    """The wrappers (prlimit, setpriv) could not start the command: 126/127 and their own message."""
    return code in (126, 127) and bool(re.match(r"(prlimit|setpriv): failed to execute", stderr))


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            process.kill()
        except ProcessLookupError:
            pass


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat(follow_symlinks=False).st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _reap(uid: int, patience_s: float = 10.0) -> None:
    """Return only when no process of the sandbox user ``uid`` is left (the PID namespace dies asynchronously after
    bwrap; a straggler would count against the next sample's process limit)."""
    deadline = time.monotonic() + patience_s
    while (pids := _processes_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)


def _read_status(fd: int) -> tuple[int | None, bool]:
    """(the child's exit code, whether the child started) from bwrap's ``--json-status-fd`` stream."""
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    code, started = None, False
    for line in b"".join(chunks).decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        started = started or "child-pid" in record
        if "exit-code" in record:
            code = int(record["exit-code"])
    return code, started

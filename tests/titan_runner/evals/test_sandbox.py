"""Hostile completions are contained and classified, and nothing outside their directory changes.

Every case runs a real Python program through the real harness and sandbox (bubblewrap namespaces where the machine
allows them). The fork bomb is only started when the process limit is enforced (namespace isolation, where the
sandboxed program runs under its own user id): the limits are in place before it runs, never after.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import uuid
from pathlib import Path

import pytest

from codescale.titan_runner.evals.harness import Harness, HarnessLimits, Program
from codescale.titan_runner.evals.sandbox import Limits, Sandbox, _processes_of, isolation_available

ISOLATION, WHY_NOT = isolation_available()
needs_namespaces = pytest.mark.skipif(ISOLATION != "namespaces", reason=f"no namespace isolation here: {WHY_NOT}")
FAST = HarnessLimits(run=Limits(cpu_s=5, wall_s=4.0, file_mb=16, processes=64, tmp_mb=32, output_bytes=4096))


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time (what "nothing changed" compares)."""
    found = {}
    for path in root.rglob("*"):
        stat = path.lstat()
        found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture
def outside(tmp_path):
    """A directory outside the sandbox's work area, with a secret in it, and its snapshot before the test."""
    area = tmp_path / "outside"
    area.mkdir()
    secret = f"TOPSECRET-{uuid.uuid4().hex}"
    (area / "secret.txt").write_text(secret)
    return area, secret, _snapshot(area)


def _judge(source: str, tmp_path: Path, limits: HarnessLimits = FAST):
    with Harness(workers=1, limits=limits, work_dir=tmp_path) as harness:
        (verdict,) = harness.check([Program("hostile", "python", source)])
        return verdict, harness


@needs_namespaces
def test_a_fork_bomb_is_stopped_at_the_process_limit_and_leaves_no_process_behind(tmp_path, outside):
    area, _, before = outside
    source = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    verdict, harness = _judge(source, tmp_path)
    assert verdict.outcome == "timeout"
    if harness.sandbox.drops_privileges:
        assert _processes_of(harness.sandbox.user_id(0)) == []
    assert _snapshot(area) == before


@needs_namespaces
def test_a_program_that_writes_gigabytes_is_stopped_and_its_files_do_not_survive(tmp_path, outside):
    area, _, before = outside
    source = (
        "import os\n"
        "chunk = b'x' * (1 << 20)\n"
        "for place in ('/tmp', '.'):\n"
        "    for i in range(10_000):\n"
        "        with open(os.path.join(place, f'fill-{i}'), 'wb') as f:\n"
        "            for _ in range(64):\n"
        "                f.write(chunk)\n"
    )
    free_before = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    verdict, harness = _judge(source, tmp_path)
    assert verdict.outcome in ("failed", "crashed")
    assert "File too large" in verdict.detail or "SIGXFSZ" in verdict.detail or "No space" in verdict.detail
    assert not harness.root.exists()  # the work area, with whatever the program managed to write, is gone
    assert os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize > free_before - (64 << 20)
    assert _snapshot(area) == before


def test_a_program_that_sleeps_forever_is_killed_at_the_wall_clock(tmp_path, outside):
    area, _, before = outside
    verdict, _ = _judge("import time\nprint('going to sleep', flush=True)\ntime.sleep(10 ** 6)\n", tmp_path)
    assert verdict.outcome == "timeout"
    assert "4 s" in verdict.detail
    assert _snapshot(area) == before


@needs_namespaces
def test_a_program_cannot_read_or_write_files_outside_its_directory(tmp_path, outside):
    area, secret, before = outside
    marker = f"/tmp/codescale-escape-{uuid.uuid4().hex}"
    source = (
        "import sys\n"
        f"for path in ({str(area / 'secret.txt')!r}, '/root/.bashrc', '/etc/shadow'):\n"
        "    try:\n"
        "        print(open(path).read())\n"
        "    except OSError as err:\n"
        "        print('refused', path, type(err).__name__)\n"
        f"for path in ({str(area / 'planted.txt')!r}, {marker!r}):\n"
        "    try:\n"
        "        open(path, 'w').write('planted')\n"
        "    except OSError as err:\n"
        "        print('refused', path, type(err).__name__)\n"
        "sys.exit(3)\n"
    )
    verdict, _ = _judge(source, tmp_path)
    assert verdict.outcome == "failed"
    assert secret not in verdict.detail
    assert not Path(marker).exists()  # the sandbox's /tmp is its own
    assert _snapshot(area) == before


@needs_namespaces
def test_a_program_cannot_reach_a_socket_listening_on_this_machine(tmp_path, outside):
    area, _, before = outside
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            received.append(connection.recv(100))
            connection.close()

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    port = server.getsockname()[1]
    source = (
        "import socket\n"
        f"connection = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "connection.sendall(b'exfiltrated')\n"
    )
    try:
        verdict, _ = _judge(source, tmp_path)
    finally:
        stop.set()
        listener.join()
        server.close()
    assert verdict.outcome == "failed"
    assert "ConnectionRefusedError" in verdict.detail or "unreachable" in verdict.detail
    assert received == []
    assert _snapshot(area) == before


def test_exit_status_signal_and_output_truncation_are_reported(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    os.chmod(work, 0o777)
    python = os.path.realpath(sys.executable)
    sandbox = Sandbox(toolchain_paths=[Path(sys.base_prefix)])
    limits = Limits(cpu_s=5, wall_s=20, output_bytes=100)
    loud = sandbox.run([python, "-c", "print('x' * 10000); raise SystemExit(7)"], cwd=work, limits=limits)
    assert (loud.exit_code, loud.signal, loud.truncated, len(loud.stdout)) == (7, None, True, 100)
    aborted = sandbox.run([python, "-c", "import os; os.abort()"], cwd=work, limits=limits)
    assert aborted.exit_code is None and aborted.signal == 6
    missing = sandbox.run(["/nonexistent/program"], cwd=work, limits=limits)
    assert missing.sandbox_error and missing.exit_code is None

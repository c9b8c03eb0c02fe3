"""Interrupted and killed prepares: the output stays as it was, finished units are kept and reused, the rest redone.

The tests wait for a state (a first finished unit on disk), never for a time; if the machine is so slow that every
unit finishes before the signal lands, the rerun simply has nothing left to redo and the assertions still hold.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mixtures_testing import make_corpus

from codescale.mixtures.prepare import prepare, work_dir_of

pytestmark = pytest.mark.slow


def _finished_units(work: Path) -> list[Path]:
    return sorted(p.parent for p in (work / "units").glob("*/unit.json")) if (work / "units").is_dir() else []


def _start(catalog: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codescale.core.cli",
            "data",
            "prepare",
            str(catalog),
            "-o",
            str(out),
            "--quiet",
            "--workers",
            "1",
            "--unit-mb",
            "0.04",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # SIGINT back to its default: a suite started as a background job passes on an ignored SIGINT
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_a_finished_unit(proc: subprocess.Popen, work: Path) -> None:
    deadline = time.monotonic() + 300
    while not _finished_units(work):
        assert proc.poll() is None, "prepare ended before a unit finished: " + proc.stderr.read()[-2000:]
        assert time.monotonic() < deadline, "no unit finished within 300 s"
        time.sleep(0.02)


def _shard_bytes(prepared: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(prepared)): p.read_bytes()
        for p in sorted(prepared.rglob("*"))
        if p.is_file() and p.suffix in (".bin", ".idx", ".npy", ".json", ".jsonl")
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A corpus of ~40 work units at --unit-mb 0.04, and the bytes of its uninterrupted prepare."""
    root = tmp_path_factory.mktemp("resume")
    catalog = make_corpus(root, documents=800, parallel_groups=20)
    reference = root / "reference"
    prepare(catalog, reference, progress=False, workers=1, unit_bytes=int(0.04 * (1 << 20)))
    return catalog, _shard_bytes(reference)


def test_ctrl_c_keeps_the_output_untouched_and_the_finished_units_for_the_rerun(corpus, tmp_path, caplog):
    catalog, reference = corpus
    out = tmp_path / "prepared"
    work = work_dir_of(out)
    proc = _start(catalog, out)
    _wait_for_a_finished_unit(proc, work)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists()
    kept = _finished_units(work)
    assert kept and not list((work / "units").glob(".*")), "a half-written unit was left behind"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [work.name]

    with caplog.at_level(logging.INFO, logger="codescale.mixtures.prepare"):
        prepare(catalog, out, progress=False, workers=1, unit_bytes=int(0.04 * (1 << 20)))
    resumed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("resuming:")]
    assert resumed and resumed[0].startswith(f"resuming: {len(kept)} of ")
    assert _shard_bytes(out) == reference
    assert not work.exists()


def test_a_killed_prepare_is_resumed_and_gives_the_same_bytes(corpus, tmp_path, caplog):
    catalog, reference = corpus
    out = tmp_path / "prepared"
    work = work_dir_of(out)
    proc = _start(catalog, out)
    _wait_for_a_finished_unit(proc, work)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker, with no chance to clean up
    proc.communicate(timeout=60)
    kept = _finished_units(work)
    assert kept and not out.exists()

    with caplog.at_level(logging.INFO, logger="codescale.mixtures.prepare"):
        prepare(catalog, out, progress=False, workers=2, unit_bytes=int(0.04 * (1 << 20)))
    resumed = [r.getMessage() for r in caplog.records if r.getMessage().startswith("resuming:")]
    assert resumed and resumed[0].startswith(f"resuming: {len(kept)} of ")
    assert _shard_bytes(out) == reference
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

"""Ctrl-C in every phase of ``codescale data prepare``: exit 130, the previous output untouched, nothing half-written.

Each case runs the real command in a child process that sends itself a real SIGINT at one point of its work (a
wrapper around the function that starts that phase), so the signal lands in that phase by construction: nothing
depends on how fast the child is or how loaded the machine is. The child resets SIGINT to its default first, so an
ignored SIGINT inherited from whoever started the tests (a background job) cannot hide the interrupt.
(tests/mixtures/test_resume.py covers an interrupt between work units and the rerun that reuses them.)
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys

import pytest
from mixtures_testing import make_corpus, program, write_jsonl

from codescale.mixtures.prepare import prepare, work_dir_of

pytestmark = pytest.mark.slow

INTERRUPT_AT = """
import os, shutil, signal, sys, threading
import codescale.mixtures.merge as merge
import codescale.mixtures.prepare as prepare
import codescale.mixtures.tokenizer as tokenizer
from codescale.core.cli import main

phase, catalog, out = sys.argv[1:]
fired = []


def sigint():
    fired.append(phase)
    os.kill(os.getpid(), signal.SIGINT)


def on_call(owner, name, fire=sigint, once=True):
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        if not (once and fired):
            fire()
        return real(*args, **kwargs)

    setattr(owner, name, wrapper)


if phase == "hashing":
    on_call(prepare, "_content_hash")
elif phase == "tokenizer":  # from another thread as the native trainer starts: held until it returns
    on_call(tokenizer, "train_tokenizer", fire=lambda: threading.Thread(target=sigint).start())
elif phase == "units":  # while the worker processes clean and tokenise the work units
    on_call(prepare, "run_local")
elif phase == "merge":
    on_call(merge, "merge_documents")
elif phase == "parallel":
    on_call(merge, "merge_parallel")
elif phase == "manifest":
    on_call(prepare, "write_manifest_db")
elif phase == "publish":  # between the renames that swap the new corpus in: the old one is already moved aside
    real_replace, real_publish = os.replace, prepare._publish

    def replace_once(*args, **kwargs):
        os.replace = real_replace
        real_replace(*args, **kwargs)
        sigint()

    def publish(*args, **kwargs):
        os.replace = replace_once
        return real_publish(*args, **kwargs)

    prepare._publish = publish
elif phase == "cleanup":  # a second Ctrl-C while the first one's cleanup removes the staging directory
    def again():
        if fired and "again" not in fired:
            fired.append("again")
            os.kill(os.getpid(), signal.SIGINT)

    on_call(merge, "merge_documents")
    on_call(shutil, "rmtree", fire=again, once=False)
status = main(["data", "prepare", catalog, "-o", out, "--quiet", "--workers", "1"])
print("fired:", ",".join(fired), file=sys.stderr)
sys.exit(status)
"""

PHASES = ["hashing", "tokenizer", "units", "merge", "parallel", "manifest", "publish", "cleanup"]


@pytest.fixture(scope="module")
def prepared_before(tmp_path_factory):
    """A corpus and a corpus prepared from it; each case then changes one source, so prepare has work to do."""
    root = tmp_path_factory.mktemp("interrupt")
    catalog = make_corpus(root, documents=40, parallel_groups=10)
    prepare(catalog, root / "prepared", progress=False, workers=1)
    return root


@pytest.mark.parametrize("phase", PHASES)
def test_sigint_stops_prepare_in_every_phase_and_keeps_the_previous_output(prepared_before, tmp_path, phase):
    shutil.copytree(prepared_before, tmp_path, dirs_exist_ok=True)
    out = tmp_path / "prepared"
    old_manifest = (out / "manifest.json").read_text()
    write_jsonl(tmp_path / "raw/python/c.jsonl", [{"content": program("python", 77_777)}])  # new content, new hash
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_AT, phase, str(tmp_path / "catalog.yaml"), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert f"fired: {phase}" in proc.stderr, proc.stderr  # the signal was sent where this case says
    assert proc.returncode == 130 and "interrupted" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    work = work_dir_of(out)
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden in ([], [work.name])  # no staging directory, no old copy; at most the work directory
    if work.exists():  # kept only for its finished units, which the next prepare reuses; nothing half-written
        assert list((work / "units").glob("*/unit.json"))
        assert not list((work / "units").glob(".*"))
    manifest = json.loads((out / "manifest.json").read_text())
    if phase == "publish":  # interrupted while swapping in: the new corpus is there, whole
        assert manifest["content_hash"] != json.loads(old_manifest)["content_hash"]
        assert prepare(tmp_path / "catalog.yaml", out, progress=False, workers=1) == manifest  # up to date
    else:
        assert (out / "manifest.json").read_text() == old_manifest
        rerun = prepare(tmp_path / "catalog.yaml", out, progress=False, workers=1)  # the interrupted work completes
        assert rerun["content_hash"] != json.loads(old_manifest)["content_hash"] and not work.exists()
    if phase == "cleanup":
        assert "fired: cleanup,again" in proc.stderr

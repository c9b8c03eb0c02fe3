"""Mutation fuzzing of the shipped specs: whatever a mutant is, planning it ends, quickly, in a plan or in
CodescaleErrors that all carry a line -- never a traceback, a hang or a memory blow-up.

Mutations (hypothesis draws one to three): a value replaced (NaN, infinities, 400-digit numbers, negatives, wrong
types, unicode, control characters), an alias bomb, a deep nesting, a huge sweep, binary junk or arbitrary unicode
inserted anywhere, the whole document replaced by a non-mapping, a line dropped or doubled.

Time limit per case, robust on a loaded machine: each mutant is planned in one long-lived worker process under a
limit of CPU time (``ITIMER_PROF``), not wall time, so other jobs on the machine do not eat into it; the limit is
generous (a case takes ~0.1 s of CPU, the limit is 15 s), so only a real runaway reaches it. A wall-clock backstop of
several minutes catches a case that blocks without using CPU. The worker also runs under a 4 GiB address-space
limit, so an expansion bomb fails there, not in the test process. Hypothesis' own deadline is off.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CPU_LIMIT_S = 15.0
WALL_BACKSTOP_S = 300.0

WORKER = """
import base64, json, resource, signal, sys, time, traceback
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from codescale.compiler.plan import plan_spec
from codescale.core.errors import CodescaleError


class CaseTimeout(BaseException):
    pass


def out_of_time(signum, frame):
    raise CaseTimeout


signal.signal(signal.SIGPROF, out_of_time)
for line in sys.stdin:
    case = json.loads(line)
    with open(case["path"], "wb") as handle:
        handle.write(base64.b64decode(case["data"]))
    start = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, float(sys.argv[1]))
    try:
        plan_spec(case["path"])
        answer = {"outcome": "accepted"}
    except CodescaleError as err:
        errors = getattr(err, "errors", [err])
        unlocated = [e.render() for e in errors if e.line is None]
        answer = {"outcome": "unlocated", "message": unlocated[0]} if unlocated else {"outcome": "located"}
    except CaseTimeout:
        answer = {"outcome": "hang"}
    except BaseException as err:
        answer = {"outcome": "traceback", "message": traceback.format_exc(limit=-6)}
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    answer["cpu_s"] = time.process_time() - start
    print(json.dumps(answer), flush=True)
"""


class Worker:
    """The process that plans mutants, one per line of its stdin (restarted if a case kills it)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def plan(self, path: Path, data: bytes) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(CPU_LIMIT_S)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(
            (json.dumps({"path": str(path), "data": base64.b64encode(data).decode()}) + "\n").encode()
        )
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], WALL_BACKSTOP_S)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.close()
            return {"outcome": "hang" if not ready else "died", "message": "no answer from the worker"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.communicate()
            self.proc = None


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> Path:
    """A copy of specs/ to write mutants into (next to their spec, so relative paths still resolve)."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "specs", root / "specs")
    return root / "specs"


@pytest.fixture(scope="module")
def worker():
    process = Worker()
    yield process
    process.close()


SPECS = sorted(str(p.relative_to(ROOT / "specs")) for p in (ROOT / "specs").rglob("*.yaml"))
VALUES = [
    ".nan",
    "-.inf",
    ".inf",
    "1e999",
    "1.0e+999",
    "'1e999'",
    "9" * 400,
    "-" + "9" * 400,
    "-1",
    "0",
    "-0.0",
    "1e-400",
    "2e308",
    "9223372036854775808",
    "null",
    "[]",
    "{}",
    "true",
    "'nan'",
    "20x",
    "1e999x",
    "-5M",
    "1e300T",
    "é",
    "\u202e",
    "\x01",
    "\x7f",
    "\x00",
    "{python: .nan, java: .nan}",
    "{by_size: {}}",
    "{power_law: {coefficient: 1.0e+300, exponent: 10}}",
    "[python, py]",
    "*undefined",
    "&a [*a]",
]


def _bomb(levels: int, width: int) -> bytes:
    lines = [f"x0: &x0 [{', '.join(['lol'] * width)}]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * width)}]" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


def _huge_sweep(sizes: list[int]) -> bytes:
    axes = ["training.seed", "training.log_interval", "training.checkpoint_interval"]
    body = "".join(f"    {axis}: [{', '.join(str(i + 1) for i in range(n))}]\n" for axis, n in zip(axes, sizes))
    return f"sweep:\n  product:\n{body}".encode()


@st.composite
def mutants(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SPECS))
    data = (ROOT / "specs" / name).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.split(b"\n")
        keyed = [i for i, line in enumerate(lines) if b": " in line and not line.lstrip().startswith(b"#")]
        kind = draw(
            st.sampled_from(
                ["value", "value", "bomb", "deep", "sweep", "junk", "unicode", "document", "drop", "double"]
            )
        )
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "value" and keyed:
            i = keyed[at % len(keyed)]
            lines[i] = lines[i].split(b": ", 1)[0] + b": " + draw(st.sampled_from(VALUES)).encode()
            data = b"\n".join(lines)
        elif kind == "bomb":  # anchors first, then a spec value that uses the biggest
            levels = draw(st.integers(2, 9))
            data = _bomb(levels, draw(st.integers(2, 10))) + data
            if keyed:
                i = keyed[at % len(keyed)] + levels
                lines = data.split(b"\n")
                lines[i] = lines[i].split(b": ", 1)[0] + f": *x{levels - 1}".encode()
                data = b"\n".join(lines)
        elif kind == "deep" and keyed:
            depth = draw(st.sampled_from([10, 65, 1000, 100_000]))
            i = keyed[at % len(keyed)]
            lines[i] = lines[i].split(b": ", 1)[0] + b": " + b"[" * depth + b"]" * depth
            data = b"\n".join(lines)
        elif kind == "sweep":  # replaces the spec's sweep; 100 to 10^9 points before include/exclude
            sizes = draw(st.lists(st.sampled_from([10, 100, 1000]), min_size=2, max_size=3))
            kept, inside = [], False
            for line in lines:
                inside = line.startswith(b"sweep:") or (inside and line[:1] in (b" ", b"#", b""))
                if not inside:
                    kept.append(line)
            data = b"\n".join(kept) + b"\n" + _huge_sweep(sizes)
        elif kind == "junk":
            offset = draw(st.integers(0, len(data)))
            data = data[:offset] + draw(st.binary(min_size=1, max_size=6)) + data[offset:]
        elif kind == "unicode":
            offset = draw(st.integers(0, len(data)))
            data = (
                data[:offset] + draw(st.text(min_size=1, max_size=4)).encode("utf-8", "surrogatepass") + data[offset:]
            )
        elif kind == "document":
            data = draw(st.sampled_from([b"", b"# nothing\n", b"- a\n- b\n", b"42\n", b"text\n", b"~\n", b"[1, 2]\n"]))
        elif kind == "drop" and len(lines) > 1:
            del lines[at]
            data = b"\n".join(lines)
        elif kind == "double" and lines:
            lines.insert(at, lines[at])
            data = b"\n".join(lines)
    return name, data


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(mutant=mutants())
def test_a_mutated_spec_is_planned_or_refused_with_located_errors_within_the_time_limit(specs, worker, mutant):
    name, data = mutant
    path = specs / Path(name).parent / f".mutant-{os.getpid()}.yaml"
    answer = worker.plan(path, data)
    assert answer["outcome"] in ("accepted", "located"), (answer, data[:400])

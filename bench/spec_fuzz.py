"""Spec mutation fuzzer: what `codescale validate` does with thousands of broken copies of the repo's specs.

    .venv/bin/python bench/spec_fuzz.py [--mutants 6000] [--seed 0] [--cpu-limit 10] [--jobs 2] [--specs DIR]

Each mutant is one of the specs under specs/ with one to three mutations: a value replaced (NaN, infinities, huge or
negative numbers, wrong types, unicode, control characters), bytes inserted (binary junk, invalid UTF-8), an alias
bomb, a deep nesting, a huge sweep, a non-mapping document, a line deleted, duplicated or swapped, the file cut
short. Mutants are written next to a copy of their spec (so relative paths still resolve) and planned with
:func:`codescale.compiler.plan.plan_spec`, what `codescale validate` runs, each in a forked child with a CPU-time
limit (``--cpu-limit`` seconds; a hang) and a 3 GiB address-space limit (a memory bomb). The mutants are a fixed
function of ``--seed``, so two codescale versions can be compared on the same 6,000 files.

Outcomes per mutant:

- ``accepted``: planned (a mutation that kept the spec valid, e.g. another valid number);
- ``located``: refused with CodescaleErrors that all carry a line (``file:line:col``);
- ``unlocated``: refused, but at least one error has no line (listed, so each can be judged: "no position exists");
- ``traceback``: any other exception escaped (a bug);
- ``hang``: the CPU limit (or the wall-clock backstop) was reached; ``memory``: the address-space limit was.

Goal (issue 10): 0 tracebacks, 0 hangs/memory, and unlocated rejections only where no position exists.
"""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import random
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HUGE_INT = "9" * 400
VALUES = [
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "+.inf",
    "1e999",
    "1.0e+999",
    "-1.0e+999",
    "'1e999'",
    "1e400",
    "2e308",
    "1e-400",
    HUGE_INT,
    "-" + HUGE_INT,
    "0x" + "f" * 40,
    "1e18",
    "9223372036854775808",
    "-1",
    "0",
    "-0.0",
    "0.0",
    "-1e-300",
    "1e-300",
    "1",
    "2",
    "3",
    "1e30",
    "0.5",
    "1.5",
    "100",
    "'nan'",
    "nan",
    "inf",
    "null",
    "~",
    "true",
    "false",
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    "''",
    "'x'",
    "é",
    "\u202e",
    "\U0001d518",
    "\u200b",
    "\x01",
    "\x7f",
    "\x1b[31m",
    "\x00",
    "\ufeff",
    "python->java",
    "20x",
    "0x",
    "-20x",
    "1e999x",
    "nanx",
    "150M",
    "0.2B",
    "1e-9B",
    "-5M",
    "1Ti",
    "1e300T",
    "'1e999B'",
    "auto",
    "parallel",
    "none",
    "wsd",
    "cosine",
    "H800",
    "cpu",
    "direct",
    "prompt",
    "[python, java]",
    "[python, python]",
    "[py, python]",
    "{python: .nan, java: .nan}",
    "{python: 1e999}",
    "{python: -1, java: 2}",
    "{by_size: {1M: .nan}}",
    "{power_law: {coefficient: 1e308, exponent: 1e308}}",
    "{power_law: {coefficient: 1, exponent: -400}}",
    "{by_size: {.nan: 1}}",
    "{by_size: {1e999: 1}}",
]
JUNK = [
    b"\xff",
    b"\xfe\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x00",
    b"\x01\x02",
    b"\x1b",
    b"\x7f",
    b"\x85",
    b"\xe2\x80\xa8",
    b"\t",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"&",
    b"*",
    b"!",
    b"%",
    b"@",
    b"`",
    b"|",
    b">",
    b"{",
    b"[",
    b":",
    b"- ",
]


def _bomb(rng: random.Random) -> str:
    levels, width = rng.randint(3, 9), rng.randint(5, 10)
    lines = [f"bomb0: &b0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"bomb{level}: &b{level} [{', '.join([f'*b{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _huge_sweep(rng: random.Random) -> str:
    sizes = [rng.choice([10, 100, 1000]) for _ in range(rng.randint(2, 3))]
    axes = ["training.seed", "training.log_interval", "training.checkpoint_interval"]
    body = "\n".join(f"    {axis}: [{', '.join(str(i + 1) for i in range(n))}]" for axis, n in zip(axes, sizes))
    return f"sweep:\n  product:\n{body}\n"


def _deep(rng: random.Random) -> str:
    depth = rng.choice([70, 500, 5000, 50000])
    return "[" * depth + "]" * depth if rng.random() < 0.5 else "{a: " * depth + "1" + "}" * depth


def mutate(text: str, rng: random.Random) -> bytes:
    """One mutant of ``text`` (1–3 mutations), as bytes (some mutations are not valid UTF-8)."""
    data = text.encode()
    for _ in range(rng.randint(1, 3)):
        lines = data.split(b"\n")
        kind = rng.choice(
            [
                "value",
                "value",
                "value",
                "element",
                "bytes",
                "unicode",
                "bomb",
                "alias_value",
                "deep",
                "sweep",
                "document",
                "delete",
                "duplicate",
                "swap",
                "truncate",
                "indent",
            ]
        )
        key_lines = [i for i, line in enumerate(lines) if re.match(rb"^\s*[\w.\-]+\s*:\s*\S", line)]
        if kind == "value" and key_lines:
            i = rng.choice(key_lines)
            key = lines[i].split(b":", 1)[0]
            lines[i] = key + b": " + rng.choice(VALUES).encode("utf-8", "surrogatepass")
        elif kind == "element":
            flows = [i for i, line in enumerate(lines) if re.search(rb"\[[^\[\]]+\]", line)]
            if flows:
                i = rng.choice(flows)
                match = re.search(rb"\[([^\[\]]+)\]", lines[i])
                items = match.group(1).split(b",")
                items[rng.randrange(len(items))] = b" " + rng.choice(VALUES).encode()
                lines[i] = lines[i][: match.start(1)] + b",".join(items) + lines[i][match.end(1) :]
        elif kind == "bytes":
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice(JUNK) + data[at:]
            continue
        elif kind == "unicode":
            at = rng.randint(0, len(data))
            char = rng.choice(["\u202e", "\U0001d518", "\u0301", "\x00", "\ufeff", "\u2028", "\x85", "\ud800", "é"])
            data = data[:at] + char.encode("utf-8", "surrogatepass") + data[at:]
            continue
        elif kind == "bomb":
            data = _bomb(rng).encode() + data
            continue
        elif kind == "alias_value" and key_lines:  # a bomb whose top anchor is used as a spec value
            bomb = _bomb(rng)
            top = bomb.count("\n") - 1
            i = rng.choice(key_lines)
            lines[i] = lines[i].split(b":", 1)[0] + f": *b{top}".encode()
            data = bomb.encode() + b"\n".join(lines)
            continue
        elif kind == "deep" and key_lines:
            i = rng.choice(key_lines)
            lines[i] = lines[i].split(b":", 1)[0] + b": " + _deep(rng).encode()
        elif kind == "sweep":
            kept, skipping = [], False
            for line in lines:
                if line.startswith(b"sweep:"):
                    skipping = True
                    continue
                if skipping and line[:1] not in (b" ", b"#", b""):
                    skipping = False
                if not skipping:
                    kept.append(line)
            lines = kept + [_huge_sweep(rng).encode()]
        elif kind == "document":
            data = rng.choice(
                [
                    b"- a\n- b\n",
                    b"just text\n",
                    b"42\n",
                    b"",
                    b"~\n",
                    b"[study, model]\n",
                    b"---\n",
                    b"!!binary aGVsbG8=\n",
                    b"--- |\n  text\n",
                ]
            )
            continue
        elif kind == "delete" and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
        elif kind == "duplicate" and lines:
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
        elif kind == "swap" and len(lines) > 1:
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            data = data[: rng.randint(0, len(data))]
            continue
        elif kind == "indent" and lines:
            i = rng.randrange(len(lines))
            lines[i] = (
                rng.choice([b" ", b"  ", b"\t", b""]) + lines[i].lstrip() if rng.random() < 0.5 else b"    " + lines[i]
            )
        data = b"\n".join(lines)
    return data


def _outcome(path: Path) -> tuple[str, str]:
    from codescale.compiler.plan import plan_spec
    from codescale.core.errors import CodescaleError

    try:
        plan_spec(path)
    except CodescaleError as err:
        errors = getattr(err, "errors", [err])
        unlocated = [e for e in errors if e.line is None]
        if unlocated:
            return "unlocated", unlocated[0].render()
        return "located", errors[0].render()
    except MemoryError:
        return "memory", "MemoryError"
    except BaseException as err:  # noqa: BLE001 - a traceback is what we count
        return "traceback", f"{type(err).__name__}: {str(err)[:200]}"
    return "accepted", ""


def _run_child(path: Path, cpu_limit: int) -> tuple[int, int]:
    """Fork a child that plans ``path``; returns (pid, read end of its result pipe)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 1))
            resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
            sys.setrecursionlimit(10000)
            outcome = _outcome(path)
        except BaseException as err:  # noqa: BLE001
            outcome = ("traceback", f"{type(err).__name__}: {err}")
        with os.fdopen(write, "wb") as pipe:
            pickle.dump(outcome, pipe)
        os._exit(0)
    os.close(write)
    return pid, read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cpu-limit", type=int, default=10, help="CPU seconds per mutant before it counts as a hang")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=5, help="examples of each non-accepted outcome to print")
    parser.add_argument("--specs", type=Path, default=ROOT / "specs", help="the specs to mutate (default: specs/)")
    parser.add_argument(
        "--save",
        type=Path,
        default=None,
        help="copy the mutants with a traceback, hang or unlocated rejection into this directory",
    )
    args = parser.parse_args()

    import codescale.compiler.plan  # noqa: F401  (imported once, before forking)

    work = Path(tempfile.mkdtemp(prefix="codescale-fuzz-"))
    shutil.copytree(args.specs, work / "specs")
    originals = sorted(p for p in (work / "specs").rglob("*.yaml"))
    texts = {p: p.read_text() for p in originals}
    rng = random.Random(args.seed)
    mutants = []
    for n in range(args.mutants):
        original = rng.choice(originals)
        path = original.with_name(f"{original.stem}.mutant{n}.yaml")
        path.write_bytes(mutate(texts[original], rng))
        mutants.append(path)

    counts: collections.Counter[str] = collections.Counter()
    examples: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    running: dict[int, tuple[int, Path, float]] = {}
    slowest = (0.0, "")
    started = time.perf_counter()
    queue = list(mutants)
    wall_limit = args.cpu_limit * 6 + 30
    while queue or running:
        while queue and len(running) < args.jobs:
            path = queue.pop(0)
            pid, fd = _run_child(path, args.cpu_limit)
            running[fd] = (pid, path, time.monotonic())
        ready, _, _ = select.select(list(running), [], [], 1.0)
        now = time.monotonic()
        for fd in list(running):
            pid, path, began = running[fd]
            if fd not in ready and now - began < wall_limit:
                continue
            if fd not in ready:
                os.kill(pid, signal.SIGKILL)
            with os.fdopen(fd, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            del running[fd]
            if payload:
                outcome, message = pickle.loads(payload)
            elif os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
                outcome, message = "hang", f"killed by signal {os.WTERMSIG(status)}"
            else:
                outcome, message = "memory", f"child died (status {status})"
            if now - began > slowest[0]:
                slowest = (now - began, path.name)
            counts[outcome] += 1
            if args.save is not None and outcome in ("traceback", "hang", "memory", "unlocated"):
                args.save.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, args.save / f"{outcome}-{path.name}")
            if outcome != "accepted":
                key = re.sub(r"\S+\.mutant\d+\.yaml", "SPEC", message)
                key = re.sub(r":\d+:\d+", ":L:C", key)
                examples[outcome][key[:160]] += 1
    elapsed = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)

    print(
        f"{args.mutants} mutants of {len(originals)} specs (seed {args.seed}), CPU limit {args.cpu_limit} s, "
        f"{elapsed:.0f} s on {os.cpu_count()} CPUs; slowest mutant {slowest[0]:.2f} s wall"
    )
    for outcome in ("accepted", "located", "unlocated", "traceback", "hang", "memory"):
        print(f"  {outcome:10} {counts[outcome]:6}")
    for outcome in ("traceback", "hang", "memory", "unlocated"):
        if examples[outcome]:
            print(f"\n{outcome} (distinct messages: {len(examples[outcome])}):")
            for message, n in examples[outcome].most_common(args.show):
                print(f"  {n:5} x {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The execution harness: compile and run programs in seven languages, each in its own sandboxed directory, and judge.

A :class:`Program` is one complete source file (for a completion suite: prompt + completion + tests, as MultiPL-E
builds it; for translation: the generated program) plus, optionally, the stdout it must print. :meth:`Harness.check`
writes every program to its own directory, compiles and runs it in a :class:`~.sandbox.Sandbox` (a compile step and
a run step, each with its own limits), and returns one :class:`Verdict` per program:

``passed``         compiled, ran, exited 0 (and printed the expected output when one is given)
``failed``         ran and exited non-zero (a failed assertion, an exception), or printed something else
``compile_error``  the compiler (or the parser, for Python and JavaScript) refused it
``timeout``        a step ran past its wall-clock limit
``crashed``        the run was killed by a signal: a segfault, or a resource limit (CPU time, file size)
``sandbox_error``  the sandbox or the toolchain could not run it (nothing is known about the program)

Recipes (the tools are found once, at their real paths, and the sandbox sees exactly their directories):

==========  ==========================================================  ====================================
language    compile step                                                run step
==========  ==========================================================  ====================================
python      parse only (``compile()``, batched: one process per chunk)   ``python -I -B main.py``
javascript  parse only (``vm.compileFunction``, batched)                 ``node main.js``
typescript  ``tsc --target es2020 --module commonjs``, batched           ``node main.js``
java        ``javac`` in one JVM per chunk (javax.tools), ``-proc:none``  ``java -ea -cp . Class``
csharp      ``mcs -d:DEBUG -r:System.Numerics.dll`` per program          ``mono program.exe`` (a failed
                                                                        ``Debug.Assert`` fails it)
go          ``go build`` (or ``go test -c`` for MultiPL-E's ``_test``     the binary
            packages) per program, ``CGO_ENABLED=0``, a warm build cache
            per worker that only compile steps can write
rust        ``rustc --edition 2021`` per program                        the binary
==========  ==========================================================  ====================================

Batching: parsers, ``tsc`` and ``javac`` start once per chunk of up to :data:`CHUNK` programs of a language (chunks
of different languages run side by side), which is where most of the time of a compiled language goes; a chunk
whose tool dies falls back to one call per program.
Workers: ``workers`` threads, each with its own sandbox slot (own user id, own Go cache), run compile and run steps
in parallel; the harness is CPU-bound in the toolchains, so ``workers`` = cores is right.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from codescale.core.domains import LANGUAGE_IDS
from codescale.mixtures.synthetic.toolchains import java_class, missing_toolchain, source_file_name, tools_for
from codescale.titan_runner.evals.sandbox import Execution, Limits, Sandbox

log = logging.getLogger(__name__)

OUTCOMES = ("passed", "failed", "compile_error", "timeout", "crashed", "sandbox_error")
BATCHED = ("python", "javascript", "typescript", "java")
CHUNK = 48
"""At most this many programs per batched compiler call (a compiler crash costs at most one chunk a retry)."""
DETAIL_CHARS = 2000
JAVA_CLASSPATH_ENV = "CODESCALE_JAVA_CLASSPATH"
"""Extra Java class path (jars or directories, ``:``-separated) for compile and run steps."""

# Address space per language and step: runtimes that reserve large virtual areas (JVM, V8, Go) need more than they
# use (measured minimum on x86-64: node 0.7 GiB, tsc 0.8, javac/java 1.0 with the flags below, go build 0.75).
COMPILE_MEMORY_MB = {
    "python": 1024,
    "javascript": 4096,
    "typescript": 4096,
    "java": 4096,
    "csharp": 2048,
    "go": 4096,
    "rust": 4096,
}
RUN_MEMORY_MB = {
    "python": 1024,
    "javascript": 4096,
    "typescript": 4096,
    "java": 3072,
    "csharp": 2048,
    "go": 2048,
    "rust": 1024,
}
_JVM_COMMON = ("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:ErrorFile=/tmp/hs_err_%p.log", "-XX:-CreateCoredumpOnCrash")
JVM_RUN_FLAGS = (
    *_JVM_COMMON,
    "-XX:TieredStopAtLevel=1",
    "-XX:ActiveProcessorCount=1",
    "-Xmx512m",
    "-Xss16m",
    "-XX:ReservedCodeCacheSize=64m",
    "-XX:CompressedClassSpaceSize=64m",
    "-XX:MaxMetaspaceSize=256m",
)
JVM_COMPILE_FLAGS = (
    *_JVM_COMMON,
    "-XX:ActiveProcessorCount=2",
    "-Xmx1g",
    "-XX:ReservedCodeCacheSize=128m",
    "-XX:CompressedClassSpaceSize=128m",
    "-XX:MaxMetaspaceSize=512m",
)


@dataclass(frozen=True)
class Program:
    """One program to judge."""

    key: str
    """Unique within one :meth:`Harness.check` call (e.g. ``two_sum/java/3``)."""
    language: str
    source: str
    expected_stdout: str | None = None
    """When set, passing also requires this output (compared line by line, trailing whitespace ignored)."""


@dataclass(frozen=True)
class Verdict:
    """The harness's judgement of one program."""

    key: str
    language: str
    outcome: str
    detail: str = ""
    """Why, in a few lines: the compiler's or the program's last words, or the limit it hit."""
    compile_s: float = 0.0
    run_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "language": self.language,
            "outcome": self.outcome,
            "detail": self.detail,
            "compile_s": round(self.compile_s, 4),
            "run_s": round(self.run_s, 4),
        }


@dataclass(frozen=True)
class HarnessLimits:
    """Limits of the two steps; the memory limit is per language (see ``*_MEMORY_MB``) unless set here."""

    compile: Limits = Limits(cpu_s=60, wall_s=120.0, file_mb=256, processes=1024, tmp_mb=256, output_bytes=16384)
    run: Limits = Limits(cpu_s=10, wall_s=30.0, file_mb=16, processes=128, tmp_mb=64, output_bytes=16384)
    compile_memory_mb: dict[str, int] = field(default_factory=lambda: dict(COMPILE_MEMORY_MB))
    run_memory_mb: dict[str, int] = field(default_factory=lambda: dict(RUN_MEMORY_MB))

    def for_compile(self, language: str) -> Limits:
        return self.compile.replace(memory_mb=self.compile_memory_mb[language])

    def for_run(self, language: str) -> Limits:
        return self.run.replace(memory_mb=self.run_memory_mb[language])


# --- toolchains ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Toolchain:
    """A language's tools at their real paths, and the directories the sandbox must show for them."""

    language: str
    tools: dict[str, tuple[str, ...]]
    """role -> argv prefix (``{"node": ("/usr/bin/node",)}``)."""
    paths: tuple[Path, ...]
    bin_dirs: tuple[str, ...]


def _real(tool: str) -> Path:
    return Path(os.path.realpath(shutil.which(tool) or tool))


def _prefix(binary: Path) -> Path:
    """``/opt/x/bin/tool`` -> ``/opt/x`` (the install the tool belongs to)."""
    return binary.parent.parent if binary.parent.name == "bin" else binary.parent


def _capture(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


@functools.cache
def find_toolchain(language: str) -> Toolchain | None:
    """The toolchain of ``language`` on this machine, or None (:func:`toolchain_problem` says what is missing)."""
    if language == "python":  # this interpreter's own installation (the harness needs no venv packages)
        exe = Path(os.path.realpath(sys.executable))
        return Toolchain(
            language, {"python": (str(exe), "-I", "-B")}, (Path(sys.base_prefix), _prefix(exe)), (str(exe.parent),)
        )
    if missing_toolchain(language) is not None:
        return None
    if language in ("javascript", "typescript"):
        node = _real("node")
        tools: dict[str, tuple[str, ...]] = {"node": (str(node),)}
        paths = [_prefix(node)]
        if language == "typescript":
            tsc = _real("tsc")
            tools["tsc"] = (str(node), str(tsc))
            paths.append(tsc.parent.parent)  # the typescript package
        return Toolchain(language, tools, tuple(paths), (str(node.parent),))
    if language == "java":
        javac, java = _real("javac"), _real("java")
        return Toolchain(
            language,
            {"javac": (str(javac),), "java": (str(java),)},
            (_prefix(javac), _prefix(java)),
            (str(javac.parent), str(java.parent)),
        )
    if language == "csharp":
        found = tools_for("csharp")
        if found is None:  # removed from PATH since missing_toolchain looked
            return None
        compiler, mono = (_real(t) for t in found)
        return Toolchain(
            language,
            {"compiler": (str(shutil.which(found[0])),), "mono": (str(mono),)},
            (_prefix(compiler), _prefix(mono)),
            (str(mono.parent),),
        )
    if language == "go":
        go = _real("go")
        goroot = Path(_capture([str(go), "env", "GOROOT"]) or _prefix(go))
        return Toolchain(language, {"go": (str(go),)}, (goroot,), (str(go.parent),))
    if language == "rust":
        sysroot = _capture(["rustc", "--print", "sysroot"])
        rustc = Path(sysroot) / "bin" / "rustc" if sysroot else _real("rustc")
        return Toolchain(
            language, {"rustc": (str(rustc),)}, (Path(sysroot) if sysroot else _prefix(rustc),), (str(rustc.parent),)
        )
    raise ValueError(f"unknown language {language!r}")


def _installed(language: str) -> Toolchain:
    """The toolchain of a language :func:`toolchain_problem` already found (a harness bug otherwise)."""
    toolchain = find_toolchain(language)
    if toolchain is None:
        raise RuntimeError(f"no {language} toolchain: samples of a missing toolchain are decided before any step")
    return toolchain


def toolchain_problem(language: str) -> str | None:
    """None when ``language`` can be evaluated here, else what is missing."""
    if language not in LANGUAGE_IDS:
        return f"unknown language {language!r}"
    return None if find_toolchain(language) is not None else missing_toolchain(language)


def _helper(name: str) -> Path:
    return Path(str(resources.files("codescale.titan_runner.evals") / "helpers" / name))


# --- samples and recipes -------------------------------------------------------------------------------------------


@dataclass
class _Sample:
    index: int
    program: Program
    dir: Path
    file: Path
    compile_s: float = 0.0
    compiled: bool | None = None
    """None: not compiled yet; False: a verdict is already decided (compile error, ...)."""
    verdict: Verdict | None = None

    def decide(self, outcome: str, detail: str = "", run_s: float = 0.0) -> None:
        self.verdict = Verdict(
            self.program.key, self.program.language, outcome, detail[-DETAIL_CHARS:], self.compile_s, run_s
        )
        self.compiled = False

    @property
    def final_verdict(self) -> Verdict:
        """The verdict, once :meth:`decide` has been called (every sample's is, by the end of a check)."""
        if self.verdict is None:
            raise RuntimeError(f"harness bug: {self.program.key} was left without a verdict")
        return self.verdict


def _is_go_test(source: str) -> bool:
    return bool(re.search(r"^package\s+\w+_test\b", source, re.M) or re.search(r"\*testing\.T\b", source))


def _file_name(program: Program) -> str:
    if program.language == "go" and _is_go_test(program.source):
        return "main_test.go"
    return source_file_name(program.language, program.source)


def _java_main(source: str) -> str:
    package = re.search(r"^\s*package\s+([\w.]+)\s*;", source, re.M)
    name = java_class(source)
    return f"{package.group(1)}.{name}" if package else name


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip("\n").split("\n"))


_CSHARP_FAILURE = ("System.Diagnostics.DefaultTraceListener.Fail", "Unhandled Exception", "---- DEBUG ASSERTION FAILED")


class Harness:
    """Judges programs; keeps a work directory and a sandbox for its lifetime (use as a context manager)."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        isolation: str = "auto",
        limits: HarnessLimits | None = None,
        work_dir: str | Path | None = None,
        keep: bool = False,
        java_classpath: Sequence[str | Path] | None = None,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or HarnessLimits()
        if java_classpath is None:  # MultiPL-E's Java imports org.javatuples: point this at javatuples-1.2.jar
            java_classpath = [p for p in os.environ.get(JAVA_CLASSPATH_ENV, "").split(":") if p]
        self.java_classpath = [Path(p).resolve() for p in java_classpath]
        toolchains = [toolchain for lang in LANGUAGE_IDS if (toolchain := find_toolchain(lang)) is not None]
        paths = [p for toolchain in toolchains for p in toolchain.paths] + self.java_classpath
        self.sandbox = Sandbox(isolation=isolation, toolchain_paths=paths)
        self.root = Path(tempfile.mkdtemp(prefix="codescale-harness-", dir=work_dir)).resolve()
        self.keep = keep
        self._counter = 0
        self._slots = threading.local()
        self.go_caches = self.root / "go-cache"
        self.go_caches.mkdir()

    @property
    def isolation(self) -> str:
        return self.sandbox.isolation

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- public API ----------------------------------------------------------------------------------------------
    def check(self, programs: Sequence[Program], progress: Callable[[int], None] | None = None) -> list[Verdict]:
        """One verdict per program, in order. ``progress(n)`` is called as verdicts are decided."""
        keys = [p.key for p in programs]
        if len(set(keys)) != len(keys):
            raise ValueError("program keys must be unique within one check")
        batch = self.root / f"batch-{self._counter:05d}"
        self._counter += 1
        batch.mkdir(mode=0o777)
        os.chmod(batch, 0o777)
        samples = [self._write(i, program, batch) for i, program in enumerate(programs)]
        for sample in samples:
            problem = toolchain_problem(sample.program.language)
            if problem:
                sample.decide("sandbox_error", problem)
        chunks = [
            chunk
            for lang in BATCHED
            for chunk in self._chunks([s for s in samples if s.compiled is None and s.program.language == lang])
        ]
        chunked = {id(s) for chunk in chunks for s in chunk}
        remaining = len(samples)
        finished = threading.Condition()

        def judged(_future) -> None:
            nonlocal remaining
            with finished:
                remaining -= 1
                if progress:
                    progress(len(samples) - remaining)
                finished.notify_all()

        slots = itertools.count()
        with ThreadPoolExecutor(self.workers, initializer=lambda: self._take_slot(next(slots))) as pool:

            def start(sample: _Sample) -> None:
                pool.submit(self._compile_and_run, sample).add_done_callback(judged)

            def start_chunk(chunk: list[_Sample], _compiled: Future[None]) -> None:
                for sample in chunk:
                    start(sample)

            # batched compiles first (the longest steps); each chunk's programs run as soon as it is compiled,
            # while the other languages' programs compile and run alongside
            for chunk in chunks:
                pool.submit(self._batch_compile, batch, chunk).add_done_callback(functools.partial(start_chunk, chunk))
            for sample in samples:
                if id(sample) not in chunked:
                    start(sample)
            with finished:
                finished.wait_for(lambda: remaining == 0)
        if not self.keep:
            shutil.rmtree(batch, ignore_errors=True)
        return [s.final_verdict for s in samples]

    # --- internals -----------------------------------------------------------------------------------------------
    def _take_slot(self, slot: int) -> None:
        """Each worker thread of a check gets slot 0, 1, ... (its sandbox user id and Go cache)."""
        self._slots.slot = slot
        cache = self.go_caches / str(self._slots.slot)
        cache.mkdir(exist_ok=True)
        os.chmod(cache, 0o777)

    @property
    def slot(self) -> int:
        return getattr(self._slots, "slot", 0)

    def _chunks(self, samples: list[_Sample]) -> list[list[_Sample]]:
        """As few chunks as CHUNK allows: every chunk pays one tool start (a JVM, tsc), and the languages' chunks
        already run side by side on the workers."""
        if not samples:
            return []
        count = -(-len(samples) // CHUNK)
        size = -(-len(samples) // count)
        return [samples[i : i + size] for i in range(0, len(samples), size)]

    def _write(self, index: int, program: Program, batch: Path) -> _Sample:
        directory = batch / f"s{index:06d}"
        directory.mkdir(mode=0o777)
        os.chmod(directory, 0o777)
        path = directory / _file_name(program)
        path.write_text(program.source, encoding="utf-8")
        if program.language == "go":
            (directory / "go.mod").write_text("module codescale.eval/sample\n\ngo 1.18\n", encoding="utf-8")
        return _Sample(index, program, directory, path)

    def _env(self, language: str) -> dict[str, str]:
        toolchain = _installed(language)
        # glibc reserves 64 MiB of address space per thread arena: two arenas keep JVMs inside their limit
        env = {"PATH": ":".join([*toolchain.bin_dirs, "/usr/local/bin", "/usr/bin", "/bin"]), "MALLOC_ARENA_MAX": "2"}
        if language == "go":
            env.update(
                GOCACHE=str(self.go_caches / str(self.slot)),
                GOPATH="/tmp/gopath",
                GOFLAGS="-mod=mod",
                GO111MODULE="on",
                GOTOOLCHAIN="local",
                GOPROXY="off",
                GOSUMDB="off",
                CGO_ENABLED="0",
                GOTELEMETRY="off",
                GOMAXPROCS="2",
            )
        if language in ("javascript", "typescript"):
            env["UV_THREADPOOL_SIZE"] = "2"
        if language == "csharp":
            env.update(MONO_TRACE_LISTENER="Console.Error", MONO_ENV_OPTIONS="--gc=sgen")
        return env

    def _step(
        self,
        argv: Sequence[str | Path],
        cwd: Path,
        language: str,
        *,
        compile_step: bool,
        writable: Sequence[Path] = (),
        readonly: Sequence[Path] = (),
    ) -> Execution:
        limits = self.limits.for_compile(language) if compile_step else self.limits.for_run(language)
        if language == "go" and compile_step:
            writable = [*writable, self.go_caches / str(self.slot)]
        return self.sandbox.run(
            argv, cwd=cwd, limits=limits, env=self._env(language), writable=writable, readonly=readonly, slot=self.slot
        )

    # batched compile steps: one process per chunk; per-program verdicts from its per-line report
    def _batch_compile(self, batch: Path, chunk: list[_Sample]) -> None:
        try:
            self._compile_chunk(batch, chunk)
        except Exception:  # its programs are then compiled one by one
            log.exception("batched compile of %d %s programs failed", len(chunk), chunk[0].program.language)

    def _compile_chunk(self, batch: Path, chunk: list[_Sample]) -> None:
        language = chunk[0].program.language
        tools = _installed(language).tools
        started = time.monotonic()
        if language == "python":
            helper = _helper("syntax_check.py")
            result = self._step(
                [*tools["python"], helper, *(s.file for s in chunk)],
                batch,
                language,
                compile_step=True,
                readonly=[batch, helper],
            )
            reports = _line_reports(result.stdout)
        elif language == "javascript":
            helper = _helper("syntax_check.js")
            result = self._step(
                [*tools["node"], helper, *(s.file for s in chunk)],
                batch,
                language,
                compile_step=True,
                readonly=[batch, helper],
            )
            reports = _line_reports(result.stdout)
        elif language == "typescript":
            result = self._step(
                [
                    *tools["tsc"],
                    "--target",
                    "es2020",
                    "--module",
                    "commonjs",
                    "--moduleDetection",
                    "force",
                    "--skipLibCheck",
                    "--pretty",
                    "false",
                    "--newLine",
                    "lf",
                    *(s.file.relative_to(batch) for s in chunk),
                ],
                batch,
                language,
                compile_step=True,
                writable=[s.dir for s in chunk],
                readonly=[batch],
            )
            reports = _tsc_reports(result, batch, chunk)
        else:  # java
            listing = batch / f"javac-{chunk[0].index:06d}.txt"
            listing.write_text("".join(f"{s.dir}\t{s.file}\n" for s in chunk), encoding="utf-8")
            helper = _helper("BatchCompile.java")
            result = self._step(
                [*tools["java"], *JVM_COMPILE_FLAGS, helper, listing, self._classpath("")],
                batch,
                language,
                compile_step=True,
                writable=[s.dir for s in chunk],
                readonly=[batch, helper],
            )
            reports = {
                i: (ok, _read(chunk[i].dir / "javac.log")) for i, (ok, _) in _line_reports(result.stdout).items()
            }
        share = (time.monotonic() - started) / len(chunk)
        for i, sample in enumerate(chunk):
            sample.compile_s = share
            if i not in reports:  # the batch tool died before this one: compile it alone later
                continue
            ok, message = reports[i]
            if ok:
                sample.compiled = True
            else:
                sample.decide("compile_error", message)

    def _compile_and_run(self, sample: _Sample) -> None:
        try:
            self._judge_sample(sample)
        except Exception as err:  # a harness bug must not lose the other samples' verdicts
            log.exception("harness error on %s", sample.program.key)
            sample.decide("sandbox_error", f"harness error: {type(err).__name__}: {err}")

    def _judge_sample(self, sample: _Sample) -> None:
        if sample.verdict is not None:
            return
        language = sample.program.language
        if sample.compiled is None:
            started = time.monotonic()
            result = self._compile_one(sample)
            sample.compile_s += time.monotonic() - started
            if result is not None and not result.ok:
                outcome = (
                    "sandbox_error" if result.sandbox_error else "timeout" if result.timed_out else "compile_error"
                )
                sample.decide(outcome, _last_words(result))
                return
        started = time.monotonic()
        result = self._step(self._run_argv(sample), sample.dir, language, compile_step=False)
        run_s = time.monotonic() - started
        sample.decide(*self._judge(sample, result), run_s=run_s)

    def _compile_one(self, sample: _Sample) -> Execution | None:
        """The compile step of one program (also the fallback of a batched language)."""
        language, tools, d = sample.program.language, _installed(sample.program.language).tools, sample.dir
        name = sample.file.name
        if language == "python":
            helper = _helper("syntax_check.py")
            result = self._step([*tools["python"], helper, name], d, language, compile_step=True, readonly=[d, helper])
            return _as_compile(result, _line_reports(result.stdout).get(0))
        if language == "javascript":
            helper = _helper("syntax_check.js")
            result = self._step([*tools["node"], helper, name], d, language, compile_step=True, readonly=[d, helper])
            return _as_compile(result, _line_reports(result.stdout).get(0))
        if language == "typescript":
            return self._step(
                [
                    *tools["tsc"],
                    "--target",
                    "es2020",
                    "--module",
                    "commonjs",
                    "--moduleDetection",
                    "force",
                    "--skipLibCheck",
                    "--pretty",
                    "false",
                    name,
                ],
                d,
                language,
                compile_step=True,
                writable=[d],
            )
        if language == "java":
            return self._step(
                [
                    *tools["javac"],
                    *(f"-J{f}" for f in JVM_COMPILE_FLAGS),
                    "-proc:none",
                    "-encoding",
                    "UTF-8",
                    "-nowarn",
                    "-cp",
                    self._classpath("."),
                    "-d",
                    ".",
                    name,
                ],
                d,
                language,
                compile_step=True,
                writable=[d],
            )
        if language == "csharp":
            return self._step(
                [
                    *tools["compiler"],
                    "-d:DEBUG",
                    "-r:System.Numerics.dll",
                    "-nowarn:CS0219,CS0168",
                    "-out:program.exe",
                    name,
                ],
                d,
                language,
                compile_step=True,
                writable=[d],
            )
        if language == "go":
            build = (
                ["test", "-c", "-o", "program", "."]
                if _is_go_test(sample.program.source)
                else ["build", "-o", "program", "."]
            )
            return self._step([*tools["go"], *build], d, language, compile_step=True, writable=[d])
        if language == "rust":
            return self._step(
                [
                    *tools["rustc"],
                    "--edition",
                    "2021",
                    "-C",
                    "codegen-units=1",
                    "-C",
                    "debuginfo=0",
                    "-A",
                    "warnings",
                    "-o",
                    "program",
                    name,
                ],
                d,
                language,
                compile_step=True,
                writable=[d],
            )
        raise ValueError(f"unknown language {language!r}")

    def _classpath(self, first: str) -> str:
        return ":".join([first, *map(str, self.java_classpath)] if first else map(str, self.java_classpath))

    def _run_argv(self, sample: _Sample) -> list[str]:
        language, tools = sample.program.language, _installed(sample.program.language).tools
        if language == "python":
            return [*tools["python"], sample.file.name]
        if language in ("javascript", "typescript"):
            return [*tools["node"], "--v8-pool-size=2", sample.file.with_suffix(".js").name]
        if language == "java":
            return [
                *tools["java"],
                "-ea",
                *JVM_RUN_FLAGS,
                "-cp",
                self._classpath("."),
                _java_main(sample.program.source),
            ]
        if language == "csharp":
            return [*tools["mono"], "program.exe"]
        if language == "go":
            return ["./program", "-test.v"] if _is_go_test(sample.program.source) else ["./program"]
        if language == "rust":
            return ["./program"]
        raise ValueError(f"unknown language {language!r}")

    def _judge(self, sample: _Sample, result: Execution) -> tuple[str, str]:
        if result.sandbox_error:
            return "sandbox_error", result.sandbox_error
        if result.timed_out:
            return "timeout", f"no result within {self.limits.run.wall_s:g} s (wall clock)"
        if result.signal is not None:
            return "crashed", f"{result.describe()}\n{_last_words(result)}"
        if result.exit_code != 0:
            return "failed", f"{result.describe()}\n{_last_words(result)}"
        if sample.program.language == "csharp" and any(marker in result.stderr for marker in _CSHARP_FAILURE):
            return "failed", f"assertion failed\n{_last_words(result)}"
        expected = sample.program.expected_stdout
        if expected is not None and _normalise(result.stdout) != _normalise(expected):
            got = _normalise(result.stdout)[:400]
            return "failed", f"wrong output: expected {_normalise(expected)[:400]!r}, got {got!r}"
        return "passed", ""


def _read(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text(encoding="utf-8", errors="replace")
    return ""


def _last_words(result: Execution) -> str:
    text = result.stderr.strip() or result.stdout.strip()
    return "\n".join(text.splitlines()[-12:])[-DETAIL_CHARS:]


def _line_reports(stdout: str) -> dict[int, tuple[bool, str]]:
    """``OK i`` / ``FAIL i<TAB>message`` lines of a batch helper, by index."""
    reports: dict[int, tuple[bool, str]] = {}
    for line in stdout.splitlines():
        match = re.match(r"(OK|FAIL) (\d+)(?:\t(.*))?$", line)
        if match:
            reports[int(match.group(2))] = (match.group(1) == "OK", match.group(3) or "")
    return reports


def _as_compile(result: Execution, report: tuple[bool, str] | None) -> Execution:
    """A parse-only helper's verdict on one file as a compile step's Execution."""
    if report is None or result.sandbox_error or result.timed_out:
        return result
    ok, message = report
    return Execution(0 if ok else 1, stderr=message, isolation=result.isolation, wall_s=result.wall_s)


def _tsc_reports(result: Execution, batch: Path, chunk: list[_Sample]) -> dict[int, tuple[bool, str]]:
    """Per-file verdicts of one ``tsc`` over a chunk: a file is refused when a diagnostic names it."""
    if result.sandbox_error or result.timed_out or result.signal is not None:
        return {}
    blamed: dict[str, list[str]] = {}
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r"(s\d{6})/", line)
        if match:
            blamed.setdefault(match.group(1), []).append(line)
    if result.exit_code != 0 and not blamed:
        return {}  # failed without naming a file: let each compile alone
    return {i: (s.dir.name not in blamed, "\n".join(blamed.get(s.dir.name, []))) for i, s in enumerate(chunk)}


def outcome_counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    """How many verdicts of each outcome (every outcome present, zeros included)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for verdict in verdicts:
        counts[verdict.outcome] += 1
    return counts

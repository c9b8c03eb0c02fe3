"""Compile (and optionally run) programs with the real toolchain of each language, where it is installed.

This is how the project shows that the synthetic corpus and the hand-written evaluation set are real code: every
language is checked by its own compiler or interpreter, never by a regex. A check writes each program into its own
directory under a temporary work area (program ``i`` lives in ``p0000i/``, so diagnostics can be traced back to it),
batches where the tool allows it (one ``javac`` per set of distinct class names, one ``tsc``, one ``go vet``), and
returns one :class:`Checked` per program.

Tools per language (the first found wins; ``missing_toolchain`` says which is absent). The generation-eval harness
(``codescale.titan_runner.evals.harness``) reads the same table (:data:`REQUIRED_TOOLS`, :func:`tools_for`) and the
same file naming (:func:`source_file_name`), and adds the sandbox and test semantics on top:

==========  ===============================================  ======================================
language    compile check                                    run
==========  ===============================================  ======================================
python      ``python -m py_compile``                         ``python file.py``
javascript  ``node --check``                                 ``node file.js``
typescript  ``tsc --strict`` to CommonJS (one call)          ``node`` on the emitted file
java        ``javac``                                        ``java -cp out Class``
csharp      ``mcs`` (Mono) or ``csc``                        ``mono program.exe``
go          ``go vet`` and ``gofmt -l`` (must list nothing)  ``go build``, then the binary
rust        ``rustc --edition 2021 --emit=metadata``         ``rustc`` to a binary, then the binary
==========  ===============================================  ======================================
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codescale.core.domains import LANGUAGE_IDS

REQUIRED_TOOLS: dict[str, list[tuple[str, ...]]] = {
    "python": [(sys.executable,)],
    "javascript": [("node",)],
    "typescript": [("tsc", "node")],
    "java": [("javac", "java")],
    "csharp": [("mcs", "mono"), ("csc", "mono")],
    "go": [("go", "gofmt")],
    "rust": [("rustc",)],
}


@dataclass(frozen=True)
class Checked:
    """The verdict on one program: ``output`` is its stdout when it was run, ``diagnostics`` what the tools said."""

    ok: bool
    output: str = ""
    diagnostics: str = ""


def tools_for(language: str) -> tuple[str, ...] | None:
    """The first complete set of tools of ``language`` found on PATH (e.g. ``("mcs", "mono")``), or None."""
    for candidate in REQUIRED_TOOLS[language]:
        if all(shutil.which(tool) for tool in candidate):
            return candidate
    return None


def missing_toolchain(language: str) -> str | None:
    """None when ``language`` can be checked here; otherwise a sentence naming the missing tools."""
    if language not in LANGUAGE_IDS:
        raise ValueError(f"unknown language id {language!r}")
    if tools_for(language) is not None:
        return None
    wanted = " or ".join("+".join(candidate) for candidate in REQUIRED_TOOLS[language])
    return f"{language}: toolchain not installed (needs {wanted} on PATH)"


def _run(command: Sequence[str | Path], cwd: Path, timeout: float, env: dict | None = None) -> tuple[int, str, str]:
    try:
        done = subprocess.run(
            [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired as expired:
        said = expired.stderr.decode(errors="replace") if isinstance(expired.stderr, bytes) else expired.stderr or ""
        return 124, "", f"timed out after {timeout:.0f}s: {' '.join(map(str, command))}\n{said}"
    return done.returncode, done.stdout, done.stderr


def _attribute(returncode: int, diagnostics: str, count: int) -> list[Checked]:
    """Split one batch result into per-program verdicts by the ``p0000i`` directory named in the diagnostics."""
    if returncode == 0 and not diagnostics.strip():
        return [Checked(True) for _ in range(count)]
    blamed = {int(match) for match in re.findall(r"p(\d{5})", diagnostics)}
    if returncode != 0 and not blamed:  # a failure that names no file: blame everything rather than pass it
        blamed = set(range(count))
    return [Checked(i not in blamed, diagnostics=diagnostics if i in blamed else "") for i in range(count)]


def java_class(source: str) -> str:
    """The class a Java source file must be named after: its public class, else its first class, else ``Main``."""
    match = re.search(r"public\s+(?:final\s+|abstract\s+)*class\s+(\w+)", source) or re.search(
        r"\bclass\s+(\w+)", source
    )
    return match.group(1) if match else "Main"


FILE_NAMES = {
    "python": "main.py",
    "javascript": "main.js",
    "typescript": "main.ts",
    "csharp": "Program.cs",
    "go": "main.go",
    "rust": "main.rs",
}


def source_file_name(language: str, source: str) -> str:
    """The file name a program of ``language`` is written to (Java: after its class)."""
    return f"{java_class(source)}.java" if language == "java" else FILE_NAMES[language]


@dataclass
class _Workspace:
    """The programs of one check, written to ``root/p0000i/<file>``, and what the compile step left for the runs."""

    root: Path
    files: list[Path]
    timeout: float
    java_classes: dict[int, Path] = field(default_factory=dict)

    def run(self, command: Sequence[str | Path], cwd: Path | None = None, env: dict | None = None):
        return _run(command, cwd or self.root, self.timeout, env)


def check_programs(
    language: str, sources: Sequence[str], *, run: bool | Collection[int] = False, timeout: float = 300
) -> list[Checked]:
    """Compile each program of ``language``; one :class:`Checked` per source, in order.

    ``run`` runs every program that compiled (True) or those at the given indices, and keeps their stdout.
    Raises RuntimeError when the toolchain is missing: call :func:`missing_toolchain` first to skip instead.
    """
    reason = missing_toolchain(language)
    if reason is not None:
        raise RuntimeError(reason)
    with tempfile.TemporaryDirectory(prefix=f"codescale-{language}-") as tmp:
        workspace = _Workspace(Path(tmp), [], timeout)
        for i, source in enumerate(sources):
            path = workspace.root / f"p{i:05d}" / source_file_name(language, source)
            path.parent.mkdir()
            path.write_text(source, encoding="utf-8")
            workspace.files.append(path)
        checked = _CHECKERS[language](workspace)
        to_run = set(range(len(sources))) if run is True else set(run or ())
        checked = [
            _RUNNERS[language](workspace, i) if verdict.ok and i in to_run else verdict
            for i, verdict in enumerate(checked)
        ]
        return checked


# --- compile checks ----------------------------------------------------------------------------------------------


def _check_python(ws: _Workspace) -> list[Checked]:
    code, _, err = ws.run([sys.executable, "-m", "py_compile", *ws.files])
    return _attribute(code, err, len(ws.files))


def _check_javascript(ws: _Workspace) -> list[Checked]:
    results = []
    for path in ws.files:
        code, _, err = ws.run(["node", "--check", path])
        results.append(Checked(code == 0, diagnostics=err))
    return results


def _check_typescript(ws: _Workspace) -> list[Checked]:
    # One tsc for all programs, each its own module (equal function names in two programs must not collide); the
    # CommonJS output under js/ is what the runs execute.
    code, out, err = ws.run(
        [
            "tsc",
            "--strict",
            "--target",
            "es2020",
            "--module",
            "commonjs",
            "--moduleDetection",
            "force",
            "--rootDir",
            ws.root,
            "--outDir",
            ws.root / "js",
            *ws.files,
        ]
    )
    return _attribute(code, out + err, len(ws.files))


def _check_java(ws: _Workspace) -> list[Checked]:
    batches: list[list[int]] = []
    for i, path in enumerate(ws.files):  # one javac per batch of distinct class names
        batch = next((b for b in batches if all(ws.files[j].name != path.name for j in b)), None)
        if batch is None:
            batch = []
            batches.append(batch)
        batch.append(i)
    verdicts: dict[int, Checked] = {}
    for number, batch in enumerate(batches):
        classes = ws.root / f"classes-{number}"
        code, out, err = ws.run(["javac", "-d", classes, *(ws.files[i] for i in batch)])
        blamed = _attribute(code, out + err, len(ws.files))
        for i in batch:
            verdicts[i] = blamed[i]
            ws.java_classes[i] = classes
    return [verdicts[i] for i in range(len(ws.files))]


def _check_csharp(ws: _Workspace) -> list[Checked]:
    tools = tools_for("csharp")
    assert tools is not None, "checkers run only after missing_toolchain() found the tools"
    compiler = tools[0]
    results = []
    for path in ws.files:
        code, out, err = ws.run([compiler, f"-out:{path.with_suffix('.exe')}", path])
        results.append(Checked(code == 0, diagnostics="" if code == 0 else out + err))
    return results


def _go_env(ws: _Workspace) -> dict:
    env = dict(os.environ, GOFLAGS="-mod=mod", GO111MODULE="on", GOTOOLCHAIN="local", GOPROXY="off")
    if "GOCACHE" not in env and "HOME" not in env and "XDG_CACHE_HOME" not in env:
        env["GOCACHE"] = str(ws.root / "gocache")
    return env


def _check_go(ws: _Workspace) -> list[Checked]:
    (ws.root / "go.mod").write_text("module codescale.check/programs\n\ngo 1.19\n", encoding="utf-8")
    code, out, err = ws.run(["go", "vet", "./..."], env=_go_env(ws))
    verdicts = _attribute(code, out + err, len(ws.files))
    _, unformatted, _ = ws.run(["gofmt", "-l", *ws.files])
    badly_formatted = {int(m) for m in re.findall(r"p(\d{5})", unformatted)}
    return [
        Checked(False, diagnostics=f"{ws.files[i]}: not gofmt-formatted") if i in badly_formatted and v.ok else v
        for i, v in enumerate(verdicts)
    ]


def _check_rust(ws: _Workspace) -> list[Checked]:
    results = []
    for path in ws.files:  # --emit=metadata: parse, type and borrow check without code generation
        code, out, err = ws.run(
            [
                "rustc",
                "--edition",
                "2021",
                "--crate-type",
                "bin",
                "--emit=metadata",
                "-o",
                path.with_suffix(".rmeta"),
                path,
            ],
            cwd=path.parent,
        )
        results.append(Checked(code == 0, diagnostics="" if code == 0 else out + err))
    return results


# --- runs --------------------------------------------------------------------------------------------------------


def _ran(result: tuple[int, str, str]) -> Checked:
    code, out, err = result
    return Checked(code == 0, output=out, diagnostics=err)


def _run_python(ws: _Workspace, i: int) -> Checked:
    return _ran(ws.run([sys.executable, ws.files[i]]))


def _run_javascript(ws: _Workspace, i: int) -> Checked:
    return _ran(ws.run(["node", ws.files[i]]))


def _run_typescript(ws: _Workspace, i: int) -> Checked:
    return _ran(ws.run(["node", ws.root / "js" / ws.files[i].parent.name / "main.js"]))


def _run_java(ws: _Workspace, i: int) -> Checked:
    return _ran(ws.run(["java", "-cp", ws.java_classes[i], ws.files[i].stem]))


def _run_csharp(ws: _Workspace, i: int) -> Checked:
    return _ran(ws.run(["mono", ws.files[i].with_suffix(".exe")]))


def _run_go(ws: _Workspace, i: int) -> Checked:
    binary = ws.files[i].parent / "program"
    code, out, err = ws.run(["go", "build", "-o", binary, "."], cwd=ws.files[i].parent, env=_go_env(ws))
    if code != 0:
        return Checked(False, diagnostics=out + err)
    return _ran(ws.run([binary]))


def _run_rust(ws: _Workspace, i: int) -> Checked:
    binary = ws.files[i].parent / "program"
    code, out, err = ws.run(["rustc", "--edition", "2021", "-o", binary, ws.files[i]], cwd=ws.files[i].parent)
    if code != 0:
        return Checked(False, diagnostics=out + err)
    return _ran(ws.run([binary]))


_CHECKERS = {
    "python": _check_python,
    "javascript": _check_javascript,
    "typescript": _check_typescript,
    "java": _check_java,
    "csharp": _check_csharp,
    "go": _check_go,
    "rust": _check_rust,
}
_RUNNERS = {
    "python": _run_python,
    "javascript": _run_javascript,
    "typescript": _run_typescript,
    "java": _run_java,
    "csharp": _run_csharp,
    "go": _run_go,
    "rust": _run_rust,
}

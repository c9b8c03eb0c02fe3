"""codescale installed from its wheels, outside the checkout: build every distribution's wheel, install them into a
fresh virtual environment, and run the main commands from a temporary directory.

The fresh environment gets no third-party packages of its own: a ``.pth`` file puts this test environment's
site-packages on its path, so torch & co are reused instead of reinstalled. Directories named by a ``.pth`` line are
not site directories, so the editable-install ``.pth`` files in there are not processed: the only codescale code the
environment sees is the wheels' (checked below). Wheels are built with ``--no-build-isolation`` (hatchling from the
``dev`` extra) and installed with ``--no-index``, so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "compiler", "mixtures", "titan_runner", "laws", "demo"]


def _run(args: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheels dir, venv dir, env for subprocesses, a working directory outside the checkout)."""
    root = tmp_path_factory.mktemp("wheel-install")
    wheels, venv, work = root / "wheels", root / "venv", root / "work"
    work.mkdir()
    base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    sources = [str(REPO / "packages" / p) for p in PACKAGES] + [str(REPO)]
    _run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), *sources], env=base_env, cwd=root
    )
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=base_env, cwd=root)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=base_env, cwd=root
        ).stdout.strip()
    )
    (site / "_codescale_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", *map(str, wheels.glob("*.whl"))],
        env=base_env,
        cwd=root,
    )
    env = dict(base_env, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{base_env.get('PATH', '')}")
    return wheels, venv, env, work


def test_every_distribution_builds_a_wheel_with_its_package_data(installed):
    wheels, *_ = installed
    names = sorted(p.name.split("-")[0] for p in wheels.glob("*.whl"))
    assert names == sorted(["codescale"] + [f"codescale_{p}" for p in PACKAGES])
    (demo,) = wheels.glob("codescale_demo-*.whl")
    with zipfile.ZipFile(demo) as archive:
        shipped = {
            n.removeprefix("codescale/demo/specs/"): archive.read(n)
            for n in archive.namelist()
            if n.startswith("codescale/demo/specs/")
        }
    repo_specs = {
        p.relative_to(REPO / "specs/demo").as_posix(): p.read_bytes() for p in (REPO / "specs/demo").rglob("*.yaml")
    }
    assert shipped == repo_specs  # the wheel carries specs/demo itself, not a link
    (compiler,) = wheels.glob("codescale_compiler-*.whl")
    assert "codescale/compiler/templates/jobs.py.j2" in zipfile.ZipFile(compiler).namelist()
    (mixtures,) = wheels.glob("codescale_mixtures-*.whl")
    assert "codescale/mixtures/evalsets/tasks/index.yaml" in zipfile.ZipFile(mixtures).namelist()


def test_the_environment_sees_only_the_wheels_and_their_requirements_hold(installed):
    _, venv, env, work = installed
    where = _run(
        [
            "python",
            "-c",
            "import importlib, json; print(json.dumps({m: list(importlib.import_module("
            "f'codescale.{m}').__path__) for m in " + json.dumps(PACKAGES) + "}))",
        ],
        env=env,
        cwd=work,
    )
    for module, paths in json.loads(where.stdout).items():
        assert paths and all(Path(p).is_relative_to(venv) for p in paths), (module, paths)
    _run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(venv / "bin" / "python"), "check"],
        env=env,
        cwd=work,
    )


def test_help_version_and_the_demo_spec_discovery_work_from_any_directory(installed):
    _, venv, env, work = installed
    assert "validate" in _run(["codescale", "--help"], env=env, cwd=work).stdout
    assert _run(["codescale", "--version"], env=env, cwd=work).stdout.strip() == "codescale 0.1.0"
    listed = _run(["codescale", "demo", "--quick", "--list-specs"], env=env, cwd=work).stdout.split()
    assert [Path(p).name for p in listed] == ["mixtures.yaml", "pairing.yaml", "per_language.yaml", "synergy.yaml"]
    assert all(Path(p).is_relative_to(venv) and Path(p).is_file() for p in listed)


def test_a_packaged_demo_spec_validates_and_plans(installed):
    _, _, env, work = installed
    (spec,) = [
        p
        for p in _run(["codescale", "demo", "--list-specs"], env=env, cwd=work).stdout.split()
        if p.endswith("/per_language.yaml")
    ]
    assert ": ok, 27 runs" in _run(["codescale", "validate", spec], env=env, cwd=work).stdout
    assert "totals: 27 runs" in _run(["codescale", "plan", spec], env=env, cwd=work).stdout


def test_data_compile_train_and_ingest_one_run_with_the_installed_wheels(installed):
    _, _, env, work = installed
    _run(
        [
            "codescale",
            "data",
            "generate",
            "-o",
            "corpus",
            "--programs",
            "100",
            "--languages",
            "python",
            "java",
            "go",
            "--vocab-size",
            "1024",  # the demo specs train with a 1,024-token vocabulary
        ],
        env=env,
        cwd=work,
    )
    _run(["codescale", "data", "prepare", "corpus/catalog.yaml", "-o", "prepared", "--quiet"], env=env, cwd=work)
    assert json.loads((work / "prepared/manifest.json").read_text())["format"] == "codescale.prepared/1"
    (spec,) = [
        p
        for p in _run(["codescale", "demo", "--quick", "--list-specs"], env=env, cwd=work).stdout.split()
        if p.endswith("/pairing.yaml")
    ]
    _run(
        ["codescale", "compile", spec, "-o", "out", "--corpus", "corpus/catalog.yaml", "--prepared", "prepared"],
        env=env,
        cwd=work,
    )
    (run_dir,) = (work / "out/runs").glob("pairing-none-*")
    steps = json.loads((run_dir / "run.json").read_text())["training"]["steps"]
    trained = _run(["codescale", "train", str(run_dir)], env=env, cwd=work)
    assert f"completed at step {steps}/{steps}" in trained.stdout
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "completed"
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert {line["kind"] for line in lines} == {"train", "eval"}
    assert lines[-1]["step"] == steps
    _run(["codescale", "ingest", "out", "--db", "study.duckdb"], env=env, cwd=work)
    stored = _run(
        ["codescale", "sql", "--db", "study.duckdb", "--format", "json", "SELECT run_id, status FROM runs"],
        env=env,
        cwd=work,
    )
    assert {row["run_id"]: row["status"] for row in json.loads(stored.stdout)}[run_dir.name] == "completed"

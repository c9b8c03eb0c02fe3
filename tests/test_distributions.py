"""Each package is a real distribution: its pyproject declares exactly what its code imports, and the workspace files
(root meta-distribution, requirements-workspace.txt) list every package. Read from the source and the metadata of the
installed environment; nothing is built here (tests/test_wheel_install.py builds and installs the wheels)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "compiler", "mixtures", "titan_runner", "laws", "demo"]
SKIP = ("evalsets/tasks",)  # sample programs shipped as data, not codescale code

# Imported but deliberately not declared, with the reason.
UNDECLARED = {
    "torch": "an unpinned torch requirement pulls the multi-GB CUDA build; users install the build for their machine",
    "triton": "optional: cpu_compat only checks whether a real one is installed",
}
# Optional backends declared in an extra that the workspace does not install, with the distribution they come from.
NOT_INSTALLED_EXTRAS = {"vllm": "vllm"}  # titan_runner's `vllm` extra: the GPU generation backend of codescale eval
# Declared but not imported by codescale's own code, with the reason.
RUNTIME_ONLY = {("titan_runner", "torchao"): "torchtitan's float8 converter imports it when a spec turns float8 on"}
TORCH_STACK = {"torch", "torchtitan", "torchao", "submitit", "triton"}
# The package graph of docs/architecture.md: which codescale packages each one may import (arrows point down only).
MAY_IMPORT = {
    "core": set(),
    "compiler": {"core"},
    "mixtures": {"core"},
    "laws": {"core", "compiler"},  # propose costs its candidate runs with the compiler
    # laws only through the `eval` extra: `codescale eval --db` stores the scores in the results store
    "titan_runner": {"core", "compiler", "mixtures", "laws"},
    "demo": {"core", "compiler", "mixtures", "titan_runner", "laws"},
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _norm(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))


def _pyproject(folder: Path) -> dict:
    return tomllib.loads((folder / "pyproject.toml").read_text())


def _declared(package: str) -> set[str]:
    """Every distribution the package declares: its dependencies and those of its optional extras."""
    project = _pyproject(REPO / "packages" / package)["project"]
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return {_requirement_name(r) for r in [*project["dependencies"], *extras]}


def _imported_top_levels(package: str) -> set[str]:
    """Top-level names of every absolute import in the package's source (lazy imports inside functions count)."""
    names: set[str] = set()
    for path in (REPO / "packages" / package / "src").rglob("*.py"):
        if any(part in path.as_posix() for part in SKIP):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "codescale":
                names.update(f"codescale.{alias.name}" for alias in node.names)  # from codescale import demo
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return names


def _required_distributions(package: str) -> set[str]:
    """The distributions the imports need: ``codescale.X`` -> codescale-x, a third-party module -> its distribution."""
    owners = importlib.metadata.packages_distributions()
    needed: set[str] = set()
    for name in _imported_top_levels(package):
        top = name.split(".")[0]
        if top == "codescale":
            sub = name.split(".")[1]
            needed.add(_norm(f"codescale-{sub}"))
        elif top in NOT_INSTALLED_EXTRAS:
            needed.add(_norm(NOT_INSTALLED_EXTRAS[top]))
        elif top not in sys.stdlib_module_names and top != "__future__" and top not in UNDECLARED:
            assert top in owners, f"{package} imports {top!r}, which no installed distribution provides"
            needed.update(_norm(d) for d in owners[top])
    return needed - {_norm(f"codescale-{package}")}


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_declares_exactly_the_distributions_its_code_imports(package):
    declared = _declared(package)
    allowed_extra = {_norm(dist) for (pkg, dist) in RUNTIME_ONLY if pkg == package}
    needed = _required_distributions(package)
    assert needed - declared == set(), f"packages/{package}/pyproject.toml misses dependencies"
    assert declared - needed - allowed_extra == set(), f"packages/{package}/pyproject.toml declares unused ones"


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_the_packages_below_them_in_the_graph(package):
    imported = {name.split(".")[1] for name in _imported_top_levels(package) if name.startswith("codescale.")}
    assert imported - {package} <= MAY_IMPORT[package]


@pytest.mark.parametrize("package", ["core", "compiler", "laws"])
def test_torch_free_packages_pull_nothing_of_the_training_stack(package):
    seen: set[str] = set()
    todo = [f"codescale-{package}"]
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        for requirement in importlib.metadata.requires(dist) or []:
            if "extra ==" not in requirement:
                todo.append(_requirement_name(requirement))
    assert seen & TORCH_STACK == set()


def test_the_root_distribution_depends_on_every_package_and_requirements_install_them_all():
    root = {_requirement_name(r) for r in _pyproject(REPO)["project"]["dependencies"]}
    names = {_norm(_pyproject(REPO / "packages" / p)["project"]["name"]) for p in PACKAGES}
    assert root == names
    listed = [
        re.sub(r"\[[^]]*\]$", "", line.split()[-1]) if not line.endswith(".[dev]") else line.split()[-1]
        for line in (REPO / "requirements-workspace.txt").read_text().splitlines()
        if line.startswith("-e ")
    ]
    assert sorted(listed) == sorted([f"packages/{p}" for p in PACKAGES] + [".[dev]"])
    assert sorted(p.name for p in (REPO / "packages").iterdir() if (p / "pyproject.toml").is_file()) == sorted(PACKAGES)

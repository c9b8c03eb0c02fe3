"""codescale.laws is a library with thin CLI modules on top: no import cycle, and nothing in the library reaches up.

The import graph is read from the source (every ``import``, including the ones inside functions that keep the CLI
quick), because a cycle through lazy imports never shows at import time but still ties two modules together.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import codescale.laws


def _modules(package=codescale.laws) -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__, f"{package.__name__}."))


def _is_cli(module: str) -> bool:
    """The modules ``codescale.core.cli.COMMANDS`` dispatches to are named ``cli`` or ``*_cli``."""
    return module.rsplit(".", 1)[1].endswith("cli")


def _imports(module: str) -> set[str]:
    """Every module ``module`` imports anywhere in its source (``from codescale.laws import x`` counts as x)."""
    origin = importlib.util.find_spec(module).origin
    tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _laws_graph() -> dict[str, set[str]]:
    modules = set(_modules())
    return {m: (_imports(m) & modules) - {m} for m in modules}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_every_laws_module_imports():
    for name in _modules():
        importlib.import_module(name)


def test_the_cycle_finder_finds_a_cycle_through_lazy_imports():
    graph = {"report": {"present"}, "present": set(), "analysis_cli": {"report"}}
    assert _cycle(graph) is None
    graph["report"].add("analysis_cli")  # report importing the CLI inside a function, as it once did
    assert _cycle(graph) == ["analysis_cli", "report", "analysis_cli"]


def test_the_laws_modules_import_each_other_without_a_cycle():
    assert _cycle(_laws_graph()) is None


def test_no_library_module_imports_argparse_or_a_cli_module_and_neither_does_the_demo():
    import codescale.demo

    graph = _laws_graph()
    cli_modules = {m for m in graph if _is_cli(m)}
    assert cli_modules >= {"codescale.laws.cli", "codescale.laws.analysis_cli"}
    for module in sorted(set(graph) - cli_modules):
        assert "argparse" not in _imports(module), f"{module} uses argparse: parsing belongs to the CLI modules"
    for module in sorted(set(graph) | set(_modules(codescale.demo))):
        reached = _imports(module) & cli_modules
        assert not reached, f"{module} imports the CLI module(s) {sorted(reached)}: nothing imports a CLI"


def test_no_library_function_takes_an_argparse_namespace():
    import inspect

    for name in _modules():
        if _is_cli(name):
            continue
        module = importlib.import_module(name)
        for _, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != name:
                continue
            for parameter in inspect.signature(function).parameters.values():
                annotation = parameter.annotation
                where = f"{name}.{function.__name__}({parameter.name})"
                assert "Namespace" not in str(annotation), f"{where} takes an argparse.Namespace"
                assert parameter.name != "args" or annotation is not parameter.empty, f"{where}: untyped args"

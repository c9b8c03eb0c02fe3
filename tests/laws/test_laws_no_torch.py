"""``codescale.laws`` works where torch cannot be imported, and never reaches into titan_runner or mixtures."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import importlib, importlib.abc, pkgutil, sys, tempfile
    from pathlib import Path

    BLOCKED = ("torch", "torchtitan", "torchao", "submitit", "codescale.titan_runner", "codescale.mixtures")

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name in BLOCKED or name.startswith(tuple(b + "." for b in BLOCKED)):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Refuse())
    try:
        import torch  # noqa: F401
        raise SystemExit("torch imported despite the block")
    except ImportError:
        pass

    import codescale.laws
    modules = sorted(m.name for m in pkgutil.iter_modules(codescale.laws.__path__, "codescale.laws."))
    for name in modules:
        importlib.import_module(name)

    from codescale.core.cli import main
    work = Path(tempfile.mkdtemp())
    (work / "lab.csv").write_text("N,D,loss\\n70M,1.4B,3.1\\n")
    assert main(["import", str(work / "lab.csv"), "--db", str(work / "s.duckdb"), "--language", "go"]) == 0
    assert main(["sql", "SELECT language, loss FROM final_loss", "--db", str(work / "s.duckdb"), "-f", "csv"]) == 0
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchtitan")
                    or m.startswith(("codescale.titan_runner", "codescale.mixtures")))
    assert not leaked, leaked
    print("imported:", " ".join(modules))
""")


def test_every_laws_module_imports_and_the_store_commands_run_without_torch():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "language,loss\ngo,3.1\n" in proc.stdout
    imported = proc.stdout.split("imported:")[1].split()
    assert {
        "codescale.laws.store",
        "codescale.laws.ingest",
        "codescale.laws.importer",
        "codescale.laws.sqlshell",
        "codescale.laws.cli",
    } <= set(imported)

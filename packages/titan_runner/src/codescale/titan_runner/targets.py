"""What ``submit``, ``status`` and ``cancel`` act on: a spec, a compiled output directory, a plan file or run dirs.

- a run directory (holds ``run.json``): that run;
- a compiled output directory (holds ``plan.json``) or the ``plan.json`` file: every run of the plan, in plan order,
  at ``runs[].paths.run_dir`` (or ``OUT/runs/<run_id>`` when the plan was moved);
- a spec (``.yaml``/``.yml``, only where compiling is allowed): compiled first through the compiler's Python API
  (``plan_spec`` + ``write_plan``) into ``out`` (default ``runs/<study>`` next to the current directory).
"""

from __future__ import annotations

from pathlib import Path

from codescale.core.contracts import PlanFile
from codescale.core.errors import CodescaleError


def compile_spec(spec: Path, out: Path | None, *, corpus: str | None = None, prepared: str | None = None) -> Path:
    """Compile ``spec`` into ``out`` (the compiler's Python API) and return the output directory."""
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan

    if out is None:
        from codescale.core.yaml_source import load_yaml

        document, _ = load_yaml(spec)  # bounded: an alias bomb is refused here as in plan_spec
        study = (document.get("study") if isinstance(document, dict) else None) or spec.stem
        out = Path("runs") / str(study)
    plan = plan_spec(spec, catalog=corpus, prepared=prepared, out_dir=out)
    write_plan(plan, out)
    return out.resolve()


def plan_run_dirs(out_dir: Path) -> list[Path]:
    plan = PlanFile.read(out_dir / "plan.json", hint="recompile the spec: codescale compile SPEC -o OUT")
    run_dirs = []
    for run in plan.runs:
        recorded = Path(run.paths.run_dir or "")
        here = out_dir / "runs" / run.run_id
        run_dirs.append(here if (here / "run.json").is_file() or not (recorded / "run.json").is_file() else recorded)
    return [d.resolve() for d in run_dirs]


def resolve_targets(
    targets: list[str | Path],
    *,
    allow_spec: bool = False,
    out: str | Path | None = None,
    corpus: str | None = None,
    prepared: str | None = None,
) -> list[Path]:
    """Run directories named by ``targets`` (see the module docstring), without duplicates, in order."""
    run_dirs: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir() and (path / "run.json").is_file():
            found = [path.resolve()]
        elif path.is_dir() and (path / "plan.json").is_file():
            found = plan_run_dirs(path)
        elif path.is_file() and path.name == "plan.json":
            found = plan_run_dirs(path.parent)
        elif path.is_file() and path.suffix in (".yaml", ".yml"):
            if not allow_spec:
                raise CodescaleError(
                    "is a spec; this command needs a compiled plan or run directory",
                    source=path,
                    hint="pass the compiled output directory (codescale compile SPEC -o OUT)",
                )
            found = plan_run_dirs(compile_spec(path, Path(out) if out else None, corpus=corpus, prepared=prepared))
        elif not path.exists():
            raise CodescaleError("no such file or directory", source=path)
        else:
            raise CodescaleError(
                "not a spec, plan or run directory",
                source=path,
                hint="pass a spec (.yaml), a compiled output directory (with plan.json) or OUT/runs/<run_id>",
            )
        run_dirs.extend(d for d in found if d not in run_dirs)
    return run_dirs

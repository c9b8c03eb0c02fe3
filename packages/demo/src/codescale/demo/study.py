"""``codescale demo``: a micro multilingual scaling study, end to end, on this machine's CPU.

The demo is the whole product in miniature, with nothing faked and nothing special-cased: it drives the same Python
APIs the CLI commands drive, in order, and every stage writes the same artefacts a cluster study writes.

    generate corpus -> train tokenizer + prepare shards -> compile the demo specs -> submit (local executor)
    -> wait (progress) -> ingest into DuckDB -> fit per-language laws, synergy, translation, multilingual law
    -> allocate tokens -> report (PNG + Markdown) -> print a summary

Reruns are cheap because every stage is content-addressed or idempotent: the corpus generator and ``prepare`` are
no-ops for the same inputs, compiling rewrites only changed files, ``submit`` skips completed runs, ``ingest``
skips unchanged run directories, and fits are recomputed (they take seconds).

``--quick`` runs the reduced study of ``specs/quick/`` (used in CI: a minute or two of training).

The specs are package data of this distribution (``codescale/demo/specs``), so an installed codescale runs the demo
from any directory. In the repository that folder is a link to the top-level ``specs/demo``, the one copy: editing
``specs/demo/*.yaml`` changes what the demo runs, editable installs included, and a wheel built from the checkout
carries the linked files.

Progress (stage headers, a line per finished run, a heartbeat) goes to the ``codescale.demo`` logger; the command's
own output is the closing summary (:mod:`codescale.demo.cli`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from codescale.core.errors import CodescaleError

log = logging.getLogger(__name__)

DEMO_SEED = 0


@dataclass
class DemoConfig:
    out: Path
    specs: list[Path]
    programs: int = 3000
    max_parallel: int = 2
    progress: bool = True
    timeout_s: float | None = None


@dataclass
class DemoResult:
    out: Path
    db: Path
    report: Path | None
    run_dirs: list[Path]
    states: dict[str, int]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)


def packaged_specs_dir(*, quick: bool = False) -> Path:
    """The demo's spec folder shipped in this distribution (``quick/`` for the reduced study).

    Symlinks are resolved, so in a checkout the paths name the repository's ``specs/demo`` (the files one edits)."""
    specs = resources.files("codescale.demo") / "specs"
    if not isinstance(specs, Path) or not specs.is_dir():
        raise CodescaleError("the demo specs are missing from this installation", source=str(specs),
                             hint="reinstall codescale-demo, or pass --specs FILE...")
    specs = specs.resolve()
    return specs / "quick" if quick else specs


def spec_files(*, quick: bool = False) -> list[Path]:
    """The spec files ``codescale demo`` runs by default, in the order it compiles them."""
    folder = packaged_specs_dir(quick=quick)
    specs = sorted(folder.glob("*.yaml"))
    if not specs:
        raise CodescaleError("no spec files to run", source=folder, hint="pass --specs FILE...")
    return specs


class _Stages:
    """Times each stage and logs a one-line header for it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._name: str | None = None
        self._start = 0.0

    def start(self, name: str, what: str) -> None:
        self.stop()
        self._name, self._start = name, time.perf_counter()
        log.info("==> %s", what)

    def stop(self) -> None:
        if self._name is not None:
            self.seconds[self._name] = time.perf_counter() - self._start
            self._name = None


def prepare_data(cfg: DemoConfig, stages: _Stages) -> tuple[Path, Path]:
    from codescale.mixtures.prepare import prepare
    from codescale.mixtures.synthetic import write_corpus

    stages.start("corpus", f"generating a parallel corpus of {cfg.programs} programs in 7 languages")
    catalog = write_corpus(cfg.out / "corpus", cfg.programs, seed=DEMO_SEED)
    stages.start("prepare", "training the tokenizer and preparing token shards")
    prepared = cfg.out / "prepared"
    manifest = prepare(catalog, prepared, progress=cfg.progress)
    tokens = {lang: info["train"]["tokens"] for lang, info in manifest["languages"].items()}
    log.info("    train tokens per language: " + ", ".join(f"{k} {v:,}" for k, v in tokens.items()))
    return catalog, prepared


def compile_specs(cfg: DemoConfig, catalog: Path, prepared: Path, stages: _Stages) -> list[Path]:
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan

    stages.start("compile", f"compiling {len(cfg.specs)} demo specs")
    compiled = []
    for spec in cfg.specs:
        out = cfg.out / "plans" / spec.stem
        plan = plan_spec(spec, catalog=str(catalog), prepared=str(prepared), out_dir=out)
        write_plan(plan, out)
        totals = plan.totals
        log.info(f"    {spec.name}: {totals.runs} runs, {totals.tokens:,} tokens -> {out}")
        compiled.append(out)
    return compiled


def train(cfg: DemoConfig, compiled: list[Path], stages: _Stages) -> tuple[list[Path], dict[str, int]]:
    from codescale.titan_runner.status import TERMINAL_STATES, collect
    from codescale.titan_runner.submit import submit

    stages.start("train", f"training every run with torchtitan (local executor, {cfg.max_parallel} at once)")
    records = submit([str(c) for c in compiled], executor="local", max_parallel=cfg.max_parallel)
    skipped = [r for r in records if r["action"] == "skipped"]
    if skipped:
        log.info(f"    {len(skipped)} runs skipped ({skipped[0]['reason']}, ...)")
    run_dirs = [Path(r["run_dir"]) for r in records]
    deadline = None if cfg.timeout_s is None else time.monotonic() + cfg.timeout_s
    started = time.monotonic()
    last_done, last_print = -1, 0.0
    while True:
        rows = collect([str(d) for d in run_dirs])
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        done = sum(counts.get(s, 0) for s in TERMINAL_STATES)
        now = time.monotonic()
        # One line when a run ends, and a heartbeat every 15 s naming what is training.
        if cfg.progress and (done != last_done or now - last_print >= 15):
            running = [r for r in rows if r["state"] == "running"]
            detail = "; ".join(f"{r['run_id'].rsplit('-', 1)[0]} {r['step']}/{r['total_steps']}" for r in running)
            log.info(f"    [{now - started:5.0f}s] {done}/{len(rows)} finished ({counts.get('completed', 0)} completed, "
                 f"{counts.get('failed', 0)} failed)" + (f" | training: {detail}" if detail else ""))
            last_done, last_print = done, now
        if done == len(rows):
            return run_dirs, counts
        if deadline is not None and time.monotonic() > deadline:
            raise CodescaleError(f"training did not finish within {cfg.timeout_s:.0f} s",
                                 hint=f"check `codescale status {compiled[0]}` and the runs' logs/")
        time.sleep(2.0)


def ingest(cfg: DemoConfig, run_dirs: list[Path], stages: _Stages) -> Path:
    from codescale.laws.ingest import ingest_run_dirs

    stages.start("ingest", "ingesting run directories into DuckDB")
    db = cfg.out / "codescale.duckdb"
    report = ingest_run_dirs(db, run_dirs)
    log.info(f"    {report.summary()}")
    return db


def run_demo(cfg: DemoConfig) -> DemoResult:
    cfg.out.mkdir(parents=True, exist_ok=True)
    stages = _Stages()
    catalog, prepared = prepare_data(cfg, stages)
    compiled = compile_specs(cfg, catalog, prepared, stages)
    run_dirs, counts = train(cfg, compiled, stages)
    db = ingest(cfg, run_dirs, stages)
    from codescale.demo import analysis as demo_analysis

    stages.start("analysis", "fitting laws, allocating tokens and writing the report")
    base_spec = next((s for s in cfg.specs if s.stem == "per_language"), cfg.specs[0])
    analysis = demo_analysis.analyse(db, cfg.out, prepared=prepared, base_spec=base_spec)
    stages.stop()
    return DemoResult(out=cfg.out, db=db, report=analysis.get("report"), run_dirs=run_dirs, states=counts,
                      stage_seconds=stages.seconds, analysis=analysis)

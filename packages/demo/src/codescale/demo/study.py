"""``codescale demo``: a micro multilingual scaling study, end to end, on this machine's CPU.

The demo is the whole product in miniature, with nothing faked and nothing special-cased: it drives the same Python
APIs the CLI commands drive, in order, and every stage writes the same artefacts a cluster study writes.

    generate corpus -> train tokenizer + prepare shards -> compile the demo specs -> submit (local executor)
    -> wait (progress) -> ingest into DuckDB -> fit per-language laws, synergy, multilingual laws
    -> allocate tokens -> close the loop: train the allocation and the uniform mixture (2 seeds each) -> ingest
    -> record the allocation (view allocation_check) -> pass@1 of the largest model -> report (Markdown + PNG + HTML)
    -> print a summary

Reruns are cheap because every stage is content-addressed or idempotent: the corpus generator and ``prepare`` are
no-ops for the same inputs, compiling rewrites only changed files, ``submit`` skips completed runs, ``ingest``
skips unchanged run directories, and fits are recomputed (they take seconds).

``--quick`` runs the reduced study of ``specs/quick/`` (used in CI: a few minutes of training).

The corpus is made for small models trained in many small steps: programs of one function besides ``main`` (about
200 tokens), a 1,024-token vocabulary (so embeddings stay smaller than the model body) and held-out parallel
programs from the training distribution as the translation evaluation set, which fits the specs' 1,024-token
sequences whole.

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
VOCAB_SIZE = 1024
FUNCTIONS = (1, 1)
TRANSLATION_PROGRAMS = 32
LOOP_STUDY = "demo_allocation"
LOOP_SEEDS = [0, 1]
PROGRAMS = 2500
QUICK_PROGRAMS = 1000


@dataclass
class DemoConfig:
    out: Path
    specs: list[Path]
    programs: int = PROGRAMS
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
        raise CodescaleError(
            "the demo specs are missing from this installation",
            source=str(specs),
            hint="reinstall codescale-demo, or pass --specs FILE...",
        )
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
    catalog = write_corpus(
        cfg.out / "corpus",
        cfg.programs,
        seed=DEMO_SEED,
        functions=FUNCTIONS,
        vocab_size=VOCAB_SIZE,
        translation_programs=TRANSLATION_PROGRAMS,
    )
    stages.start("prepare", "training the tokenizer and preparing token shards")
    prepared = cfg.out / "prepared"
    manifest = prepare(catalog, prepared, progress=cfg.progress)
    tokens = {lang: info["train"]["tokens"] for lang, info in manifest["languages"].items()}
    log.info("    train tokens per language: " + ", ".join(f"{k} {v:,}" for k, v in tokens.items()))
    return catalog, prepared


def compile_specs(
    cfg: DemoConfig,
    catalog: Path,
    prepared: Path,
    stages: _Stages,
    specs: list[Path] | None = None,
    stage: str = "compile",
) -> list[Path]:
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan

    specs = cfg.specs if specs is None else specs
    stages.start(stage, f"compiling {len(specs)} {'demo' if stage == 'compile' else 'closing-the-loop'} specs")
    compiled = []
    for spec in specs:
        out = cfg.out / "plans" / spec.stem
        plan = plan_spec(spec, catalog=str(catalog), prepared=str(prepared), out_dir=out)
        write_plan(plan, out)
        totals = plan.totals
        log.info(f"    {spec.name}: {totals.runs} runs, {totals.tokens:,} tokens -> {out}")
        compiled.append(out)
    return compiled


def train(
    cfg: DemoConfig, compiled: list[Path], stages: _Stages, stage: str = "train"
) -> tuple[list[Path], dict[str, int]]:
    from codescale.titan_runner.status import TERMINAL_STATES, collect
    from codescale.titan_runner.submit import submit

    stages.start(
        stage,
        f"training {'every run' if stage == 'train' else 'the allocation and the uniform mixture'} "
        f"with torchtitan (local executor, {cfg.max_parallel} at once)",
    )
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
            log.info(
                f"    [{now - started:5.0f}s] {done}/{len(rows)} finished ({counts.get('completed', 0)} completed, "
                f"{counts.get('failed', 0)} failed)" + (f" | training: {detail}" if detail else "")
            )
            last_done, last_print = done, now
        if done == len(rows):
            return run_dirs, counts
        if deadline is not None and time.monotonic() > deadline:
            raise CodescaleError(
                f"training did not finish within {cfg.timeout_s:.0f} s",
                hint=f"check `codescale status {compiled[0]}` and the runs' logs/",
            )
        time.sleep(2.0)


def ingest(cfg: DemoConfig, run_dirs: list[Path], stages: _Stages, stage: str = "ingest") -> Path:
    from codescale.laws.ingest import ingest_run_dirs

    stages.start(stage, "ingesting run directories into DuckDB")
    db = cfg.out / "codescale.duckdb"
    report = ingest_run_dirs(db, run_dirs)
    log.info(f"    {report.summary()}")
    return db


def loop_specs(cfg: DemoConfig, allocation_spec: Path, languages: list[str]) -> list[Path]:
    """The closing-the-loop specs next to ``allocation_spec`` (the spec ``codescale allocate -o`` wrote): the
    allocation and the uniform mixture of the same languages at the same N and D, each with seeds ``LOOP_SEEDS``.
    Files are rewritten only when their text changes, so a rerun compiles nothing new."""
    import yaml

    from codescale.core.io import atomic_write_text

    base = yaml.safe_load(allocation_spec.read_text())
    out = []
    for name, mixture in (("allocation", base["mixture"]), ("uniform", {"uniform": list(languages)})):
        spec = dict(
            base,
            study=LOOP_STUDY,
            mixture=mixture,
            description=f"closing the loop: the {name} mixture at the allocation's N and D",
        )
        spec["sweep"] = {"name": f"{name}-s{{training.seed}}", "product": {"training.seed": list(LOOP_SEEDS)}}
        path = allocation_spec.parent / f"loop_{name}.yaml"
        text = (
            f"# Written by codescale demo from {allocation_spec.name}: the {name} mixture, "
            f"{len(LOOP_SEEDS)} seeds.\n" + yaml.safe_dump(spec, sort_keys=False)
        )
        if not path.is_file() or path.read_text() != text:
            atomic_write_text(path, text)
        out.append(path)
    return out


def generation_stage(db: Path, work: Path, run_dirs: list[Path], analysis: dict[str, Any]) -> None:
    """pass@1 of the largest model per language and the reference check (:mod:`codescale.demo.generation`); a
    failure is reported in the summary, not fatal: the laws and the report do not depend on it."""
    from codescale.demo import generation

    try:
        analysis["pass_at_1"] = generation.pass_at_1(db, {d.name: d for d in run_dirs})
        languages = [row["language"] for row in analysis["pass_at_1"]]
        analysis["reference_check"] = generation.reference_check(work, languages)
    except CodescaleError as err:
        analysis.setdefault("problems", {})["generation evals"] = err.render()


def run_demo(cfg: DemoConfig) -> DemoResult:
    cfg.out.mkdir(parents=True, exist_ok=True)
    stages = _Stages()
    catalog, prepared = prepare_data(cfg, stages)
    compiled = compile_specs(cfg, catalog, prepared, stages)
    run_dirs, counts = train(cfg, compiled, stages)
    db = ingest(cfg, run_dirs, stages)
    from codescale.demo import analysis as demo_analysis

    stages.start("analysis", "fitting laws and allocating tokens")
    base_spec = next((s for s in cfg.specs if s.stem == "per_language"), cfg.specs[0])
    analysis = demo_analysis.analyse(db, cfg.out, prepared=prepared, base_spec=base_spec)
    allocation = analysis.get("allocation")
    if allocation is not None:
        specs = loop_specs(cfg, analysis["allocation_spec"], list(allocation.proportions))
        loop_compiled = compile_specs(cfg, catalog, prepared, stages, specs, stage="loop compile")
        loop_dirs, loop_counts = train(cfg, loop_compiled, stages, stage="loop train")
        ingest(cfg, loop_dirs, stages, stage="loop ingest")
        run_dirs = run_dirs + loop_dirs
        for state, n in loop_counts.items():
            counts[state] = counts.get(state, 0) + n
    stages.start("evals", "pass@1 of the largest model on the built-in suite, and the harness's reference check")
    generation_stage(db, cfg.out, run_dirs, analysis)
    stages.start("report", "recording the allocation, writing the report")
    demo_analysis.finish(db, cfg.out, analysis)
    stages.stop()
    return DemoResult(
        out=cfg.out,
        db=db,
        report=analysis.get("report"),
        run_dirs=run_dirs,
        states=counts,
        stage_seconds=stages.seconds,
        analysis=analysis,
    )

"""Test helpers: a small prepared two-language corpus and compiled one-run plans around a tiny llama3.

The corpus is real (``codescale.mixtures.prepare`` on generated code-like documents, a 512-token BPE). A run is
compiled from a spec by the real compiler (``plan_spec`` + ``write_plan``): its jobs.py returns a torchtitan
``Trainer.Config`` with ``MixtureDataLoader.Config(manifest=...)``, at test size (~100k parameters).
"""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

LANGUAGES = ["python", "java"]


def _python_doc(rng: random.Random, i: int) -> str:
    name = rng.choice(["total", "count", "scale", "clip", "merge", "mean"]) + f"_{i % 17}"
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    return textwrap.dedent(
        f"""\
        def {name}(values, limit={a}):
            result = 0
            for value in values:
                if value > limit:
                    result += value * {b}
            return result
        """
    )


def _java_doc(rng: random.Random, i: int) -> str:
    name = rng.choice(["total", "count", "scale", "clip", "merge", "mean"]) + f"{i % 17}"
    a, b = rng.randint(1, 9), rng.randint(1, 9)
    return textwrap.dedent(
        f"""\
        public class Util{i % 23} {{
            public static int {name}(int[] values) {{
                int result = 0;
                for (int value : values) {{
                    if (value > {a}) {{ result += value * {b}; }}
                }}
                return result;
            }}
        }}
        """
    )


def build_corpus(root: Path) -> Path:
    """Write two languages of code-like documents and prepare them; returns the prepared directory."""
    from codescale.mixtures.prepare import prepare

    rng = random.Random(0)
    (root / "raw").mkdir(exist_ok=True)
    for lang, make in (("python", _python_doc), ("java", _java_doc)):
        with open(root / "raw" / f"{lang}.jsonl", "w") as f:
            for i in range(400):
                f.write(json.dumps({"content": make(rng, i)}) + "\n")
    with open(root / "raw" / "translation.jsonl", "w") as f:
        for i in range(12):
            f.write(json.dumps({"id": str(i), "python": _python_doc(rng, i), "java": _java_doc(rng, i)}) + "\n")
    (root / "catalog.yaml").write_text(
        textwrap.dedent(
            """\
            name: titan-runner-test
            languages:
              python: {sources: [{path: raw/python.jsonl}]}
              java: {sources: [{path: raw/java.jsonl}]}
            tokenizer: {vocab_size: 512, sample_documents_per_language: 400}
            validation: {fraction: 0.1}
            translation_eval: {path: raw/translation.jsonl}
            # one template per language for documents and eval tasks alike: cleaning would find most documents
            # duplicated or sharing 13-word runs with the tasks, so it stays off for these training tests
            decontamination: {enabled: false}
            dedup: {exact: false, near: false}
            """
        )
    )
    out = root / "prepared"
    prepare(root / "catalog.yaml", out, progress=False)
    return out


SPEC_TEMPLATE = """\
study: titan_runner_test
name: {name}
mixture:
  proportions: {{python: 0.5, java: 0.5}}
budget:
  tokens: {tokens}
  gpu_hours: 1
model:
  size: {size}
  vocab_size: 512
training:
  seq_len: {seq_len}
  global_batch_tokens: {batch_tokens}
  lr: {lr}
  warmup: 0.25
  decay: cosine
  min_lr_ratio: 0.1
  checkpoint_interval: {checkpoint_interval}
  log_interval: {log_interval}
cluster:
  gpu: {gpu}
  gpus_per_node: {world_size}
  nodes: 1
  mfu: 0.3
  time_limit_min: 30
float8: {float8}
float8_layers: {{gate: none}}  # test widths are far below where float8 pays; convert anyway (emulated on the CPU)
compile: false
activation_checkpointing: none
eval:
  interval_steps: {eval_interval}
  translation: [python->java]
  max_sequences: 8
{extra}"""


def make_run(
    out: Path,
    prepared: Path,
    *,
    run_id: str = "tiny",
    steps: int = 8,
    seq_len: int = 64,
    global_batch: int = 4,
    world_size: int = 1,
    size: str = "50k",
    lr: float = 3e-3,
    float8: bool = False,
    checkpoint_interval: int = 2,
    eval_interval: int = 4,
    log_interval: int = 1,
    extra: str = "",
) -> Path:
    """Compile a one-run spec with these settings into ``out/<run_id>/`` (the real compiler: plan.json, jobs.py,
    runs/<run_id>/{run.json, mixture.json}) and return the run directory. ``run_id`` names the run (the compiler
    appends its hash). ``eval_interval=0`` leaves only the final evaluation; ``extra`` is appended to the spec."""
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan

    compiled = out / run_id
    compiled.mkdir(parents=True, exist_ok=True)
    spec = compiled / "spec.yaml"
    spec.write_text(
        SPEC_TEMPLATE.format(
            name=run_id,
            tokens=steps * global_batch * seq_len,
            size=size,
            seq_len=seq_len,
            batch_tokens=global_batch * seq_len,
            lr=lr,
            checkpoint_interval=checkpoint_interval,
            world_size=world_size,
            float8=str(float8).lower(),
            eval_interval=eval_interval or steps,
            log_interval=log_interval,
            extra=extra,
            gpu="h100" if float8 else "cpu",  # the compiler plans float8 for SM89+ GPUs; here it runs emulated
        )
    )
    plan = plan_spec(spec, catalog=str(prepared.parent / "catalog.yaml"), prepared=str(prepared), out_dir=compiled)
    write_plan(plan, compiled)
    (run,) = plan.runs
    return Path(run.paths.run_dir)


def write_run_json(run_dir: Path, run_id: str) -> None:
    """A complete run.json (the tiny spec's run, compiled by the real compiler) under another id, for protocol tests
    that never train."""
    from codescale.compiler.plan import plan_spec
    from codescale.core.contracts import RunPaths

    (run,) = plan_spec(Path(__file__).parent / "specs" / "tiny.yaml").runs
    run = run.model_copy(
        update={
            "run_id": run_id,
            "paths": RunPaths(run_dir=str(run_dir), job_module=None, job_function="job_" + run_id.replace("-", "_")),
        }
    )
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "run.json").write_text(run.to_json())

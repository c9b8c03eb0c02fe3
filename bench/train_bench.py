"""Step time of a tiny model through codescale's runner and data vs torchtitan's own text loader, same process.

    .venv/bin/python bench/train_bench.py [--steps 30] [--repeats 2] [--size 150k] [--seq-len 128] [--batch 16]
                                          [--threads N]

Both sides train the *same* compiled ``Trainer.Config`` (``codescale compile`` of a one-run python/java spec) on
the same machine, one after the other, alternating (ours, theirs, theirs, ours, ...) so drift on a shared machine
hits both:

- **ours**: the job as compiled, on torchtitan's ``Trainer``: ``MixtureDataLoader`` (exact-quota mixture sampler over
  the prepared shards, language-carrying labels), ``LanguageCrossEntropy`` (per-language loss sums on the device),
  ``RunMetrics`` writing metrics.jsonl and status.json;
- **theirs**: the same model and ``Trainer`` with torchtitan's stock components
  (:func:`codescale.titan_runner.baseline.with_torchtitan_components`): ``HuggingFaceTextDataLoader`` reading the
  same documents as ``{"text": ...}`` JSONL and tokenising on the fly with the same tokenizer, ``CrossEntropyLoss``,
  ``MetricsProcessor``.

Checkpoints and evaluations are left out of the timed steps on both sides (checkpoint interval beyond the run,
the last step not timed). A step's time is the wall time of ``Trainer.train_step`` (data fetch, forward, backward,
optimizer, logging). Prints the median step time of each side and the ratio ours/theirs (goal: <= 1.05), for wall
time and for the CPU time of the process (all threads), which is the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

SPEC = """\
study: train_bench
name: bench
mixture:
  proportions: {{python: 0.5, java: 0.5}}
budget:
  tokens: {tokens}
model:
  size: {size}
training:
  seq_len: {seq_len}
  global_batch_tokens: {batch_tokens}
  lr: 3.0e-3
  warmup: 0.1
  checkpoint_interval: {no_checkpoint}
  log_interval: 1
cluster:
  gpu: cpu
  gpus_per_node: 1
  nodes: 1
  mfu: 0.3
float8: false
compile: false
activation_checkpointing: none
eval:
  interval_steps: {no_eval}
  max_sequences: 2
"""


def _timed(trainer_cls):
    class Timed(trainer_cls):
        step_times: list[tuple[float, float]]  # (wall seconds, CPU seconds of this process)

        def train_step(self, data_iterator):
            start, cpu_start = time.perf_counter(), time.process_time()
            super().train_step(data_iterator)
            self.step_times.append((time.perf_counter() - start, time.process_time() - cpu_start))

    return Timed


def prepare_workspace(root: Path, args) -> tuple[Path, Path, Path]:
    """Synthetic corpus -> prepared shards -> compiled one-run plan; also the raw text as torchtitan JSONL."""
    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan
    from codescale.mixtures.prepare import prepare
    from codescale.mixtures.synthetic import write_corpus

    catalog = write_corpus(root / "corpus", n_programs=args.programs, seed=0, languages=["python", "java"])
    prepared = root / "prepared"
    prepare(catalog, prepared, progress=False)
    text_dir = root / "text"
    text_dir.mkdir(exist_ok=True)
    with open(text_dir / "train.jsonl", "w") as out:
        for lang in ("python", "java"):
            for line in open(root / "corpus" / "raw" / f"{lang}.jsonl"):
                row = json.loads(line)
                out.write(json.dumps({"text": row.get("content") or row.get("text")}) + "\n")
    steps_total = args.steps * (args.repeats + 1) + 2
    spec = root / "bench.yaml"
    spec.write_text(
        SPEC.format(
            tokens=steps_total * args.batch * args.seq_len,
            size=args.size,
            seq_len=args.seq_len,
            batch_tokens=args.batch * args.seq_len,
            no_checkpoint=10 * steps_total,
            no_eval=10 * steps_total,
        )
    )
    plan = plan_spec(spec, catalog=str(catalog), prepared=str(prepared), out_dir=root / "out")
    write_plan(plan, root / "out")
    return Path(plan.runs[0].paths.run_dir), text_dir, prepared


def one_side(side: str, run_dir: Path, text_dir: Path, steps: int) -> list[tuple[float, float]]:
    from codescale.titan_runner import cpu_compat
    from codescale.titan_runner.rundir import RunDir
    from codescale.titan_runner.train import ensure_distributed_env, load_job_config, restore_env

    cpu_compat.apply()
    from torchtitan.trainer import Trainer

    from codescale.titan_runner.baseline import with_torchtitan_components

    rd = RunDir(run_dir)
    for stale in ("metrics.jsonl", "status.json"):
        (rd.path / stale).unlink(missing_ok=True)
    shutil.rmtree(rd.checkpoints, ignore_errors=True)
    run = rd.load_run()
    config = load_job_config(run, rd)
    config.training.steps = steps + 1  # the last step (final save/eval) is not timed
    config.checkpoint.enable = False
    if side == "theirs":
        config = with_torchtitan_components(config, dataset_path=str(text_dir), dump_folder=str(run_dir / "theirs"))
    previous = ensure_distributed_env()
    try:
        trainer = _timed(Trainer)(config)
        trainer.step_times = []
        try:
            trainer.train()
        finally:
            trainer.close()
        return trainer.step_times[:steps]
    finally:
        import gc

        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
        restore_env(previous)
        gc.enable()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per measurement")
    parser.add_argument("--repeats", type=int, default=2, help="measurements per side (alternating)")
    parser.add_argument("--warmup", type=int, default=3, help="first steps of each measurement left out")
    parser.add_argument("--size", default="150k")
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--batch", type=int, default=16, help="sequences per step")
    parser.add_argument("--programs", type=int, default=1500, help="synthetic programs per language")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads for both sides")
    parser.add_argument("--keep", default=None, help="workspace directory to keep (default: a temp dir)")
    args = parser.parse_args()

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    root = Path(args.keep or tempfile.mkdtemp(prefix="train_bench-"))
    root.mkdir(parents=True, exist_ok=True)
    run_dir, text_dir, _ = prepare_workspace(root, args)
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "theirs": []}
    for repeat in range(args.repeats):
        for side in ("ours", "theirs") if repeat % 2 == 0 else ("theirs", "ours"):
            step_times = one_side(side, run_dir, text_dir, args.steps + args.warmup)
            times[side].extend(step_times[args.warmup :])
    print(
        f"model {args.size}, seq_len {args.seq_len}, {args.batch} sequences/step, "
        f"{len(times['ours'])} timed steps per side, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for label, index in (("wall", 0), ("cpu", 1)):
        ours = statistics.median(t[index] for t in times["ours"])
        theirs = statistics.median(t[index] for t in times["theirs"])
        print(
            f"{label:>4}: ours (compiled job's components) {ours * 1000:7.1f} ms/step | theirs (torchtitan's "
            f"stock components) {theirs * 1000:7.1f} ms/step | ratio {ours / theirs:.3f} (goal <= 1.05)"
        )
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

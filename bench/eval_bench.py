"""Generation-eval benchmark: harness throughput (2 workers vs 1) and KV-cache generation vs a plain loop.

    .venv/bin/python bench/eval_bench.py [--repeats 2] [--new-tokens 256] [--prompts 4] [--threads 1] [--skip-harness]

(1) **Harness**: the built-in suite's 154 reference programs (22 tasks x 7 languages, each a prompt, its reference
completion and its tests) judged by :class:`~codescale.titan_runner.evals.harness.Harness` in the sandbox, with 1
worker and with 2, alternating (1, 2, 2, 1, ...) so drift on a shared machine hits both. Prints wall time and
programs/s of each, the speed-up (goal >= 1.7x on 2 cores), and per language the compile and run time per sample
(batched compiles are shared evenly by their chunk). No CPU-time figure: the sandboxed processes live in their own
PID namespace and their CPU time does not reach this process's children accounting.

(2) **Generation**: one model, the same prompts, greedy, exactly ``--new-tokens`` new tokens each: the
``transformers`` backend's ``generate`` with its KV cache against :func:`generate_without_cache`, a plain loop that
re-runs the full forward over the whole sequence for every token. Checks both produce the same tokens and prints
tokens/s of each and the ratio (goal >= 3x at 256 new tokens). The model is a randomly initialised Llama of
``--dim``/``--layers`` written as a Hugging Face directory with a BPE trained on the evaluation set, loaded through the
backend exactly as an exported checkpoint is.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def bench_harness(repeats: int) -> None:
    from codescale.titan_runner.evals.harness import Harness, Program
    from codescale.titan_runner.evals.suites import builtin_suite

    suite = builtin_suite()
    programs = [Program(p.key, p.language, p.program(p.truncate(p.reference + p.tests))) for p in suite.problems]
    timings: dict[int, list[float]] = defaultdict(list)
    per_language: dict[str, list[tuple[float, float]]] = defaultdict(list)
    isolation = None
    order = [1, 2, 2, 1] * repeats
    for workers in order:
        with Harness(workers=workers) as harness:
            isolation = harness.isolation
            wall = time.perf_counter()
            verdicts = harness.check(programs)
            wall = time.perf_counter() - wall
        failed = [v.key for v in verdicts if not v.passed]
        if failed:
            raise SystemExit(f"reference programs failed: {failed[:5]}")
        timings[workers].append(wall)
        if workers == 1:
            for verdict in verdicts:
                per_language[verdict.language].append((verdict.compile_s, verdict.run_s))
        print(f"  {workers} worker(s): {wall:6.1f} s wall, load average {os.getloadavg()[0]:.1f}", flush=True)
    one, two = statistics.median(timings[1]), statistics.median(timings[2])
    print(f"\nharness, {len(programs)} reference programs, isolation {isolation}, median of {len(timings[1])}:")
    print(f"{'workers':>8} {'wall s':>8} {'programs/s':>11}")
    for workers, wall in ((1, one), (2, two)):
        print(f"{workers:>8} {wall:>8.1f} {len(programs) / wall:>11.2f}")
    print(f"speed-up 2 workers vs 1: {one / two:.2f}x (goal >= 1.7x)")
    print(f"\n{'language':<11} {'compile s/sample':>17} {'run s/sample':>13}   (1 worker)")
    for language, times in per_language.items():
        print(
            f"{language:<11} {statistics.mean(c for c, _ in times):>17.3f} {statistics.mean(r for _, r in times):>13.3f}"
        )


def _model_dir(root: Path, dim: int, layers: int) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from codescale.mixtures.evalsets import translation_tasks
    from codescale.mixtures.tokenizer import train_tokenizer

    samples = [task[lang] for task in translation_tasks() for lang in task if lang not in ("id", "description")]
    info = train_tokenizer(samples * 4, 2048, root)
    config = LlamaConfig(
        hidden_size=dim,
        intermediate_size=int(dim * 8 / 3) // 16 * 16,
        num_hidden_layers=layers,
        num_attention_heads=max(1, dim // 64),
        num_key_value_heads=max(1, dim // 64),
        vocab_size=info.vocab_size,
        max_position_embeddings=2048,
        tie_word_embeddings=False,
        bos_token_id=info.bos_id,
        eos_token_id=info.eos_id,
        pad_token_id=info.pad_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(root)
    return root


def bench_generation(new_tokens: int, prompt_count: int, dim: int, layers: int, repeats: int) -> None:
    import torch

    from codescale.titan_runner.evals.generate import generate_without_cache, make_backend
    from codescale.titan_runner.evals.suites import builtin_suite

    with tempfile.TemporaryDirectory() as tmp:
        backend = make_backend("transformers", _model_dir(Path(tmp), dim, layers), device="cpu")
        prompts = [p.prompt for p in builtin_suite().select(languages=["python"], limit=prompt_count).problems]
        encoded = [backend.encode(p)[-96:] for p in prompts]
        width = min(map(len, encoded))
        ids = torch.tensor([row[-width:] for row in encoded])  # equal lengths: no padding on either side
        model = backend.model
        times = defaultdict(list)
        outputs = {}
        for _ in range(repeats):
            for name in ("cache", "plain", "plain", "cache"):
                start = time.perf_counter()
                with torch.no_grad():
                    if name == "cache":
                        out = model.generate(
                            input_ids=ids,
                            attention_mask=torch.ones_like(ids),
                            do_sample=False,
                            max_new_tokens=new_tokens,
                            min_new_tokens=new_tokens,
                            use_cache=True,
                            pad_token_id=backend.pad_id,
                        )
                    else:
                        out = generate_without_cache(model, ids, new_tokens)
                times[name].append(time.perf_counter() - start)
                outputs[name] = out
        same = torch.equal(outputs["cache"], outputs["plain"])
        generated = ids.shape[0] * new_tokens
        cache, plain = statistics.median(times["cache"]), statistics.median(times["plain"])
        params = sum(p.numel() for p in model.parameters())
        print(
            f"\ngeneration, {ids.shape[0]} prompts x {width} tokens + {new_tokens} new, greedy, model {params / 1e6:.1f}M "
            f"params (dim {dim}, {layers} layers), {torch.get_num_threads()} thread(s), median of {len(times['cache'])}:"
        )
        print(f"{'':<32} {'s':>7} {'tokens/s':>9}")
        print(f"{'transformers + KV cache':<32} {cache:>7.2f} {generated / cache:>9.1f}")
        print(f"{'plain loop, full forward/token':<32} {plain:>7.2f} {generated / plain:>9.1f}")
        print(f"KV cache vs plain loop: {plain / cache:.2f}x (goal >= 3x); same tokens: {same}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1, help="rounds of the alternating order (default 1)")
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=None, help="torch threads for generation (default: torch's)")
    parser.add_argument("--skip-harness", action="store_true")
    parser.add_argument("--skip-generation", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    if not args.skip_harness:
        bench_harness(args.repeats)
    if not args.skip_generation:
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        bench_generation(args.new_tokens, args.prompts, args.dim, args.layers, max(1, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())

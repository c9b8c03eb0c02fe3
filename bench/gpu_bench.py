"""GPU readiness: the codescale runner against torchtitan's own llama3 training at the same shape, side by side.

    python bench/gpu_bench.py [--out DIR] [--steps N]      # a GPU machine: under 8 minutes on one H200
    python bench/gpu_bench.py --cpu --smoke [--out DIR]    # the same code path on the CPU: tiny shape, few steps

Four runs, each in its own process, one GPU each (FSDP2 over the visible GPUs, as torchtitan applies it even to one),
bf16 mixed precision, per-op selective activation checkpointing, ``torch.compile`` on (``--smoke`` turns it off to
keep the CPU path short; ``--compile`` turns it back on):

- **codescale bf16 / float8**: a spec written here, compiled by the real compiler (``plan_spec`` + ``write_plan``),
  trained by ``codescale train RUN_DIR`` (``codescale.titan_runner.train.main``) with its mixture data loader and
  per-language loss;
- **torchtitan bf16 / float8**: torchtitan's own entry point, ``python -m torchtitan.train --module gpu_bench
  --config reference_bf16`` (``reference_float8``). Those config functions start from torchtitan's registry config
  ``llama3_debugmodel()`` and put the same shape into torchtitan's llama3 ``model_registry`` (a flavor built with the
  helper its named flavors use, float8 through ``Float8LinearConverter`` as ``llama3_debugmodel_float8`` does),
  reading the same documents through torchtitan's ``HuggingFaceTextDataLoader`` with the same tokenizer.

Measured per run, from torchtitan's own ``MetricsProcessor`` in both processes (each child records every metrics
dict it hands to its loggers; the console line prints the same numbers): tokens/s, TFLOP/s, MFU against the
device's dense bf16 peak (torchtitan leaves MFU out under float8; it is computed here from the same TFLOP/s), and
peak memory: ``max_active`` (what the caching allocator handed out) and ``max_reserved``. The first logging
interval holds compilation and warm-up and is left out of tokens/s; the peaks are over the whole run. Next to them:
``codescale.compiler.memory``'s estimate for the same shape and micro-batch. It prints codescale / torchtitan ratios
of tokens/s and estimate / measured memory, and writes everything to ``OUT/results.json``.

On the CPU (``--cpu``) both sides run through ``codescale.titan_runner.cpu_compat`` as the runner does there (SDPA
instead of flex attention, float8 emulated); tokens/s and the CPU "memory" (the process's peak RSS) only show that
the path works.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

PARAMS_ENV = "CODESCALE_GPU_BENCH"
"""Path of the JSON file that tells the reference config functions (below) the shape, data and output folder."""
FLAVOR = "codescale_gpu_bench"
PRECISIONS = ("bf16", "float8")
SIDES = ("codescale", "torchtitan")


@dataclass(frozen=True)
class BenchShape:
    n_layers: int
    dim: int
    n_heads: int
    ffn_dim: int
    vocab_size: int
    seq_len: int
    micro_batch: int
    steps: int
    log_every: int
    compile: bool
    programs: int
    """Synthetic python programs in the corpus (the runs repeat them as needed)."""


# per_language.yaml's 1.1B shape: the smallest paper width where rowwise float8 pays for every block linear
# (codescale.compiler.float8; at 0.4B, width 1280, no layer would be converted). 8 x 2048 tokens per step.
GPU = BenchShape(
    n_layers=17,
    dim=2304,
    n_heads=18,
    ffn_dim=6144,
    vocab_size=32768,
    seq_len=2048,
    micro_batch=8,
    steps=30,
    log_every=10,
    compile=True,
    programs=3000,
)
SMOKE = BenchShape(
    n_layers=2,
    dim=64,
    n_heads=4,
    ffn_dim=176,
    vocab_size=512,
    seq_len=64,
    micro_batch=4,
    steps=4,
    log_every=2,
    compile=False,
    programs=200,
)


# --- the torchtitan reference: config functions for `python -m torchtitan.train --module gpu_bench --config ...` --


def reference_bf16():
    return _reference(float8=False)


def reference_float8():
    return _reference(float8=True)


def _reference(*, float8: bool):
    import torch
    from torchtitan.components.checkpoint import CheckpointManager
    from torchtitan.components.loss import ChunkedLossWrapper, CrossEntropyLoss
    from torchtitan.components.metrics import MetricsProcessor
    from torchtitan.components.optimizer import LRSchedulersContainer, default_adamw
    from torchtitan.components.quantization import Float8LinearConverter
    from torchtitan.components.validate import Validator
    from torchtitan.config import CompileConfig, ParallelismConfig, TrainingConfig
    from torchtitan.distributed.activation_checkpoint import SelectiveAC
    from torchtitan.hf_datasets.text_datasets import HuggingFaceTextDataLoader
    from torchtitan.models import llama3
    from torchtitan.models.common.config_utils import decoder_vocab_size
    from torchtitan.models.llama3 import config_registry

    params = json.loads(Path(os.environ[PARAMS_ENV]).read_text())
    shape = BenchShape(**params["shape"])
    llama3.llama3_configs[FLAVOR] = lambda attn_backend, tp_gemm_backend="default": _flavor(
        shape, attn_backend, tp_gemm_backend
    )
    # the same layers as codescale's float8 run keep bf16 (its compiled float8_exclude: the output head at least)
    converters = (
        [Float8LinearConverter.Config(model_compile_enabled=shape.compile, filter_fqns=list(params["float8_exclude"]))]
        if float8
        else None
    )
    config = config_registry.llama3_debugmodel()
    config.model_spec = llama3.model_registry(FLAVOR, converters=converters)
    config.loss = ChunkedLossWrapper.Config(
        loss_fn=CrossEntropyLoss.Config(global_vocab_size=decoder_vocab_size(config.model_spec))
    )
    config.hf_assets_path = params["tokenizer"]
    config.dataloader = HuggingFaceTextDataLoader.Config(dataset="c4_test", dataset_path=params["data"])
    config.dump_folder = str(Path(params["out"]) / f"torchtitan-{'float8' if float8 else 'bf16'}")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    config.training = TrainingConfig(
        local_batch_size=shape.micro_batch,
        global_batch_size=shape.micro_batch * world,
        seq_len=shape.seq_len,
        steps=shape.steps,
    )
    config.parallelism = ParallelismConfig()  # FSDP2 over every rank
    config.compile = CompileConfig(enable=shape.compile)
    config.activation_checkpoint = SelectiveAC.Config()
    config.optimizer = default_adamw(lr=3e-4, weight_decay=0.1)  # the codescale side's recipe (bench_spec)
    config.lr_scheduler = LRSchedulersContainer.Config(warmup_steps=2, decay_type="cosine", min_lr_factor=0.1)
    config.checkpoint = CheckpointManager.Config(enable=False)
    config.validator = Validator.Config(enable=False)
    config.metrics = MetricsProcessor.Config(log_freq=shape.log_every)
    if not torch.cuda.is_available():
        from codescale.titan_runner import cpu_compat

        cpu_compat.adapt_config(config)
    return config


def _flavor(shape: BenchShape, attn_backend: str, tp_gemm_backend: str):
    """A llama3 flavor of this shape, built as torchtitan builds its named flavors (``_debugmodel``): multi-head
    attention, untied embedding and head, RoPE sized by the Trainer to the sequence length."""
    from torchtitan.models.common import ComplexRoPE, Embedding, Linear, RMSNorm
    from torchtitan.models.llama3 import (  # the helpers of torchtitan's own flavors (private, pinned torchtitan)
        _EMBEDDING_INIT,
        _NORM_INIT,
        Llama3Model,
        _build_llama3_layers,
        _output_linear_init,
    )

    d, v = shape.dim, shape.vocab_size
    return Llama3Model.Config(
        dim=d,
        vocab_size=v,
        tok_embeddings=Embedding.Config(num_embeddings=v, embedding_dim=d, param_init=_EMBEDDING_INIT),
        norm=RMSNorm.Config(normalized_shape=d, param_init=_NORM_INIT),
        lm_head=Linear.Config(in_features=d, out_features=v, param_init=_output_linear_init(d)),
        layers=_build_llama3_layers(
            fuse_qkv=True,
            n_layers=shape.n_layers,
            dim=d,
            n_heads=shape.n_heads,
            hidden_dim=shape.ffn_dim,
            rope=ComplexRoPE.Config(dim=d // shape.n_heads, max_seq_len=shape.seq_len, theta=10000.0, scaling="none"),
            attn_backend=attn_backend,
            tp_gemm_backend=tp_gemm_backend,
        ),
    )


# --- one run, in a child process -----------------------------------------------------------------------------


def child(side: str, precision: str, work: Path) -> int:
    """Run one side in this process, recording torchtitan's metrics dicts to WORK/<side>-<precision>.metrics.jsonl."""
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()  # before torchtitan.trainer is imported; on a GPU only the torch-version shim
    import torch
    from torchtitan.components import metrics
    from torchtitan.tools.logging import init_logger
    from torchtitan.tools.utils import get_peak_flops

    init_logger()  # torchtitan's console logging on both sides (torchtitan.train.main sets it up again)
    record = work / f"{side}-{precision}.metrics.jsonl"
    record.unlink(missing_ok=True)
    if torch.cuda.is_available():
        name = torch.cuda.get_device_name()
        device = {
            "name": name,
            "peak_flops": get_peak_flops(name),
            "memory": torch.cuda.get_device_properties(0).total_memory,
        }
    else:
        from codescale.compiler.costing import ACCELERATORS

        device = {"name": "cpu", "peak_flops": ACCELERATORS["cpu"].peak_flops, "memory": None}
    (work / f"{side}-{precision}.device.json").write_text(json.dumps(device))
    _record_metrics(metrics, record)
    if side == "codescale":
        from codescale.titan_runner.train import main

        run_dir = json.loads((work / "codescale_runs.json").read_text())[precision]
        return main([run_dir])
    from codescale.titan_runner.train import ensure_distributed_env

    ensure_distributed_env()
    os.environ[PARAMS_ENV] = str(work / "reference.json")
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # `--module gpu_bench` imports this file
    sys.argv = ["torchtitan.train", "--module", "gpu_bench", "--config", f"reference_{precision}"]
    import torchtitan.train

    torchtitan.train.main()
    return 0


def _record_metrics(metrics_module, path: Path) -> None:
    """Append every metrics dict torchtitan's MetricsProcessor hands to its logger (a BaseLogger when no backend is
    on, a LoggerContainer otherwise) to ``path``; the loggers still get it unchanged."""
    for cls in (metrics_module.BaseLogger, metrics_module.LoggerContainer):
        original = cls.log

        def log(self, values, step, _original=original):
            numbers = {k: float(v) for k, v in values.items() if isinstance(v, (int, float))}
            with open(path, "a") as f:
                f.write(json.dumps({"step": int(step), **numbers}) + "\n")
            return _original(self, values, step)

        cls.log = log


# --- the parent: corpus, compiled runs, children, table --------------------------------------------------------


def prepare_inputs(work: Path, shape: BenchShape, gpu_kind: str) -> dict[str, str]:
    """The synthetic python corpus (prepared for codescale, as {"text": ...} JSONL for torchtitan), the compiled
    codescale runs and the reference's parameters."""
    import yaml

    from codescale.compiler.plan import plan_spec
    from codescale.compiler.render import write_plan
    from codescale.mixtures.prepare import prepare
    from codescale.mixtures.synthetic.corpus import write_corpus

    catalog = write_corpus(work / "corpus", shape.programs, languages=["python"])
    document = yaml.safe_load(catalog.read_text())
    document["tokenizer"]["vocab_size"] = shape.vocab_size  # the BPE may stop short of it: the model keeps it
    catalog.write_text(yaml.safe_dump(document, sort_keys=False))
    prepared = work / "prepared"
    manifest = prepare(catalog, prepared, progress=False)
    data = work / "reference_data"
    data.mkdir(exist_ok=True)
    with open(catalog.parent / "raw" / "python.jsonl") as src, open(data / "train.jsonl", "w") as dst:
        for line in src:
            dst.write(json.dumps({"text": json.loads(line)["content"]}) + "\n")
    spec = work / "bench_spec.yaml"
    spec.write_text(bench_spec(shape, gpu_kind, prepared))
    plan = plan_spec(spec, out_dir=work / "compiled")
    write_plan(plan, work / "compiled")
    runs = {"float8" if run.float8 else "bf16": run.paths.run_dir for run in plan.runs}
    float8_exclude = next(list(run.float8_exclude or []) for run in plan.runs if run.float8)
    (work / "codescale_runs.json").write_text(json.dumps(runs))
    tokenizer = prepared / manifest["tokenizer"]["dir"]
    (work / "reference.json").write_text(
        json.dumps(
            {
                "shape": asdict(shape),
                "tokenizer": str(tokenizer),
                "data": str(data),
                "out": str(work / "reference"),
                "float8_exclude": float8_exclude,
            }
        )
    )
    return runs


def bench_spec(shape: BenchShape, gpu_kind: str, prepared: Path) -> str:
    tokens = shape.steps * shape.micro_batch * shape.seq_len
    # the smoke shape is far below the width where float8 pays; convert it anyway so the float8 path still runs
    gate = "float8_layers: {gate: none}" if shape.dim < 1024 else ""
    return f"""\
study: gpu_bench
corpus:
  prepared: {prepared}
mixture:
  uniform: [python]
  max_epochs: 1000           # the runs repeat the small corpus
model:
  shape: {{n_layers: {shape.n_layers}, dim: {shape.dim}, n_heads: {shape.n_heads}, ffn_dim: {shape.ffn_dim}}}
  vocab_size: {shape.vocab_size}
budget:
  tokens: {tokens}
training:
  seq_len: {shape.seq_len}
  global_batch_tokens: {shape.micro_batch * shape.seq_len}
  micro_batch_size: {shape.micro_batch}
  lr: 3.0e-4
  warmup: 2
  decay: cosine
  min_lr_ratio: 0.1
  weight_decay: 0.1
  checkpoint_interval: {shape.steps}
  log_interval: {shape.log_every}
cluster:
  gpu: {gpu_kind}
  gpus_per_node: 1
compile: {str(shape.compile).lower()}
activation_checkpointing: selective
{gate}
eval:
  interval_steps: {shape.steps}  # only the final evaluation, after the last timed interval
  max_sequences: 8
sweep:
  name: "gpu_bench-float8-{{float8}}"
  product:
    float8: [false, true]
"""


def gpu_kind_of(device_name: str) -> str:
    """The cluster.gpu preset of this device (H100 where none matches: same peak, 80 GB)."""
    for kind in ("H200", "H800", "H100", "A100"):
        if kind in device_name:
            return kind
    return "H100"


def summarize(
    side: str, precision: str, work: Path, shape: BenchShape, returncode: int, wall: float, log_tail: str
) -> dict:
    from codescale.compiler.memory import Layout
    from codescale.compiler.shapes import Shape

    device_file = work / f"{side}-{precision}.device.json"
    device = json.loads(device_file.read_text()) if device_file.is_file() else {}
    lines = []
    record = work / f"{side}-{precision}.metrics.jsonl"
    if record.is_file():
        lines = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
    # the training steps' dicts (codescale also logs its evaluations through the same logger)
    lines = [m for m in lines if "throughput(tps)" in m]
    timed = lines[1:] or lines
    layout = Layout(
        Shape(shape.n_layers, shape.dim, shape.n_heads, shape.ffn_dim),
        shape.vocab_size,
        shape.seq_len,
        dp_shard=1,
        activation_checkpointing="selective",
        device_memory=device.get("memory"),
    )
    estimate = layout.estimate(shape.micro_batch)
    params = re.findall(r"size: ([\d,]+) total parameters", log_tail)
    result = {
        "side": side,
        "precision": precision,
        "returncode": returncode,
        "wall_s": round(wall, 1),
        "device": device.get("name"),
        "params": int(params[-1].replace(",", "")) if params else None,
        "float8_active": "Float8 training active" in log_tail,
        "logged_steps": [int(m["step"]) for m in lines],
        "estimate_gib": estimate.total / 2**30,
        "estimate": estimate.describe(),
    }
    if returncode != 0 or not timed:
        result["error"] = log_tail[-3000:]
        return result
    tps = sum(m["throughput(tps)"] for m in timed) / len(timed)
    tflops = sum(m["tflops"] for m in timed) / len(timed)
    result.update(
        tokens_per_s=tps,
        tflops=tflops,
        mfu=tflops * 1e12 / device["peak_flops"] if device.get("peak_flops") else None,
        max_active_gib=max(m["memory/max_active(GiB)"] for m in lines),
        max_reserved_gib=max(m["memory/max_reserved(GiB)"] for m in lines),
        final_loss=lines[-1].get("loss_metrics/global_avg_loss"),
    )
    return result


def table(results: list[dict], cpu: bool) -> str:
    memory = "peak RSS GiB" if cpu else "max active GiB"
    header = (
        f"{'run':<20} {'tokens/s':>10} {'TFLOP/s':>8} {'MFU':>6} {memory:>15} {'reserved GiB':>12} {'estimate GiB':>12}"
    )
    out = [header, "-" * len(header)]
    for r in results:
        name = f"{r['side']} {r['precision']}"
        if r.get("skipped"):
            out.append(f"{name:<20} skipped: {r['skipped']}")
            continue
        if "tokens_per_s" not in r:
            out.append(
                f"{name:<20} failed (rc {r['returncode']}), see results.json; estimate {r['estimate_gib']:.2f} GiB"
            )
            continue
        mfu = f"{100 * r['mfu']:.1f}%" if r["mfu"] is not None else "-"
        out.append(
            f"{name:<20} {r['tokens_per_s']:>10,.0f} {r['tflops']:>8.2f} {mfu:>6} {r['max_active_gib']:>15.2f} "
            f"{r['max_reserved_gib']:>12.2f} {r['estimate_gib']:>12.2f}"
        )
    by = {(r["side"], r["precision"]): r for r in results if "tokens_per_s" in r}
    for precision in PRECISIONS:
        ours, theirs = by.get(("codescale", precision)), by.get(("torchtitan", precision))
        if ours and theirs:
            out.append(
                f"{precision}: tokens/s codescale/torchtitan {ours['tokens_per_s'] / theirs['tokens_per_s']:.3f}"
            )
    if not cpu:
        for r in by.values():
            out.append(
                f"{r['side']} {r['precision']}: memory estimate/measured (max active) "
                f"{r['estimate_gib'] / r['max_active_gib']:.3f}"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="work directory (default: a fresh temporary one)")
    parser.add_argument("--cpu", action="store_true", help="run on the CPU (no GPU needed)")
    parser.add_argument("--smoke", action="store_true", help="tiny shape, few steps, no compile")
    parser.add_argument("--steps", type=int, default=None, help="training steps per run")
    parser.add_argument("--compile", action="store_true", help="compile even with --smoke")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=450.0,
        help="stop starting runs after this many seconds (default 450: 7.5 minutes)",
    )
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "PRECISION"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = (args.out or Path(os.environ.get("TMPDIR", "/tmp")) / f"gpu_bench-{os.getpid()}").resolve()
    if args.child:
        return child(args.child[0], args.child[1], work)

    import torch

    if not args.cpu and not torch.cuda.is_available():
        print("error: no GPU here; run with --cpu --smoke to exercise the same path on the CPU", file=sys.stderr)
        return 2
    shape = SMOKE if args.smoke else GPU
    if args.steps or args.compile:
        shape = BenchShape(
            **{**asdict(shape), "steps": args.steps or shape.steps, "compile": shape.compile or args.compile}
        )
    gpu_kind = "H100" if args.cpu else gpu_kind_of(torch.cuda.get_device_name())  # H100 on cpu: float8 compiles
    started = time.perf_counter()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    prepare_inputs(work, shape, gpu_kind)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH")])
        ),
    }
    if args.cpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    results: list[dict] = []
    for precision in PRECISIONS:
        for side in SIDES:
            elapsed = time.perf_counter() - started
            longest = max((r["wall_s"] for r in results if "wall_s" in r), default=0.0)
            if elapsed + longest > args.budget_s:  # the next run would likely end past the budget
                results.append(
                    {
                        "side": side,
                        "precision": precision,
                        "returncode": None,
                        "skipped": "time budget",
                        "estimate_gib": float("nan"),
                    }
                )
                continue
            t0 = time.perf_counter()
            command = [sys.executable, str(Path(__file__).resolve()), "--out", str(work), "--child", side, precision]
            try:
                proc = subprocess.run(
                    command, env=env, capture_output=True, text=True, timeout=max(120.0, args.budget_s + 60 - elapsed)
                )
                returncode, log = proc.returncode, proc.stdout + proc.stderr
            except subprocess.TimeoutExpired as err:
                output = err.stdout.decode(errors="replace") if isinstance(err.stdout, bytes) else err.stdout or ""
                returncode, log = -9, f"timed out after {err.timeout:.0f} s\n{output}"
            log = re.sub(r"\x1b\[[0-9;]*m", "", log)
            (work / f"{side}-{precision}.log").write_text(log)
            results.append(summarize(side, precision, work, shape, returncode, time.perf_counter() - t0, log))
    device = next((r["device"] for r in results if r.get("device")), "cpu")
    report = {
        "device": device,
        "shape": asdict(shape),
        "wall_s": round(time.perf_counter() - started, 1),
        "runs": results,
    }
    (work / "results.json").write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"gpu_bench on {device}: L{shape.n_layers} d{shape.dim} h{shape.n_heads} ffn{shape.ffn_dim} "
        f"vocab {shape.vocab_size}, {shape.micro_batch}x{shape.seq_len} tokens/step, {shape.steps} steps, "
        f"compile {'on' if shape.compile else 'off'}; {report['wall_s']} s in all"
    )
    print(table(results, args.cpu))
    print(f"results: {work / 'results.json'}")
    return 0 if all(r.get("returncode") == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Import compiled jobs.py modules and build every run's torchtitan Trainer.Config (run by test_render_torchtitan).

argv: OUT_DIR [OUT_DIR ...]. Prints one JSON object per run: what the built config says, for the test to compare
with the run's run.json. Runs in its own process because the CPU shims of codescale.titan_runner.cpu_compat patch
torchtitan globally.
"""

import importlib.util
import json
import sys
from pathlib import Path

from codescale.titan_runner import cpu_compat

cpu_compat.apply()

import torch  # noqa: E402
from torchtitan.components.quantization.float8 import Float8Linear  # noqa: E402
from torchtitan.trainer import Trainer  # noqa: E402

for out in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location(f"jobs_{Path(out).name}", Path(out) / "jobs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plan = json.loads((Path(out) / "plan.json").read_text())
    for run in plan["runs"]:
        config = getattr(module, run["paths"]["job_function"])()
        assert isinstance(config, Trainer.Config), type(config)
        model = config.model_spec.model
        row = {
            "run_id": run["run_id"],
            "dump_folder": config.dump_folder,
            "manifest": config.dataloader.manifest,
            "dataloader": type(config.dataloader).__qualname__,
            "steps": config.training.steps,
            "seq_len": config.training.seq_len,
            "local_batch_size": config.training.local_batch_size,
            "global_batch_size": config.training.global_batch_size,
            "lr": config.optimizer.param_groups[0].optimizer_kwargs["lr"],
            "warmup_steps": config.lr_scheduler.warmup_steps,
            "decay_type": config.lr_scheduler.decay_type,
            "decay_ratio": config.lr_scheduler.decay_ratio,
            "dp_shard": config.parallelism.data_parallel_shard_degree,
            "dp_replicate": config.parallelism.data_parallel_replicate_degree,
            "compile": config.compile.enable,
            "activation_checkpoint": type(config.activation_checkpoint).__qualname__,
            "checkpoint_folder": config.checkpoint.folder,
            "checkpoint_enabled": config.checkpoint.enable,
            "seed": config.debug.seed,
            "n_layers": len(model.layers),
            "dim": model.dim,
            "vocab_size": model.vocab_size,
            "w1_class": type(model.layers[0].feed_forward.w1).__qualname__,
            "float8_layers": sorted(
                {
                    fqn.split(".", 2)[-1] if fqn.startswith("layers.") else fqn
                    for fqn, _, _, _ in model.traverse(Float8Linear.Config)
                }
            )
            if Float8Linear
            else [],
            "loss": type(config.loss.loss_fn).__qualname__,
            "validator": type(config.validator).__qualname__,
            "eval_freq": config.validator.freq,
            "eval_languages": config.validator.languages,
            "translation": config.validator.translation,
            "metrics": type(config.metrics).__qualname__,
            "callbacks": [type(c).__qualname__ for c in config.metrics.callbacks],
            "total_steps": config.metrics.total_steps,
            "log_freq": config.metrics.log_freq,
            "disable_cuda_graphs": config.training.disable_cuda_graphs,
        }
        if run["model"]["params"] < 5e8:  # materialise small models on the meta device and count parameters
            with torch.device("meta"):
                built = model.build()
            row["params"] = sum(p.numel() for p in built.parameters())
        print(json.dumps(row), flush=True)

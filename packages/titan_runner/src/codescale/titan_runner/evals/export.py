"""``codescale export``: a torchtitan DCP checkpoint of a run -> a Hugging Face model directory.

What a run's checkpoint is: ``RUN_DIR/checkpoints/step-N/`` as torchtitan's checkpointer writes it (DCP: model,
optimizer, lr schedule, data loader and train state, model weights in the stock layout: ``wq``/``wk``/``wv``
even when the model fuses them). Export reads only the model weights (a partial DCP load, no process group), turns
them into Hugging Face names with torchtitan's own :class:`Llama3StateDictAdapter` (which also permutes ``wq``/``wk``
from torchtitan's interleaved rotary layout to Hugging Face's half-split one), and writes:

``model.safetensors``        the weights, fp32 as trained
``config.json``              a ``LlamaForCausalLM`` config from the compiled model config: hidden size, layers,
                             heads, KV heads, head dim, FFN size, RoPE theta, RMSNorm eps, vocabulary, untied
                             embeddings, special-token ids
``generation_config.json``   BOS/EOS/PAD ids
``tokenizer.json`` + ``tokenizer_config.json``   the prepared corpus's tokenizer, as training used it
``codescale_export.json``    where it came from: run id, step, checkpoint path, format id

The model config is the one training used: the compiled ``jobs.py`` function of the run (``run.json`` names it).

Identity and idempotence: the default output is ``RUN_DIR/hf/step-N`` and an export whose ``codescale_export.json``
names the same checkpoint is reused. A directory is built under a temporary name and renamed into place, so a crash
never leaves a half-exported model that a later evaluation would load.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codescale.core.contracts import PreparedManifest, Run
from codescale.core.errors import CodescaleError
from codescale.core.io import write_json_atomic

EXPORT_FORMAT = "codescale.hf_export/1"
EXPORT_FILE = "codescale_export.json"
_STEP_DIR = re.compile(r"^step-(\d+)$")


@dataclass(frozen=True)
class Checkpoint:
    run_dir: Path
    step: int
    path: Path


def checkpoints(run_dir: str | Path) -> list[Checkpoint]:
    """Every complete checkpoint of a run (a DCP ``.metadata`` file is written last), by step."""
    folder = Path(run_dir) / "checkpoints"
    found = []
    if folder.is_dir():
        for entry in folder.iterdir():
            match = _STEP_DIR.match(entry.name)
            if match and (entry / ".metadata").is_file():
                found.append(Checkpoint(Path(run_dir).resolve(), int(match.group(1)), entry.resolve()))
    return sorted(found, key=lambda c: c.step)


def find_checkpoint(run_dir: str | Path, step: int | None = None) -> Checkpoint:
    """The checkpoint of ``step`` (default: the latest); a CodescaleError lists the steps there are."""
    available = checkpoints(run_dir)
    if not available:
        raise CodescaleError(
            "the run has no checkpoint",
            source=Path(run_dir) / "checkpoints",
            hint="train it first (codescale submit); checkpoints are written every "
            "training.checkpoint_interval steps and at the last step",
        )
    if step is None:
        return available[-1]
    for checkpoint in available:
        if checkpoint.step == step:
            return checkpoint
    raise CodescaleError(
        f"the run has no checkpoint of step {step}",
        source=Path(run_dir) / "checkpoints",
        hint=f"steps with a checkpoint: {', '.join(str(c.step) for c in available)}",
    )


@dataclass(frozen=True)
class Exported:
    path: Path
    run_id: str
    step: int
    reused: bool


def default_export_dir(checkpoint: Checkpoint) -> Path:
    return checkpoint.run_dir / "hf" / f"step-{checkpoint.step}"


def export_checkpoint(
    run_dir: str | Path, out: str | Path | None = None, *, step: int | None = None, force: bool = False
) -> Exported:
    """Export a run's checkpoint (default: the latest) as a Hugging Face model directory; reuse an existing export."""
    run_dir = Path(run_dir).resolve()
    run = Run.read(run_dir / "run.json")
    checkpoint = find_checkpoint(run_dir, step)
    out = Path(out).resolve() if out is not None else default_export_dir(checkpoint)
    record = _read_record(out)
    if (
        not force
        and record
        and record.get("checkpoint") == str(checkpoint.path)
        and record.get("step") == checkpoint.step
    ):
        return Exported(out, run.run_id, checkpoint.step, reused=True)
    if out.exists() and not record and any(out.iterdir()):
        raise CodescaleError(
            "the output directory exists and is not a codescale export",
            source=out,
            hint="choose an empty or new directory with -o",
        )
    model_config = _model_config(run, run_dir)
    weights = load_model_weights(checkpoint.path)
    tokenizer = _tokenizer(run, run_dir)
    staging = out.with_name(f".{out.name}.{os.getpid()}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _write(staging, model_config, weights, tokenizer, run, checkpoint)
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Exported(out, run.run_id, checkpoint.step, reused=False)


def _read_record(out: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((out / EXPORT_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) and record.get("format") == EXPORT_FORMAT else None


def _model_config(run: Run, run_dir: Path) -> Any:
    """The ``Llama3Model.Config`` the run trained (its compiled job function)."""
    from codescale.titan_runner import cpu_compat

    cpu_compat.apply()
    from codescale.titan_runner.rundir import RunDir
    from codescale.titan_runner.train import load_job_config

    return load_job_config(run, RunDir(run_dir)).model_spec.model


def load_model_weights(checkpoint: str | Path) -> dict[str, Any]:
    """The model's tensors of a DCP checkpoint (stock names, fp32), without the optimizer or a process group."""
    import warnings

    import torch
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.metadata import TensorStorageMetadata

    reader = dcp.FileSystemReader(str(checkpoint))
    metadata = reader.read_metadata()
    state: dict[str, torch.Tensor] = {}
    for key, item in metadata.state_dict_metadata.items():
        if key.split(".")[0] in ("optimizer", "train_state", "dataloader", "lr_scheduler"):
            continue
        if not isinstance(item, TensorStorageMetadata):  # pickled bytes (extra state), not a tensor
            continue
        state[key] = torch.empty(tuple(item.size), dtype=item.properties.dtype)
    if not state:
        raise CodescaleError("the checkpoint holds no model weights", source=checkpoint)
    with warnings.catch_warnings():  # "no process group: loading in a single process" is what we want
        warnings.simplefilter("ignore", UserWarning)
        dcp.load(state, storage_reader=reader)
    return state


def _tokenizer(run: Run, run_dir: Path) -> dict[str, Any]:
    prepared = run.corpus.prepared
    if not prepared:
        raise CodescaleError(
            "the run names no prepared corpus, so its tokenizer is unknown",
            source=run_dir / "run.json",
            field="corpus.prepared",
            hint="compile the spec with --prepared DIR",
        )
    manifest = PreparedManifest.read_dir(prepared)
    folder = Path(prepared) / manifest.tokenizer.dir
    return {
        "dir": folder,
        "bos_id": manifest.tokenizer.bos_id,
        "eos_id": manifest.tokenizer.eos_id,
        "pad_id": manifest.tokenizer.pad_id,
        "vocab_size": manifest.tokenizer.vocab_size,
    }


def hf_config(model_config: Any, weights: dict[str, Any], tokenizer: dict[str, Any]) -> dict[str, Any]:
    """``config.json`` of the matching ``LlamaForCausalLM``."""
    attention = model_config.layers[0].attention
    n_heads = attention.n_heads
    n_kv_heads = attention.n_kv_heads or n_heads
    head_dim = attention.head_dim or model_config.dim // n_heads
    rope = attention.rope
    if getattr(rope, "scaling", "none") not in (None, "none"):
        raise CodescaleError(
            f"RoPE scaling {rope.scaling!r} has no Hugging Face Llama equivalent here",
            hint="export supports the unscaled RoPE codescale compiles",
        )
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": model_config.dim,
        "intermediate_size": int(weights["layers.0.feed_forward.w1.weight"].shape[0]),
        "num_hidden_layers": len(model_config.layers),
        "num_attention_heads": n_heads,
        "num_key_value_heads": n_kv_heads,
        "head_dim": head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": int(rope.max_seq_len),
        "rms_norm_eps": float(model_config.norm.eps),
        "rope_theta": float(rope.theta),
        "rope_scaling": None,
        "vocab_size": int(weights["tok_embeddings.weight"].shape[0]),
        "tie_word_embeddings": bool(getattr(model_config, "enable_weight_tying", False)),
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "initializer_range": 0.02,
        "bos_token_id": tokenizer["bos_id"],
        "eos_token_id": tokenizer["eos_id"],
        "pad_token_id": tokenizer["pad_id"],
        "torch_dtype": "float32",
        "use_cache": True,
    }


def _write(
    out: Path, model_config: Any, weights: dict[str, Any], tokenizer: dict[str, Any], run: Run, checkpoint: Checkpoint
) -> None:
    from safetensors.torch import save_file
    from torchtitan.models.llama3.state_dict_adapter import Llama3StateDictAdapter

    config = hf_config(model_config, weights, tokenizer)
    hf_weights = Llama3StateDictAdapter(model_config, None).to_hf(weights)
    expected = 2 + 9 * config["num_hidden_layers"] + (0 if config["tie_word_embeddings"] else 1)
    if len(hf_weights) != expected:
        raise CodescaleError(
            f"the adapter produced {len(hf_weights)} tensors, a Llama of this shape has {expected}",
            source=checkpoint.path,
            hint="the checkpoint does not match the run's model config",
        )
    save_file(
        {k: v.contiguous() for k, v in hf_weights.items()}, str(out / "model.safetensors"), metadata={"format": "pt"}
    )
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    generation = {
        "bos_token_id": tokenizer["bos_id"],
        "eos_token_id": tokenizer["eos_id"],
        "pad_token_id": tokenizer["pad_id"],
    }
    (out / "generation_config.json").write_text(json.dumps(generation, indent=2) + "\n")
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(tokenizer["dir"] / name, out / name)
    write_json_atomic(
        out / EXPORT_FILE,
        {
            "format": EXPORT_FORMAT,
            "run_id": run.run_id,
            "step": checkpoint.step,
            "checkpoint": str(checkpoint.path),
            "run_dir": str(checkpoint.run_dir),
        },
    )

"""Builds run directories the way the compiler and titan_runner lay them out (contracts §3-§4), for store tests.

``run_json`` returns a complete ``codescale.run/1`` object: it is checked against the core contract here, so a
fixture can never drift from what the compiler writes."""

from __future__ import annotations

import json
import math
from pathlib import Path

from codescale.core.contracts import Run

SIZES = {"0.1B": (12, 768, 124_000_000, 85_000_000), "0.3B": (24, 1024, 350_000_000, 300_000_000)}


def run_json(
    run_id: str,
    *,
    study: str = "demo",
    languages=("python",),
    proportions=None,
    size: str = "0.1B",
    steps: int = 100,
    global_batch_tokens: int = 8192,
    seed: int = 0,
    pairing: str = "none",
    translation=(),
    run_dir: Path | None = None,
) -> dict:
    n_layers, dim, params, params_ne = SIZES[size]
    languages = list(languages)
    proportions = proportions or {lang: 1 / len(languages) for lang in languages}
    tokens = steps * global_batch_tokens
    run = {
        "format": "codescale.run/1",
        "run_id": run_id,
        "name": run_id.rsplit("-", 1)[0],
        "study": study,
        "spec": f"specs/{study}.yaml",
        "sweep": {"model.size": size, "data.mixture": "+".join(languages)},
        "languages": languages,
        "model": {
            "size_label": size,
            "target_params": params,
            "n_layers": n_layers,
            "dim": dim,
            "n_heads": dim // 64,
            "ffn_dim": 4 * dim,
            "vocab_size": 4096,
            "params": params,
            "params_non_embedding": params_ne,
            "params_counted": "non_embedding",
        },
        "training": {
            "seq_len": 512,
            "global_batch_tokens": global_batch_tokens,
            "global_batch_size": 16,
            "local_batch_size": 2,
            "steps": steps,
            "tokens": tokens,
            "requested_tokens": tokens,
            "lr": 3e-4,
            "min_lr_ratio": 0.1,
            "warmup_steps": 10,
            "decay": "cosine",
            "decay_ratio": None,
            "weight_decay": 0.1,
            "seed": seed,
            "max_norm": 1.0,
            "checkpoint_interval": 50,
            "log_interval": 10,
        },
        "mixture": {
            "proportions": proportions,
            "tokens_per_language": {lang: round(tokens * p) for lang, p in proportions.items()},
            "max_epochs": {lang: None for lang in languages},
            "kind": "explicit",
        },
        "pairing": {
            "mode": pairing,
            "template": "direct" if pairing == "parallel" else None,
            "pivot": "python",
            "directions": [list(d) for d, _ in translation],
            "fraction": 0.5,
            "both_orders": False,
        },
        "eval": {
            "interval_steps": 50,
            "languages": languages,
            "translation": [{"src": s, "tgt": t, "seen": seen} for (s, t), seen in translation],
            "max_sequences": 64,
        },
        "cluster": {
            "gpu": "H100",
            "peak_flops": 9.89e14,
            "gpus_per_node": 8,
            "nodes": 1,
            "partition": None,
            "account": None,
            "qos": None,
            "constraint": None,
            "time_limit_min": 60,
            "mfu": 0.4,
            "cpus_per_task": 8,
            "mem_gb": 64,
            "extra_sbatch": [],
        },
        "parallelism": {"dp_shard": 8, "dp_replicate": 1, "world_size": 8},
        "float8": False,
        "compile": False,
        "activation_checkpointing": "none",
        "derived": {
            "tokens_per_step": global_batch_tokens,
            "flops_6nd": 6.0 * params * tokens,
            "flops": 6.0 * params * tokens,
            "gpu_hours": 6.0 * params * tokens / 9.89e14 / 0.4 / 3600,
            "flops_per_token": 6.0 * params,
        },
        "corpus": {"catalog": None, "prepared": None},
        "paths": {
            "run_dir": str(run_dir) if run_dir else None,
            "job_module": "/x/jobs.py",
            "job_function": "job_" + run_id.replace("-", "_"),
        },
    }
    Run.model_validate(run)  # the fixture is a valid run.json
    return run


def train_line(run: dict, step: int) -> dict:
    languages = run["languages"]
    tokens = step * run["training"]["global_batch_tokens"]
    loss = 2.0 + 3.0 / math.sqrt(step)
    return {
        "kind": "train",
        "step": step,
        "time": 1_700_000_000.0 + step,
        "tokens": tokens,
        "tokens_per_language": {lang: round(tokens * run["mixture"]["proportions"][lang]) for lang in languages},
        "loss": loss,
        "loss_per_language": {lang: loss + 0.1 * i for i, lang in enumerate(languages)},
        "lr": 3e-4,
        "tokens_per_second": 50_000.0,
        "grad_norm": 0.5,
    }


def eval_line(
    run: dict, step: int, valid_loss: dict[str, float] | None = None, translation_loss: dict[str, float] | None = None
) -> dict:
    languages = run["languages"]
    valid_loss = valid_loss or {lang: 2.5 + 1.0 / step + 0.1 * i for i, lang in enumerate(languages)}
    translation = {f"{t['src']}->{t['tgt']}": t["seen"] for t in run["eval"]["translation"]}
    translation_loss = translation_loss or {d: 1.5 + 1.0 / step for d in translation}
    line = {
        "kind": "eval",
        "step": step,
        "time": 1_700_000_000.0 + step,
        "tokens": step * run["training"]["global_batch_tokens"],
        "valid_loss": valid_loss,
    }
    if translation_loss:
        line["translation_loss"] = translation_loss
        line["translation_seen"] = {d: translation[d] for d in translation_loss}
    return line


def make_run_dir(
    root: Path,
    run_id: str,
    *,
    steps_done: int | None = None,
    final_valid_loss=None,
    final_translation_loss=None,
    state: str | None = None,
    log_every: int = 10,
    **run_kwargs,
) -> Path:
    """``root/runs/<run_id>/`` with run.json, status.json and metrics.jsonl after ``steps_done`` steps (default all).

    Train lines every ``log_every`` steps, eval lines every ``eval.interval_steps`` and at the last step done;
    ``final_valid_loss`` ({lang: loss}) sets the last eval's values.
    """
    run_dir = root / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    run = run_json(run_id, run_dir=run_dir, **run_kwargs)
    (run_dir / "run.json").write_text(json.dumps(run, indent=2))
    total = run["training"]["steps"]
    done = total if steps_done is None else steps_done
    state = state or ("completed" if done == total else "running")
    lines = []
    for step in range(1, done + 1):
        if step % log_every == 0 or step == done:
            lines.append(train_line(run, step))
        if step % run["eval"]["interval_steps"] == 0 or step == done:
            last = step == done
            lines.append(
                eval_line(run, step, final_valid_loss if last else None, final_translation_loss if last else None)
            )
    write_metrics(run_dir, lines)
    write_status(run_dir, run, state, done)
    return run_dir


def write_metrics(run_dir: Path, lines: list[dict], *, append: bool = False) -> None:
    with (run_dir / "metrics.jsonl").open("a" if append else "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")


def write_status(run_dir: Path, run: dict, state: str, step: int) -> None:
    status = {
        "format": "codescale.status/1",
        "run_id": run["run_id"],
        "state": state,
        "step": step,
        "total_steps": run["training"]["steps"],
        "tokens_seen": step * run["training"]["global_batch_tokens"],
        "starts": [
            {"time": "2026-01-01T00:00:00Z", "host": "node1", "pid": 1, "job_id": "1", "resumed_from_step": None}
        ],
        "started_at": "2026-01-01T00:00:00Z",
        "finished_at": None if state == "running" else "2026-01-01T01:00:00Z",
        "wall_seconds": 3600.0,
        "error": None,
    }
    (run_dir / "status.json").write_text(json.dumps(status))

"""Fixtures: a small prepared two-language corpus and compiled-looking run directories around a tiny llama3.

The corpus is real (``codescale.mixtures.prepare`` on generated code-like documents, a 512-token BPE). A run directory
holds run.json, mixture.json and a jobs.py whose function returns a real torchtitan ``Trainer.Config`` with
``MixtureDataLoader.Config(manifest=...)`` -- what ``codescale compile`` renders, at test size (~100k parameters).
"""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def prepared_corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


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
            """
        )
    )
    out = root / "prepared"
    prepare(root / "catalog.yaml", out, progress=False)
    return out


JOBS_TEMPLATE = '''\
"""Test job module: what `codescale compile` renders, at test size."""
from torchtitan.components.checkpoint import CheckpointManager
from torchtitan.components.loss import CrossEntropyLoss
from torchtitan.components.metrics import MetricsProcessor
from torchtitan.components.optimizer import LRSchedulersContainer, default_adamw
from torchtitan.components.quantization import Float8LinearConverter
from torchtitan.config import ParallelismConfig, TrainingConfig
from torchtitan.components.tokenizer import HuggingFaceTokenizer
from torchtitan.models.common import ComplexRoPE, Embedding, Linear, RMSNorm
from torchtitan.models.llama3 import Llama3Model, _build_llama3_layers, parallelize_llama
from torchtitan.models.llama3.state_dict_adapter import Llama3StateDictAdapter
from torchtitan.protocols.model_spec import ModelSpec
from torchtitan.distributed.pipeline_parallel import pipeline_llm
from torchtitan.trainer import Trainer

from codescale.titan_runner.dataloader import MixtureDataLoader


def _model(vocab, dim, n_layers, n_heads, float8):
    config = Llama3Model.Config(
        dim=dim,
        vocab_size=vocab,
        tok_embeddings=Embedding.Config(num_embeddings=vocab, embedding_dim=dim),
        norm=RMSNorm.Config(normalized_shape=dim),
        lm_head=Linear.Config(in_features=dim, out_features=vocab),
        layers=_build_llama3_layers(
            n_layers=n_layers, dim=dim, n_heads=n_heads, hidden_dim=4 * dim,
            rope=ComplexRoPE.Config(dim=dim // n_heads, max_seq_len=4096, theta=10000),
            attn_backend="flex",
        ),
    )
    if float8:
        config = Float8LinearConverter.Config(emulate=False).build().convert(config)
    return ModelSpec(name="llama3", flavor="test", model=config, parallelize_fn=parallelize_llama,
                     pipelining_fn=pipeline_llm, post_optimizer_build_fn=None,
                     state_dict_adapter=Llama3StateDictAdapter)


{functions}
'''

FUNCTION_TEMPLATE = '''
def {function}():
    return Trainer.Config(
        hf_assets_path={tokenizer!r},
        dump_folder={run_dir!r},
        model_spec=_model({vocab}, {dim}, {n_layers}, {n_heads}, {float8}),
        tokenizer=HuggingFaceTokenizer.Config(),
        dataloader=MixtureDataLoader.Config(manifest={manifest!r}),
        loss=CrossEntropyLoss.Config(),
        optimizer=default_adamw(lr={lr}),
        lr_scheduler=LRSchedulersContainer.Config(warmup_steps=2, decay_ratio=0.5, decay_type="cosine",
                                                  min_lr_factor=0.1),
        training=TrainingConfig(local_batch_size={local_batch}, global_batch_size={global_batch}, seq_len={seq_len},
                                steps={steps}, max_norm=1.0),
        metrics=MetricsProcessor.Config(log_freq=1),
        parallelism=ParallelismConfig(data_parallel_shard_degree={dp_shard}),
        checkpoint=CheckpointManager.Config(enable=True, folder="checkpoints", interval={checkpoint_interval},
                                            last_save_model_only=False),
        activation_checkpoint=None,
    )
'''


def make_run(
    out: Path,
    prepared: Path,
    *,
    run_id: str = "tiny-0000aaaa",
    steps: int = 8,
    seq_len: int = 64,
    global_batch: int = 4,
    world_size: int = 1,
    dim: int = 64,
    n_layers: int = 2,
    n_heads: int = 4,
    lr: float = 3e-3,
    float8: bool = False,
    checkpoint_interval: int = 2,
    eval_interval: int = 4,
    extra_functions: str = "",
) -> Path:
    """Write OUT/runs/<run_id>/{run.json, mixture.json} and OUT/jobs.py (appending when it exists)."""
    from codescale.mixtures import PreparedCorpus

    corpus = PreparedCorpus(prepared)
    run_dir = (out / "runs" / run_id).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    function = "job_" + run_id.replace("-", "_")
    total_tokens = steps * global_batch * seq_len
    tokens_per_language = {"python": total_tokens // 2, "java": total_tokens - total_tokens // 2}
    run = {
        "format": "codescale.run/1",
        "run_id": run_id,
        "name": run_id.rsplit("-", 1)[0],
        "study": "titan-runner-test",
        "spec": None,
        "sweep": {},
        "languages": LANGUAGES,
        "model": {"n_layers": n_layers, "dim": dim, "n_heads": n_heads, "vocab_size": corpus.vocab_size},
        "training": {"seq_len": seq_len, "global_batch_size": global_batch, "global_batch_tokens": global_batch * seq_len,
                     "steps": steps, "tokens": total_tokens, "lr": lr, "seed": 0},
        "mixture": {"proportions": {"python": 0.5, "java": 0.5}, "tokens_per_language": tokens_per_language,
                    "max_epochs": {"python": None, "java": None}, "kind": "uniform"},
        "pairing": {"mode": "none"},
        "eval": {"interval_steps": eval_interval, "languages": LANGUAGES, "max_sequences": 8,
                 "translation": [{"src": "python", "tgt": "java", "seen": False}]},
        "parallelism": {"dp_shard": world_size, "dp_replicate": 1, "world_size": world_size},
        "float8": float8,
        "compile": False,
        "corpus": {"catalog": None, "prepared": str(prepared)},
        "paths": {"run_dir": str(run_dir), "job_module": str((out / "jobs.py").resolve()), "job_function": function},
    }
    mixture = {
        "format": "codescale.mixture/1",
        "run_id": run_id,
        "languages": LANGUAGES,
        "proportions": run["mixture"]["proportions"],
        "tokens_per_language": tokens_per_language,
        "total_tokens": total_tokens,
        "seq_len": seq_len,
        "global_batch_size": global_batch,
        "seed": 0,
        "max_epochs": {"python": None, "java": None},
        "pairing": {"mode": "none"},
        "prepared": str(prepared),
    }
    (run_dir / "run.json").write_text(json.dumps(run, indent=2))
    (run_dir / "mixture.json").write_text(json.dumps(mixture, indent=2))
    vocab = ((corpus.vocab_size + 63) // 64) * 64
    body = FUNCTION_TEMPLATE.format(
        function=function, tokenizer=str(corpus.tokenizer_dir), run_dir=str(run_dir), vocab=vocab, dim=dim,
        n_layers=n_layers, n_heads=n_heads, float8=float8, manifest=str(run_dir / "mixture.json"), lr=lr,
        local_batch=global_batch // world_size, global_batch=global_batch, seq_len=seq_len, steps=steps,
        dp_shard=world_size, checkpoint_interval=checkpoint_interval,
    ) + extra_functions
    jobs = out / "jobs.py"
    if jobs.exists():
        jobs.write_text(jobs.read_text() + body)
    else:
        jobs.write_text(JOBS_TEMPLATE.format(functions=body))
    return run_dir

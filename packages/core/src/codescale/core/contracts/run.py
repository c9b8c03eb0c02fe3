"""``run.json``: one fully resolved run, as the compiler wrote it (``codescale.run/1``).

The compiler is the only writer (``codescale compile`` writes ``OUT/runs/<run_id>/run.json``, and the same object
inside ``plan.json``); the runner, ``codescale status``, ingest and simulate read it through :meth:`Run.read`.
Nothing modifies it after compilation: the run directory's other files say what happened to the run.

The run id is ``<name>-<hash8>``; the hash covers this object's canonical JSON minus the fields that say where the
run executes (see ``codescale.compiler.plan``). Fields are declared in file order: the text (and so every run id)
is byte-identical to what codescale wrote before these models existed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from codescale.core.contracts.base import FORMATS, Contract

Number = int | float
"""A JSON number kept as written (an int stays an int): the text of a run is hashed."""


class ModelShape(Contract):
    """The decoder the run trains (a LLaMA-2-style transformer) and how its parameters are counted."""

    size_label: str
    target_params: int
    n_layers: int
    dim: int
    n_heads: int
    ffn_dim: int
    vocab_size: int
    params: int
    params_non_embedding: int
    params_counted: Literal["non_embedding", "total"]
    """What the size, "20x" budgets and 6ND count."""


class TrainingPlan(Contract):
    """Batch, schedule and run length: ``tokens = steps × global_batch_tokens``."""

    seq_len: int
    global_batch_tokens: int
    global_batch_size: int
    """Sequences per optimizer step over all ranks."""
    local_batch_size: int
    """Sequences per device per micro-step; the rest of a device's share is gradient accumulation."""
    steps: int
    tokens: int
    requested_tokens: int
    """The budget before rounding up to whole steps."""
    lr: Number
    min_lr_ratio: Number
    warmup_steps: int
    decay: Literal["cosine", "linear", "wsd"]
    decay_ratio: Number | None
    weight_decay: Number
    seed: int
    max_norm: Number
    checkpoint_interval: int
    log_interval: int


class MixturePlan(Contract):
    """The run's training tokens per language, exact to the token."""

    proportions: dict[str, Number]
    tokens_per_language: dict[str, int]
    max_epochs: dict[str, Number | None]
    kind: str
    repeat: dict[str, Number] | None = Field(default=None, exclude_if=lambda value: value is None)
    """Forced repetition per language (present only when the spec sets ``mixture.repeat``)."""


class PairingPlan(Contract):
    """How code is paired with its translations (the paper's §5); ``mode: none`` is shuffled monolingual data."""

    mode: Literal["none", "parallel"]
    template: Literal["direct", "prompt"] | None
    pivot: str | None
    directions: list[list[str]]
    """``[src, tgt]`` pairs whose documents appear in training."""
    fraction: Number
    both_orders: bool


class TranslationEval(Contract):
    src: str
    tgt: str
    seen: bool
    """Whether the direction was paired in training (the paper's seen vs unseen directions)."""


class EvalPlan(Contract):
    interval_steps: int
    languages: list[str]
    translation: list[TranslationEval]
    max_sequences: int


class ClusterPlan(Contract):
    gpu: str
    peak_flops: Number
    gpus_per_node: int
    nodes: int
    partition: str | None
    account: str | None
    qos: str | None
    constraint: str | None
    time_limit_min: int
    mfu: Number
    cpus_per_task: int | None
    mem_gb: Number | None
    extra_sbatch: list[str]


class ParallelismPlan(Contract):
    dp_shard: int
    dp_replicate: int
    world_size: int


class Derived(Contract):
    """Cost figures derived from the shape and the tokens."""

    tokens_per_step: int
    flops_6nd: Number
    flops: Number
    """Exact training FLOPs, attention included."""
    gpu_hours: Number
    flops_per_token: Number


class CorpusPaths(Contract):
    catalog: str | None
    prepared: str | None


class RunPaths(Contract):
    run_dir: str | None
    job_module: str | None
    """The compiled ``jobs.py`` (a torchtitan config module)."""
    job_function: str
    """The function in it that returns this run's ``Trainer.Config``."""


class TrackingPlan(Contract):
    """torchtitan's TensorBoard / Weights & Biases logging of the run (not part of the run id)."""

    tensorboard: bool
    wandb: Literal["off", "offline", "online"]


class Run(Contract):
    """One resolved run (contracts: ``run.json``)."""

    ARTIFACT = "run"

    format: str = FORMATS["run"]
    run_id: str = Field(min_length=1)
    name: str
    study: str
    spec: str
    sweep: dict[str, Any]
    """``{field.path: value}`` of the sweep axes that produced this run."""
    languages: list[str] = Field(min_length=1)
    """The mixture's languages in fixed order: the language index of per-token ids."""
    model: ModelShape
    training: TrainingPlan
    mixture: MixturePlan
    pairing: PairingPlan
    eval: EvalPlan
    cluster: ClusterPlan
    parallelism: ParallelismPlan
    float8: bool
    compile: bool
    activation_checkpointing: Literal["none", "selective", "full"]
    float8_exclude: list[str] | None = Field(default=None, exclude_if=lambda value: value is None)
    """Module names kept in bf16 when ``float8`` is on (the output head, layers too small to gain); absent otherwise."""
    cuda_graphs: bool = Field(default=True, exclude_if=lambda value: value is True)
    """Whether each training step is captured in a CUDA graph (absent when true, torchtitan's default)."""
    tracking: TrackingPlan | None = Field(default=None, exclude_if=lambda value: value is None)
    """TensorBoard / W&B logging; absent when both are off."""
    derived: Derived
    corpus: CorpusPaths
    paths: RunPaths

    def seen_directions(self) -> dict[str, bool]:
        """``{"python->java": seen}`` for every evaluated translation direction."""
        return {f"{t.src}->{t.tgt}": t.seen for t in self.eval.translation}

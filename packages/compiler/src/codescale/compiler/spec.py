"""The spec language: pydantic models of one scaling-study spec file.

A spec describes a *study*: the corpus it reads, the language mixture, how code is paired with its translations,
the model size and token budget, the training recipe, the cluster, and the sweep that turns it into many runs.
These models check *shape* (types, known fields, closed vocabularies); the rules that need several fields at once
(proportions sum to 1, the pivot is in the mixture, float8 on the chosen GPU) are checked when a sweep point is
resolved into a run (``resolve.py``), where every value is known.

Every field carries a docstring: ``codescale schema`` turns them into the JSON Schema descriptions editors show.
Unknown fields are errors (``extra="forbid"``), so a typo never silently falls back to a default.

Every number has bounds: NaN and infinities are refused everywhere (``allow_inf_nan=False``), and each field has the
range that makes sense for it (a learning rate in (0, 1], counts and sizes >= 1) with a generous upper end, so no
later arithmetic (parameter counts, FLOPs, the run hash, the results store's 32-bit columns) can overflow.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from codescale.core.domains import canonical
from codescale.core.errors import CodescaleError
from codescale.core.quantities import parse_multiple, parse_quantity

INT32_MAX = 2**31 - 1
"""Upper end of step counts, intervals and seeds (the results store keeps them as 32-bit integers)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True, allow_inf_nan=False)


def _language(name: Any) -> str:
    if not isinstance(name, str):
        raise ValueError(f"expected a language name, got {name!r}")
    try:
        return canonical(name)
    except CodescaleError as err:
        raise ValueError(f"{err.message}; {err.hint}") from None


def _quantity(value: Any) -> float:
    return parse_quantity(value)


LanguageName = Annotated[
    str, BeforeValidator(_language), Field(json_schema_extra={"examples": ["python", "java", "c#"]})
]
"""A language id or alias, canonicalised (``py`` -> ``python``); unknown names list the known ones."""


def _no_alias_twice(value: Any) -> Any:
    """Refuse one language written twice under two aliases (before canonicalisation would merge them)."""
    if isinstance(value, (list, dict)):
        seen: dict[str, Any] = {}
        for name in value:
            try:
                lang = canonical(str(name))
            except CodescaleError:
                continue  # reported by the item's own validator
            if lang in seen:
                raise ValueError(f"{lang} is listed twice (as {seen[lang]!r} and {name!r})")
            seen[lang] = name
    if isinstance(value, str):
        return [value]
    return value


LanguageList = Annotated[list[LanguageName], BeforeValidator(_no_alias_twice)]


def _checked_quantity(value: Any) -> Any:
    if value is not None:
        _quantity(value)
    return value


def _checked_tokens(value: Any) -> Any:
    if value is not None and parse_multiple(value) is None:
        _quantity(value)
    return value


Quantity = Annotated[
    float | str, BeforeValidator(_checked_quantity), Field(json_schema_extra={"examples": ["150M", "0.2B", "3e21"]})
]
"""A positive number, plain or with a k/M/B/T (or Ki/Mi/Gi/Ti) suffix."""
TokenBudget = Annotated[
    float | str, BeforeValidator(_checked_tokens), Field(json_schema_extra={"examples": ["64B", "20x"]})
]
"""Tokens ("64B") or a multiple of the counted parameters ("20x")."""


class Corpus(_Section):
    """Where the study's data comes from (paths are relative to the spec file)."""

    catalog: str | None = None
    """Corpus catalog YAML (per-language sources, parallel corpus, tokenizer); read by `codescale data prepare`."""
    prepared: str | None = None
    """Prepared corpus directory (manifest.json, token shards, tokenizer); needed for `natural`/`temperature` mixtures."""


class Temperature(_Section):
    """Temperature sampling: p(lang) ∝ tokens(lang)^(1/tau), from the prepared corpus's token counts."""

    languages: LanguageList
    """Languages to sample from."""
    tau: float = Field(gt=0)
    """Temperature; 1 = natural proportions, larger flattens towards uniform."""


class Mixture(_Section):
    """The language mixture of a run's training tokens. Give exactly one of proportions, uniform, natural,
    temperature or from_allocation."""

    proportions: Annotated[dict[LanguageName, float], BeforeValidator(_no_alias_twice)] | None = None
    """Explicit shares per language; must sum to 1 (within 1e-6)."""
    uniform: LanguageList | None = None
    """Equal shares over these languages (one language = a monolingual run)."""
    natural: LanguageList | None = None
    """Shares proportional to each language's training tokens in the prepared corpus."""
    temperature: Temperature | None = None
    """Temperature-scaled natural shares."""
    from_allocation: str | None = None
    """An allocation file written by `codescale allocate` (format codescale.allocation/1), relative to the spec."""
    max_epochs: float | Annotated[dict[LanguageName, float], BeforeValidator(_no_alias_twice)] | None = None
    """Repetition cap: how many passes over a language's available tokens are allowed (one number for all, or per language)."""
    repeat: float | Annotated[dict[LanguageName, float], BeforeValidator(_no_alias_twice)] | None = None
    """Forced repetition: each language's tokens are drawn from a pool of tokens_per_language / repeat unique tokens,
    so every token is seen `repeat` times (one number for all, or per language); the paper's self×2 baseline is repeat: 2."""


class Pairing(_Section):
    """How code is paired with its translations (the paper's §5)."""

    mode: Literal["none", "parallel"] = "none"
    """`none`: shuffled monolingual documents (the paper's baseline); `parallel`: documents joining a program with its translation."""
    template: Literal["direct", "prompt"] | None = None
    """How a pair is joined: `direct` concatenation or a `prompt` between them (parallel only; default direct)."""
    pivot: LanguageName = "python"
    """The language every parallel group contains; pairs are pivot<->other."""
    directions: list[str] | None = None
    """Translation directions that appear in training, as "python->java"; default: pivot->each other mixture language."""
    fraction: float = Field(default=0.5, ge=0, le=1)
    """Share of training tokens that sit in paired documents."""
    both_orders: bool = True
    """Also put each pair in the reverse order (java then python), making the reverse directions seen too."""


class ExplicitShape(_Section):
    """A hand-written decoder shape."""

    n_layers: int = Field(ge=1, le=4096)
    """Transformer blocks."""
    dim: int = Field(ge=8, le=2**18)
    """Model width."""
    n_heads: int = Field(ge=1, le=2**14)
    """Attention heads (multi-head attention: as many key/value heads)."""
    ffn_dim: int | None = Field(default=None, ge=1, le=2**20)
    """SwiGLU hidden size; default by the shape rule (8/3 × dim rounded up)."""


class Model(_Section):
    """The decoder: a LLaMA-2-style transformer (SwiGLU, RoPE, MHA, RMSNorm, untied embeddings)."""

    size: Quantity | None = None
    """Target parameter count ("150M", "0.2B", "14B"); the shape solver picks layers/dim/heads/ffn."""
    shape: ExplicitShape | None = None
    """An explicit shape instead of a size."""
    vocab_size: int | None = Field(default=None, ge=2, le=2**32)
    """Vocabulary size; default: the prepared corpus's tokenizer."""
    params_counted: Literal["non_embedding", "total"] = "non_embedding"
    """What `size` (and the 20x / 6ND budgets) count: parameters without embeddings (Kaplan's N) or all of them."""


class Budget(_Section):
    """Training tokens per run (give tokens or compute) and the GPU-hour budget of the whole spec."""

    tokens: TokenBudget | None = None
    """Tokens per run ("64B"), or tokens per parameter ("20x")."""
    compute: Quantity | None = None
    """Training FLOPs per run ("3e21"), turned into tokens by the exact per-token FLOP count."""
    gpu_hours: float | None = Field(default=None, gt=0)
    """GPU-hour limit for all runs of the spec together; a plan over it is refused."""


class PowerLaw(_Section):
    """value = coefficient × N^exponent, N = the model's counted parameters."""

    coefficient: float = Field(gt=0)
    """Multiplier."""
    exponent: float = Field(ge=-10, le=10)
    """Power of the parameter count."""


class SizeRule(_Section):
    """A hyperparameter that depends on model size: a table by size or a power law."""

    by_size: dict[str, Quantity] | None = None
    """{size: value}; a model takes the entry of the largest size not above it (the smallest entry below all)."""
    power_law: PowerLaw | None = None
    """A power law in the parameter count."""

    @field_validator("by_size", mode="before")
    @classmethod
    def _sizes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            if not value:
                raise ValueError("by_size needs at least one {size: value} entry")
            for key in value:
                _quantity(key)
            return {str(k): v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _one_rule(self) -> SizeRule:
        if (self.by_size is None) == (self.power_law is None):
            raise ValueError("give exactly one of by_size and power_law")
        return self


def _rule_or_number(value: Any) -> str:
    return "rule" if isinstance(value, dict) else "number"


LearningRate = Annotated[
    Annotated[float, Field(gt=0, le=1), Tag("number")] | Annotated[SizeRule, Tag("rule")],
    Discriminator(_rule_or_number),
]
ScaledQuantity = Annotated[
    Annotated[Quantity, Tag("number")] | Annotated[SizeRule, Tag("rule")], Discriminator(_rule_or_number)
]


class Training(_Section):
    """The optimisation recipe (AdamW)."""

    seq_len: int = Field(default=2048, ge=8, le=2**22)
    """Tokens per training sequence."""
    global_batch_tokens: ScaledQuantity = "1M"
    """Tokens per optimizer step over all ranks ("1M"), or a rule by size; a multiple of seq_len × data-parallel ranks."""
    micro_batch_size: int | None = Field(default=None, ge=1, le=2**20)
    """Sequences per device per forward pass (torchtitan's local batch); the rest is gradient accumulation.
    Default: the largest divisor of the per-device share whose estimated memory fits the GPU (docs/memory.md);
    the whole share on cpu."""
    lr: LearningRate = 3e-4
    """Peak learning rate in (0, 1], or a rule by size."""
    min_lr_ratio: float = Field(default=0.1, ge=0, le=1)
    """Final learning rate as a fraction of the peak."""
    warmup: float = Field(default=0.01, ge=0)
    """Warmup: a number of steps (>= 1) or a fraction of the run's steps (< 1)."""
    decay: Literal["cosine", "linear", "wsd"] = "cosine"
    """Decay after warmup: cosine or linear to min_lr over the rest, or WSD (stable, then linear decay)."""
    decay_ratio: float | None = Field(default=None, gt=0, le=1)
    """WSD only: fraction of the steps spent decaying (default 0.2)."""
    weight_decay: float = Field(default=0.1, ge=0)
    """AdamW weight decay."""
    max_norm: float = Field(default=1.0, gt=0)
    """Gradient clipping norm."""
    seed: int = Field(default=0, ge=0, le=INT32_MAX)
    """Seed of initialisation and of the data order."""
    checkpoint_interval: int = Field(default=1000, ge=1, le=INT32_MAX)
    """Steps between checkpoints (torchtitan DCP, in the run directory)."""
    log_interval: int = Field(default=10, ge=1, le=INT32_MAX)
    """Steps between training-metric lines."""


class Cluster(_Section):
    """Where runs execute and what a GPU-hour costs in FLOPs."""

    gpu: Literal["H800", "H100", "H200", "A100", "cpu"] = "H800"
    """Accelerator kind; sets peak bf16 FLOP/s, float8 support and the device memory micro-batches are sized against."""
    peak_flops: float | None = Field(default=None, gt=0)
    """Override the preset peak FLOP/s per device."""
    gpus_per_node: int = Field(default=8, ge=1, le=1024)
    """Devices (training processes) per node."""
    nodes: int = Field(default=1, ge=1, le=100_000)
    """Nodes per run."""
    partition: str | None = None
    """Slurm partition."""
    account: str | None = None
    """Slurm account."""
    qos: str | None = None
    """Slurm QOS."""
    constraint: str | None = None
    """Slurm node constraint."""
    time_limit_min: int = Field(default=2880, ge=1, le=INT32_MAX)
    """Slurm time limit per job, minutes (long runs resume from checkpoints)."""
    mfu: float = Field(default=0.4, gt=0, le=1)
    """Assumed model-FLOPs utilisation for GPU-hour estimates."""
    cpus_per_task: int | None = Field(default=None, ge=1, le=65536)
    """CPUs per training process."""
    mem_gb: float | None = Field(default=None, gt=0, le=2**30)
    """Memory per node, GB."""
    extra_sbatch: list[str] = []
    """Extra `#SBATCH` lines, passed through."""

    @field_validator("gpu", mode="before")
    @classmethod
    def _gpu(cls, value: Any) -> Any:
        if isinstance(value, str):
            for kind in ("H800", "H100", "H200", "A100", "cpu"):
                if value.strip().lower() == kind.lower():
                    return kind
        return value


class Parallelism(_Section):
    """FSDP2 degrees; by default derived from nodes × GPUs per node (shard within a node, replicate across nodes)."""

    dp_shard: int | None = Field(default=None, ge=1, le=2**27)
    """Data-parallel shard degree (FSDP)."""
    dp_replicate: int | None = Field(default=None, ge=1, le=2**27)
    """Data-parallel replicate degree (HSDP)."""


class Eval(_Section):
    """What is measured during and at the end of a run."""

    interval_steps: int | None = Field(default=None, ge=1, le=INT32_MAX)
    """Steps between evaluations; default: about 10 evaluations per run. A final one always runs."""
    languages: LanguageList | None = None
    """Languages whose validation loss is measured; default: the run's mixture languages."""
    translation: Literal["none", "all"] | list[str] = "none"
    """Translation loss: `none`, `all` directions among the eval languages, or a list such as ["java->go"]."""
    max_sequences: int = Field(default=64, ge=1, le=1_000_000)
    """Validation sequences per language (and examples per translation direction)."""


class SweepBlock(_Section):
    """Runs = every combination of `product` axes × the zipped `zip` axes, filtered by include/exclude."""

    product: dict[str, list[Any]] = {}
    """{field.path: [values]}: every combination."""
    zip: dict[str, list[Any]] = {}
    """{field.path: [values]}: lists of equal length advancing together."""
    include: list[dict[str, Any]] | None = None
    """Keep only points matching at least one of these {field.path: value} entries."""
    exclude: list[dict[str, Any]] = []
    """Drop points matching any of these {field.path: value} entries."""
    name: str | None = None
    """Run name template, e.g. "{mixture.uniform}-{model.size}-{budget.tokens}" (default: the spec's `name`)."""


class Float8Layers(_Section):
    """Which linear layers float8 training converts, when `float8` is on (see codescale.compiler.float8)."""

    exclude: list[str] = ["lm_head"]
    """Layers kept in bf16, as parts of module names (`lm_head`, `attention.wo`, `feed_forward.w2`, ...). Default: the
    output head, which torchtitan's large llama3 recipe also keeps in bf16 for the precision of the logits."""
    gate: Literal["torchao_rowwise", "none"] = "torchao_rowwise"
    """`torchao_rowwise`: keep a layer in bf16 where rowwise float8 is slower (out-features N <= 2048, in-features
    K <= 1024, or N <= 4096 with K <= 2048; torchao's H100 thresholds); `none`: convert every layer not excluded."""


class Tracking(_Section):
    """torchtitan's own experiment tracking, next to the run directory's metrics.jsonl (never instead of it)."""

    tensorboard: bool = False
    """Write TensorBoard event files under <run_dir>/tb/."""
    wandb: Literal["off", "offline", "online"] = "off"
    """Weights & Biases: `offline` writes a local run under <run_dir>/tb/ (WANDB_MODE=offline, no network; sync it later
    with `wandb sync`); `online` uses your WANDB_* environment and API key."""


class Spec(_Section):
    """A scaling study: one YAML file that compiles into a plan of runs."""

    study: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    """Study name (letters, digits, _ . -); prefixes nothing, labels the plan."""
    description: str = ""
    """Free text."""
    name: str | None = None
    """Default run name template; default: the study name plus the swept values."""
    corpus: Corpus = Corpus()
    """Corpus catalog and prepared directory."""
    mixture: Mixture
    """Language mixture."""
    pairing: Pairing = Pairing()
    """Parallel pairing of code with translations."""
    model: Model
    """Model size or shape."""
    budget: Budget
    """Tokens or compute per run, GPU-hours for the spec."""
    training: Training = Training()
    """Optimisation recipe."""
    cluster: Cluster = Cluster()
    """Accelerators and scheduler settings."""
    parallelism: Parallelism = Parallelism()
    """Data-parallel degrees."""
    float8: Literal["auto", True, False] = "auto"
    """float8 training: `auto` enables it on SM89+ GPUs when every dimension is a multiple of 16 and some layer is wide
    enough to gain from it (float8_layers.gate); true insists (an error where it cannot run or converts nothing)."""
    compile: bool = False
    """torch.compile the model and loss."""
    activation_checkpointing: Literal["none", "selective", "full"] = "none"
    """Activation checkpointing mode."""
    eval: Eval = Eval()
    """Evaluation."""
    sweep: SweepBlock | list[SweepBlock] | None = None
    """How the spec expands into runs; a list of blocks concatenates their runs."""
    cuda_graphs: bool = True
    """Capture each training step in a CUDA graph (torchtitan's default on NVIDIA GPUs; the per-language loss accounting
    is graph-safe). false sets torchtitan's training.disable_cuda_graphs; the CPU always runs eagerly."""
    float8_layers: Float8Layers = Float8Layers()
    """Which layers float8 converts when `float8` is on."""
    tracking: Tracking = Tracking()
    """TensorBoard / Weights & Biases logging by torchtitan (does not change a run's id)."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of spec files (for editors)."""
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "codescale spec"
    return schema

"""One sweep point -> one fully resolved run (the ``run.json`` object of contracts §3, without its id and paths).

Resolution is where the rules that tie fields together are checked, because only here is every value known:
mixture shares, the pivot and directions of pairing, the model shape and vocabulary, tokens and steps, batch
divisibility, parallel degrees, float8 on the chosen hardware. Every broken rule becomes a CodescaleError located
at the field that breaks it (through the point's source map, so a swept value is reported at its sweep line);
a point collects all its errors before raising them together.

Derivations:

- parameters: the shape solver (``shapes.py``) or the explicit shape; counts with and without embeddings;
- batch: ``global_batch_tokens`` (a number or a rule by size) must be a multiple of ``seq_len × dp ranks``; a
  value produced by a rule is rounded to the nearest such multiple instead;
- tokens: requested from ``budget.tokens`` ("64B"), a multiple of the counted parameters ("20x"), or
  ``budget.compute`` / exact FLOPs per token; ``steps = ceil(requested / tokens_per_step)`` and the run trains on
  ``steps × tokens_per_step`` tokens (both are recorded);
- schedule: warmup in steps (a fraction < 1 is of the run's steps); WSD decays over the last ``decay_ratio`` (0.2);
- micro-batch: ``micro_batch_size`` must divide each device's share and fit the GPU's memory (``memory.py``); left
  open, it is the largest divisor that fits, the rest being gradient accumulation (on cpu: the whole share);
- parallelism: world = nodes × gpus_per_node; shard within a node, replicate across nodes, unless given;
- float8 ``auto`` = the GPU is SM 8.9+, dim and ffn_dim are multiples of 16, and some layer is wide enough to gain
  (``float8.py``: which layers stay in bf16).

Bounds: a model counts at most :data:`MAX_PARAMS` parameters and a run trains on at most :data:`MAX_TOKENS` tokens in
at most 2^31 - 1 steps; a size rule's value must come out finite and positive (a learning rate in (0, 1]). Past these
no number a run carries (FLOPs, GPU-hours, the hash's JSON) can overflow.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from codescale.compiler import costing, memory, mixing, shapes
from codescale.compiler.float8 import resolve_float8
from codescale.compiler.spec import INT32_MAX, SizeRule, Spec, Tracking
from codescale.compiler.validation import Problems
from codescale.core.contracts import (
    ClusterPlan,
    CorpusPaths,
    Derived,
    EvalPlan,
    MixturePlan,
    ModelShape,
    PairingPlan,
    ParallelismPlan,
    TrackingPlan,
    TrainingPlan,
    TranslationEval,
)
from codescale.core.domains import canonical, direction_key
from codescale.core.errors import CodescaleError, CodescaleErrors
from codescale.core.quantities import parse_multiple, parse_quantity, size_label
from codescale.core.yaml_source import Path_, SourceMap

WSD_DEFAULT_DECAY_RATIO = 0.2
MAX_PARAMS = 1e15
"""Largest model, in counted parameters (1000T; the paper's largest is 14B)."""
MAX_TOKENS = 10**18
"""Most training tokens of one run (the paper's largest runs train on 1T)."""


@dataclass
class Context:
    """What resolution needs besides the point: where the spec lives and the CLI's corpus overrides."""

    spec_path: str
    spec_dir: str
    catalog_override: str | None = None
    prepared_override: str | None = None


def _path(base: str, value: str | None) -> str | None:
    if value is None:
        return None
    return os.path.abspath(os.path.join(base, os.path.expanduser(value)))


def _directions(items: list[str], where: Path_, problems: Problems) -> list[tuple[str, str]]:
    out = []
    for i, text in enumerate(items):
        parts = [p.strip() for p in str(text).split("->")]
        if len(parts) != 2:
            problems.add(where + (i,), f"{text!r} is not a direction", 'write it as "python->java"')
            continue
        try:
            src, tgt = canonical(parts[0]), canonical(parts[1])
        except CodescaleError as err:
            problems.add(where + (i,), err.message, err.hint)
            continue
        if src == tgt:
            problems.add(where + (i,), f"{text!r} translates a language into itself", "pick two different languages")
            continue
        out.append((src, tgt))
    return out


def _scaled(value: Any, params: float) -> float:
    """A number, or a size rule's value for ``params`` (math.inf when a power law overflows)."""
    if isinstance(value, SizeRule):
        if value.power_law is not None:
            try:
                return value.power_law.coefficient * params**value.power_law.exponent
            except OverflowError:
                return math.inf
        table = sorted((parse_quantity(k), parse_quantity(v)) for k, v in (value.by_size or {}).items())
        chosen = table[0][1]
        for size, v in table:
            if size <= params * (1 + 1e-9):
                chosen = v
        return chosen
    return parse_quantity(value) if isinstance(value, str) else float(value)


def resolve(spec: Spec, smap: SourceMap, ctx: Context) -> dict[str, Any]:
    """The resolved body of a run for a validated sweep point: the :class:`~codescale.core.contracts.Run` fields
    from ``languages`` to ``corpus``, each section a typed contract model (raises CodescaleErrors listing every
    broken rule). :func:`codescale.compiler.plan.plan_spec` adds the identity and paths."""
    problems = Problems(smap)
    catalog = ctx.catalog_override or _path(ctx.spec_dir, spec.corpus.catalog)
    prepared = ctx.prepared_override or _path(ctx.spec_dir, spec.corpus.prepared)
    manifest = None
    if prepared is not None and os.path.exists(os.path.join(prepared, "manifest.json")):
        try:
            manifest = mixing.prepared_manifest(prepared)
        except CodescaleError as err:
            problems.absorb(err)

    proportions = mixing.resolve_proportions(spec, ctx.spec_dir, prepared, problems)
    languages = list(proportions)

    # model
    m = spec.model
    vocab = m.vocab_size
    tokenizer_vocab = None
    if manifest is not None:
        tokenizer_vocab = manifest.tokenizer.vocab_size
    if vocab is None:
        vocab = tokenizer_vocab
        if vocab is None:
            problems.add(
                ("model",),
                "the vocabulary size is unknown",
                "set model.vocab_size, or corpus.prepared (--prepared) to read the tokenizer's",
            )
            vocab = 2
    elif tokenizer_vocab is not None and vocab < tokenizer_vocab:
        problems.add(
            ("model", "vocab_size"),
            f"vocab_size {vocab} is smaller than the tokenizer's {tokenizer_vocab}",
            f"set it to at least {tokenizer_vocab} or leave it out",
        )
    if (m.size is None) == (m.shape is None):
        problems.add(("model",), "give exactly one of model.size and model.shape", 'e.g. size: "0.2B"')
        raise CodescaleErrors(problems.errors)
    if m.shape is not None:
        s = m.shape
        if s.dim % s.n_heads:
            problems.add(
                ("model", "shape", "n_heads"),
                f"dim {s.dim} is not divisible by n_heads {s.n_heads}",
                "pick heads that divide the width",
            )
            raise CodescaleErrors(problems.errors)
        shape = shapes.Shape(s.n_layers, s.dim, s.n_heads, s.ffn_dim or shapes.ffn_dim_for(s.dim))
        target = float(shape.counted(vocab, m.params_counted))
        label = size_label(target)
    else:
        target = parse_quantity(m.size)
        if target > MAX_PARAMS:
            problems.add(
                ("model", "size"),
                f"a model of {target:.3g} parameters is above the largest supported ({MAX_PARAMS:.0e})",
                "use a realistic size such as 7B",
            )
            raise CodescaleErrors(problems.errors)
        shape = shapes.solve(target, vocab, m.params_counted)
        label = str(m.size).strip() if isinstance(m.size, str) else size_label(target)
    params = shape.params(vocab)
    params_non_embedding = shape.params_non_embedding()
    counted = float(shape.counted(vocab, m.params_counted))

    # cluster and parallelism
    c = spec.cluster
    accelerator = costing.ACCELERATORS[c.gpu]
    peak = c.peak_flops or accelerator.peak_flops
    world = c.nodes * c.gpus_per_node
    dp_shard, dp_replicate = spec.parallelism.dp_shard, spec.parallelism.dp_replicate
    if dp_shard is None and dp_replicate is None:
        dp_shard, dp_replicate = (world, 1) if c.nodes == 1 else (c.gpus_per_node, c.nodes)
    elif dp_shard is None or dp_replicate is None:
        given = dp_shard or dp_replicate
        assert given is not None
        if world % given:
            which = "dp_shard" if dp_shard else "dp_replicate"
            problems.add(
                ("parallelism", which), f"{which} {given} does not divide the {world} processes (nodes × gpus_per_node)"
            )
            given = world
        dp_shard, dp_replicate = (given, world // given) if dp_shard else (world // given, given)
    elif dp_shard * dp_replicate != world:
        problems.add(
            ("parallelism",),
            f"dp_shard × dp_replicate = {dp_shard * dp_replicate}, but the run has {world} processes",
            "make their product nodes × gpus_per_node, or leave them out to derive them",
        )
        dp_shard, dp_replicate = world, 1  # go on checking the rest against a consistent layout
    dp = max(1, dp_shard * dp_replicate)

    # batch and tokens
    t = spec.training
    quantum = t.seq_len * dp
    batch_value = _scaled(t.global_batch_tokens, counted)
    if not 0 < batch_value <= MAX_TOKENS:
        origin = (
            f" (the rule's value for {size_label(counted)} parameters)"
            if isinstance(t.global_batch_tokens, SizeRule)
            else ""
        )
        problems.add(
            ("training", "global_batch_tokens"),
            f"{batch_value:.3g} tokens per step{origin} is out of range",
            f"a step takes a positive number of tokens up to {MAX_TOKENS:.0e}",
        )
        raise CodescaleErrors(problems.errors)
    if isinstance(t.global_batch_tokens, SizeRule):
        step_quantum = quantum * (t.micro_batch_size or 1)  # so each device's share splits into micro-batches
        tokens_per_step = max(step_quantum, round(batch_value / step_quantum) * step_quantum)
    else:
        tokens_per_step = int(round(batch_value))
        if tokens_per_step % quantum:
            problems.add(
                ("training", "global_batch_tokens"),
                f"{tokens_per_step} tokens per step is not a multiple of seq_len × data-parallel ranks = {quantum}",
                f"use {max(quantum, round(tokens_per_step / quantum) * quantum)}",
            )
    tokens_per_step = max(tokens_per_step, quantum)
    per_device = tokens_per_step // t.seq_len // dp
    micro_batch = t.micro_batch_size or per_device
    if per_device % micro_batch:
        problems.add(
            ("training", "micro_batch_size"),
            f"micro_batch_size {micro_batch} does not divide the {per_device} sequences each device gets per step",
            "pick a divisor, or change global_batch_tokens",
        )
    else:  # the micro-batch must fit the GPU; an open one is the largest that does (gradient accumulation does the rest)
        layout = memory.Layout(shape, vocab, t.seq_len, dp_shard, spec.activation_checkpointing, accelerator.memory)
        micro_batch = memory.size_micro_batch(
            layout,
            given=t.micro_batch_size,
            per_device=per_device,
            gpu=c.gpu,
            problems=problems,
            model_field=("model", "size" if m.size else "shape"),
        )
    flops_per_token = costing.training_flops_per_token(shape, vocab, t.seq_len)
    b = spec.budget
    if (b.tokens is None) == (b.compute is None):
        problems.add(("budget",), "give exactly one of budget.tokens and budget.compute", 'e.g. tokens: "64B" or "20x"')
        raise CodescaleErrors(problems.errors)
    if b.tokens is not None:
        multiple = parse_multiple(b.tokens)
        requested = multiple * counted if multiple is not None else parse_quantity(b.tokens)
    else:
        requested = parse_quantity(b.compute) / flops_per_token
    budget_field = ("budget", "tokens") if b.tokens is not None else ("budget", "compute")
    if not requested <= MAX_TOKENS:
        problems.add(
            budget_field,
            f"{requested:.3g} training tokens is above the most a run may train on ({MAX_TOKENS:.0e})",
            "lower the budget",
        )
        raise CodescaleErrors(problems.errors)
    requested_tokens = max(1, int(round(requested)))
    steps = max(1, math.ceil(requested_tokens / tokens_per_step))
    tokens = steps * tokens_per_step
    if tokens > MAX_TOKENS or steps > INT32_MAX:
        problems.add(
            budget_field,
            f"{steps:,} steps of {tokens_per_step:,} tokens is beyond what a run may have "
            f"(at most {INT32_MAX:,} steps and {MAX_TOKENS:.0e} tokens)",
            "lower the budget or change training.global_batch_tokens",
        )
        raise CodescaleErrors(problems.errors)
    lr = _scaled(t.lr, counted)
    if not 0 < lr <= 1:
        problems.add(
            ("training", "lr"),
            f"the rule gives a learning rate of {lr:.3g} for {size_label(counted)} parameters",
            "the rule must give a learning rate in (0, 1]",
        )

    warmup_steps = int(t.warmup) if t.warmup >= 1 else int(round(t.warmup * steps))
    if warmup_steps >= steps:
        problems.add(
            ("training", "warmup"),
            f"warmup of {warmup_steps} steps is not shorter than the run's {steps} steps",
            "use fewer warmup steps or a fraction such as 0.01",
        )
    decay_ratio = t.decay_ratio
    if t.decay == "wsd":
        decay_ratio = decay_ratio or WSD_DEFAULT_DECAY_RATIO
    elif decay_ratio is not None:
        problems.add(
            ("training", "decay_ratio"),
            f"decay_ratio applies to decay: wsd, not {t.decay}",
            "remove it, or use decay: wsd",
        )
        decay_ratio = None

    float8, float8_exclude = resolve_float8(spec, shape, vocab, c.gpu, accelerator, problems)

    pairing = _pairing(spec, proportions, problems)
    evaluation = _eval(spec, languages, pairing, steps, problems)
    max_epochs = mixing.resolve_max_epochs(spec, languages, problems)
    repeat = mixing.resolve_repeat(spec, languages, max_epochs, problems)

    if problems.errors:
        raise CodescaleErrors(problems.errors)

    flops = float(flops_per_token) * tokens
    return {
        "languages": languages,
        "model": ModelShape(
            size_label=label,
            target_params=int(round(target)),
            n_layers=shape.n_layers,
            dim=shape.dim,
            n_heads=shape.n_heads,
            ffn_dim=shape.ffn_dim,
            vocab_size=vocab,
            params=params,
            params_non_embedding=params_non_embedding,
            params_counted=m.params_counted,
        ),
        "training": TrainingPlan(
            seq_len=t.seq_len,
            global_batch_tokens=tokens_per_step,
            global_batch_size=tokens_per_step // t.seq_len,
            local_batch_size=micro_batch,
            steps=steps,
            tokens=tokens,
            requested_tokens=requested_tokens,
            lr=lr,
            min_lr_ratio=t.min_lr_ratio,
            warmup_steps=warmup_steps,
            decay=t.decay,
            decay_ratio=decay_ratio,
            weight_decay=t.weight_decay,
            seed=t.seed,
            max_norm=t.max_norm,
            checkpoint_interval=t.checkpoint_interval,
            log_interval=t.log_interval,
        ),
        "mixture": MixturePlan(
            proportions=proportions,
            tokens_per_language=mixing.largest_remainder(tokens, proportions),
            max_epochs=max_epochs,
            kind=mixing.mixture_kind(spec),
            repeat=repeat or None,  # left out of run.json when unset, so the ids of runs without it do not change
        ),
        "pairing": pairing,
        "eval": evaluation,
        "cluster": ClusterPlan(
            gpu=c.gpu,
            peak_flops=peak,
            gpus_per_node=c.gpus_per_node,
            nodes=c.nodes,
            partition=c.partition,
            account=c.account,
            qos=c.qos,
            constraint=c.constraint,
            time_limit_min=c.time_limit_min,
            mfu=c.mfu,
            cpus_per_task=c.cpus_per_task,
            mem_gb=c.mem_gb,
            extra_sbatch=list(c.extra_sbatch),
        ),
        "parallelism": ParallelismPlan(dp_shard=dp_shard, dp_replicate=dp_replicate, world_size=world),
        "float8": float8,
        "compile": spec.compile,
        "activation_checkpointing": spec.activation_checkpointing,
        # the three below are left out of run.json at their defaults, so the ids of runs without them do not change
        "float8_exclude": float8_exclude,
        "cuda_graphs": spec.cuda_graphs,
        "tracking": (
            TrackingPlan(tensorboard=spec.tracking.tensorboard, wandb=spec.tracking.wandb)
            if spec.tracking != Tracking()
            else None
        ),
        "derived": Derived(
            tokens_per_step=tokens_per_step,
            flops_6nd=6.0 * counted * tokens,
            flops=flops,
            gpu_hours=costing.gpu_hours(flops, peak, c.mfu),
            flops_per_token=flops_per_token,
        ),
        "corpus": CorpusPaths(catalog=catalog, prepared=prepared),
    }


def _pairing(spec: Spec, proportions: dict[str, float], problems: Problems) -> PairingPlan:
    p = spec.pairing
    languages = list(proportions)
    if p.mode == "none":
        if p.template is not None:
            problems.add(
                ("pairing", "template"), "template applies to mode: parallel", "remove it or set mode: parallel"
            )
        if p.directions is not None:
            problems.add(
                ("pairing", "directions"), "directions apply to mode: parallel", "remove them or set mode: parallel"
            )
        return PairingPlan(mode="none", template=None, pivot=None, directions=[], fraction=0.0, both_orders=False)
    if p.pivot not in languages:
        problems.add(
            ("pairing", "pivot"),
            f"pivot {p.pivot} is not in this run's mixture ({', '.join(languages)})",
            "add it to the mixture or choose another pivot",
        )
    if len(languages) < 2:
        problems.add(("pairing", "mode"), "parallel pairing needs at least two languages in the mixture")
    if p.directions is None:
        directions = [(p.pivot, lang) for lang in languages if lang != p.pivot]
    else:
        directions = _directions(p.directions, ("pairing", "directions"), problems)
        for i, (src, tgt) in enumerate(directions):
            if p.pivot not in (src, tgt):
                problems.add(
                    ("pairing", "directions", i),
                    f"{direction_key(src, tgt)} does not involve the pivot {p.pivot}",
                    "the parallel corpus pairs the pivot with each other language",
                )
            for lang in (src, tgt):
                if lang not in languages:
                    problems.add(
                        ("pairing", "directions", i), f"{lang} is not in this run's mixture ({', '.join(languages)})"
                    )
    _check_paired_quota(p.fraction, directions, proportions, problems)
    return PairingPlan(
        mode="parallel",
        template=p.template or "direct",
        pivot=p.pivot,
        directions=[[s, t] for s, t in directions],
        fraction=p.fraction,
        both_orders=p.both_orders,
    )


def _check_paired_quota(
    fraction: float, directions: list[tuple[str, str]], proportions: dict[str, float], problems: Problems
) -> None:
    """Paired documents count towards the quotas of the languages in them; refuse a fraction whose pairs alone would
    exceed a language's share (what the sampler would refuse at the first batch). The estimate assumes equally long
    programs (:func:`mixing.paired_shares`); the sampler checks the exact token counts."""
    shares = {lang: share for lang, share in mixing.paired_shares(directions).items() if lang in proportions}
    if not shares or fraction <= 0:
        return
    over = [
        (fraction * share / proportions[lang], lang)
        for lang, share in shares.items()
        if fraction * share > proportions[lang] * (1 + 1e-9)
    ]
    if not over:
        return
    _, lang = max(over)
    need = fraction * shares[lang]
    limit = min(proportions[other] / share for other, share in shares.items())
    in_directions = sum(lang in d for d in directions)
    problems.add(
        ("pairing", "fraction"),
        f"paired documents alone would put about {need:.3g} of the run's tokens in {lang} (one side of the "
        f"pairs of {in_directions} of the {len(directions)} directions), more than its share of "
        f"{proportions[lang]:.3g}",
        f"lower pairing.fraction to at most {limit:.3g} (less if {lang}'s programs are longer than their "
        f"translations), or raise {lang}'s proportion to at least {need:.3g}",
    )


def _eval(spec: Spec, languages: list[str], pairing: PairingPlan, steps: int, problems: Problems) -> EvalPlan:
    e = spec.eval
    eval_languages = mixing.ordered(e.languages) if e.languages is not None else list(languages)
    if e.translation == "none":
        directions: list[tuple[str, str]] = []
    elif e.translation == "all":
        directions = [(s, t) for s in eval_languages for t in eval_languages if s != t]
    else:
        directions = _directions(list(e.translation), ("eval", "translation"), problems)
    seen = {tuple(d) for d in pairing.directions}
    if pairing.both_orders:
        seen |= {(t, s) for s, t in seen}
    return EvalPlan(
        interval_steps=e.interval_steps or max(1, steps // 10),
        languages=eval_languages,
        translation=[TranslationEval(src=s, tgt=t, seen=(s, t) in seen) for s, t in directions],
        max_sequences=e.max_sequences,
    )

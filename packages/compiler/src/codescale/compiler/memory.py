"""GPU memory of one training process, estimated from the run's shape, batch and layout (docs/memory.md).

The compiled job trains the way torchtitan 0.3 does by default, and the model follows that recipe:

- **FSDP2 with mixed precision** (``parallelize_llama`` -> ``apply_fsdp_to_decoder``): each process keeps its shard
  of the fp32 master weights, fp32 gradients (``mixed_precision_reduce``) and fused AdamW's two fp32 moments:
  16 bytes per parameter / ``dp_shard`` (replicas of HSDP hold the same shard, so only ``dp_shard`` divides).
- **Gathered units**: every transformer block is its own FSDP unit, all-gathered in bf16
  (``mixed_precision_param``) and resharded after forward. In backward a block's bf16 parameters (this one and the
  prefetched next), its bf16 gradients and the fp32 reduce-scatter buffers (this one and the one still in flight)
  are live: 14 bytes per block parameter. The output head (with the final norm) is not resharded after forward and
  stays gathered through the chunked loss, which also holds its fp32 no-sync accumulated gradient and the bf16
  gradient of the current chunk: 12 bytes per head parameter.
- **Saved activations** per token and layer (bf16, ``d`` width, ``f`` SwiGLU hidden size, ``H`` heads), from the
  tensors autograd keeps for the block's ops (fused RMSNorm saves its input and an fp32 rstd; flex attention saves
  q, k, v, its output and an fp32 log-sum-exp per head):

  ==================  ======================================  ==========================================
  checkpointing       kept from forward to backward           what
  ==================  ======================================  ==========================================
  none                16·d + 8·f + 4·H + 8                    x, norm out, q, k, v, attention out, h, norm
                                                              out, w1 out, silu out, w3 out, gated product
  selective (per-op)  12·d + 2·f + 4·H                        block input; outputs of fused wqkv (1st
                                                              matmul), attention, w1 (3rd) and w2 (5th):
                                                              torchtitan's SAC saves matmuls and attention
                                                              but recomputes every second matmul
  full                2·d                                     the block input
  ==================  ======================================  ==========================================

  This is Korthikanti et al. (2022) Eq. 2, ``s·b·h·(34 + 5·a·s/h)`` bytes per layer, without dropout (−2·s·b·h),
  with flash attention instead of the materialised softmax (the ``5·a·s/h`` term becomes the 4-byte log-sum-exp),
  and with the GeLU MLP's 16·s·b·h replaced by SwiGLU's four ``f``-wide tensors; their full recomputation is the
  same ``2·s·b·h``. The saved sets are checked against torchtitan's real blocks and AC wrappers in
  tests/compiler/test_memory_activations.py.
- **Peak**: the states, every layer's saved activations and the last block's output (the final norm's input) are
  live when backward starts; on top of them the larger of two phases:

  - the chunked loss (torchtitan's ``ChunkedLossWrapper``, 8 chunks, which runs the head's backward chunk by chunk
    inside the loss call): one chunk's logits at 18 bytes per logit (bf16 logits and four fp32 tensors of their
    size at the log-softmax backward), the final norm's output, its chunk copies and the fp32 gradient accumulator
    (8·d bytes per token), and the gathered head;
  - the last block's backward (``loss.backward()`` after the loss call): the bf16 gradient of the hidden states
    (2·d per token), what recomputation brings back of the block, the gradients flowing through it (4·d + 6·f per
    token), and the gathered blocks.

It is an eager-mode upper bound: torch.compile without checkpointing may recompute cheap element-wise outputs and
save less; float8 (torchao rowwise) leaves the saved set unchanged (the matmul outputs are bf16, the float8 casts are
recomputed). The CUDA context, NCCL and cuBLAS workspaces and allocator fragmentation are not modelled; the fit rule
keeps :data:`HEADROOM` of the device free for them and for the model's error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from codescale.compiler.shapes import Shape
from codescale.compiler.validation import Problems
from codescale.core.contracts import Run
from codescale.core.yaml_source import Path_

BF16, FP32 = 2, 4
BLOCK_GATHER_BYTES_PER_PARAM = 2 * BF16 + BF16 + 2 * FP32
"""Backward of one block: bf16 params of it and the prefetched next, its bf16 grads, two fp32 reduce-scatter buffers."""
HEAD_GATHER_BYTES_PER_PARAM = BF16 + FP32 + BF16 + FP32
"""Chunked loss: bf16 head params, fp32 accumulated grad (no-sync chunks), bf16 chunk grad, fp32 reduce-scatter."""
LOSS_CHUNKS = 8
"""torchtitan's ChunkedLossWrapper default, the loss of the compiled job."""
LOGIT_BYTES = BF16 + 4 * FP32
"""Per logit of one chunk at its peak (the log-softmax backward): bf16 logits and four fp32 tensors of logit size (the
upcast logits, the saved log-softmax, the NLL and log-softmax gradients)."""
HEADROOM = 0.15
"""Share of device memory kept free: allocator fragmentation and the model's error (~10 %), the CUDA context, NCCL and
cuBLAS workspaces outside the allocator (~4 GB of 80)."""

Checkpointing = Literal["none", "selective", "full"]


def saved_bytes_per_token_layer(shape: Shape, mode: Checkpointing) -> int:
    """Activation bytes one layer keeps for backward per token (the table in the module docstring)."""
    d, f, heads = shape.dim, shape.ffn_dim, shape.n_heads
    if mode == "none":
        return 16 * d + 8 * f + 4 * heads + 2 * FP32
    if mode == "selective":
        return 12 * d + 2 * f + 4 * heads
    if mode == "full":
        return 2 * d
    raise ValueError(f"unknown activation checkpointing mode {mode!r}")


def backward_bytes_per_token_layer(shape: Shape, mode: Checkpointing) -> int:
    """Extra bytes per token while one block runs backward: what recomputation brings back plus the gradients
    flowing through the block (incoming and residual gradient, the SwiGLU's three ``f``-wide gradients)."""
    recomputed = saved_bytes_per_token_layer(shape, "none") - saved_bytes_per_token_layer(shape, mode)
    return recomputed + 4 * shape.dim + 6 * shape.ffn_dim


def block_params(shape: Shape) -> int:
    d, f = shape.dim, shape.ffn_dim
    return 4 * d * d + 3 * d * f + 2 * d


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak GPU memory of one process, in bytes, by component."""

    parameters: int
    """fp32 master-weight shard."""
    gradients: int
    """fp32 gradient shard."""
    optimizer: int
    """AdamW moments (fp32, sharded)."""
    activations: int
    """Saved activations of all layers plus the peak phase's activation working set."""
    gathered: int
    """Unsharded bf16 parameters, gradients and reduce-scatter buffers in flight at the peak."""
    logits: int
    """The chunked loss's logits working set when the loss is the peak phase, else 0."""
    phase: Literal["loss", "backward"]
    """Where the peak falls: in the chunked loss, or in the backward of the last layer (the first to run it)."""
    device_memory: int | None
    """The device's memory (None: not a GPU, nothing to check)."""

    @property
    def states(self) -> int:
        return self.parameters + self.gradients + self.optimizer

    @property
    def total(self) -> int:
        return self.states + self.activations + self.gathered + self.logits

    @property
    def usable(self) -> int | None:
        return None if self.device_memory is None else int(self.device_memory * (1 - HEADROOM))

    @property
    def fits(self) -> bool | None:
        usable = self.usable
        return None if usable is None else self.total <= usable

    def describe(self) -> str:
        """The total and its parts in GiB, for messages: ``96.2 GiB (states 2.3, activations 93.1, ...)``."""
        parts = f"states {gib(self.states)}, activations {gib(self.activations)}, gathered {gib(self.gathered)}" + (
            f", logits {gib(self.logits)}" if self.logits else ""
        )
        return f"{gib(self.total)} GiB ({parts})"


@dataclass(frozen=True)
class Layout:
    """What the memory of one process depends on besides its micro-batch."""

    shape: Shape
    vocab_size: int
    seq_len: int
    dp_shard: int
    """FSDP shard degree: the states are divided by it (HSDP replicas hold the same shard)."""
    activation_checkpointing: Checkpointing
    device_memory: int | None = None
    """Bytes of one device; None off GPUs."""

    @classmethod
    def of_run(cls, run: Run, device_memory: int | None = None) -> Layout:
        """A resolved run's layout, on its GPU kind's memory unless ``device_memory`` is given."""
        from codescale.compiler.costing import ACCELERATORS

        m = run.model
        if device_memory is None:
            accelerator = ACCELERATORS.get(run.cluster.gpu)
            device_memory = accelerator.memory if accelerator is not None else None
        return cls(
            Shape(m.n_layers, m.dim, m.n_heads, m.ffn_dim),
            m.vocab_size,
            run.training.seq_len,
            run.parallelism.dp_shard,
            run.activation_checkpointing,
            device_memory,
        )

    def estimate(self, micro_batch: int) -> MemoryEstimate:
        """The peak memory of one process training on ``micro_batch`` sequences per forward pass."""
        shape, tokens = self.shape, micro_batch * self.seq_len
        shard = math.ceil(shape.params(self.vocab_size) / max(1, self.dp_shard))
        d, head_params = shape.dim, self.vocab_size * shape.dim + shape.dim
        saved = (shape.n_layers * saved_bytes_per_token_layer(shape, self.activation_checkpointing) + 2 * d) * tokens
        # (gathered, logits, activation working set) of the two candidate peaks; the loss phase also holds the
        # last block, prefetched for backward
        loss = (
            HEAD_GATHER_BYTES_PER_PARAM * head_params + 2 * BF16 * block_params(shape),
            math.ceil(tokens / LOSS_CHUNKS) * self.vocab_size * LOGIT_BYTES,
            8 * d * tokens,
        )
        backward = (
            BLOCK_GATHER_BYTES_PER_PARAM * block_params(shape),
            0,
            (2 * d + backward_bytes_per_token_layer(shape, self.activation_checkpointing)) * tokens,
        )
        phase: Literal["loss", "backward"] = "loss" if sum(loss) >= sum(backward) else "backward"
        gathered, logits, working = loss if phase == "loss" else backward
        return MemoryEstimate(
            parameters=FP32 * shard,
            gradients=FP32 * shard,
            optimizer=2 * FP32 * shard,
            activations=saved + working,
            gathered=gathered,
            logits=logits,
            phase=phase,
            device_memory=self.device_memory,
        )

    def largest_fitting_micro_batch(self, per_device: int) -> int | None:
        """The largest divisor of ``per_device`` (sequences per device per step) whose estimate fits; None if not
        even one sequence fits, or off GPUs."""
        for micro_batch in sorted((m for m in range(1, per_device + 1) if per_device % m == 0), reverse=True):
            if self.estimate(micro_batch).fits:
                return micro_batch
        return None


def estimate_run(run: Run, device_memory: int | None = None) -> MemoryEstimate:
    """The estimate for a resolved run at its micro-batch (``training.local_batch_size``)."""
    return Layout.of_run(run, device_memory).estimate(run.training.local_batch_size)


def size_micro_batch(
    layout: Layout,
    *,
    given: int | None,
    per_device: int,
    gpu: str,
    problems: Problems,
    model_field: Path_ = ("model",),
) -> int:
    """The compiler's micro-batch step: ``given`` (``training.micro_batch_size``, already a divisor of
    ``per_device``) if it fits the GPU, else a located problem; when it is open, the largest divisor of
    ``per_device`` that fits, the rest of a device's share being gradient accumulation (the global batch is kept).
    Off GPUs nothing is checked and the default is the whole share. A model too large for even one sequence is
    reported at ``model_field``."""
    if layout.device_memory is None:
        return given or per_device
    best = layout.largest_fitting_micro_batch(per_device)
    if given is not None:
        needed = layout.estimate(given)
        if not needed.fits:
            problems.add(
                ("training", "micro_batch_size"),
                f"micro_batch_size {given} needs an estimated {needed.describe()} per GPU, over the "
                f"{_device_words(gpu, needed)}",
                f"use micro_batch_size: {best} or leave it out to let the compiler choose; {_EXPLAINED}"
                if best is not None
                else _no_fit_hint(layout.activation_checkpointing),
            )
        return given
    if best is None:
        needed = layout.estimate(1)
        problems.add(
            model_field,
            f"even one sequence of {layout.seq_len} tokens per GPU needs an estimated {needed.describe()}, over the "
            f"{_device_words(gpu, needed)}",
            _no_fit_hint(layout.activation_checkpointing),
        )
        return 1
    return best


def _device_words(gpu: str, needed: MemoryEstimate) -> str:
    assert needed.device_memory is not None and needed.usable is not None
    return f"{gib(needed.usable)} GiB usable of an {gpu}'s {gib(needed.device_memory)} GiB ({HEADROOM:.0%} kept free)"


_EXPLAINED = "docs/memory.md explains the estimate"


def _no_fit_hint(activation_checkpointing: Checkpointing) -> str:
    fixes = [] if activation_checkpointing == "full" else ["activation_checkpointing: full"]
    fixes += ["a shorter training.seq_len", "more GPUs per node so that dp_shard shards the states"]
    return "try " + ", ".join(fixes[:-1]) + " or " + fixes[-1] + "; " + _EXPLAINED


def gib(value: float) -> str:
    """Bytes as GiB: 3 significant digits (``41.2``), 2 decimals below 1 GiB (``0.38``)."""
    g = value / 2**30
    return f"{g:.3g}" if g >= 1 else f"{g:.2f}"

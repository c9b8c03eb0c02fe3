"""What a run costs: training FLOPs (6ND and an exact per-token count) and GPU-hours.

Two FLOP counts are recorded for every run:

- ``flops_6nd = 6 · N · D``, the usual scaling-law convention, with N the parameters the size counts
  (``params_counted``: non-embedding by default) and D the tokens actually trained on;
- ``flops = flops_per_token · D`` with an exact per-token forward count following Chinchilla (Hoffmann et al.
  2022, appendix F) times 3 for forward + backward. Per token and layer: QKV projections 2·3·d², attention logits
  2·S·d, softmax 3·H·S, attention-weighted values 2·S·d, output projection 2·d², SwiGLU 2·3·d·h; plus the output
  head 2·d·V. The embedding lookup is a gather and costs nothing; attention is counted over the full sequence S
  (no causal halving), as Chinchilla does.

GPU-hours = flops / (peak FLOP/s per device × MFU) / 3600: the device-hours whatever the parallel layout.
``peak_flops`` are dense bf16 tensor-core figures; ``sm`` is the CUDA compute capability, which decides whether
float8 training can run (SM 8.9 and newer); ``memory`` is the device memory as the driver reports it (nvidia-smi's
total: 81,559 MiB on an H100/H800 SXM "80 GB", 81,920 MiB on an A100 80 GB, 143,771 MiB on an H200), against which
:mod:`codescale.compiler.memory` sizes micro-batches. ``cpu`` is a rough per-process figure so CPU studies get a
time estimate; it has no device memory to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from codescale.compiler.shapes import Shape


@dataclass(frozen=True)
class Accelerator:
    name: str
    peak_flops: float
    """Dense bf16 FLOP/s per device (per process for cpu)."""
    sm: float | None
    """CUDA compute capability (9.0 = Hopper); None off NVIDIA GPUs."""
    memory: int | None = None
    """Device memory in bytes; None where there is none to check (cpu)."""

    @property
    def supports_float8(self) -> bool:
        return self.sm is not None and self.sm >= 8.9


ACCELERATORS: dict[str, Accelerator] = {
    "H800": Accelerator("H800", 989e12, 9.0, 81559 * 2**20),
    "H100": Accelerator("H100", 989e12, 9.0, 81559 * 2**20),
    "H200": Accelerator("H200", 989e12, 9.0, 143771 * 2**20),
    "A100": Accelerator("A100", 312e12, 8.0, 81920 * 2**20),
    "cpu": Accelerator("cpu", 5e10, None),
}


def forward_flops_per_token(shape: Shape, vocab_size: int, seq_len: int) -> int:
    d, h, s, heads = shape.dim, shape.ffn_dim, seq_len, shape.n_heads
    per_layer = 2 * 3 * d * d + 2 * s * d + 3 * heads * s + 2 * s * d + 2 * d * d + 2 * 3 * d * h
    return shape.n_layers * per_layer + 2 * d * vocab_size


def training_flops_per_token(shape: Shape, vocab_size: int, seq_len: int) -> int:
    """Forward + backward (= 3 × forward) FLOPs per trained token."""
    return 3 * forward_flops_per_token(shape, vocab_size, seq_len)


def gpu_hours(flops: float, peak_flops: float, mfu: float) -> float:
    return flops / (peak_flops * mfu) / 3600.0
